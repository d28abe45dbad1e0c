// Background-save output on the second core: a worker thread that takes the serialized chunks
// of a snapshot (their ArrayBuffers transferred, not copied), keeps the CRC-64, encrypts when
// the file is encrypted, writes them to the temp file and fsyncs it at the end. The main
// thread only walks the keyspace and serializes; it gets each buffer back to reuse.
//
// This one module is both sides: loaded by the server it exports OffloadedFile; started as
// the worker (workerData.role) it serves the jobs. One worker per process, started on first
// use and reused; it keeps the process alive only while it has jobs.
//
// The temp file is opened (O_EXCL|O_NOFOLLOW) and renamed by the main thread; the worker gets
// the descriptor number. So that a descriptor is never closed while the worker may still write
// to it (the number could be reused by another file), the main thread closes it only after the
// worker reported the job done, failed or dropped.

import * as fs from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { writeAllSync } from '../security/files';
import { Crc64 } from './crc64';
import { ChunkEncryptor } from './crypt';
import { CHUNK_BYTES } from './rdbio';

const ROLE = 'redoubt-rdb-writer';

/** Serialized bytes handed over but not written yet, beyond which the walk waits. */
const MAX_INFLIGHT = 8 * CHUNK_BYTES;
/** Returned buffers kept for reuse while saving (as many as can be in flight), and between saves. */
const POOL_MAX = 8;
const POOL_IDLE = 2;

type ToWorker =
  | { t: 'open'; id: number; fd: number; checksum: boolean; key: Uint8Array | null; kind: number }
  | { t: 'data'; id: number; buf: ArrayBuffer; len: number }
  | { t: 'end'; id: number }
  | { t: 'abort'; id: number };

type FromWorker =
  | { t: 'buf'; id: number; buf: ArrayBuffer }
  | { t: 'error'; id: number; message: string }
  | { t: 'done'; id: number }
  | { t: 'aborted'; id: number };

// ---- main-thread side ----

let worker: Worker | null = null;
let nextId = 1;
const jobs = new Map<number, OffloadedFile>();
const pool: ArrayBuffer[] = [];

function dispatch(m: FromWorker): void {
  if (m.t === 'buf' && m.buf.byteLength === CHUNK_BYTES && pool.length < POOL_MAX) pool.push(m.buf);
  jobs.get(m.id)?.onMessage(m);
}

function workerGone(w: Worker, err: Error): void {
  if (worker !== w) return;
  worker = null;
  // the thread is gone: nothing writes to the jobs' descriptors any more
  for (const job of [...jobs.values()]) job.onWorkerGone(err);
}

function theWorker(): Worker {
  if (worker !== null) return worker;
  const w = new Worker(__filename, { workerData: { role: ROLE } });
  w.on('message', dispatch);
  w.on('error', (e) => workerGone(w, e));
  w.on('exit', (code) => workerGone(w, new Error(`RDB writer thread exited (code ${code})`)));
  // after the listeners (adding a 'message' listener refs the port again); ref'd per job
  w.unref();
  worker = w;
  return w;
}

export interface OffloadOptions {
  /** rdbchecksum: the CRC-64 ends the file (else 8 zero bytes, as Redis) */
  checksum: boolean;
  /** encrypt the file (persistence/crypt.ts) with this key and kind */
  encryptKey: Buffer | null;
  encryptKind: number;
}

/** One file written by the worker: the main-thread handle of its job. */
export class OffloadedFile {
  private readonly id = nextId++;
  private readonly w: Worker;
  private inflight = 0;
  private drainWaiters: (() => void)[] = [];
  private ended: ((err: Error | null) => void) | null = null;
  private aborted: (() => void) | null = null;
  /** the worker has let go of the descriptor (done, failed at the end, dropped or gone) */
  private released = false;
  error: Error | null = null;

  constructor(fd: number, o: OffloadOptions) {
    this.w = theWorker();
    if (jobs.size === 0) this.w.ref();
    jobs.set(this.id, this);
    const key = o.encryptKey !== null ? new Uint8Array(o.encryptKey) : null;
    this.post({ t: 'open', id: this.id, fd, checksum: o.checksum, key, kind: o.encryptKind });
  }

  private post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.w.postMessage(m, transfer);
  }

  /** A buffer to serialize into (a returned one when available). */
  take(): Buffer {
    return Buffer.from(pool.pop() ?? new ArrayBuffer(CHUNK_BYTES));
  }

  /** Hands a chunk to the worker; `chunk` is unusable afterwards (its memory moves). */
  write(chunk: Buffer): void {
    if (this.released) return;
    let ab = chunk.buffer as ArrayBuffer;
    // only a buffer that owns its whole ArrayBuffer can move; a pooled slice is copied
    if (chunk.byteOffset !== 0 || ab.byteLength < 65536) {
      ab = new ArrayBuffer(chunk.length);
      new Uint8Array(ab).set(chunk);
    }
    this.inflight += ab.byteLength;
    this.post({ t: 'data', id: this.id, buf: ab, len: chunk.length }, [ab]);
  }

  /** Whether the worker (the disk) is behind: the walk should wait for onDrain. */
  get congested(): boolean {
    return this.inflight >= MAX_INFLIGHT && this.error === null && !this.released;
  }

  /** Calls `cb` once the worker has caught up (or failed). */
  onDrain(cb: () => void): void {
    if (!this.congested) {
      setImmediate(cb);
      return;
    }
    this.drainWaiters.push(cb);
  }

  private drained(): void {
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const cb of ws) cb();
  }

  /** Writes the checksum, finishes the encryption, fsyncs; `cb` once the file is complete. */
  end(cb: (err: Error | null) => void): void {
    if (this.released) {
      cb(this.error ?? new Error('RDB writer job is over'));
      return;
    }
    this.ended = cb;
    this.post({ t: 'end', id: this.id });
  }

  /** Drops the job; `cb` once the worker no longer touches the descriptor. */
  abort(cb: () => void): void {
    if (this.released) {
      cb();
      return;
    }
    this.aborted = cb;
    this.post({ t: 'abort', id: this.id });
  }

  private release(): void {
    this.released = true;
    jobs.delete(this.id);
    if (jobs.size === 0) {
      if (worker === this.w) this.w.unref();
      if (pool.length > POOL_IDLE) pool.length = POOL_IDLE;
    }
  }

  onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'buf':
        this.inflight -= m.buf.byteLength;
        if (this.inflight < MAX_INFLIGHT / 2) this.drained();
        break;
      case 'error':
        if (this.error === null) this.error = new Error(m.message);
        this.drained();
        if (this.ended !== null) {
          // the end failed: the worker is done with the descriptor
          this.release();
          const cb = this.ended;
          this.ended = null;
          cb(this.error);
        }
        break;
      case 'done': {
        this.release();
        const cb = this.ended;
        this.ended = null;
        cb?.(null);
        this.aborted?.();
        break;
      }
      case 'aborted':
        this.release();
        this.aborted?.();
        this.aborted = null;
        break;
    }
  }

  onWorkerGone(err: Error): void {
    if (this.error === null) this.error = err;
    this.release();
    this.drained();
    const ended = this.ended;
    this.ended = null;
    ended?.(this.error);
    const aborted = this.aborted;
    this.aborted = null;
    aborted?.();
  }
}

// ---- worker side ----

interface Job {
  fd: number;
  crc: Crc64 | null;
  enc: ChunkEncryptor | null;
  failed: boolean;
}

function serve(port: NonNullable<typeof parentPort>): void {
  const wjobs = new Map<number, Job>();
  const reply = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  const fail = (id: number, job: Job, e: unknown) => {
    job.failed = true;
    reply({ t: 'error', id, message: e instanceof Error ? e.message : String(e) });
  };
  const out = (job: Job, b: Uint8Array) => {
    if (job.enc !== null) job.enc.update(Buffer.from(b.buffer, b.byteOffset, b.length));
    else writeAllSync(job.fd, b);
  };
  port.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'open': {
        const job: Job = { fd: m.fd, crc: m.checksum ? new Crc64() : null, enc: null, failed: false };
        wjobs.set(m.id, job);
        try {
          // the encryptor writes its header at once
          if (m.key !== null)
            job.enc = new ChunkEncryptor(Buffer.from(m.key), m.kind, (b) => writeAllSync(job.fd, b));
        } catch (e) {
          fail(m.id, job, e);
        }
        break;
      }
      case 'data': {
        const job = wjobs.get(m.id);
        if (job !== undefined && !job.failed) {
          const b = new Uint8Array(m.buf, 0, m.len);
          try {
            job.crc?.update(b);
            out(job, b);
          } catch (e) {
            fail(m.id, job, e);
          }
        }
        reply({ t: 'buf', id: m.id, buf: m.buf }, [m.buf]);
        break;
      }
      case 'end': {
        const job = wjobs.get(m.id);
        if (job === undefined) break;
        wjobs.delete(m.id);
        if (job.failed) {
          reply({ t: 'error', id: m.id, message: 'write failed earlier' });
          break;
        }
        try {
          // the footer: CRC-64 of everything before it, little-endian (zeros without rdbchecksum)
          out(job, job.crc !== null ? job.crc.bytesLE() : Buffer.alloc(8));
          job.enc?.final();
          fs.fsyncSync(job.fd);
          reply({ t: 'done', id: m.id });
        } catch (e) {
          fail(m.id, job, e);
        }
        break;
      }
      case 'abort':
        wjobs.delete(m.id);
        reply({ t: 'aborted', id: m.id });
        break;
    }
  });
}

if (!isMainThread && parentPort !== null && (workerData as { role?: string } | null)?.role === ROLE) {
  serve(parentPort);
}
