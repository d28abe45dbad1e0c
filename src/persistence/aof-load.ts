// Loading a multi-part AOF at start-up: the base (an RDB file, or commands), then every incr file
// in manifest order, replayed through a connection-less client. A truncated last command of the
// last file is trimmed when aof-load-truncated is yes (as Redis: warning, file truncated at the
// last complete command, an unfinished MULTI reverted); anything malformed is refused with the
// file name and offset. Commands run against the databases as they load, and a refusal ends
// the process, so a refused AOF is never served half-loaded.
//
// The load runs after the listeners are up, in slices between events: meanwhile clients get
// -LOADING (save.ts's gate), INFO persistence shows the loading fields over the bytes of all
// the files, and the log shows the progress about once a second.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNoFollow } from '../security/files';
import { Client } from '../server/client';
import { call, lookup } from '../server/dispatch';
import type { Server } from '../server/server';
import { type Clock, Db } from '../store/db';
import { openAofFile, verifyAofFiles } from './aof-crypt';
import { type Manifest, type ManifestEntry, parseAt } from './aof-format';
import { CryptError } from './crypt';
import { RdbError } from './errors';
import { evictionInfo, MAGIC, RdbLoader } from './rdb';
import { type LoadingState, LoadProgress, startLoading } from './save';
import { valueOptions } from './values';

/** Work per loading slice before yielding to the event loop. */
const SLICE_MS = 20;
/** Commands replayed between two looks at the clock. */
const CLOCK_EVERY = 64;

function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Where the load stands: the file being read and the byte counts of the progress. */
interface Progress {
  loading: LoadingState;
  log: LoadProgress;
  /** on-disk bytes of the files already loaded */
  doneBytes: number;
  /** on-disk size of the current file / bytes of its contents (decoded) */
  scale: number;
}

function advance(p: Progress, pos: number, keys: number): void {
  p.loading.loadedBytes = Math.min(p.loading.totalBytes, p.doneBytes + Math.floor(pos * p.scale));
  p.log.tick(keys);
}

function keyCount(s: Server): number {
  let n = 0;
  for (const db of s.dbs) n += db.size;
  return n;
}

export class AofLoadError extends Error {}

/** Loads an RDB image at the start of `buf` into the server, in slices; returns where it ended. */
async function loadRdb(s: Server, buf: Buffer, file: string, p: Progress): Promise<number> {
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
    for (;;) {
      const done = loader.step(performance.now() + SLICE_MS);
      const mem = loader.result.aux.get('used-mem');
      if (mem !== undefined) p.loading.rdbUsedMem = Number(mem) || 0;
      advance(p, loader.position, loader.result.loaded);
      if (done) break;
      await nextTurn();
    }
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

/** Replays the commands in `buf` from `start`, in slices; `last` = the manifest's last file. */
async function replay(
  s: Server,
  r: Replay,
  buf: Buffer,
  start: number,
  file: string,
  last: boolean,
  prog: Progress,
): Promise<void> {
  let pos = start;
  let deadline = performance.now() + SLICE_MS;
  let n = 0;
  for (;;) {
    // a transaction is never split: its commands run at EXEC, within one slice
    if (++n % CLOCK_EVERY === 0 && performance.now() >= deadline) {
      advance(prog, pos, keyCount(s));
      await nextTurn();
      deadline = performance.now() + SLICE_MS;
    }
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

/**
 * Loads the files of `m`. Starts the loading state (save.ts: -LOADING, INFO fields); the
 * caller ends it (stopLoading) once the AOF is open for writes.
 */
export async function loadAof(s: Server, dir: string, m: Manifest): Promise<void> {
  const t0 = performance.now();
  const c = new Client(s, 0, null, s.dbs[0], s.clock.now(), Number.MAX_SAFE_INTEGER, true);
  c.name = 'aof-loader';
  const r: Replay = { c, multi: null, multiStart: 0, commands: 0 };
  const files = [...(m.base !== null ? [m.base] : []), ...m.incrs];
  // encryption at rest: every file verifies before any is replayed (a torn tail is trimmed here)
  try {
    verifyAofFiles(s, dir, files);
  } catch (e) {
    if (e instanceof CryptError)
      throw new AofLoadError(`${e.message}. Refusing to load it (nothing was loaded).`);
    throw e;
  }
  const sizes = files.map((f) => sizeOf(path.join(dir, f.name)));
  const loading = startLoading(
    s,
    sizes.reduce((a, b) => a + b, 0),
  );
  const prog: Progress = { loading, log: new LoadProgress(s, 'AOF', loading), doneBytes: 0, scale: 1 };
  s.replaying = true;
  try {
    await replayFiles(s, r, dir, files, sizes, prog);
  } finally {
    s.replaying = false;
    for (const db of s.dbs) setClock(db, s.clock);
  }
  s.log.notice(`Done loading AOF, keys loaded: ${keyCount(s)}, commands replayed: ${r.commands}.`);
  s.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
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

async function replayFiles(
  s: Server,
  r: Replay,
  dir: string,
  files: ManifestEntry[],
  sizes: number[],
  prog: Progress,
): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const file = path.join(dir, f.name);
    let buf: Buffer;
    try {
      buf = readNoFollow(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && f.type === 'i' && i === files.length - 1) continue; // not created yet
      throw new AofLoadError(`The AOF file ${file} could not be read: ${(e as Error).message}`);
    }
    const last = i === files.length - 1;
    // encryption at rest: the file is verified in full before any of it is replayed
    let sealed = false;
    try {
      ({ data: buf, sealed } = openAofFile(s, buf, file, f.type, last));
    } catch (e) {
      if (e instanceof CryptError) throw new AofLoadError(`${e.message}. Refusing to load it.`);
      throw e;
    }
    prog.scale = buf.length > 0 ? sizes[i] / buf.length : 1;
    let start = 0;
    if (buf.length >= 5 && buf.toString('latin1', 0, 5) === MAGIC) start = await loadRdb(s, buf, file, prog);
    for (const db of s.dbs) setClock(db, STOPPED);
    r.multi = null;
    // a sealed file holds whole records: its plaintext is never cut
    await replay(s, r, buf, start, file, last && !sealed, prog);
    prog.doneBytes += sizes[i];
    advance(prog, 0, keyCount(s));
    s.log.notice(`DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}`);
  }
}
