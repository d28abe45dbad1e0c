// The append-only file, laid out as Redis 7's multi-part AOF: in `dir/appenddirname`, a base
// file (an RDB snapshot, `<appendfilename>.<n>.base.rdb`, or with aof-use-rdb-preamble no the
// commands that rebuild the data, `.base.aof`: aof-rewrite.ts), incremental files of commands
// (`<appendfilename>.<n>.incr.aof`) and the manifest `<appendfilename>.manifest` naming them.
//
// Writing: every executed write command reaches the propagator (dispatch.ts), which records it
// in its deterministic form (relative expiry → absolute, SPOP → SREM, ...; aof-propagate.ts);
// a transaction or script is wrapped in MULTI/EXEC. The bytes of an event-loop turn are written
// with one write() before any reply of that turn leaves (server.flushGate):
// - appendfsync always: replies are held; at the end of the turn (setImmediate) one write +
//   one fsync covers every client's writes of that turn (group commit), then replies go out;
// - everysec: written before replies, fsync in the background once a second;
// - no: written before replies, the kernel decides when to flush.
//
// BGREWRITEAOF (and auto-rewrite): a new incr file is opened and listed in the manifest at once;
// the base is written from a point-in-time snapshot (snapshot.ts) in slices between events; at
// the end the manifest is swapped atomically to the new base + new incr and the old files are
// removed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandDef } from '../commands/types';
import { Flag } from '../commands/types';
import { atomicWrite, fsyncDir } from '../security/files';
import { propagateHooks } from '../server/blocking';
import type { Client } from '../server/client';
import { flushPending } from '../server/connection';
import { callDepth, setPropagator } from '../server/dispatch';
import { serverInitHooks } from '../server/hooks';
import { addInfoFields, type InfoField } from '../server/info';
import type { Server } from '../server/server';
import type { Db, Entry } from '../store/db';
import { lfuDecayed } from '../store/db';
import { usedMemory } from '../store/memory';
import { type IncrWriter, incrWriter } from './aof-crypt';
import { encodeCommand, formatManifest, type Manifest, parseManifest, strArgv } from './aof-format';
import { loadAof } from './aof-load';
import { effectiveCommands } from './aof-propagate';
import { aofBaseFormat } from './aof-rewrite';
import { KIND_AOF, serverKey } from './crypt';
import { evictionInfo, type KeyRecord } from './rdb';
import { persistState, SlicePacer, stopLoading } from './save';
import { Snapshot } from './snapshot';
import { valueOptions } from './values';

interface Rewrite {
  snap: Snapshot;
  startMs: number;
  baseName: string;
  baseSeq: number;
  /** size of the incr file opened at the start (for auto-rewrite growth) */
}

export interface AofState {
  /** appendonly is on and the files are open */
  on: boolean;
  dir: string;
  manifest: Manifest;
  fd: number;
  /** encryption-key-file set: the open incr file's record sealer (aof-crypt.ts), else null */
  sealer: IncrWriter | null;
  /** bytes not written yet */
  buf: Buffer[];
  bufLen: number;
  /** written but not fsynced */
  unsynced: boolean;
  selectedDb: number;
  /** ops of the running top-level command (EXEC, scripts) */
  pending: { db: number; argv: Buffer[] }[];
  commitScheduled: boolean;
  fsyncInFlight: boolean;
  everysecTimer: NodeJS.Timeout | null;
  lastTsSec: number;
  rw: Rewrite | null;
  rewriteScheduled: boolean;
  /** propagation is off while loading */
  loading: boolean;
  /** start-up is over: CONFIG SET appendonly acts (config file values are read before) */
  started: boolean;
  currentSize: number;
  baseSize: number;
  /** size of the data at the end of the last rewrite (auto-rewrite growth baseline) */
  rewriteBaseSize: number;
  lastRewriteOk: boolean;
  lastRewriteTimeSec: number;
  rewrites: number;
  consecutiveFailures: number;
  lastWriteOk: boolean;
  delayedFsync: number;
  lastFsyncMs: number;
}

const states = new WeakMap<Server, AofState>();

export function aofState(s: Server): AofState {
  let st = states.get(s);
  if (st === undefined) {
    st = {
      on: false,
      dir: '',
      manifest: { base: null, incrs: [], history: [] },
      fd: -1,
      sealer: null,
      buf: [],
      bufLen: 0,
      unsynced: false,
      selectedDb: -1,
      pending: [],
      commitScheduled: false,
      fsyncInFlight: false,
      everysecTimer: null,
      lastTsSec: 0,
      rw: null,
      rewriteScheduled: false,
      loading: false,
      started: false,
      currentSize: 0,
      baseSize: 0,
      rewriteBaseSize: 0,
      lastRewriteOk: true,
      lastRewriteTimeSec: -1,
      rewrites: 0,
      consecutiveFailures: 0,
      lastWriteOk: true,
      delayedFsync: 0,
      lastFsyncMs: 0,
    };
    states.set(s, st);
  }
  return st;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function aofDir(s: Server): string {
  return path.join(s.config.str('dir'), s.config.str('appenddirname'));
}

function manifestName(s: Server): string {
  return `${s.config.str('appendfilename')}.manifest`;
}

function writeManifest(s: Server, st: AofState): void {
  atomicWrite(st.dir, manifestName(s), formatManifest(st.manifest));
}

function openIncr(s: Server, st: AofState, name: string): number {
  const flags =
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW;
  const fd = fs.openSync(path.join(st.dir, name), flags, 0o600);
  try {
    // with a key, writes go through the sealer from here on (the caller switches to fd at once)
    st.sealer = incrWriter(s, fd, path.join(st.dir, name));
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

// ---- appending ----

function push(st: AofState, b: Buffer): void {
  st.buf.push(b);
  st.bufLen += b.length;
}

function appendOp(s: Server, st: AofState, db: number, argv: Buffer[]): void {
  if (s.config.bool('aof-timestamp-enabled')) {
    const sec = Math.floor(s.clock.now() / 1000);
    if (sec !== st.lastTsSec) {
      st.lastTsSec = sec;
      push(st, Buffer.from(`#TS:${sec}\r\n`, 'latin1'));
    }
  }
  if (db !== st.selectedDb && db >= 0) {
    push(st, encodeCommand(strArgv('SELECT', String(db))));
    st.selectedDb = db;
  }
  push(st, encodeCommand(argv));
}

function flushOps(s: Server, st: AofState): void {
  const ops = st.pending;
  if (ops.length === 0) return;
  st.pending = [];
  if (ops.length === 1) {
    appendOp(s, st, ops[0].db, ops[0].argv);
    return;
  }
  // SELECT goes before MULTI when the whole transaction is in one database
  appendOp(s, st, ops[0].db, strArgv('MULTI'));
  for (const o of ops) appendOp(s, st, o.db, o.argv);
  appendOp(s, st, -1, strArgv('EXEC'));
}

/** Records one effective write; inside a top-level command it waits for the command's end. */
function record(s: Server, st: AofState, db: number, argv: Buffer[]): void {
  st.pending.push({ db, argv });
  if (callDepth() === 0) flushOps(s, st);
}

const SKIP = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'multi']);

function propagator(
  s: Server,
  st: AofState,
  c: Client,
  name: string,
  flags: number,
  argv: Buffer[],
  as: Buffer[][] | null,
) {
  if (!st.on || st.loading) return;
  if (as !== null) {
    for (const a of as) st.pending.push({ db: c.db.id, argv: a });
  } else if ((flags & Flag.Write) !== 0 && !SKIP.has(name)) {
    for (const a of effectiveCommands(c, name, argv)) st.pending.push({ db: c.db.id, argv: a });
  }
  if (callDepth() === 0) flushOps(s, st);
}

/** Writes the buffered bytes (one write call). Returns false on error (logged). */
function writeBuffered(s: Server, st: AofState): boolean {
  if (st.bufLen === 0 || st.fd < 0) return true;
  const data = st.buf.length === 1 ? st.buf[0] : Buffer.concat(st.buf, st.bufLen);
  let written = data.length;
  try {
    if (st.sealer !== null) written = st.sealer.write(st.fd, data);
    else {
      let off = 0;
      try {
        while (off < data.length) off += fs.writeSync(st.fd, data, off, data.length - off);
      } catch (e) {
        // a partial write must not be repeated by the retry: cut it back (as Redis does), or,
        // if that fails too, keep it and retry only the rest
        if (off > 0) {
          try {
            fs.ftruncateSync(st.fd, fs.fstatSync(st.fd).size - off);
          } catch {
            st.buf = [data.subarray(off)];
            st.bufLen = data.length - off;
            st.currentSize += off;
          }
        }
        throw e;
      }
    }
  } catch (e) {
    if (st.lastWriteOk) s.log.warning(`Error writing to the AOF file: ${errText(e)}`);
    st.lastWriteOk = false;
    return false;
  }
  st.buf = [];
  st.bufLen = 0;
  st.currentSize += written;
  st.unsynced = true;
  st.lastWriteOk = true;
  return true;
}

function fsyncNow(s: Server, st: AofState): void {
  if (!st.unsynced || st.fd < 0) return;
  try {
    fs.fsyncSync(st.fd);
    st.unsynced = false;
    st.lastFsyncMs = s.clock.now();
  } catch (e) {
    // as Redis: a failed fsync under `always` can't be recovered from safely
    s.log.warning(`Can't persist the AOF file: fsync: ${errText(e)}. Exiting.`);
    s.exit(1);
  }
}

const WRITE_RETRY_MS = 100;

/** The group commit of one event-loop turn (appendfsync always). */
function commit(s: Server, st: AofState): void {
  st.commitScheduled = false;
  if (writeBuffered(s, st)) fsyncNow(s, st);
  else {
    // nothing acknowledged may leave before it is on disk: replies wait, and the write is
    // retried every 100 ms (as Redis retries failed AOF writes from its cron), not in a busy loop
    st.commitScheduled = true;
    setTimeout(() => commit(s, st), WRITE_RETRY_MS);
    return;
  }
  flushPending(s);
}

function scheduleCommit(s: Server, st: AofState): void {
  if (st.commitScheduled) return;
  st.commitScheduled = true;
  setImmediate(() => commit(s, st));
}

/** server.flushGate: true when replies must wait for the group commit. */
function gate(s: Server, st: AofState): boolean {
  if (!st.on) return false;
  if (st.commitScheduled) return true;
  if (st.bufLen === 0) return false;
  if (s.config.str('appendfsync') === 'always') {
    scheduleCommit(s, st);
    return true;
  }
  writeBuffered(s, st);
  return false;
}

function everysec(s: Server, st: AofState): void {
  if (!st.on) return;
  if (st.bufLen > 0) writeBuffered(s, st);
  const policy = s.config.str('appendfsync');
  if (policy !== 'everysec' || !st.unsynced || st.fsyncInFlight || st.fd < 0) return;
  st.fsyncInFlight = true;
  st.unsynced = false;
  const fd = st.fd;
  fs.fsync(fd, (err) => {
    st.fsyncInFlight = false;
    if (err) {
      st.unsynced = true;
      s.log.warning(`Error fsyncing the AOF file: ${errText(err)}`);
    } else {
      st.lastFsyncMs = s.clock.now();
    }
  });
}

// ---- start / stop ----

/** Opens the AOF at start-up (after loading) or when turned on: creates what is missing. */
function openAof(s: Server, st: AofState, createBase: boolean): void {
  st.dir = aofDir(s);
  fs.mkdirSync(st.dir, { recursive: true, mode: 0o700 });
  const name = s.config.str('appendfilename');
  const m = st.manifest;
  const lastIncr = m.incrs[m.incrs.length - 1];
  if (lastIncr === undefined) {
    const seq = 1;
    m.incrs.push({ name: `${name}.${seq}.incr.aof`, seq, type: 'i' });
  }
  const incr = m.incrs[m.incrs.length - 1];
  st.fd = openIncr(s, st, incr.name);
  fsyncDir(st.dir);
  if (createBase && m.base === null) {
    const base = writeBaseSync(s, st, 1);
    m.base = { name: base, seq: 1, type: 'b' };
  }
  writeManifest(s, st);
  st.selectedDb = -1;
  st.on = true;
  st.currentSize = totalSize(st);
  st.baseSize = m.base !== null ? fileSize(path.join(st.dir, m.base.name)) : 0;
  st.rewriteBaseSize = st.currentSize;
  if (st.everysecTimer === null) {
    st.everysecTimer = setInterval(() => everysec(s, st), 1000);
    st.everysecTimer.unref();
  }
}

function totalSize(st: AofState): number {
  let n = 0;
  const m = st.manifest;
  if (m.base !== null) n += fileSize(path.join(st.dir, m.base.name));
  for (const i of m.incrs) n += fileSize(path.join(st.dir, i.name));
  return n;
}

/** The base file's name: RDB with aof-use-rdb-preamble yes, commands (aof-rewrite.ts) with no. */
function baseFileName(s: Server, seq: number): string {
  const ext = s.config.bool('aof-use-rdb-preamble') ? 'rdb' : 'aof';
  return `${s.config.str('appendfilename')}.${seq}.base.${ext}`;
}

function newSnapshot(s: Server, st: AofState, filename: string, offload = false): Snapshot {
  const cfg = s.config;
  const now = s.clock.now();
  const ts = cfg.bool('aof-timestamp-enabled') ? Math.floor(now / 1000) : null;
  return new Snapshot(s.dbs, {
    dir: st.dir,
    filename,
    format: filename.endsWith('.aof') ? aofBaseFormat(ts) : undefined,
    compress: cfg.bool('rdbcompression'),
    checksum: cfg.bool('rdbchecksum'),
    values: valueOptions(s),
    eviction: evictionInfo(cfg.str('maxmemory-policy')),
    // with a key the base is encrypted whole (kind AOF: it can't pass for the dump)
    encryptKey: serverKey(s),
    encryptKind: KIND_AOF,
    header: {
      redisVersion: s.redisVersion,
      ctime: Math.floor(now / 1000),
      usedMem: usedMemory(s),
      aofBase: true,
    },
    lfuOf: (r: KeyRecord) => lfuDecayed(r as Entry, now),
    now: () => s.clock.now(),
    // an RDB base is checksummed, encrypted and written on the writer thread, as BGSAVE's dump
    offload,
  });
}

function writeBaseSync(s: Server, st: AofState, seq: number): string {
  const name = baseFileName(s, seq);
  const snap = newSnapshot(s, st, name);
  try {
    snap.step(Number.POSITIVE_INFINITY);
    snap.writeEnd();
    snap.commitSync();
  } catch (e) {
    snap.abort();
    throw e;
  }
  return name;
}

function closeAof(s: Server, st: AofState): void {
  if (!st.on) return;
  writeBuffered(s, st);
  fsyncNow(s, st);
  if (st.fd >= 0) fs.closeSync(st.fd);
  st.fd = -1;
  st.on = false;
  if (st.everysecTimer !== null) clearInterval(st.everysecTimer);
  st.everysecTimer = null;
}

// ---- rewrite ----

export function rewriteInProgress(s: Server): boolean {
  return aofState(s).rw !== null;
}

/** Starts BGREWRITEAOF; returns an error message or null. */
export function startRewrite(s: Server): string | null {
  const st = aofState(s);
  if (st.rw !== null) return 'ERR Background append only file rewriting already in progress';
  const name = s.config.str('appendfilename');
  try {
    if (!st.on) {
      // CONFIG SET appendonly yes / BGREWRITEAOF with AOF off: the files are created now
      st.dir = aofDir(s);
      fs.mkdirSync(st.dir, { recursive: true, mode: 0o700 });
    }
    const m = st.manifest;
    const baseSeq = (m.base?.seq ?? 0) + 1;
    if (st.on) {
      // writes from now on go to a new incr file, listed in the manifest at once
      writeBuffered(s, st);
      fsyncNow(s, st);
      const incrSeq = (m.incrs[m.incrs.length - 1]?.seq ?? 0) + 1;
      const incrName = `${name}.${incrSeq}.incr.aof`;
      const fd = openIncr(s, st, incrName);
      fs.closeSync(st.fd);
      st.fd = fd;
      st.selectedDb = -1;
      m.incrs.push({ name: incrName, seq: incrSeq, type: 'i' });
      writeManifest(s, st);
    }
    const baseName = baseFileName(s, baseSeq);
    const snap = newSnapshot(s, st, baseName, true);
    snap.hook();
    st.rw = { snap, startMs: s.clock.now(), baseName, baseSeq };
  } catch (e) {
    s.log.warning(`Can't rewrite append only file in background: ${errText(e)}`);
    st.lastRewriteOk = false;
    st.consecutiveFailures++;
    return "ERR Can't rewrite append only file in background";
  }
  s.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
  const rw = st.rw;
  const fail = (e: unknown) => {
    if (st.rw !== rw) return;
    st.rw = null;
    rw.snap.abort();
    st.lastRewriteOk = false;
    st.consecutiveFailures++;
    st.lastRewriteTimeSec = Math.round((s.clock.now() - rw.startMs) / 1000);
    s.log.warning(`Background AOF rewrite failed: ${errText(e)}`);
  };
  // paced as BGSAVE: short slices when clients are busy, back to back when they are not
  const pacer = new SlicePacer();
  const run = () => {
    if (st.rw !== rw) return;
    let done = false;
    const budget = pacer.budget();
    try {
      if (budget > 0) {
        const t0 = performance.now();
        done = rw.snap.step(budget);
        pacer.spent(performance.now() - t0);
        if (done) rw.snap.writeEnd();
      }
    } catch (e) {
      fail(e);
      return;
    }
    if (!done) {
      if (rw.snap.congested) rw.snap.whenWritable(run);
      else pacer.next(run);
      return;
    }
    rw.snap.commit((err) => {
      if (st.rw !== rw) return;
      if (err !== null) {
        fail(err);
        return;
      }
      try {
        finishRewrite(s, st, rw);
      } catch (e) {
        fail(e);
      }
    });
  };
  setImmediate(run);
  return null;
}

function finishRewrite(s: Server, st: AofState, rw: Rewrite): void {
  const m = st.manifest;
  const old = [m.base, ...m.incrs.slice(0, -1)].filter((e) => e !== null);
  const wasOn = st.on;
  if (!wasOn) {
    // turning AOF on: the base holds everything so far, writes go to a new incr from here
    st.manifest = { base: { name: rw.baseName, seq: rw.baseSeq, type: 'b' }, incrs: [], history: [] };
    st.rw = null;
    openAof(s, st, false);
  } else {
    const current = m.incrs[m.incrs.length - 1];
    st.manifest = { base: { name: rw.baseName, seq: rw.baseSeq, type: 'b' }, incrs: [current], history: [] };
    writeManifest(s, st);
    st.rw = null;
  }
  // only files no manifest names any more are removed
  for (const e of old) {
    if (e.name === rw.baseName) continue;
    fs.rmSync(path.join(st.dir, e.name), { force: true });
  }
  st.baseSize = fileSize(path.join(st.dir, rw.baseName));
  st.currentSize = totalSize(st);
  st.rewriteBaseSize = st.currentSize;
  st.lastRewriteOk = true;
  st.consecutiveFailures = 0;
  st.rewrites++;
  st.lastRewriteTimeSec = Math.round((s.clock.now() - rw.startMs) / 1000);
  s.log.notice('Background AOF rewrite terminated with success');
  s.log.notice('Background AOF rewrite finished successfully');
}

function killRewrite(st: AofState): void {
  const rw = st.rw;
  if (rw === null) return;
  st.rw = null;
  rw.snap.abort();
}

// ---- cron, config, shutdown ----

function cron(s: Server): void {
  const st = aofState(s);
  if (st.loading || s.shuttingDown) return;
  if (st.rw === null && st.rewriteScheduled && persistState(s).bg === null) {
    st.rewriteScheduled = false;
    startRewrite(s);
    return;
  }
  if (!st.on || st.rw !== null || persistState(s).bg !== null) return;
  const perc = s.config.num('auto-aof-rewrite-percentage');
  const min = s.config.num('auto-aof-rewrite-min-size');
  if (perc > 0 && st.currentSize > min) {
    const base = st.rewriteBaseSize > 0 ? st.rewriteBaseSize : 1;
    const growth = ((st.currentSize - base) * 100) / base;
    if (growth >= perc) {
      s.log.notice(`Starting automatic rewriting of AOF on ${Math.floor(growth)}% growth`);
      startRewrite(s);
    }
  }
}

function setAppendonly(s: Server, on: boolean): string | undefined {
  const st = aofState(s);
  if (st.loading || !st.started) return undefined;
  if (on && !st.on) {
    if (st.rw !== null) return undefined;
    // during an RDB load (CONFIG is allowed then) or a BGSAVE: rewrite once it is over
    if (persistState(s).bg !== null || persistState(s).loading !== null) {
      st.rewriteScheduled = true;
      return undefined;
    }
    const err = startRewrite(s);
    return err === null ? undefined : "Can't start AOF rewrite";
  }
  if (!on && st.on) {
    killRewrite(st);
    closeAof(s, st);
  }
  return undefined;
}

/**
 * Loading at start-up (a dataLoadHook: the listeners are up, clients get -LOADING until the
 * AOF is loaded and open for writes; a refusal throws and ends the process).
 */
async function startup(s: Server): Promise<void> {
  const st = aofState(s);
  if (!s.config.bool('appendonly')) return;
  try {
    await loadAndOpen(s, st);
  } finally {
    st.loading = false;
    stopLoading(s);
  }
}

async function loadAndOpen(s: Server, st: AofState): Promise<void> {
  st.dir = aofDir(s);
  const mfile = path.join(st.dir, manifestName(s));
  let text: string | null = null;
  try {
    text = fs.readFileSync(mfile, 'latin1');
  } catch {
    text = null;
  }
  if (text !== null) {
    st.manifest = parseManifest(text);
    st.loading = true;
    await loadAof(s, st.dir, st.manifest);
    st.loading = false;
    // CONFIG SET appendonly no while it loaded (CONFIG is allowed then): the AOF stays closed
    if (!s.config.bool('appendonly')) return;
  } else {
    s.log.notice('Creating AOF base file and incr file on server start');
  }
  openAof(s, st, true);
}

function onShutdown(s: Server): string | null {
  const st = aofState(s);
  if (st.rw !== null) {
    s.log.warning('There is a child rewriting the AOF. Killing it!');
    killRewrite(st);
  }
  if (st.on) {
    s.log.notice('Calling fsync() on the AOF file.');
    closeAof(s, st);
  }
  return null;
}

function infoFields(s: Server): InfoField[] {
  const st = aofState(s);
  const now = s.clock.now();
  const f: InfoField[] = [
    ['aof_enabled', st.on ? 1 : 0],
    ['aof_rewrite_in_progress', st.rw !== null ? 1 : 0],
    ['aof_rewrite_scheduled', st.rewriteScheduled ? 1 : 0],
    ['aof_last_rewrite_time_sec', st.lastRewriteTimeSec],
    ['aof_current_rewrite_time_sec', st.rw !== null ? Math.floor((now - st.rw.startMs) / 1000) : -1],
    ['aof_last_bgrewrite_status', st.lastRewriteOk ? 'ok' : 'err'],
    ['aof_rewrites', st.rewrites],
    ['aof_rewrites_consecutive_failures', st.consecutiveFailures],
    ['aof_last_write_status', st.lastWriteOk ? 'ok' : 'err'],
    ['aof_last_cow_size', 0],
  ];
  if (st.on) {
    f.push(
      ['aof_current_size', st.currentSize + st.bufLen],
      ['aof_base_size', st.baseSize],
      ['aof_pending_rewrite', st.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', st.bufLen],
      ['aof_pending_bio_fsync', st.fsyncInFlight ? 1 : 0],
      ['aof_delayed_fsync', st.delayedFsync],
    );
  }
  return f;
}

// BGREWRITEAOF
function bgrewriteaof(c: Client): void {
  const s = c.server;
  const st = aofState(s);
  if (st.rw !== null) {
    c.reply.error('ERR Background append only file rewriting already in progress');
  } else if (persistState(s).bg !== null || callDepth() > 1) {
    // the snapshot machinery serves one save at a time: run once the BGSAVE is over
    st.rewriteScheduled = true;
    c.reply.simple('Background append only file rewriting scheduled');
  } else {
    const err = startRewrite(s);
    if (err === null) c.reply.simple('Background append only file rewriting started');
    else c.reply.error(err);
  }
}

export const aofCommands: CommandDef[] = [
  { name: 'bgrewriteaof', arity: 1, flags: 'admin noscript no_async_loading', handler: bgrewriteaof },
];

addInfoFields('persistence', infoFields, 110);

serverInitHooks.push((s) => {
  const st = aofState(s);
  s.flushGate = () => gate(s, st);
  s.appendonlyApply = (on) => setAppendonly(s, on);
  setPropagator((c, cmd, argv, as) => propagator(s, st, c, cmd.fullname, cmd.flags, argv, as));
  propagateHooks.push((c, argv) => {
    if (st.on && !st.loading) record(s, st, c.db.id, argv);
  });
  const expired = s.keyExpired.bind(s);
  s.keyExpired = (db: Db, key: string) => {
    expired(db, key);
    if (st.on && !st.loading) record(s, st, db.id, strArgv('DEL', key));
  };
  const evicted = s.keyEvicted.bind(s);
  s.keyEvicted = (db: Db, key: string) => {
    evicted(db, key);
    if (st.on && !st.loading) record(s, st, db.id, strArgv('DEL', key));
  };
  s.keyModifiedHooks.push((db, key) => {
    const rw = st.rw;
    if (rw !== null) rw.snap.afterModified(db, key);
  });
  s.cronHooks.push(() => cron(s));
  s.shutdownHooks.push(() => onShutdown(s));
  s.startupHooks.push(async () => {
    // CONFIG SET appendonly acts from now on (the config file's value was read before)
    st.started = true;
  });
  s.dataLoadHooks.push(() => startup(s));
});
