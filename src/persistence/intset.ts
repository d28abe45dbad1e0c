// Intset, the encoding of small all-integer sets: encoding (u32 LE: bytes per element, 2, 4
// or 8), count (u32 LE), then the elements in ascending order, little-endian.

import { RdbError } from './errors';
import { canonicalInt } from './listpack';

/** Encodes canonical integer strings (any order, no duplicates) in the smallest encoding. */
export function encodeIntset(members: Iterable<string>): Buffer {
  const vals: (number | bigint)[] = [];
  let width = 2;
  for (const m of members) {
    const v = canonicalInt(m);
    if (v === null) throw new Error(`intset member is not an integer: ${m}`);
    vals.push(v);
    const n = Number(v);
    if (typeof v === 'bigint' || n < -2147483648 || n > 2147483647) width = 8;
    else if (width < 4 && (n < -32768 || n > 32767)) width = 4;
  }
  vals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = Buffer.allocUnsafe(8 + vals.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(vals.length, 4);
  let p = 8;
  for (const v of vals) {
    if (width === 2) out.writeInt16LE(Number(v), p);
    else if (width === 4) out.writeInt32LE(Number(v), p);
    else out.writeBigInt64LE(BigInt(v), p);
    p += width;
  }
  return out;
}

/** Decodes an intset into decimal strings; checks the size, the order and uniqueness. */
export function decodeIntset(b: Buffer): string[] {
  if (b.length < 8) throw new RdbError('intset: too short');
  const width = b.readUInt32LE(0);
  const count = b.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbError('intset: bad encoding');
  if (8 + count * width !== b.length) throw new RdbError('intset: size mismatch');
  const out: string[] = [];
  let prev: bigint | number | null = null;
  for (let i = 0, p = 8; i < count; i++, p += width) {
    const v: number | bigint =
      width === 2 ? b.readInt16LE(p) : width === 4 ? b.readInt32LE(p) : b.readBigInt64LE(p);
    if (prev !== null && !(prev < v)) throw new RdbError('intset: not sorted or duplicate');
    prev = v;
    out.push(String(v));
  }
  return out;
}
