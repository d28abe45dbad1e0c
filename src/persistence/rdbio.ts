// The RDB format's primitives: constants, a writer (lengths, strings with integer and LZF
// encodings, doubles, times) that streams to a sink and keeps the CRC-64, and a bounds-checked
// reader for files and DUMP payloads.
//
// Length encoding: 00xxxxxx (6 bits), 01xxxxxx xxxxxxxx (14 bits, big-endian), 0x80 + u32 BE,
// 0x81 + u64 BE; 11xxxxxx marks a specially encoded string: 0 int8, 1 int16, 2 int32 (little-
// endian), 3 LZF (compressed length, original length, data).

import { Crc64 } from './crc64';
import { RdbError } from './errors';
import { canonicalInt, canonicalIntBytes } from './listpack';
import { lzfCompress, lzfDecompress } from './lzf';

export const RDB_VERSION = 10;

export const T = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

export const OP = {
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Bytes buffered before the sink is called. */
const FLUSH_AT = 256 * 1024;
/** Size of a streaming writer's buffer (a chunk plus room for the value that crosses FLUSH_AT). */
export const CHUNK_BYTES = FLUSH_AT + 64 * 1024;

export interface WriterOptions {
  /** rdbcompression: LZF for strings longer than 20 bytes when it saves space */
  compress: boolean;
  /** called with full chunks (the writer reuses the buffer after the call returns) */
  sink?: (chunk: Buffer) => void;
  /**
   * The sink keeps each chunk it is given (it is handed to another thread): the writer goes on
   * in the buffer this returns, and leaves the CRC-64 to the other side (`crc` stays unused).
   */
  handoff?: () => Buffer;
}

export class RdbWriter {
  private buf: Buffer;
  private pos = 0;
  readonly crc = new Crc64();
  /** bytes handed to the sink so far */
  flushed = 0;
  readonly compress: boolean;
  private readonly sink: ((chunk: Buffer) => void) | null;
  private readonly handoff: (() => Buffer) | null;

  constructor(opts: WriterOptions) {
    this.compress = opts.compress;
    this.sink = opts.sink ?? null;
    this.handoff = this.sink !== null ? (opts.handoff ?? null) : null;
    this.buf =
      this.handoff !== null ? this.handoff() : Buffer.allocUnsafe(this.sink !== null ? CHUNK_BYTES : 4096);
  }

  get length(): number {
    return this.flushed + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.sink !== null && this.pos > 0) {
      this.flush();
      if (n <= this.buf.length) return;
    }
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** Hands buffered bytes to the sink (no-op without one). */
  flush(): void {
    if (this.sink === null || this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.flushed += this.pos;
    this.pos = 0;
    if (this.handoff !== null) {
      this.sink(chunk);
      this.buf = this.handoff();
      return;
    }
    this.crc.update(chunk);
    this.sink(chunk);
  }

  /** Flushes when enough is buffered; call between values. */
  maybeFlush(): void {
    if (this.pos >= FLUSH_AT) this.flush();
  }

  /** Everything written (in-memory use: DUMP). */
  contents(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  raw(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n <= 32) {
      const d = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) d[p++] = b[i];
      this.pos = p;
    } else {
      this.buf.set(b, this.pos);
      this.pos += n;
    }
  }

  rawLatin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    if (n <= 32) {
      // short strings (keys, fields): a loop beats the native call
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += this.buf.write(s, this.pos, n, 'latin1');
    }
  }

  len(n: number | bigint): void {
    this.ensure(9);
    const b = this.buf;
    if (typeof n === 'number' && n < 64) {
      b[this.pos++] = n;
    } else if (typeof n === 'number' && n < 16384) {
      b[this.pos++] = 0x40 | (n >>> 8);
      b[this.pos++] = n & 0xff;
    } else if (typeof n === 'number' && n <= 0xffffffff) {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      const v = BigInt(n);
      if (v < 64n || v <= 0xffffffffn) {
        this.len(Number(v));
        return;
      }
      b[this.pos++] = 0x81;
      b.writeBigUInt64BE(v, this.pos);
      this.pos += 8;
    }
  }

  /** An 8-byte little-endian millisecond time (EXPIRETIME_MS, stream PEL and consumers). */
  msTime(ms: number | bigint): void {
    this.ensure(8);
    let v = typeof ms === 'bigint' ? ms : BigInt(Math.trunc(ms));
    // stored expiries are doubles: keep them in the int64 field
    if (v > 0x7fffffffffffffffn) v = 0x7fffffffffffffffn;
    else if (v < -0x8000000000000000n) v = -0x8000000000000000n;
    this.buf.writeBigInt64LE(v, this.pos);
    this.pos += 8;
  }

  /** A binary double, little-endian (ZSET_2). */
  double(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** 32-bit little-endian (RESIZEDB is lengths; this is for AUX-free fixed fields). */
  u32le(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4;
  }

  /**
   * A string as Redis's rdbSaveRawString writes it: as an integer when it is a canonical
   * integer that fits 32 bits (11 chars at most), LZF-compressed when longer than 20 bytes
   * and compression is on and saves at least 4 bytes, raw otherwise.
   */
  string(s: string | Uint8Array): void {
    const len = s.length;
    if (len <= 11 && len > 0) {
      const n = typeof s === 'string' ? canonicalInt(s) : canonicalIntBytes(s);
      if (typeof n === 'number' && n >= -2147483648 && n <= 2147483647) {
        this.intString(n);
        return;
      }
    }
    if (this.compress && len > 20) {
      const bytes = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
      const c = lzfCompress(bytes, len - 4);
      if (c !== null) {
        this.byte(0xc3);
        this.len(c.length);
        this.len(len);
        this.raw(c);
        return;
      }
    }
    this.len(len);
    if (typeof s === 'string') this.rawLatin1(s);
    else this.raw(s);
  }

  /** An integer that fits 32 bits, in the smallest integer string encoding. */
  private intString(n: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n >= -128 && n <= 127) {
      b[this.pos++] = 0xc0;
      b.writeInt8(n, this.pos);
      this.pos += 1;
    } else if (n >= -32768 && n <= 32767) {
      b[this.pos++] = 0xc1;
      b.writeInt16LE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xc2;
      b.writeInt32LE(n, this.pos);
      this.pos += 4;
    }
  }

  /** A string holding a decimal integer (AUX values such as redis-bits, ctime). */
  intAsString(n: number): void {
    this.string(String(n));
  }
}

/** Bounds-checked reading over a buffer; every failure throws RdbError. */
export class RdbReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n > this.end - this.pos) throw new RdbError('unexpected end of data');
  }

  byte(): number {
    if (this.pos >= this.end) throw new RdbError('unexpected end of data');
    return this.buf[this.pos++];
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A length, or a special encoding marker: returns [value, isEncoding]. */
  lenOrEnc(): [number | bigint, boolean] {
    const c = this.byte();
    const t = c >> 6;
    if (t === 0) return [c & 0x3f, false];
    if (t === 1) return [((c & 0x3f) << 8) | this.byte(), false];
    if (t === 3) return [c & 0x3f, true];
    if (c === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return [v, false];
    }
    if (c === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      const n = Number(v);
      return [Number.isSafeInteger(n) ? n : v, false];
    }
    throw new RdbError(`bad length encoding 0x${c.toString(16)}`);
  }

  /** A length that must be a plain number (counts, sizes). */
  len(): number {
    const [v, enc] = this.lenOrEnc();
    if (enc) throw new RdbError('unexpected string encoding where a length was expected');
    if (typeof v === 'bigint') throw new RdbError('length out of range');
    return v;
  }

  /** A length as a 64-bit unsigned value (stream IDs and counters). */
  len64(): bigint {
    const [v, enc] = this.lenOrEnc();
    if (enc) throw new RdbError('unexpected string encoding where a length was expected');
    return BigInt(v);
  }

  /** A count of elements that each take at least `minBytes`: bounded by what is left. */
  count(minBytes = 1): number {
    const n = this.len();
    if (n * minBytes > this.remaining) throw new RdbError(`element count ${n} exceeds the data`);
    return n;
  }

  /** A string as bytes; the result may share memory with the input (callers copy to keep it). */
  stringView(): Buffer {
    const [v, enc] = this.lenOrEnc();
    if (enc) {
      switch (v) {
        case 0:
          return Buffer.from(String(this.bytes(1).readInt8(0)), 'latin1');
        case 1:
          return Buffer.from(String(this.bytes(2).readInt16LE(0)), 'latin1');
        case 2:
          return Buffer.from(String(this.bytes(4).readInt32LE(0)), 'latin1');
        case 3: {
          const clen = this.len();
          const ulen = this.len();
          this.need(clen);
          // LZF expands at most ~88x; refuse claims beyond that before allocating
          if (ulen > clen * 90 + 64 || ulen > 0x7fffffff) throw new RdbError('bad LZF lengths');
          const out = lzfDecompress(this.bytes(clen), ulen);
          if (out === null) throw new RdbError('invalid LZF compressed string');
          return out;
        }
        default:
          throw new RdbError(`unknown string encoding ${v}`);
      }
    }
    if (typeof v === 'bigint') throw new RdbError('string length out of range');
    return this.bytes(v);
  }

  /** A string as a new Buffer (values kept in the keyspace must not pin the file buffer). */
  string(): Buffer {
    const v = this.stringView();
    return v.buffer === this.buf.buffer ? Buffer.from(v) : v;
  }

  /** A string as latin1 (keys, fields, members). */
  latin1(): string {
    const v = this.stringView();
    return v.toString('latin1', 0, v.length);
  }

  /** An 8-byte little-endian ms time. */
  msTime(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  /** A binary double (ZSET_2). */
  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A double as written by RDB_TYPE_ZSET (length byte: 253 nan, 254 +inf, 255 -inf). */
  stringDouble(): number {
    const n = this.byte();
    if (n === 253) return Number.NaN;
    if (n === 254) return Number.POSITIVE_INFINITY;
    if (n === 255) return Number.NEGATIVE_INFINITY;
    const s = this.bytes(n).toString('latin1');
    const d = Number(s);
    if (Number.isNaN(d)) throw new RdbError(`bad double value '${s}'`);
    return d;
  }
}
