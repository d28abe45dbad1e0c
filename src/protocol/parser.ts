// Incremental request parser: RESP multibulk arrays and inline commands.
// Arguments are zero-copy slices of the received chunks. A chunk is either the caller's to keep
// (never mutated, so a slice stays valid for as long as anyone holds it) or a view of a read
// buffer the caller reuses, which it hands back with release() before the next read.
// Limits are checked before anything is buffered.

import { splitArgs } from './splitargs';

export class ProtocolError extends Error {
  /** The reply text (without the leading '-'). */
  constructor(readonly reply: string) {
    super(reply);
  }
}

/** Redis's PROTO_INLINE_MAX_SIZE: a header or inline line longer than this is an error. */
export const INLINE_MAX = 64 * 1024;
/** Largest multibulk element count accepted. */
export const MAX_MULTIBULK = 1024 * 1024;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Applied while the client is not authenticated (Redis: 10 args, 16 KB bulks). */
  unauthenticated: boolean;
}

const EMPTY = Buffer.alloc(0);
/** Placeholder while no request is in progress (never written to: argc < 0 then). */
const EMPTY_ARGS: Buffer[] = [];
const PREALLOC_ARGS = 64;

/** Strict decimal parse of buf[start, end) following Redis's string2ll; NaN when invalid. */
export function parseIntRange(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return Number.NaN;
  let p = start;
  let neg = false;
  if (buf[p] === 45) {
    neg = true;
    p++;
    if (p === end) return Number.NaN;
  }
  const first = buf[p];
  if (first === 48) return p + 1 === end && !neg ? 0 : Number.NaN;
  if (first < 49 || first > 57) return Number.NaN;
  let v = 0;
  for (; p < end; p++) {
    const c = buf[p];
    if (c < 48 || c > 57) return Number.NaN;
    v = v * 10 + (c - 48);
  }
  // beyond 2^53 precision is lost, but any such value exceeds every limit we compare with
  return neg ? -v : v;
}

/** Set by quickLen: the index of the '\r' ending the header it parsed. */
let quickEnd = 0;

/**
 * Fast path for the common, well-formed length header at buf[pos]: `prefix`, 1 to 15 digits
 * without a leading zero (or a lone "0"), '\r', and one more byte present. Returns its value,
 * or -1 for anything else (errors, partial lines, odd forms), which the general path handles
 * exactly as before. Saves a scan through Buffer.indexOf (a call into C++) per header.
 */
function quickLen(buf: Buffer, pos: number, prefix: number): number {
  if (buf[pos] !== prefix) return -1;
  const last = buf.length - 1; // the '\r' must have a byte after it
  let p = pos + 1;
  if (p >= last) return -1;
  let ch = buf[p];
  if (ch === 48) {
    if (buf[p + 1] === 13 && p + 1 < last) {
      quickEnd = p + 1;
      return 0;
    }
    return -1;
  }
  if (ch < 49 || ch > 57) return -1;
  let v = ch - 48;
  const lim = pos + 16;
  for (p++; p < last; p++) {
    ch = buf[p];
    if (ch === 13) {
      quickEnd = p;
      return v;
    }
    if (ch < 48 || ch > 57 || p >= lim) return -1;
    v = v * 10 + (ch - 48);
  }
  return -1;
}

/**
 * Arguments are views of the received chunk, made directly: Buffer#subarray reads the chunk's
 * `buffer` and `byteOffset` getters on every call, which cost more than the view itself.
 * ArgBuffer instances are Buffers in every respect that code observes (Buffer.isBuffer,
 * instanceof Buffer, all Buffer methods, inspected as Buffer) except that their prototype is
 * ArgBuffer.prototype, which inherits from Buffer.prototype.
 */
const ArgBuffer = class Buffer extends Uint8Array {};
Object.setPrototypeOf(ArgBuffer.prototype, Buffer.prototype);

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Chunks held back while a large bulk is still incomplete, to avoid quadratic concatenation. */
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Bytes needed after `pos` before the current bulk can be taken (0 = unknown). */
  private need = 0;
  private argc = -1;
  private args: Buffer[] = EMPTY_ARGS;
  /** Arguments of the current request taken so far. */
  private argn = 0;
  private argBytes = 0;
  private bulkLen = -1;
  /** `buf`'s ArrayBuffer and offset in it, for making argument views. */
  private viewOf: Buffer = EMPTY;
  private ab = EMPTY.buffer as ArrayBuffer;
  private base = EMPTY.byteOffset;
  /** next() found no line terminator in the pending bytes (header or inline line incomplete). */
  private waitingLine = false;
  /**
   * Bytes received after `buf`, parsed once `buf` is used up. When a chunk completes a bulk
   * that began in an earlier chunk, only that bulk's remainder is copied next to its start;
   * the rest of the chunk is parsed where it is (not copied whole, as a plain concatenation
   * would for every read that splits a request, e.g. in large pipelines).
   */
  private rest: Buffer | null = null;

  constructor(readonly limits: ParserLimits) {}

  feed(chunk: Buffer): void {
    if (this.rest !== null) {
      // the previous chunk is not used up yet (the client is blocked or paused): rare
      chunk = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    const avail = this.buf.length - this.pos;
    if (this.waitingLine) {
      // hold chunks that cannot complete the line instead of re-copying and re-scanning it for
      // every packet of a byte-by-byte sender (quadratic); past INLINE_MAX next() reports it
      if (
        avail + this.partsLen + chunk.length <= INLINE_MAX &&
        chunk.indexOf(10) < 0 &&
        chunk.indexOf(13) < 0
      ) {
        this.parts.push(chunk);
        this.partsLen += chunk.length;
        return;
      }
      this.waitingLine = false;
    }
    if (this.parts.length > 0 || (this.need > 0 && avail + chunk.length < this.need)) {
      this.parts.push(chunk);
      this.partsLen += chunk.length;
      if (avail + this.partsLen < this.need) return;
      const over = avail + this.partsLen - this.need;
      if (this.need > 0 && over > 0 && over < chunk.length) {
        this.parts[this.parts.length - 1] = chunk.subarray(0, chunk.length - over);
        this.partsLen -= over;
        this.rest = chunk.subarray(chunk.length - over);
      }
      this.parts.unshift(this.buf.subarray(this.pos));
      this.buf = Buffer.concat(this.parts, avail + this.partsLen);
      this.parts = [];
      this.partsLen = 0;
      this.pos = 0;
      return;
    }
    if (avail === 0) {
      this.buf = chunk;
    } else if (this.need > avail && this.need - avail < chunk.length) {
      // the pending bulk ends inside this chunk: join just its remainder (need <= avail only
      // when bytes were fed twice without next() in between: the bulk is whole already)
      const take = this.need - avail;
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, take)], this.need);
      this.rest = chunk.subarray(take);
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk], avail + chunk.length);
    }
    this.pos = 0;
  }

  /**
   * Copies whatever the parser still holds of `ab`, a read buffer its owner is about to reuse:
   * the unparsed bytes, held chunks and the arguments of a partly received request. Called
   * after each read from a shared buffer; usually nothing is left (whole requests arrived).
   */
  release(ab: ArrayBufferLike): void {
    const buf = this.buf;
    if (buf.buffer === ab) {
      this.buf = this.pos < buf.length ? Buffer.from(buf.subarray(this.pos)) : EMPTY;
      this.pos = 0;
    }
    if (this.rest !== null && this.rest.buffer === ab) this.rest = Buffer.from(this.rest);
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) if (parts[i].buffer === ab) parts[i] = Buffer.from(parts[i]);
    const args = this.args;
    for (let i = 0; i < this.argn; i++) if (args[i].buffer === ab) args[i] = Buffer.from(args[i]);
    if (this.ab === ab) {
      this.viewOf = EMPTY;
      this.ab = EMPTY.buffer as ArrayBuffer;
      this.base = EMPTY.byteOffset;
    }
  }

  /** Moves on to the bytes after `buf` once it is used up; false when there are none. */
  private advance(): boolean {
    const r = this.rest;
    if (r === null) return false;
    this.rest = null;
    this.buf = r;
    this.pos = 0;
    return true;
  }

  /** Bytes held for requests not yet returned (the query buffer, in Redis terms). */
  pending(): number {
    return (
      this.buf.length - this.pos + this.partsLen + this.argBytes + (this.rest === null ? 0 : this.rest.length)
    );
  }

  /** True when a command is partially received. */
  inProgress(): boolean {
    return this.argc >= 0 || this.pos < this.buf.length || this.partsLen > 0 || this.rest !== null;
  }

  /** The next complete request, or null when more bytes are needed. Throws ProtocolError. */
  next(): Buffer[] | null {
    // nothing arrived since the last scan that could end the pending line
    if (this.waitingLine) return null;
    for (;;) {
      const buf = this.buf;
      if (this.argc < 0) {
        if (this.pos >= buf.length) {
          if (this.advance()) continue;
          // drop our reference to the consumed chunk
          if (buf !== EMPTY) {
            this.buf = EMPTY;
            this.pos = 0;
          }
          return null;
        }
        if (buf[this.pos] !== 42 /* * */) {
          const r = this.inline();
          if (r === null) return null;
          if (r.length === 0) continue;
          return r;
        }
        let ll = quickLen(buf, this.pos, 42);
        let nl = quickEnd;
        if (ll < 0) {
          nl = buf.indexOf(13, this.pos);
          if (nl < 0) {
            if (buf.length - this.pos > INLINE_MAX)
              throw new ProtocolError('ERR Protocol error: too big mbulk count string');
            this.waitingLine = true;
            return null;
          }
          if (nl > buf.length - 2) return null; // need the \n too
          ll = parseIntRange(buf, this.pos + 1, nl);
        }
        if (Number.isNaN(ll) || ll > MAX_MULTIBULK)
          throw new ProtocolError('ERR Protocol error: invalid multibulk length');
        if (ll > 10 && this.limits.unauthenticated)
          throw new ProtocolError('ERR Protocol error: unauthenticated multibulk length');
        this.pos = nl + 2;
        if (ll <= 0) continue;
        this.argc = ll;
        // sized up front when small (no regrowth); a large count grows as arguments arrive,
        // so a header alone never makes us allocate for a million arguments
        this.args = ll <= PREALLOC_ARGS ? new Array(ll) : [];
      }
      while (this.argn < this.argc) {
        if (this.bulkLen < 0) {
          if (this.pos >= buf.length) {
            if (!this.advance()) return null;
            break; // go on in the next buffer
          }
          let ll = quickLen(buf, this.pos, 36);
          let nl = quickEnd;
          if (ll < 0) {
            nl = buf.indexOf(13, this.pos);
            if (nl < 0) {
              if (buf.length - this.pos > INLINE_MAX)
                throw new ProtocolError('ERR Protocol error: too big bulk count string');
              this.waitingLine = true;
              return null;
            }
            if (nl > buf.length - 2) return null;
            if (buf[this.pos] !== 36 /* $ */) {
              throw new ProtocolError(
                `ERR Protocol error: expected '$', got '${sanitizeChar(buf[this.pos])}'`,
              );
            }
            ll = parseIntRange(buf, this.pos + 1, nl);
          }
          if (Number.isNaN(ll) || ll < 0 || ll > this.limits.maxBulkLen)
            throw new ProtocolError('ERR Protocol error: invalid bulk length');
          if (ll > 16384 && this.limits.unauthenticated)
            throw new ProtocolError('ERR Protocol error: unauthenticated bulk length');
          this.pos = nl + 2;
          this.bulkLen = ll;
        }
        if (buf.length - this.pos < this.bulkLen + 2) {
          this.need = this.bulkLen + 2;
          return null;
        }
        if (buf !== this.viewOf) {
          this.viewOf = buf;
          this.ab = buf.buffer as ArrayBuffer;
          this.base = buf.byteOffset;
        }
        this.args[this.argn++] = new ArgBuffer(this.ab, this.base + this.pos, this.bulkLen) as Buffer;
        this.argBytes += this.bulkLen;
        this.pos += this.bulkLen + 2; // like Redis, the trailing CRLF is skipped unchecked
        this.bulkLen = -1;
        this.need = 0;
      }
      if (this.argn < this.argc) continue; // left for the next buffer
      const out = this.args;
      this.args = EMPTY_ARGS;
      this.argn = 0;
      this.argBytes = 0;
      this.argc = -1;
      return out;
    }
  }

  private inline(): Buffer[] | null {
    const buf = this.buf;
    const nl = buf.indexOf(10, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > INLINE_MAX)
        throw new ProtocolError('ERR Protocol error: too big inline request');
      this.waitingLine = true;
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === 13) end--;
    const line = buf.toString('latin1', this.pos, end);
    this.pos = nl + 1;
    const parts = splitArgs(line);
    if (parts === null) throw new ProtocolError('ERR Protocol error: unbalanced quotes in request');
    const out: Buffer[] = new Array(parts.length);
    for (let i = 0; i < parts.length; i++) out[i] = Buffer.from(parts[i], 'latin1');
    return out;
  }
}

function sanitizeChar(c: number): string {
  // never echo a raw control byte into a reply line
  return c === 13 || c === 10 ? ' ' : String.fromCharCode(c);
}
