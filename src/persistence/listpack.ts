// Listpack, the compact sequence Redis 7.0 stores small hashes, sorted sets, list nodes and
// stream nodes in, and that RDB files carry as opaque strings.
//
// Layout: total bytes (u32 LE), element count (u16 LE; 65535 = "count them"), the entries, 0xFF.
// An entry is an encoding byte (with the data or a length), the data, and a "backlen": the size
// of encoding + data written so it can be read from right to left, 7 bits per byte, the byte
// nearest the entry holding the high bits, bit 7 set on every byte but the leftmost.
//
// Encodings: 0xxxxxxx 7-bit uint; 10xxxxxx string < 64 bytes; 110xxxxx +1 byte 13-bit int;
// 1110xxxx +1 byte string < 4096; 0xF0 +4 bytes string; 0xF1/0xF2/0xF3/0xF4 16/24/32/64-bit int.
// A string that is a canonical 64-bit integer is always stored as an integer, in the smallest
// encoding, as Redis does, so the bytes match Redis's for the same elements.

import { RdbError } from './errors';

/** An element read from a listpack: bytes as a latin1 string, or an integer. */
export type LpValue = string | number | bigint;

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * The integer a byte string denotes when it is canonical (what Redis's string2ll accepts and
 * prints back identically: no sign but '-', no leading zeros, not "-0", 1..20 chars, int64).
 */
export function canonicalInt(s: string): number | bigint | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  let p = 0;
  const neg = s.charCodeAt(0) === 45;
  if (neg) {
    p = 1;
    if (len === 1) return null;
  }
  const c0 = s.charCodeAt(p);
  if (c0 === 48) return len === 1 ? 0 : null;
  if (c0 < 49 || c0 > 57) return null;
  for (let i = p + 1; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (len - p <= 15) return Number(s);
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

/** canonicalInt over bytes (no string is made unless it may be a long integer). */
export function canonicalIntBytes(b: Uint8Array): number | bigint | null {
  const len = b.length;
  if (len === 0 || len > 20) return null;
  let p = 0;
  const neg = b[0] === 45;
  if (neg) {
    p = 1;
    if (len === 1) return null;
  }
  const c0 = b[p];
  if (c0 === 48) return len === 1 ? 0 : null;
  if (c0 < 49 || c0 > 57) return null;
  let v = c0 - 48;
  for (let i = p + 1; i < len; i++) {
    const c = b[i];
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (len - p <= 15) return neg ? -v : v;
  return canonicalInt(Buffer.from(b.buffer, b.byteOffset, len).toString('latin1'));
}

function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Builds a listpack by appending elements. */
export class ListpackBuilder {
  private buf: Buffer;
  private pos = 6;
  count = 0;

  constructor(cap = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(cap, 16));
  }

  /** Bytes the finished listpack will take (header, entries, end byte). */
  get bytes(): number {
    return this.pos + 1;
  }

  private ensure(n: number): void {
    if (this.pos + n + 1 <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n + 1) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  private backlen(l: number): void {
    const b = this.buf;
    let p = this.pos;
    if (l <= 127) {
      b[p++] = l;
    } else if (l < 16383) {
      b[p++] = l >>> 7;
      b[p++] = (l & 127) | 128;
    } else if (l < 2097151) {
      b[p++] = l >>> 14;
      b[p++] = ((l >>> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else if (l < 268435455) {
      b[p++] = l >>> 21;
      b[p++] = ((l >>> 14) & 127) | 128;
      b[p++] = ((l >>> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else {
      b[p++] = Math.floor(l / 2 ** 28);
      b[p++] = ((l >>> 21) & 127) | 128;
      b[p++] = ((l >>> 14) & 127) | 128;
      b[p++] = ((l >>> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    }
    this.pos = p;
  }

  /** Appends an integer (int64 range). */
  appendInt(v: number | bigint): void {
    this.ensure(9 + 1);
    const b = this.buf;
    const p = this.pos;
    let n: number;
    if (typeof v === 'bigint') {
      const small = Number(v);
      if (Number.isSafeInteger(small)) {
        this.appendInt(small);
        return;
      }
      b[p] = 0xf4;
      b.writeBigInt64LE(v, p + 1);
      n = 9;
    } else if (v >= 0 && v <= 127) {
      b[p] = v;
      n = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[p] = 0xc0 | (u >>> 8);
      b[p + 1] = u & 0xff;
      n = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[p] = 0xf1;
      b.writeInt16LE(v, p + 1);
      n = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[p] = 0xf2;
      b.writeIntLE(v, p + 1, 3);
      n = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[p] = 0xf3;
      b.writeInt32LE(v, p + 1);
      n = 5;
    } else {
      b[p] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p + 1);
      n = 9;
    }
    this.pos = p + n;
    this.backlen(n);
    this.count++;
  }

  /** Appends bytes (a latin1 string or a Buffer); integers in canonical form are stored as such. */
  append(v: string | Uint8Array): void {
    const len = v.length;
    if (len <= 20) {
      const n = typeof v === 'string' ? canonicalInt(v) : canonicalIntBytes(v);
      if (n !== null) {
        this.appendInt(n);
        return;
      }
    }
    const hdr = len < 64 ? 1 : len < 4096 ? 2 : 5;
    this.ensure(hdr + len + 5);
    const b = this.buf;
    let p = this.pos;
    if (hdr === 1) {
      b[p++] = 0x80 | len;
    } else if (hdr === 2) {
      b[p++] = 0xe0 | (len >>> 8);
      b[p++] = len & 0xff;
    } else {
      b[p++] = 0xf0;
      b.writeUInt32LE(len, p);
      p += 4;
    }
    if (typeof v === 'string') b.write(v, p, len, 'latin1');
    else b.set(v, p);
    this.pos = p + len;
    this.backlen(hdr + len);
    this.count++;
  }

  /** The finished listpack (a copy; the builder can't be appended to afterwards). */
  finish(): Buffer {
    const b = this.buf;
    b[this.pos] = 0xff;
    const total = this.pos + 1;
    b.writeUInt32LE(total, 0);
    b.writeUInt16LE(Math.min(this.count, 65535), 4);
    return Buffer.from(b.subarray(0, total));
  }
}

/** Bytes an element would add to a listpack (entry + backlen). */
export function entrySize(v: string | Uint8Array): number {
  const len = v.length;
  let n: number;
  const i = len <= 20 ? (typeof v === 'string' ? canonicalInt(v) : canonicalIntBytes(v)) : null;
  if (i !== null) {
    const x = Number(i);
    n =
      x >= 0 && x <= 127
        ? 1
        : x >= -4096 && x <= 4095
          ? 2
          : x >= -32768 && x <= 32767
            ? 3
            : x >= -8388608 && x <= 8388607
              ? 4
              : x >= -2147483648 && x <= 2147483647
                ? 5
                : 9;
  } else {
    n = (len < 64 ? 1 : len < 4096 ? 2 : 5) + len;
  }
  return n + backlenSize(n);
}

/**
 * Decodes a listpack, validating every entry against the buffer (hostile input: lengths are
 * checked before use, the end byte and the byte count must agree). Throws RdbError.
 */
export function decodeListpack(b: Buffer): LpValue[] {
  const what = 'listpack';
  if (b.length < 7) throw new RdbError(`${what}: too short`);
  const total = b.readUInt32LE(0);
  if (total !== b.length) throw new RdbError(`${what}: header size ${total} != ${b.length}`);
  const declared = b.readUInt16LE(4);
  const out: LpValue[] = [];
  const end = b.length - 1;
  if (b[end] !== 0xff) throw new RdbError(`${what}: missing end byte`);
  let p = 6;
  while (p < end) {
    const start = p;
    const c = b[p];
    let v: LpValue;
    if (c < 0x80) {
      v = c;
      p += 1;
    } else if (c < 0xc0) {
      const len = c & 0x3f;
      if (p + 1 + len > end) throw new RdbError(`${what}: string past the end`);
      v = b.toString('latin1', p + 1, p + 1 + len);
      p += 1 + len;
    } else if (c < 0xe0) {
      if (p + 2 > end) throw new RdbError(`${what}: int past the end`);
      let u = ((c & 0x1f) << 8) | b[p + 1];
      if (u >= 1 << 12) u -= 1 << 13;
      v = u;
      p += 2;
    } else if (c < 0xf0) {
      if (p + 2 > end) throw new RdbError(`${what}: length past the end`);
      const len = ((c & 0x0f) << 8) | b[p + 1];
      if (p + 2 + len > end) throw new RdbError(`${what}: string past the end`);
      v = b.toString('latin1', p + 2, p + 2 + len);
      p += 2 + len;
    } else if (c === 0xf0) {
      if (p + 5 > end) throw new RdbError(`${what}: length past the end`);
      const len = b.readUInt32LE(p + 1);
      if (p + 5 + len > end) throw new RdbError(`${what}: string past the end`);
      v = b.toString('latin1', p + 5, p + 5 + len);
      p += 5 + len;
    } else if (c === 0xf1) {
      if (p + 3 > end) throw new RdbError(`${what}: int past the end`);
      v = b.readInt16LE(p + 1);
      p += 3;
    } else if (c === 0xf2) {
      if (p + 4 > end) throw new RdbError(`${what}: int past the end`);
      v = b.readIntLE(p + 1, 3);
      p += 4;
    } else if (c === 0xf3) {
      if (p + 5 > end) throw new RdbError(`${what}: int past the end`);
      v = b.readInt32LE(p + 1);
      p += 5;
    } else if (c === 0xf4) {
      if (p + 9 > end) throw new RdbError(`${what}: int past the end`);
      const big = b.readBigInt64LE(p + 1);
      const n = Number(big);
      v = Number.isSafeInteger(n) ? n : big;
      p += 9;
    } else {
      throw new RdbError(`${what}: bad encoding byte 0x${c.toString(16)}`);
    }
    // the backlen must encode this entry's size
    const size = p - start;
    const bl = backlenSize(size);
    if (p + bl > end) throw new RdbError(`${what}: backlen past the end`);
    let val = 0;
    let shift = 0;
    for (let q = p + bl - 1; q >= p; q--) {
      val += (b[q] & 127) * 2 ** shift;
      shift += 7;
    }
    if (val !== size) throw new RdbError(`${what}: bad backlen`);
    p += bl;
    out.push(v);
  }
  if (declared !== 65535 && declared !== out.length) throw new RdbError(`${what}: element count mismatch`);
  return out;
}

/** An element as latin1 bytes. */
export function lpString(v: LpValue): string {
  return typeof v === 'string' ? v : String(v);
}
