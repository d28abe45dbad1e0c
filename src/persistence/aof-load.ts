// Loading a multi-part AOF at start-up: the base (an RDB file, or commands), then every incr file
// in manifest order, replayed through a connection-less client. A truncated last command of the
// last file is trimmed when aof-load-truncated is yes (as Redis: warning, file truncated at the
// last complete command, an unfinished MULTI reverted); anything malformed is refused with the
// file name and offset. Commands run against the databases as they load, and a refusal ends
// the process, so a refused AOF is never served half-loaded.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '../server/client';
import { call, lookup } from '../server/dispatch';
import type { Server } from '../server/server';
import { type Clock, Db } from '../store/db';
import { type Manifest, type ManifestEntry, parseAt } from './aof-format';
import { RdbError } from './errors';
import { evictionInfo, MAGIC, RdbLoader } from './rdb';
import { valueOptions } from './values';

export class AofLoadError extends Error {}

function readFile(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Loads an RDB image at the start of `buf` into the server; returns where it ended. */
function loadRdb(s: Server, buf: Buffer, file: string): number {
  const fresh = s.dbs.map((d) => new Db(d.id, s.clock, d.events));
  let loader: RdbLoader;
  try {
    loader = new RdbLoader(buf, fresh, {
      values: valueOptions(s),
      checksum: s.config.bool('rdbchecksum'),
      databases: s.dbs.length,
      now: s.clock.now(),
      eviction: evictionInfo(s.config.str('maxmemory-policy')),
      log: (m) => s.log.notice(m),
    });
    loader.step(Number.POSITIVE_INFINITY);
  } catch (e) {
    const why = e instanceof RdbError ? e.message : `internal error: ${(e as Error).message}`;
    throw new AofLoadError(`Bad RDB preamble in the append only file ${file}: ${why}. Refusing to load it.`);
  }
  for (let i = 0; i < fresh.length; i++) s.dbs[i].swapWith(fresh[i]);
  s.log.notice(`Reading RDB base file on AOF loading... (${loader.result.loaded} keys)`);
  return loader.position;
}

interface Replay {
  c: Client;
  /** commands of an open MULTI, and the offset of its MULTI */
  multi: Buffer[][] | null;
  multiStart: number;
  commands: number;
}

function run(s: Server, r: Replay, argv: Buffer[], file: string, offset: number): void {
  const name = argv[0].toString('latin1').toLowerCase();
  if (name === 'multi') {
    r.multi = [];
    r.multiStart = offset;
    return;
  }
  if (name === 'exec') {
    const q = r.multi ?? [];
    r.multi = null;
    r.c.inExec = true;
    try {
      for (const a of q) exec(s, r, a, file, offset);
    } finally {
      r.c.inExec = false;
    }
    return;
  }
  if (r.multi !== null) {
    r.multi.push(argv);
    return;
  }
  exec(s, r, argv, file, offset);
}

function exec(s: Server, r: Replay, argv: Buffer[], file: string, offset: number): void {
  const c = r.c;
  const cmd = lookup(s, c, argv);
  if (cmd === null) {
    throw new AofLoadError(
      `Unknown command '${argv[0].toString('latin1').slice(0, 128)}' reading the append only file ${file} (offset ${offset})`,
    );
  }
  call(s, c, cmd, argv);
  c.reply.take(); // replies of the loading client are discarded
  r.commands++;
}

/** Replays the commands in `buf` from `start`; `last` = the manifest's last file. */
function replay(s: Server, r: Replay, buf: Buffer, start: number, file: string, last: boolean): void {
  let pos = start;
  for (;;) {
    const p = parseAt(buf, pos);
    if (p.kind === 'eof') break;
    if (p.kind === 'annotation') {
      pos = p.end;
      continue;
    }
    if (p.kind === 'bad') {
      throw new AofLoadError(
        `Bad file format reading the append only file ${file} (offset ${pos}: ${p.why}): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
      );
    }
    if (p.kind === 'truncated') {
      truncated(s, r, file, pos, last);
      return;
    }
    run(s, r, p.argv, file, pos);
    pos = p.end;
  }
  if (r.multi !== null) truncated(s, r, file, pos, last);
}

function truncated(s: Server, r: Replay, file: string, pos: number, last: boolean): void {
  if (!last || !s.config.bool('aof-load-truncated')) {
    throw new AofLoadError(
      `Unexpected end of file reading the append only file ${file} (offset ${pos}). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
    );
  }
  let cut = pos;
  if (r.multi !== null) {
    s.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${file}`);
    cut = r.multiStart;
    r.multi = null;
  }
  s.log.warning(`!!! Warning: short read while loading the AOF file ${file}!!!`);
  s.log.warning(`!!! Truncating the AOF ${file} at offset ${cut} !!!`);
  try {
    fs.truncateSync(file, cut);
  } catch (e) {
    throw new AofLoadError(`Error truncating the AOF file ${file}: ${(e as Error).message}`);
  }
  s.log.warning(`AOF ${file} loaded anyway because aof-load-truncated is enabled`);
}

export async function loadAof(s: Server, dir: string, m: Manifest): Promise<void> {
  const t0 = performance.now();
  const c = new Client(s, 0, null, s.dbs[0], s.clock.now(), Number.MAX_SAFE_INTEGER, true);
  c.name = 'aof-loader';
  const r: Replay = { c, multi: null, multiStart: 0, commands: 0 };
  const files = [...(m.base !== null ? [m.base] : []), ...m.incrs];
  s.replaying = true;
  try {
    replayFiles(s, r, dir, files);
  } finally {
    s.replaying = false;
    for (const db of s.dbs) setClock(db, s.clock);
  }
  s.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
}

/**
 * While commands replay, nothing expires (as Redis's loading): a key whose time passed since
 * it was written must still be there for the commands that followed it then; it expires
 * after the load, as it would have. Db lookups read their clock, so the replay gives the
 * databases one that stands at 0 (and server.replaying stops EXPIREAT's "in the past").
 */
const STOPPED: Clock = { now: () => 0 };

function setClock(db: Db, clock: Clock): void {
  (db as { clock: Clock }).clock = clock;
}

function replayFiles(s: Server, r: Replay, dir: string, files: ManifestEntry[]): void {
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const file = path.join(dir, f.name);
    let buf: Buffer;
    try {
      buf = readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && f.type === 'i' && i === files.length - 1) continue; // not created yet
      throw new AofLoadError(`The AOF file ${file} could not be read: ${(e as Error).message}`);
    }
    const last = i === files.length - 1;
    let start = 0;
    if (buf.length >= 5 && buf.toString('latin1', 0, 5) === MAGIC) start = loadRdb(s, buf, file);
    for (const db of s.dbs) setClock(db, STOPPED);
    r.multi = null;
    replay(s, r, buf, start, file, last);
    s.log.notice(`DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}`);
  }
}
