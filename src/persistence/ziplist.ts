// Decoders for the encodings of RDB files written by Redis before 7.0: ziplist (lists, hashes
// and sorted sets up to 6.2) and zipmap (hashes before 2.6). Only read, never written.
//
// Ziplist: total bytes (u32 LE), tail offset (u32 LE), count (u16 LE; 65535 = count them),
// entries, 0xFF. An entry: previous entry length (1 byte < 254, or 0xFE + u32 LE), encoding,
// data. Encodings: 00xxxxxx string < 64; 01xxxxxx xxxxxxxx string, 14-bit big-endian length;
// 0x80 + u32 big-endian length string; 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24,
// 0xFE int8 (little-endian); 0xF1..0xFD the values 0..12.
//
// Zipmap: count (1 byte, 254+ = count them), then entries: length (1 byte < 254, or 0xFE +
// u32 LE), key, length, 1 byte of free space count, value, free bytes; 0xFF at the end.

import { RdbError } from './errors';
import type { LpValue } from './listpack';

export function decodeZiplist(b: Buffer): LpValue[] {
  const what = 'ziplist';
  if (b.length < 11) throw new RdbError(`${what}: too short`);
  if (b.readUInt32LE(0) !== b.length) throw new RdbError(`${what}: header size mismatch`);
  const tail = b.readUInt32LE(4);
  const declared = b.readUInt16LE(8);
  const end = b.length - 1;
  if (b[end] !== 0xff) throw new RdbError(`${what}: missing end byte`);
  if (tail < 10 || tail > end) throw new RdbError(`${what}: bad tail offset`);
  const out: LpValue[] = [];
  let p = 10;
  let prevLen = 0;
  let lastStart = 10;
  while (p < end) {
    const start = p;
    let pl: number;
    if (b[p] < 254) {
      pl = b[p];
      p += 1;
    } else if (b[p] === 254) {
      if (p + 5 > end) throw new RdbError(`${what}: prevlen past the end`);
      pl = b.readUInt32LE(p + 1);
      p += 5;
    } else {
      throw new RdbError(`${what}: bad prevlen`);
    }
    if (pl !== prevLen) throw new RdbError(`${what}: prevlen mismatch`);
    if (p >= end) throw new RdbError(`${what}: entry past the end`);
    const c = b[p];
    let v: LpValue;
    const top = c >> 6;
    if (top === 0) {
      const len = c & 0x3f;
      if (p + 1 + len > end) throw new RdbError(`${what}: string past the end`);
      v = b.toString('latin1', p + 1, p + 1 + len);
      p += 1 + len;
    } else if (top === 1) {
      if (p + 2 > end) throw new RdbError(`${what}: length past the end`);
      const len = ((c & 0x3f) << 8) | b[p + 1];
      if (p + 2 + len > end) throw new RdbError(`${what}: string past the end`);
      v = b.toString('latin1', p + 2, p + 2 + len);
      p += 2 + len;
    } else if (c === 0x80) {
      if (p + 5 > end) throw new RdbError(`${what}: length past the end`);
      const len = b.readUInt32BE(p + 1);
      if (p + 5 + len > end) throw new RdbError(`${what}: string past the end`);
      v = b.toString('latin1', p + 5, p + 5 + len);
      p += 5 + len;
    } else {
      let n = 0;
      if (c === 0xc0) n = 2;
      else if (c === 0xd0) n = 4;
      else if (c === 0xe0) n = 8;
      else if (c === 0xf0) n = 3;
      else if (c === 0xfe) n = 1;
      else if (c >= 0xf1 && c <= 0xfd) n = 0;
      else throw new RdbError(`${what}: bad encoding byte 0x${c.toString(16)}`);
      if (p + 1 + n > end) throw new RdbError(`${what}: int past the end`);
      if (n === 0) v = c - 0xf1;
      else if (n === 8) {
        const big = b.readBigInt64LE(p + 1);
        const x = Number(big);
        v = Number.isSafeInteger(x) ? x : big;
      } else v = b.readIntLE(p + 1, n);
      p += 1 + n;
    }
    prevLen = p - start;
    lastStart = start;
    out.push(v);
  }
  if (out.length > 0 && lastStart !== tail) throw new RdbError(`${what}: tail offset mismatch`);
  if (declared !== 65535 && declared !== out.length) throw new RdbError(`${what}: element count mismatch`);
  return out;
}

/** A zipmap as [key, value, key, value, ...] (latin1 strings). */
export function decodeZipmap(b: Buffer): string[] {
  const what = 'zipmap';
  if (b.length < 2) throw new RdbError(`${what}: too short`);
  const end = b.length - 1;
  if (b[end] !== 0xff) throw new RdbError(`${what}: missing end byte`);
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= end) throw new RdbError(`${what}: length past the end`);
    const c = b[p];
    if (c < 254) {
      p += 1;
      return c;
    }
    if (c === 254) {
      if (p + 5 > end) throw new RdbError(`${what}: length past the end`);
      const n = b.readUInt32LE(p + 1);
      p += 5;
      return n;
    }
    throw new RdbError(`${what}: bad length`);
  };
  while (p < end) {
    const klen = readLen();
    if (p + klen > end) throw new RdbError(`${what}: key past the end`);
    const k = b.toString('latin1', p, p + klen);
    p += klen;
    const vlen = readLen();
    if (p >= end) throw new RdbError(`${what}: value past the end`);
    const free = b[p++];
    if (p + vlen + free > end) throw new RdbError(`${what}: value past the end`);
    const v = b.toString('latin1', p, p + vlen);
    p += vlen + free;
    out.push(k, v);
  }
  if (b[0] < 254 && b[0] * 2 !== out.length) throw new RdbError(`${what}: element count mismatch`);
  return out;
}
