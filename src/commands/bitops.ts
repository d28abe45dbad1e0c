// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// Bit 0 is the most significant bit of byte 0; reads past the end of a string see zeros.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { type Entry, isString } from '../store/db';
import { is, key, parseInt64 } from './args';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import { adoptOwned, clampRange, growString, maxStringLen, negReversed, newOwnedString } from './string';
import type { CommandDef } from './types';

const ERR_BIT_ARG = 'ERR The bit argument must be 1 or 0.';
const ERR_BITOP_NOT = 'ERR BITOP NOT must be called with a single source key.';
const ERR_BF_TYPE =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const ERR_BF_OVERFLOW = 'ERR Invalid OVERFLOW type specified';
const ERR_BF_RO = 'ERR BITFIELD_RO only supports the GET subcommand';

// ---- bit helpers (exported for unit tests) ----

/** Byte index of a bit position (positions reach 2^32, past the 32-bit shift operators). */
function byteOf(bitPos: number): number {
  return Math.floor(bitPos / 8);
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** Number of set bits in bytes [from, to). */
export function popcount(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  if (to - i >= 64) {
    // bytes up to a 4-byte boundary of the memory, then 32-bit words (SWAR popcount)
    while (((b.byteOffset + i) & 3) !== 0) n += POPCOUNT[b[i++]];
    const words = Math.floor((to - i) / 4);
    const w = new Uint32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      let x = w[k];
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  for (; i < to; i++) n += POPCOUNT[b[i]];
  return n;
}

const CHUNK = 4096;
const ZEROS = Buffer.alloc(CHUNK);
const ONES = Buffer.alloc(CHUNK, 0xff);

/** First index in [from, to) whose byte is not `skip` (0 or 0xff), or `to`. */
function skipBytes(b: Uint8Array, from: number, to: number, skip: number): number {
  let i = from;
  // whole chunks compared natively, then byte by byte
  const ref = skip === 0 ? ZEROS : ONES;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  while (to - i >= CHUNK && buf.compare(ref, 0, CHUNK, i, i + CHUNK) === 0) i += CHUNK;
  while (i < to && b[i] === skip) i++;
  return i;
}

/** Number of set bits in bit positions [first, last] (both within the buffer). */
export function popcountBits(b: Uint8Array, first: number, last: number): number {
  const fb = byteOf(first);
  const lb = byteOf(last);
  const headMask = 0xff >> (first & 7); // bits at and after `first` within its byte
  const tailMask = (0xff << (7 - (last & 7))) & 0xff; // bits up to `last`
  if (fb === lb) return POPCOUNT[b[fb] & headMask & tailMask];
  return POPCOUNT[b[fb] & headMask] + popcount(b, fb + 1, lb) + POPCOUNT[b[lb] & tailMask];
}

/** Position of the first bit equal to `bit` in bit positions [first, last], or -1. */
export function findBit(b: Uint8Array, bit: 0 | 1, first: number, last: number): number {
  const skip = bit === 1 ? 0 : 0xff; // a byte with no candidate
  let pos = first;
  // bit by bit up to a byte boundary, then whole bytes, then the tail
  while (pos <= last && (pos & 7) !== 0) {
    if (((b[byteOf(pos)] >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  if (pos > last) return -1;
  let i = byteOf(pos);
  const lastFull = byteOf(last + 1); // bytes [i, lastFull) lie wholly in range
  i = skipBytes(b, i, lastFull, skip);
  for (pos = i * 8; pos <= last; pos++) {
    if (((b[byteOf(pos)] >> (7 - (pos & 7))) & 1) === bit) return pos;
  }
  return -1;
}

/** Unsigned value of `bits` bits at bit `offset`; bytes past the end read as zero. */
export function getBits(b: Uint8Array, offset: number, bits: number): bigint {
  const first = byteOf(offset);
  const last = byteOf(offset + bits - 1);
  let v = 0n;
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(i < b.length ? b[i] : 0);
  const tail = 7 - ((offset + bits - 1) & 7); // unused low bits of the last byte
  return (v >> BigInt(tail)) & ((1n << BigInt(bits)) - 1n);
}

/** Stores the low `bits` bits of `value` at bit `offset` (the buffer must be long enough). */
export function setBits(b: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = byteOf(offset);
  const last = byteOf(offset + bits - 1);
  let v = 0n;
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(b[i]);
  const tail = BigInt(7 - ((offset + bits - 1) & 7));
  const mask = ((1n << BigInt(bits)) - 1n) << tail;
  v = (v & ~mask) | ((BigInt.asUintN(bits, value) << tail) & mask);
  for (let i = last; i >= first; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/**
 * Parses a bit offset as Redis: a non-negative 64-bit integer below 8 * proto-max-bulk-len;
 * with `bits` > 0 a "#N" form means N * bits. Null when invalid.
 */
function bitOffset(c: Client, arg: Buffer, bits: number): number | null {
  const hash = bits > 0 && arg.length > 0 && arg[0] === 35;
  const v = parseInt64(hash ? arg.subarray(1) : arg);
  if (v === null) return null;
  let off = BigInt(v);
  if (hash) off = BigInt.asIntN(64, off * BigInt(bits)); // C's long long multiply wraps
  if (off < 0n || off >> 3n >= BigInt(maxStringLen(c))) return null;
  return Number(off);
}

/**
 * Looks up the string of a bit write and makes it at least `bytes` long, creating the key if
 * needed. Returns the entry and whether its length changed, or null after replying an error.
 */
function stringForBitWrite(
  c: Client,
  name: string,
  bytes: number,
): { e: Entry; buf: Buffer; grown: boolean } | null {
  const e = lookupWrite(c, name);
  if (e === undefined) {
    const buf = newOwnedString(bytes);
    if (buf === null) {
      c.reply.error(E.oom);
      return null;
    }
    return { e: setKey(c, name, buf), buf, grown: true };
  }
  if (!isString(e.value)) {
    c.reply.error(E.wrongType);
    return null;
  }
  const old = e.value.length;
  const buf = growString(e, bytes, maxStringLen(c) + 16);
  if (buf === null) {
    c.reply.error(E.oom);
    return null;
  }
  return { e, buf, grown: buf.length !== old };
}

// SETBIT key offset value
function setbit(c: Client, argv: Buffer[]): void {
  const off = bitOffset(c, argv[2], 0);
  if (off === null) {
    c.reply.error(E.bitOffset);
    return;
  }
  const on = parseInt64(argv[3]);
  if (on !== 0 && on !== 1) {
    c.reply.error(E.bitValue);
    return;
  }
  const name = key(argv[1]);
  const s = stringForBitWrite(c, name, byteOf(off) + 1);
  if (s === null) return;
  const byte = byteOf(off);
  const mask = 1 << (7 - (off & 7));
  const old = s.buf[byte] & mask ? 1 : 0;
  if (s.grown || old !== on) {
    if (on) s.buf[byte] |= mask;
    else s.buf[byte] &= ~mask;
    modified(c, name);
    notify(c, '$', 'setbit', name);
  }
  c.reply.int(old);
}

// GETBIT key offset
function getbit(c: Client, argv: Buffer[]): void {
  const off = bitOffset(c, argv[2], 0);
  if (off === null) {
    c.reply.error(E.bitOffset);
    return;
  }
  const e = lookupRead(c, key(argv[1]));
  if (e === undefined) {
    c.reply.int(0);
    return;
  }
  if (!isString(e.value)) {
    c.reply.error(E.wrongType);
    return;
  }
  const byte = byteOf(off);
  const v = e.value;
  c.reply.int(byte < v.length && v[byte] & (1 << (7 - (off & 7))) ? 1 : 0);
}

/** Reads the string of a bit read command; replies and returns null for WRONGTYPE. */
function readBits(c: Client, argv: Buffer[]): Buffer | undefined | null {
  const e = lookupRead(c, key(argv[1]));
  if (e === undefined) return undefined;
  if (!isString(e.value)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** The BIT | BYTE unit word: true for BIT, false for BYTE, null after a syntax error reply. */
function unitArg(c: Client, a: Buffer): boolean | null {
  if (is(a, 'bit')) return true;
  if (is(a, 'byte')) return false;
  c.reply.error(E.syntax);
  return null;
}

// BITCOUNT key [start end [BYTE | BIT]]
function bitcount(c: Client, argv: Buffer[]): void {
  const v = readBits(c, argv);
  if (v === null) return;
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  if (argv.length === 2) {
    c.reply.int(popcount(v, 0, v.length));
    return;
  }
  if (argv.length !== 4 && argv.length !== 5) {
    c.reply.error(E.syntax);
    return;
  }
  const start = parseInt64(argv[2]);
  if (start === null) {
    c.reply.error(E.notInt);
    return;
  }
  const end = parseInt64(argv[3]);
  if (end === null) {
    c.reply.error(E.notInt);
    return;
  }
  if (negReversed(start, end)) {
    c.reply.int(0);
    return;
  }
  let isBit = false;
  if (argv.length === 5) {
    const u = unitArg(c, argv[4]);
    if (u === null) return;
    isBit = u;
  }
  const r = clampRange(start, end, isBit ? v.length * 8 : v.length);
  if (r === null) c.reply.int(0);
  else if (isBit) c.reply.int(popcountBits(v, r[0], r[1]));
  else c.reply.int(popcount(v, r[0], r[1] + 1));
}

// BITPOS key bit [start [end [BYTE | BIT]]]
function bitpos(c: Client, argv: Buffer[]): void {
  const bit = parseInt64(argv[2]);
  if (bit === null) {
    c.reply.error(E.notInt);
    return;
  }
  if (bit !== 0 && bit !== 1) {
    c.reply.error(ERR_BIT_ARG);
    return;
  }
  const v = readBits(c, argv);
  if (v === null) return;
  if (v === undefined) {
    // a missing key is an endless run of zeros
    c.reply.int(bit ? -1 : 0);
    return;
  }
  if (argv.length > 6) {
    c.reply.error(E.syntax);
    return;
  }
  let first = 0;
  let last = v.length * 8 - 1;
  let endGiven = false;
  if (argv.length >= 4) {
    const start = parseInt64(argv[3]);
    if (start === null) {
      c.reply.error(E.notInt);
      return;
    }
    let isBit = false;
    if (argv.length === 6) {
      const u = unitArg(c, argv[5]);
      if (u === null) return;
      isBit = u;
    }
    const total = isBit ? v.length * 8 : v.length;
    let end: number | bigint = total - 1;
    if (argv.length >= 5) {
      const e = parseInt64(argv[4]);
      if (e === null) {
        c.reply.error(E.notInt);
        return;
      }
      end = e;
      endGiven = true;
    }
    const r = clampRange(start, end, total);
    if (r === null) {
      c.reply.int(-1);
      return;
    }
    [first, last] = isBit ? r : [r[0] * 8, r[1] * 8 + 7];
  } else if (v.length === 0) {
    c.reply.int(-1);
    return;
  }
  const pos = findBit(v, bit, first, last);
  // looking for a zero without an explicit end, the string continues with zero padding
  if (pos < 0 && bit === 0 && !endGiven) c.reply.int(last + 1);
  else c.reply.int(pos);
}

/** res[i] = res[i] op src[i] for i < n (NOT ignores src); 32-bit words when both are aligned. */
function combine(res: Buffer, src: Uint8Array, n: number, op: 'and' | 'or' | 'xor' | 'not'): void {
  let i = 0;
  if (n >= 64 && (res.byteOffset & 3) === 0 && (src.byteOffset & 3) === 0) {
    const words = Math.floor(n / 4);
    const r = new Int32Array(res.buffer, res.byteOffset, words);
    const x = new Int32Array(src.buffer, src.byteOffset, words);
    if (op === 'and') for (let k = 0; k < words; k++) r[k] &= x[k];
    else if (op === 'or') for (let k = 0; k < words; k++) r[k] |= x[k];
    else if (op === 'xor') for (let k = 0; k < words; k++) r[k] ^= x[k];
    else for (let k = 0; k < words; k++) r[k] = ~r[k];
    i = words * 4;
  }
  if (op === 'and') for (; i < n; i++) res[i] &= src[i];
  else if (op === 'or') for (; i < n; i++) res[i] |= src[i];
  else if (op === 'xor') for (; i < n; i++) res[i] ^= src[i];
  else for (; i < n; i++) res[i] = ~res[i];
}

// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
function bitop(c: Client, argv: Buffer[]): void {
  const opArg = argv[1];
  let op: 'and' | 'or' | 'xor' | 'not';
  if (is(opArg, 'and')) op = 'and';
  else if (is(opArg, 'or')) op = 'or';
  else if (is(opArg, 'xor')) op = 'xor';
  else if (is(opArg, 'not')) op = 'not';
  else {
    c.reply.error(E.syntax);
    return;
  }
  if (op === 'not' && argv.length !== 4) {
    c.reply.error(ERR_BITOP_NOT);
    return;
  }
  const srcs: Buffer[] = [];
  let maxLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const e = lookupRead(c, key(argv[j]));
    if (e === undefined) {
      srcs.push(Buffer.alloc(0)); // missing keys are empty strings
      continue;
    }
    if (!isString(e.value)) {
      c.reply.error(E.wrongType);
      return;
    }
    srcs.push(e.value);
    if (e.value.length > maxLen) maxLen = e.value.length;
  }
  const dest = key(argv[2]);
  if (maxLen === 0) {
    if (c.db.delete(dest)) {
      c.server.dirty++;
      notify(c, 'g', 'del', dest);
    }
    c.reply.int(0);
    return;
  }
  const res = Buffer.alloc(maxLen); // zero-filled: shorter sources are zero-padded
  srcs[0].copy(res);
  if (op === 'not') {
    combine(res, res, maxLen, 'not');
  } else {
    for (let s = 1; s < srcs.length; s++) {
      const src = srcs[s];
      combine(res, src, src.length, op);
      if (op === 'and') res.fill(0, src.length); // AND with the zero padding
    }
  }
  setKey(c, dest, adoptOwned(res));
  notify(c, '$', 'set', dest);
  c.reply.int(maxLen);
}

// ---- BITFIELD ----

const WRAP = 0;
const SAT = 1;
const FAIL = 2;

interface FieldOp {
  op: 'get' | 'set' | 'incrby';
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: number;
}

/** Parses i1..i64 / u1..u63 (lower-case prefix only, as Redis). */
function fieldType(arg: Buffer): { signed: boolean; bits: number } | null {
  if (arg.length === 0 || (arg[0] !== 105 && arg[0] !== 117)) return null;
  const signed = arg[0] === 105;
  let end = arg.indexOf(0, 1); // C sees the type up to a NUL byte
  if (end < 0) end = arg.length;
  const n = parseInt64(arg.subarray(1, end));
  if (n === null || n < 1 || n > (signed ? 64 : 63)) return null;
  return { signed, bits: Number(n) };
}

const I64_MAX = (1n << 63n) - 1n;

/**
 * Redis's overflow check for a signed field: `value + incr` outside the field's range, with its
 * 64-bit wrapping intermediates. Returns [direction (0 none, 1 over, -1 under), replacement].
 */
function signedOverflow(value: bigint, incr: bigint, bits: number, mode: number): [number, bigint] {
  const max = bits === 64 ? I64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncr = BigInt.asIntN(64, max - value);
  const minIncr = BigInt.asIntN(64, min - value);
  const wrapped = BigInt.asIntN(bits, value + incr);
  if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr))
    return [1, mode === WRAP ? wrapped : max];
  if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr))
    return [-1, mode === WRAP ? wrapped : min];
  return [0, 0n];
}

/** The unsigned counterpart; `value` is a uint64. */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, mode: number): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = BigInt.asIntN(64, max - value);
  const minIncr = BigInt.asIntN(64, -value);
  const wrapped = BigInt.asUintN(bits, value + incr);
  if (value > max || (incr > 0n && incr > maxIncr)) return [1, mode === WRAP ? wrapped : max];
  if (incr < 0n && incr < minIncr) return [-1, mode === WRAP ? wrapped : 0n];
  return [0, 0n];
}

function bitfieldGeneric(c: Client, argv: Buffer[], readonlyCmd: boolean): void {
  const ops: FieldOp[] = [];
  let overflow = WRAP;
  let writes = false;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j];
    let op: FieldOp['op'];
    if (is(sub, 'get') && rem >= 2) op = 'get';
    else if (is(sub, 'set') && rem >= 3) op = 'set';
    else if (is(sub, 'incrby') && rem >= 3) op = 'incrby';
    else if (is(sub, 'overflow') && rem >= 1) {
      const w = argv[++j];
      if (is(w, 'wrap')) overflow = WRAP;
      else if (is(w, 'sat')) overflow = SAT;
      else if (is(w, 'fail')) overflow = FAIL;
      else {
        c.reply.error(ERR_BF_OVERFLOW);
        return;
      }
      continue;
    } else {
      c.reply.error(E.syntax);
      return;
    }
    const t = fieldType(argv[j + 1]);
    if (t === null) {
      c.reply.error(ERR_BF_TYPE);
      return;
    }
    const offset = bitOffset(c, argv[j + 2], t.bits);
    if (offset === null) {
      c.reply.error(E.bitOffset);
      return;
    }
    let value = 0n;
    if (op !== 'get') {
      writes = true;
      if (offset + t.bits - 1 > highest) highest = offset + t.bits - 1;
      const v = parseInt64(argv[j + 3]);
      if (v === null) {
        c.reply.error(E.notInt);
        return;
      }
      value = BigInt(v);
    }
    ops.push({ op, signed: t.signed, bits: t.bits, offset, value, overflow });
    j += op === 'get' ? 2 : 3;
  }
  const name = key(argv[1]);
  let buf: Buffer | null = null;
  if (!writes) {
    const e = lookupRead(c, name);
    if (e !== undefined) {
      if (!isString(e.value)) {
        c.reply.error(E.wrongType);
        return;
      }
      buf = e.value;
    }
  } else {
    if (readonlyCmd) {
      c.reply.error(ERR_BF_RO);
      return;
    }
    const s = stringForBitWrite(c, name, byteOf(highest) + 1);
    if (s === null) return;
    buf = s.buf;
  }
  c.reply.array(ops.length);
  let changes = 0;
  const empty = Buffer.alloc(0);
  for (const f of ops) {
    const b = buf ?? empty;
    const raw = getBits(b, f.offset, f.bits);
    const old = f.signed ? BigInt.asIntN(f.bits, raw) : raw;
    if (f.op === 'get') {
      c.reply.int(old);
      continue;
    }
    let dir: number;
    let repl: bigint;
    let next: bigint;
    let ret: bigint;
    if (f.op === 'incrby') {
      [dir, repl] = f.signed
        ? signedOverflow(old, f.value, f.bits, f.overflow)
        : unsignedOverflow(old, f.value, f.bits, f.overflow);
      next = dir !== 0 ? repl : old + f.value;
      ret = next;
    } else {
      const v = f.signed ? f.value : BigInt.asUintN(64, f.value);
      [dir, repl] = f.signed
        ? signedOverflow(v, 0n, f.bits, f.overflow)
        : unsignedOverflow(v, 0n, f.bits, f.overflow);
      next = dir !== 0 ? repl : v;
      ret = old;
    }
    if (dir !== 0 && f.overflow === FAIL) {
      c.reply.nullBulk();
    } else {
      c.reply.int(ret);
      setBits(b, f.offset, f.bits, next);
      changes++; // a FAIL that writes nothing is no change (no event), though the key may grow
    }
  }
  if (changes > 0) {
    modified(c, name);
    c.server.dirty += changes - 1;
    notify(c, '$', 'setbit', name);
  }
}

// BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>]
//   <SET encoding offset value | INCRBY encoding offset increment> [...]]
function bitfield(c: Client, argv: Buffer[]): void {
  bitfieldGeneric(c, argv, false);
}

// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
function bitfieldRo(c: Client, argv: Buffer[]): void {
  bitfieldGeneric(c, argv, true);
}

export const bitCommands: CommandDef[] = [
  { name: 'setbit', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], acl: '@bitmap', handler: setbit },
  { name: 'getbit', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], acl: '@bitmap', handler: getbit },
  { name: 'bitcount', arity: -2, flags: 'readonly', keys: [1, 1, 1], acl: '@bitmap', handler: bitcount },
  { name: 'bitpos', arity: -3, flags: 'readonly', keys: [1, 1, 1], acl: '@bitmap', handler: bitpos },
  { name: 'bitop', arity: -4, flags: 'write denyoom', keys: [2, -1, 1], acl: '@bitmap', handler: bitop },
  { name: 'bitfield', arity: -2, flags: 'write denyoom', keys: [1, 1, 1], acl: '@bitmap', handler: bitfield },
  {
    name: 'bitfield_ro',
    arity: -2,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@bitmap',
    handler: bitfieldRo,
  },
];
