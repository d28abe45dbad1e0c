// RDB persistence for a server: SAVE and BGSAVE, the `save <seconds> <changes>` policies run by
// the cron, the final save on shutdown, loading dir/dbfilename at start-up (in slices, answering
// -LOADING meanwhile), the -MISCONF and -LOADING gates, and the INFO persistence fields.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Flag } from '../commands/types';
import { E } from '../protocol/errors';
import { checkLoadedFile, formatFinding } from '../security/files';
import type { Client } from '../server/client';
import { addGate } from '../server/dispatch';
import { serverInitHooks } from '../server/hooks';
import { addInfoFields, type InfoField } from '../server/info';
import type { Server } from '../server/server';
import { Db, type Entry, lfuDecayed } from '../store/db';
import { usedMemory } from '../store/memory';
import { CryptError, openPersisted, serverKey } from './crypt';
import { RdbError } from './errors';
import { evictionInfo, type KeyRecord, RdbLoader } from './rdb';
import { Snapshot } from './snapshot';
import { valueOptions } from './values';

export const MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report ' +
  'errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check ' +
  'the Redis logs for details about the RDB error.';

/**
 * Background-save slices (SlicePacer). The save estimates how busy clients keep the event
 * loop: the share of the time spent on other work (neither in its slices nor waiting for
 * I/O), averaged over about LOAD_WINDOW_MS. Below LOADED_AT (clients take under a tenth of
 * the time) the server is idle enough: the save runs SLICE_MS slices back to back
 * (setImmediate: full speed, a request waits half a millisecond at most). Above, the save
 * earns LOADED_SHARE of the time the other work took (credit, at most SLICE_MS), runs a slice
 * once it has LOADED_MIN_MS, and looks again a millisecond later (a timer, so the loop waits
 * for I/O instead of spinning): clients keep ~95% of the main thread.
 * (Measured with bench/bgsave.ts: 1 ms slices gave p99 +1 ms during saves, 0.5 ms +0.2-0.9.)
 */
const SLICE_MS = 0.5;
const LOADED_MIN_MS = 0.25;
const LOADED_SHARE = 0.05;
const LOADED_AT = 0.1;
const LOAD_WINDOW_MS = 10;
const TURN_MS = 0.02;
/** Work per loading slice. */
const LOAD_SLICE_MS = 20;
/** After a failed BGSAVE, the save policies wait this long before trying again (as Redis). */
const RETRY_DELAY_MS = 5000;

export interface LoadingState {
  startMs: number;
  totalBytes: number;
  loadedBytes: number;
  rdbUsedMem: number;
}

/** How many servers' states may deny commands (loading, or the last BGSAVE failed): while
 *  none does, the dispatcher skips the gate below. */
let denying = 0;

export class PersistState {
  bg: Snapshot | null = null;
  bgStartMs = 0;
  dirtyAtStart = 0;
  lastBgsaveTimeSec = -1;
  lastBgsaveTry = 0;
  scheduled = false;
  saves = 0;
  lastCowSize = 0;
  lastLoadLoaded = 0;
  lastLoadExpired = 0;
  /** keys changed during a BGSAVE without the before-write signal, since start-up */
  unsignalledWrites = 0;
  private ok = true;
  private load: LoadingState | null = null;

  get lastBgsaveOk(): boolean {
    return this.ok;
  }

  set lastBgsaveOk(v: boolean) {
    const before = this.denies();
    this.ok = v;
    this.changed(before);
  }

  get loading(): LoadingState | null {
    return this.load;
  }

  set loading(v: LoadingState | null) {
    const before = this.denies();
    this.load = v;
    this.changed(before);
  }

  private denies(): boolean {
    return this.load !== null || !this.ok;
  }

  private changed(before: boolean): void {
    const now = this.denies();
    if (now === before) return;
    denying += now ? 1 : -1;
    persistGate.on = denying > 0;
  }
}

const states = new WeakMap<Server, PersistState>();

export function persistState(s: Server): PersistState {
  let st = states.get(s);
  if (st === undefined) {
    st = new PersistState();
    states.set(s, st);
  }
  return st;
}

function newSnapshot(s: Server, offload = false): Snapshot {
  const cfg = s.config;
  const now = s.clock.now();
  return new Snapshot(s.dbs, {
    dir: cfg.str('dir'),
    filename: cfg.str('dbfilename'),
    compress: cfg.bool('rdbcompression'),
    checksum: cfg.bool('rdbchecksum'),
    values: valueOptions(s),
    eviction: evictionInfo(cfg.str('maxmemory-policy')),
    header: { redisVersion: s.redisVersion, ctime: Math.floor(now / 1000), usedMem: usedMemory(s) },
    lfuOf: (r: KeyRecord) => lfuDecayed(r as Entry, now),
    now: () => s.clock.now(),
    encryptKey: serverKey(s),
    offload,
  });
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** SAVE: a blocking save. Returns false (after logging) on failure. */
export function saveSync(s: Server): boolean {
  const st = persistState(s);
  let snap: Snapshot | null = null;
  try {
    snap = newSnapshot(s);
    snap.step(Number.POSITIVE_INFINITY);
    snap.writeEnd();
    snap.commitSync();
  } catch (e) {
    s.log.warning(`Write error saving DB on disk: ${errText(e)}`);
    snap?.abort();
    return false;
  }
  s.dirty = 0;
  s.lastSave = Math.floor(s.clock.now() / 1000);
  st.saves++;
  s.log.notice('DB saved on disk');
  return true;
}

/** Whether another snapshot (an AOF rewrite) holds the copy-on-write hooks. */
export function otherSnapshotActive(s: Server): boolean {
  return persistState(s).bg === null && s.dbs.some((d) => d.onBeforeWrite !== null);
}

/** Decides how long each background-save slice may be (see SLICE_MS); also paces AOF rewrites. */
export class SlicePacer {
  private lastTurn = performance.now();
  private lastIdle = performance.eventLoopUtilization().idle;
  /** time in slices since the previous turn */
  private saveMs = 0;
  /** average share of the (wall-clock) time that other work took */
  private load = 0;
  private credit = 0;
  private loaded = false;

  /** At the start of a turn: the slice's budget in ms, 0 for none this turn. */
  budget(): number {
    const now = performance.now();
    const idle = performance.eventLoopUtilization().idle;
    const wall = now - this.lastTurn;
    // the loop's own overhead between two turns (TURN_MS) is not other work
    const other = Math.max(0, wall - this.saveMs - (idle - this.lastIdle) - TURN_MS);
    this.lastTurn = now;
    this.lastIdle = idle;
    this.saveMs = 0;
    if (wall > 0) {
      const a = Math.min(1, wall / LOAD_WINDOW_MS);
      this.load += a * (other / wall - this.load);
    }
    this.loaded = this.load >= LOADED_AT;
    if (!this.loaded) {
      this.credit = 0;
      return SLICE_MS;
    }
    this.credit = Math.min(SLICE_MS, this.credit + (other * LOADED_SHARE) / (1 - LOADED_SHARE));
    return this.credit >= LOADED_MIN_MS ? this.credit : 0;
  }

  /** After a slice that took `ms`. */
  spent(ms: number): void {
    this.saveMs += ms;
    if (this.loaded) this.credit = Math.max(0, this.credit - ms);
  }

  /** Schedules the next turn: at once when idle, after a wait for I/O under load. */
  next(run: () => void): void {
    if (this.loaded) setTimeout(run, 1);
    else setImmediate(run);
  }
}

/**
 * BGSAVE: starts a background save. False when one is already running or another snapshot
 * (an AOF rewrite) is. A save that fails right away (the temp file can't be created) counts as
 * started and failed, as a forked child failing at once does in Redis.
 */
export function startBgsave(s: Server): boolean {
  const st = persistState(s);
  if (st.bg !== null) return false;
  // an AOF rewrite holds the before-write hooks (one snapshot at a time)
  if (s.dbs.some((d) => d.onBeforeWrite !== null)) return false;
  st.lastBgsaveTry = s.clock.now();
  let snap: Snapshot;
  try {
    snap = newSnapshot(s, true);
  } catch (e) {
    s.log.notice(`Background saving started by pid ${process.pid}`);
    s.log.warning(`Failed opening the temp RDB file in ${s.config.str('dir')}: ${errText(e)}`);
    s.log.warning('Background saving error');
    st.lastBgsaveOk = false;
    st.lastBgsaveTimeSec = 0;
    return true;
  }
  snap.hook();
  st.bg = snap;
  st.bgStartMs = s.clock.now();
  st.dirtyAtStart = s.dirty;
  s.log.notice(`Background saving started by pid ${process.pid}`);
  const fail = (e: unknown) => {
    if (st.bg !== snap) return;
    st.bg = null;
    snap.abort();
    st.lastBgsaveOk = false;
    st.lastBgsaveTimeSec = Math.round((s.clock.now() - st.bgStartMs) / 1000);
    st.unsignalledWrites += snap.violations;
    s.log.warning(`Write error saving DB on disk: ${errText(e)}`);
    s.log.warning('Background saving error');
  };
  const pacer = new SlicePacer();
  const run = () => {
    if (st.bg !== snap) return;
    let done = false;
    const budget = pacer.budget();
    try {
      if (budget > 0) {
        const t0 = performance.now();
        done = snap.step(budget);
        pacer.spent(performance.now() - t0);
        if (done) snap.writeEnd();
      }
    } catch (e) {
      fail(e);
      return;
    }
    if (!done) {
      // the writer thread is behind: continue once it has caught up
      if (snap.congested) snap.whenWritable(run);
      else pacer.next(run);
      return;
    }
    snap.commit((err) => {
      if (st.bg !== snap) return;
      if (err !== null) {
        fail(err);
        return;
      }
      st.bg = null;
      s.dirty = Math.max(0, s.dirty - st.dirtyAtStart);
      s.lastSave = Math.floor(s.clock.now() / 1000);
      st.lastBgsaveOk = true;
      st.lastBgsaveTimeSec = Math.round((s.clock.now() - st.bgStartMs) / 1000);
      st.saves++;
      st.lastCowSize = snap.peakPending;
      st.unsignalledWrites += snap.violations;
      if (snap.violations > 0) {
        s.log.warning(
          `Background saving: ${snap.violations} key(s) changed without a before-write signal; their new value was saved (${snap.violatedKeys.join(', ')})`,
        );
      }
      s.log.notice('DB saved on disk');
      s.log.notice('Background saving terminated with success');
    });
  };
  setImmediate(run);
  return true;
}

/** Stops a running background save (shutdown); its temp file is removed. */
export function killBgsave(s: Server): void {
  const st = persistState(s);
  const snap = st.bg;
  if (snap === null) return;
  st.bg = null;
  snap.abort();
}

function saveParams(s: Server): [number, number][] {
  const l = s.config.list('save');
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < l.length; i += 2) out.push([Number(l[i]), Number(l[i + 1])]);
  return out;
}

function cron(s: Server, now: number): void {
  const st = persistState(s);
  if (st.bg !== null || st.loading !== null || s.shuttingDown) return;
  if (st.scheduled) {
    if (startBgsave(s)) st.scheduled = false;
    return;
  }
  if (otherSnapshotActive(s)) return;
  const nowSec = Math.floor(now / 1000);
  for (const [secs, changes] of saveParams(s)) {
    if (
      s.dirty >= changes &&
      nowSec - s.lastSave > secs &&
      (now - st.lastBgsaveTry > RETRY_DELAY_MS || st.lastBgsaveOk)
    ) {
      s.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
      startBgsave(s);
      break;
    }
  }
}

function onShutdown(s: Server, nosave: boolean, save: boolean): string | null {
  const st = persistState(s);
  if (st.bg !== null) {
    s.log.warning('There is a child saving an .rdb. Killing it!');
    killBgsave(s);
  }
  if (st.loading !== null) return null;
  if ((saveParams(s).length > 0 && !nosave) || save) {
    s.log.notice('Saving the final RDB snapshot before exiting.');
    if (!saveSync(s)) {
      s.log.warning("Error trying to save the DB, can't exit.");
      return "Error trying to save the DB, can't exit.";
    }
  }
  return null;
}

// ---- loading ----

/** Why a dump file was refused. */
export class LoadError extends Error {}

/**
 * A start-up load begins: from here on clients get -LOADING (the listeners are already up)
 * and INFO persistence shows the loading fields, over `totalBytes` of files.
 */
export function startLoading(s: Server, totalBytes: number): LoadingState {
  const l = { startMs: s.clock.now(), totalBytes, loadedBytes: 0, rdbUsedMem: 0 };
  persistState(s).loading = l;
  return l;
}

export function stopLoading(s: Server): void {
  persistState(s).loading = null;
}

/** The progress line of a start-up load, about once a second: %, keys, keys/s, ETA. */
export class LoadProgress {
  private readonly t0 = performance.now();
  private last = this.t0;

  constructor(
    private readonly s: Server,
    private readonly what: string,
    private readonly l: LoadingState,
  ) {}

  /** `keys`: keys loaded so far. */
  tick(keys: number): void {
    const now = performance.now();
    if (now - this.last < 1000) return;
    this.last = now;
    const l = this.l;
    const secs = (now - this.t0) / 1000;
    const pct = l.totalBytes > 0 ? (l.loadedBytes * 100) / l.totalBytes : 0;
    const byteRate = l.loadedBytes / secs;
    const eta = byteRate > 0 ? Math.ceil((l.totalBytes - l.loadedBytes) / byteRate) : 0;
    this.s.log.notice(
      `Loading ${this.what}: ${pct.toFixed(1)}% (${keys} keys, ${Math.round(keys / secs)} keys/s, ETA ${eta} s)`,
    );
  }
}

/** Loads dir/dbfilename if present; throws LoadError naming the file on any problem. */
export async function loadAtStartup(s: Server): Promise<void> {
  if (s.config.bool('appendonly')) return; // the AOF takes precedence (persistence/aof.ts)
  const file = path.join(s.config.str('dir'), s.config.str('dbfilename'));
  let size: number;
  try {
    size = fs.lstatSync(file).size;
  } catch {
    return; // no dump yet
  }
  startLoading(s, size);
  try {
    const mode = s.config.str('permission-check');
    if (mode !== 'no') {
      const findings = checkLoadedFile(file);
      for (const f of findings) s.log.warning(formatFinding(f));
      if (findings.length > 0 && mode === 'yes') {
        throw new LoadError(
          `Refusing to load ${file}: unsafe permissions (see above). Fix them, or set 'permission-check warn'.`,
        );
      }
    }
    await loadFile(s, file);
  } finally {
    stopLoading(s);
  }
}

/** Reads and loads an RDB file into fresh databases, then swaps them in. */
export async function loadFile(s: Server, file: string): Promise<void> {
  const st = persistState(s);
  const t0 = performance.now();
  let buf: Buffer;
  try {
    const fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      buf = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new LoadError(`Can't read the RDB file ${file}: ${errText(e)}`);
  }
  // encryption at rest: the whole file is verified before anything is parsed
  try {
    buf = openPersisted(s, buf, file);
  } catch (e) {
    if (e instanceof CryptError)
      throw new LoadError(`${e.message}. Refusing to load it (nothing was loaded).`);
    throw e;
  }
  const fresh = s.dbs.map((d) => new Db(d.id, s.clock, d.events));
  const outer = st.loading;
  const loading = { startMs: s.clock.now(), totalBytes: buf.length, loadedBytes: 0, rdbUsedMem: 0 };
  if (outer !== null) loading.startMs = outer.startMs;
  st.loading = loading;
  try {
    const loader = new RdbLoader(buf, fresh, {
      values: valueOptions(s),
      checksum: s.config.bool('rdbchecksum'),
      databases: s.dbs.length,
      now: s.clock.now(),
      eviction: evictionInfo(s.config.str('maxmemory-policy')),
      log: (m) => s.log.notice(m),
    });
    const progress = new LoadProgress(s, `RDB ${file}`, loading);
    for (;;) {
      const done = loader.step(performance.now() + LOAD_SLICE_MS);
      loading.loadedBytes = loader.position;
      const mem = loader.result.aux.get('used-mem');
      if (mem !== undefined) loading.rdbUsedMem = Number(mem) || 0;
      if (done) break;
      progress.tick(loader.result.loaded);
      // let clients in (they get -LOADING) between slices
      await new Promise((r) => setImmediate(r));
    }
    for (let i = 0; i < fresh.length; i++) s.dbs[i].swapWith(fresh[i]);
    st.lastLoadLoaded = loader.result.loaded;
    st.lastLoadExpired = loader.result.expired;
    s.log.notice(
      `Done loading RDB, keys loaded: ${loader.result.loaded}, keys expired: ${loader.result.expired}.`,
    );
    s.log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  } catch (e) {
    const why = e instanceof RdbError ? `${errText(e)}` : `internal error: ${errText(e)}`;
    throw new LoadError(`Bad RDB file ${file}: ${why}. Refusing to load it (nothing was loaded).`);
  } finally {
    st.loading = outer;
  }
}

// ---- gates and INFO ----

function diskErrorDenies(s: Server): boolean {
  const st = persistState(s);
  return !st.lastBgsaveOk && s.config.bool('stop-writes-on-bgsave-error') && s.config.list('save').length > 0;
}

const persistGate = addGate({
  on: false,
  check(c: Client, cmd) {
    const s = c.server;
    const st = states.get(s);
    if (st === undefined) return null;
    if (diskErrorDenies(s)) {
      const isWrite =
        (cmd.flags & Flag.Write) !== 0 ||
        (cmd.name === 'exec' &&
          c.multi !== null &&
          c.multi.queue.some((q) => (q.cmd.flags & Flag.Write) !== 0));
      if (isWrite || cmd.name === 'ping') return MISCONF;
    }
    if (st.loading !== null && !(cmd.flags & Flag.Loading)) return E.loading;
    return null;
  },
});

function infoFields(s: Server): InfoField[] {
  const st = persistState(s);
  const now = s.clock.now();
  const bg = st.bg;
  const processed = bg?.keysProcessed ?? 0;
  const total = bg?.keysTotal ?? 0;
  const fields: InfoField[] = [
    ['loading', st.loading !== null ? 1 : 0],
    ['async_loading', 0],
    ['current_cow_peak', bg?.peakPending ?? 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', total > 0 ? ((Math.min(processed, total) * 100) / total).toFixed(2) : '0.00'],
    ['current_save_keys_processed', processed],
    ['current_save_keys_total', total],
    ['rdb_changes_since_last_save', s.dirty],
    ['rdb_bgsave_in_progress', bg !== null ? 1 : 0],
    ['rdb_last_save_time', s.lastSave],
    ['rdb_last_bgsave_status', st.lastBgsaveOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', st.lastBgsaveTimeSec],
    ['rdb_current_bgsave_time_sec', bg !== null ? Math.floor((now - st.bgStartMs) / 1000) : -1],
    ['rdb_saves', st.saves],
    ['rdb_last_cow_size', st.lastCowSize],
    ['rdb_last_load_keys_expired', st.lastLoadExpired],
    ['rdb_last_load_keys_loaded', st.lastLoadLoaded],
  ];
  const l = st.loading;
  if (l !== null) {
    const elapsed = (now - l.startMs) / 1000;
    const perc = l.totalBytes > 0 ? (l.loadedBytes * 100) / l.totalBytes : 0;
    const rate = elapsed > 0 ? l.loadedBytes / elapsed : 0;
    const eta = rate > 0 ? Math.floor((l.totalBytes - l.loadedBytes) / rate) : 1;
    fields.push(
      ['loading_start_time', Math.floor(l.startMs / 1000)],
      ['loading_total_bytes', l.totalBytes],
      ['loading_rdb_used_mem', l.rdbUsedMem],
      ['loading_loaded_bytes', l.loadedBytes],
      ['loading_loaded_perc', perc.toFixed(2)],
      ['loading_eta_seconds', eta],
    );
  }
  return fields;
}

addInfoFields('persistence', infoFields);

serverInitHooks.push((s) => {
  const st = persistState(s);
  s.cronHooks.push((now) => cron(s, now));
  s.shutdownHooks.push((nosave, save) => onShutdown(s, nosave, save));
  s.dataLoadHooks.push(() => loadAtStartup(s));
  s.keyModifiedHooks.push((db, key) => {
    const bg = st.bg;
    if (bg !== null) bg.afterModified(db, key);
  });
});
