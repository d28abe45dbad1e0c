// A point-in-time snapshot of every database written as an RDB file, without fork and without
// copying the dataset.
//
// The snapshot walks each database in key-sequence order (Db.scan), a slice at a time between
// events. What it writes is the data as it was when it started:
// - keys added after the start have a sequence number above the one recorded at the start and
//   are skipped;
// - before a key the walk has not reached yet is looked up, has its expiry changed or is
//   removed (Db.onBeforeWrite, called from Db.get, setExpire, remove: so also before any
//   in-place edit, which always follows a lookup), its current, still unchanged record is
//   written at once and remembered, so the walk skips it later (copy-on-write at key
//   granularity; a deleted key is thereby included, as it existed at the start);
// - a change signalled (Db.onModified) for a key whose record is not written yet would mean a
//   path around those hooks: the new value is written and the miss counted
//   (logged at the end of the save), which the tests require never to happen;
// - before a database is emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB), the rest of it is
//   written at once.
// Records for a database whose section has not started yet are buffered until it does (the
// RDB format groups keys by database): that buffer is the snapshot's copy-on-write overhead.
//
// The file is written as a new 0600 temp file (O_EXCL|O_NOFOLLOW) in the data directory,
// fsynced, renamed over the target, and the directory fsynced.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, isPlainName } from '../security/files';
import type { Db, Entry } from '../store/db';
import { ChunkEncryptor, KIND_RDB } from './crypt';
import {
  type EvictionInfo,
  type HeaderInfo,
  type LfuOf,
  writeDbHeader,
  writeFooter,
  writeHeader,
  writeKey,
} from './rdb';
import { OP, RdbWriter } from './rdbio';
import type { ValueOptions } from './values';
import { OffloadedFile } from './write-worker';

export interface SnapshotOptions {
  dir: string;
  filename: string;
  compress: boolean;
  checksum: boolean;
  values: ValueOptions;
  eviction: EvictionInfo;
  header: HeaderInfo;
  lfuOf: LfuOf;
  now: () => number;
  /** encryption-key-file's key: the file is written encrypted (persistence/crypt.ts) */
  encryptKey?: Buffer | null;
  /** the encrypted file's kind (crypt.ts KIND_*; default RDB, an AOF base is KIND_AOF) */
  encryptKind?: number;
  /** records in another layout than RDB (an AOF base of commands, aof-rewrite.ts) */
  format?: SnapshotFormat;
  /**
   * Checksum, encryption and file writes on the writer thread (write-worker.ts), so the main
   * thread only walks and serializes (a background save; RDB layout only, not with `format`).
   */
  offload?: boolean;
}

/** How the file is laid out when not as RDB: the same walk, other bytes. */
export interface SnapshotFormat {
  header(w: RdbWriter): void;
  db(w: RdbWriter, id: number, size: number, expires: number): void;
  key(w: RdbWriter, e: Entry): void;
  /** after the last record: flushes, returns bytes to write last (RDB: the checksum) */
  footer(w: RdbWriter): Buffer;
}

const PENDING = 0;
const ACTIVE = 1;
const DONE = 2;

interface DbState {
  db: Db;
  size: number;
  expires: number;
  /** keys with a larger sequence number were added after the start */
  maxSeq: number;
  /** Db.scan cursor: every key with a smaller sequence number has been handled */
  cursor: number;
  phase: number;
  /** keys written ahead of the walk */
  early: EarlyMarks;
  /** records of a database whose section has not started */
  pending: RdbWriter | null;
  /** everything left of this database is in `pending` */
  complete: boolean;
}

/**
 * The keys of one database written ahead of the walk, by sequence number (an entry's seq is
 * unique within its database). A bit per number over the range the database had at the start
 * (a lookup there costs far less than in a large Set: it runs before every key lookup during
 * a save), or a Set when that range is much sparser than the keys (many deleted since).
 */
class EarlyMarks {
  private readonly base: number;
  private readonly range: number;
  private readonly size: number;
  private bits: Uint32Array | null = null;
  private set: Set<number> | null = null;
  private any = false;

  constructor(db: Db) {
    let first = 0;
    db.scan(0, 1, (e) => {
      first = e.seq;
    });
    this.base = first;
    this.range = db.lastSeq - first + 1;
    this.size = db.size;
  }

  has(seq: number): boolean {
    if (!this.any) return false;
    if (this.bits !== null) {
      const i = seq - this.base;
      return i >= 0 && i < this.range && (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
    }
    return (this.set as Set<number>).has(seq);
  }

  add(seq: number): void {
    if (!this.any) {
      this.any = true;
      // allocated on the first key written early (a save without writes needs none); bits
      // while they cost at most 8 bytes per key (or 512 KiB)
      if (this.range > 0 && this.range <= 64 * Math.max(this.size, 65536)) {
        this.bits = new Uint32Array((this.range + 31) >>> 5);
      } else {
        this.set = new Set();
      }
    }
    if (this.bits !== null) {
      const i = seq - this.base;
      if (i >= 0 && i < this.range) this.bits[i >>> 5] |= 1 << (i & 31);
      return;
    }
    (this.set as Set<number>).add(seq);
  }

  clear(): void {
    this.bits = null;
    this.set = null;
    this.any = false;
  }
}

/** Keys visited per Db.scan call. */
const SCAN_STEP = 128;
/** Keys serialized between two looks at the clock (slices can be a fraction of a ms). */
const WALK_STEP = 256;

export class Snapshot {
  private readonly w: RdbWriter;
  private readonly states: DbState[];
  private readonly byDb = new Map<Db, DbState>();
  private dbIndex = 0;
  private fd: number;
  readonly tmpPath: string;
  readonly target: string;
  readonly keysTotal: number;
  keysProcessed = 0;
  /** keys changed without a before-write signal (a command path bypassing lookupWrite) */
  violations = 0;
  /** the first keys concerned (for the log) */
  readonly violatedKeys: string[] = [];
  /** bytes buffered for databases not reached yet, at the peak */
  peakPending = 0;
  private pendingBytes = 0;
  private hooked = false;
  finished = false;
  closed = false;
  private readonly now: number;

  constructor(
    dbs: Db[],
    private readonly o: SnapshotOptions,
  ) {
    if (!isPlainName(o.filename)) throw new Error(`refusing to write '${o.filename}': not a plain file name`);
    this.target = path.join(o.dir, o.filename);
    this.tmpPath = path.join(o.dir, `temp-${process.pid}-${randomBytes(4).toString('hex')}.rdb`);
    const flags =
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
    this.fd = fs.openSync(this.tmpPath, flags, 0o600);
    this.now = o.now();
    if (o.offload && !o.format) {
      let out: OffloadedFile;
      try {
        out = new OffloadedFile(this.fd, {
          checksum: o.checksum,
          encryptKey: o.encryptKey ?? null,
          encryptKind: o.encryptKind ?? KIND_RDB,
        });
      } catch (e) {
        this.cleanup();
        throw e;
      }
      this.out = out;
      this.w = new RdbWriter({ compress: o.compress, sink: (c) => out.write(c), handoff: () => out.take() });
    } else {
      if (o.encryptKey) {
        this.enc = new ChunkEncryptor(o.encryptKey, o.encryptKind ?? KIND_RDB, (b) => this.writeRaw(b));
      }
      this.w = new RdbWriter({ compress: o.compress, sink: (chunk) => this.writeOut(chunk) });
    }
    let total = 0;
    this.states = dbs.map((db) => {
      const st: DbState = {
        db,
        size: db.size,
        expires: db.volatile.size,
        maxSeq: db.lastSeq,
        cursor: 0,
        phase: PENDING,
        early: new EarlyMarks(db),
        pending: null,
        complete: false,
      };
      total += st.size;
      this.byDb.set(db, st);
      return st;
    });
    this.keysTotal = total;
    try {
      if (o.format) o.format.header(this.w);
      else writeHeader(this.w, o.header);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  private readonly enc: ChunkEncryptor | null = null;
  /** the writer thread's job, when offloaded */
  private readonly out: OffloadedFile | null = null;

  /** The writer thread is behind: step() does no work until whenWritable() calls back. */
  get congested(): boolean {
    return this.out?.congested ?? false;
  }

  whenWritable(cb: () => void): void {
    if (this.out !== null) this.out.onDrain(cb);
    else setImmediate(cb);
  }

  private writeOut(chunk: Buffer): void {
    if (this.enc !== null) this.enc.update(chunk);
    else this.writeRaw(chunk);
  }

  private writeRaw(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
  }

  /** Installs the copy-on-write hooks (a background snapshot; a blocking SAVE needs none). */
  hook(): void {
    for (const st of this.states) {
      st.db.onBeforeWrite = (_db, e) => this.beforeWrite(st, e);
      st.db.onBeforeClear = (db) => this.beforeClear(db);
    }
    this.hooked = true;
  }

  private unhook(): void {
    if (!this.hooked) return;
    for (const st of this.states) {
      st.db.onBeforeWrite = null;
      st.db.onBeforeClear = null;
    }
    this.hooked = false;
  }

  private record(target: RdbWriter, e: Entry): void {
    if (this.o.format) this.o.format.key(target, e);
    else writeKey(target, e, this.o.values, this.o.eviction, this.now, this.o.lfuOf);
    this.keysProcessed++;
  }

  /** Whether `e` still has to be written (it existed at the start and was not written yet). */
  private unwritten(st: DbState, e: Entry): boolean {
    // complete: written out before a FLUSHDB/SWAPDB, whatever the database holds now is newer
    if (st.phase === DONE || st.complete || e.seq > st.maxSeq) return false;
    if (st.phase === ACTIVE && e.seq < st.cursor) return false;
    return !st.early.has(e.seq);
  }

  /** Writes `e` now, ahead of the walk. */
  private writeEarly(st: DbState, e: Entry): void {
    if (st.phase === ACTIVE) {
      this.record(this.w, e);
    } else {
      if (st.pending === null) st.pending = new RdbWriter({ compress: this.o.compress });
      const before = st.pending.length;
      this.record(st.pending, e);
      this.pendingBytes += st.pending.length - before;
      if (this.pendingBytes > this.peakPending) this.peakPending = this.pendingBytes;
    }
    st.early.add(e.seq);
  }

  /** The entry the last before-write signal was about, and its database (see afterModified). */
  private lastEntry: Entry | null = null;
  private lastState: DbState | null = null;

  private beforeWrite(st: DbState, e: Entry): void {
    this.lastEntry = e;
    this.lastState = st;
    if (!this.unwritten(st, e) || this.failure !== null) return;
    try {
      this.writeEarly(st, e);
    } catch (err) {
      this.failure = err as Error;
      this.unhook();
    }
  }

  /** After-change check (Db.onModified): a key changed before its record was written. */
  afterModified(db: Db, key: string): void {
    const st = this.byDb.get(db);
    if (st === undefined) return;
    // the usual case: the key had its before-write signal (so its value as of the start is
    // written); any other entry under this name was created after that signal, during the save
    const last = this.lastEntry;
    if (last !== null && this.lastState === st && last.key === key) return;
    const e = db.dict.get(key);
    if (e === undefined || !this.unwritten(st, e)) return;
    // the old value is gone: write the new one (the best left) and count the miss
    this.violations++;
    if (this.violatedKeys.length < 10) this.violatedKeys.push(`${db.id}:${key}`);
    this.guard(() => this.writeEarly(st, e));
  }

  private beforeClear(db: Db): void {
    const st = this.byDb.get(db);
    if (st === undefined || st.phase === DONE) return;
    this.guard(() => {
      if (st.phase === ACTIVE) {
        this.walk(st, Number.POSITIVE_INFINITY);
      } else if (!st.complete) {
        if (st.pending === null) st.pending = new RdbWriter({ compress: this.o.compress });
        const target = st.pending;
        const before = target.length;
        let cursor = 0;
        let stop = false;
        do {
          cursor = db.scan(cursor, SCAN_STEP, (e) => {
            if (stop || e.seq > st.maxSeq) {
              stop = true;
              return;
            }
            if (st.early.has(e.seq)) return;
            this.record(target, e);
          });
        } while (cursor !== 0 && !stop);
        st.early.clear();
        st.complete = true;
        this.pendingBytes += target.length - before;
        if (this.pendingBytes > this.peakPending) this.peakPending = this.pendingBytes;
      }
    });
  }

  /** An I/O error inside a hook must not break the command: the snapshot fails later. */
  private failure: Error | null = null;
  private guard(f: () => void): void {
    if (this.failure !== null) return;
    try {
      f();
    } catch (e) {
      this.failure = e as Error;
      this.unhook();
    }
  }

  get error(): Error | null {
    return this.failure;
  }

  /** Walks the active database for up to `budget` keys; marks it done at its end. */
  private walk(st: DbState, budget: number): number {
    let n = 0;
    let stop = false;
    const db = st.db;
    while (n < budget && st.phase === ACTIVE) {
      const next = db.scan(st.cursor, SCAN_STEP, (e) => {
        if (stop || e.seq > st.maxSeq) {
          stop = true;
          return;
        }
        n++;
        if (st.early.has(e.seq)) return;
        this.record(this.w, e);
      });
      if (stop || next === 0) {
        st.phase = DONE;
        st.early.clear();
      } else {
        st.cursor = next;
      }
    }
    return n;
  }

  /**
   * Advances by up to `budgetMs` of work (Infinity: to the end). Returns true when every
   * database has been written. Throws on I/O errors.
   */
  step(budgetMs: number): boolean {
    if (this.failure !== null) throw this.failure;
    // a write on the writer thread failed: stop now rather than at the end
    if (this.out?.error) throw this.out.error;
    const deadline = performance.now() + budgetMs;
    while (this.dbIndex < this.states.length) {
      const st = this.states[this.dbIndex];
      if (st.phase === PENDING) {
        if (st.size === 0) {
          st.phase = DONE;
        } else {
          if (this.o.format) this.o.format.db(this.w, st.db.id, st.size, st.expires);
          else writeDbHeader(this.w, st.db.id, st.size, st.expires);
          if (st.pending !== null) {
            this.pendingBytes -= st.pending.length;
            this.w.raw(st.pending.contents());
            st.pending = null;
          }
          st.phase = st.complete ? DONE : ACTIVE;
        }
      }
      if (st.phase === ACTIVE) {
        // the writer thread is behind: wait (whenWritable) rather than buffer without bound
        if (this.out?.congested) break;
        this.walk(st, WALK_STEP);
        this.w.maybeFlush();
      }
      if (st.phase === DONE) this.dbIndex++;
      if (performance.now() >= deadline) break;
    }
    if (this.dbIndex < this.states.length) return false;
    this.unhook();
    return true;
  }

  /** Writes EOF and the checksum; the data is then complete in the temp file. */
  writeEnd(): void {
    if (this.out !== null) {
      // the writer thread appends the checksum (commit)
      this.w.byte(OP.EOF);
      this.w.flush();
      return;
    }
    const crc = this.o.format ? this.o.format.footer(this.w) : writeFooter(this.w, this.o.checksum);
    this.writeOut(crc);
    this.enc?.final();
  }

  /** fsync + close + rename + directory fsync, synchronously. */
  commitSync(): void {
    if (this.out !== null) throw new Error('an offloaded snapshot commits asynchronously');
    fs.fsyncSync(this.fd);
    this.closeFd();
    fs.renameSync(this.tmpPath, this.target);
    fsyncDir(this.o.dir);
    this.finished = true;
  }

  /** The same with the fsync of the data off the event loop. */
  commit(done: (err: Error | null) => void): void {
    this.committing = true;
    const finish = (err: Error | null) => {
      this.committing = false;
      if (this.closed) {
        // aborted meanwhile (shutdown): never rename over what may have been saved since
        this.cleanup();
        return done(new Error('snapshot aborted'));
      }
      if (err) return done(err);
      try {
        this.closeFd();
        // the replaced file's blocks are freed when its last reference goes: keep one open
        // across the rename and drop it on the thread pool, not in renameSync (~5 ms / 20 MB)
        let old = -1;
        try {
          if (fs.lstatSync(this.target).isFile()) {
            const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
            old = fs.openSync(this.target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
          }
        } catch {
          // no previous file (or not a plain one: the rename replaces the link itself)
        }
        try {
          fs.renameSync(this.tmpPath, this.target);
        } finally {
          if (old >= 0) fs.close(old, () => {});
        }
        fsyncDir(this.o.dir);
        this.finished = true;
        done(null);
      } catch (e) {
        done(e as Error);
      }
    };
    // offloaded: the writer thread writes the checksum, finishes the encryption and fsyncs
    if (this.out !== null) this.out.end(finish);
    else fs.fsync(this.fd, finish);
  }

  private committing = false;

  private closeFd(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  /** Stops: removes the hooks and the temp file (after an fsync in flight, if any). */
  abort(): void {
    this.unhook();
    this.closed = true;
    if (this.out !== null && !this.finished) {
      // the temp file goes now; the descriptor once the writer thread has let go of it
      fs.rmSync(this.tmpPath, { force: true });
      this.out.abort(() => this.cleanup());
      return;
    }
    if (!this.committing) this.cleanup();
  }

  private cleanup(): void {
    try {
      this.closeFd();
    } catch {
      // already closed
    }
    if (!this.finished) fs.rmSync(this.tmpPath, { force: true });
  }

  /** Bytes written to the file so far. */
  get bytesWritten(): number {
    return this.w.length;
  }
}
