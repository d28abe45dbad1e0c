// HyperLogLog in Redis's exact string representation, so GET on a key returns the same bytes as
// redis-server and PFCOUNT the same estimates (the value is an ordinary string: SET/GET/DUMP
// move it around unchanged).
//
// Layout (facts of the format): a 16-byte header "HYLL", encoding byte (0 dense, 1 sparse),
// 3 unused bytes, 8 bytes of cached cardinality (little endian; the top bit of the last byte set
// means "stale"), then the registers: 16384 registers of 6 bits.
//   dense:  12288 bytes, register i at bit i*6, least significant bits first.
//   sparse: run-length opcodes: 00xxxxxx ZERO (1..64 zero registers), 01xxxxxx yyyyyyyy XZERO
//           (1..16384 zero registers), 1vvvvvxx VAL (value 1..32 repeated 1..4 times).
// An element hashes with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the register, the
// position of the first set bit in the remaining 50 bits (plus one) is the candidate value.
// Sparse values above 32, or a sparse string growing past hll-sparse-max-bytes, turn the value
// dense. The sparse editing follows the format's in-place update rules step by step (split the
// covering opcode into at most three, then merge equal adjacent VAL opcodes near the change),
// because the resulting bytes depend on the order of the updates.

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P; // 16384
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_Q = 64 - HLL_P; // 50
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * 6 + 7) / 8); // 12304
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_REGISTER_MAX = 63;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.7213475204444817; // 1 / (2 ln 2), the double Redis computes with

export const ERR_INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';
export const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

// ---- MurmurHash64A over 32-bit halves ----

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** (hi, lo) of the low 64 bits of a 64 × 64-bit product, written to out[0], out[1]. */
function mul64(ah: number, al: number, bh: number, bl: number, out: Uint32Array): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  let hi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  hi = (hi + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  out[0] = hi;
  out[1] = lo;
}

const tmp = new Uint32Array(2);

/** MurmurHash64A of `data` with a 32-bit seed; the result in out[0] (high) and out[1] (low). */
export function murmurHash64A(data: Uint8Array, seed: number, out: Uint32Array): void {
  const len = data.length;
  mul64(0, len >>> 0, M_HI, M_LO, tmp);
  let hh = tmp[0];
  let hl = (tmp[1] ^ seed) >>> 0;
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    let kl = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    let kh = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    mul64(kh, kl, M_HI, M_LO, tmp);
    kh = tmp[0];
    kl = tmp[1];
    kl = (kl ^ (kh >>> 15)) >>> 0; // k ^= k >> 47
    mul64(kh, kl, M_HI, M_LO, tmp);
    hh = (hh ^ tmp[0]) >>> 0;
    hl = (hl ^ tmp[1]) >>> 0;
    mul64(hh, hl, M_HI, M_LO, tmp);
    hh = tmp[0];
    hl = tmp[1];
  }
  const rest = len & 7;
  if (rest > 0) {
    // the tail bytes, little endian: bytes 4..6 go to the high half
    for (let t = rest - 1; t >= 0; t--) {
      if (t >= 4) hh ^= data[i + t] << (8 * (t - 4));
      else hl ^= data[i + t] << (8 * t);
    }
    mul64(hh >>> 0, hl >>> 0, M_HI, M_LO, tmp);
    hh = tmp[0];
    hl = tmp[1];
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mul64(hh, hl, M_HI, M_LO, tmp);
  hh = tmp[0];
  hl = tmp[1];
  hl = (hl ^ (hh >>> 15)) >>> 0;
  out[0] = hh;
  out[1] = hl;
}

const HASH_SEED = 0xadc83b19;
const hashOut = new Uint32Array(2);

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** The register an element maps to (low 14 bits) and its run length of zeros plus one (1..51). */
export function patLen(ele: Uint8Array): { index: number; count: number } {
  murmurHash64A(ele, HASH_SEED, hashOut);
  const hi = hashOut[0];
  const lo = hashOut[1];
  const index = lo & HLL_P_MASK;
  // hash >>= 14, then bit 50 set so the count stops at Q + 1
  const sl = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0;
  const sh = ((hi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  const count = sl !== 0 ? ctz32(sl) + 1 : 32 + ctz32(sh) + 1;
  return { index, count };
}

// ---- header ----

/** Whether a string value passes Redis's HLL checks (magic, encoding, dense length). */
export function isHllString(b: Uint8Array): boolean {
  if (b.length < HLL_HDR_SIZE) return false;
  if (b[0] !== 72 || b[1] !== 89 || b[2] !== 76 || b[3] !== 76) return false; // "HYLL"
  if (b[4] > HLL_SPARSE) return false;
  if (b[4] === HLL_DENSE && b.length !== HLL_DENSE_SIZE) return false;
  return true;
}

/** A new empty sparse HLL: header + XZERO opcodes covering every register. */
export function createHll(): Buffer {
  const xzeros = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN);
  const b = Buffer.alloc(HLL_HDR_SIZE + xzeros * 2);
  b.write('HYLL', 0, 'latin1');
  b[4] = HLL_SPARSE;
  let p = HLL_HDR_SIZE;
  let left = HLL_REGISTERS;
  while (left > 0) {
    const n = Math.min(left, SPARSE_XZERO_MAX_LEN);
    setXzero(b, p, n);
    p += 2;
    left -= n;
  }
  return b;
}

export function invalidateCache(b: Uint8Array): void {
  b[15] |= 0x80;
}

export function cacheValid(b: Uint8Array): boolean {
  return (b[15] & 0x80) === 0;
}

/** The cached cardinality (the header's 8 little-endian bytes). */
export function readCache(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[8 + i]);
  return v;
}

export function writeCache(b: Uint8Array, card: number): void {
  let v = card;
  for (let i = 0; i < 8; i++) {
    b[8 + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

// ---- dense registers ----

export function denseGet(b: Uint8Array, i: number): number {
  const bit = i * 6;
  const byte = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  // the byte after the last register reads as 0, like the sds terminator Redis reads there
  const b1 = byte + 1 < b.length ? b[byte + 1] : 0;
  return ((b[byte] >>> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSetReg(b: Uint8Array, i: number, v: number): void {
  const bit = i * 6;
  const byte = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  b[byte] = (b[byte] & ~(HLL_REGISTER_MAX << fb)) | ((v << fb) & 0xff);
  if (byte + 1 < b.length) {
    b[byte + 1] = (b[byte + 1] & ~(HLL_REGISTER_MAX >>> (8 - fb))) | (v >>> (8 - fb));
  }
}

/** Raises register `i` to `count` if it is lower; 1 when it changed. */
export function denseSet(b: Uint8Array, i: number, count: number): number {
  if (count > denseGet(b, i)) {
    denseSetReg(b, i, count);
    return 1;
  }
  return 0;
}

// ---- sparse opcodes ----

function isZero(op: number): boolean {
  return (op & 0xc0) === 0;
}
function isXzero(op: number): boolean {
  return (op & 0xc0) === 0x40;
}
function zeroLen(op: number): number {
  return (op & 0x3f) + 1;
}
function xzeroLen(b: Uint8Array, p: number): number {
  // a truncated XZERO reads its second byte as 0 (the sds terminator)
  const lo = p + 1 < b.length ? b[p + 1] : 0;
  return (((b[p] & 0x3f) << 8) | lo) + 1;
}
function valValue(op: number): number {
  return ((op >>> 2) & 0x1f) + 1;
}
function valLen(op: number): number {
  return (op & 0x3) + 1;
}
function valOp(value: number, len: number): number {
  return 0x80 | ((value - 1) << 2) | (len - 1);
}
function setXzero(b: Uint8Array, p: number, len: number): void {
  const l = len - 1;
  b[p] = (l >>> 8) | 0x40;
  b[p + 1] = l & 0xff;
}

/**
 * A sparse HLL being edited: the bytes (header included) in a buffer with spare room, so a
 * sequence of updates does not reallocate each time. `len` is the logical length.
 */
export class SparseWork {
  buf: Uint8Array;
  len: number;
  /** Where the last update left untouched bytes: lets ascending updates skip the scan. */
  private hintPos = HLL_HDR_SIZE;
  private hintFirst = 0;
  private hintPrev = -1;

  constructor(b: Uint8Array) {
    this.buf = new Uint8Array(Math.max(b.length * 2, b.length + 64));
    this.buf.set(b);
    this.len = b.length;
  }

  private room(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const nb = new Uint8Array((this.len + extra) * 2);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  resetHint(): void {
    this.hintPos = HLL_HDR_SIZE;
    this.hintFirst = 0;
    this.hintPrev = -1;
  }

  /**
   * Raises register `index` to `count` (Redis's sparse update). Returns 1 when changed, 0 when
   * not, -1 for a corrupted representation, or 'promote' when the value must become dense
   * (the caller converts and applies the update to the dense registers).
   * `ascending` uses the scan hint: only valid when every call has an index >= the previous.
   */
  set(index: number, count: number, maxBytes: number, ascending = false): number | 'promote' {
    if (count > SPARSE_VAL_MAX_VALUE) return 'promote';
    const b = this.buf;
    let end = this.len;
    // Step 1: find the opcode covering `index`
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    if (ascending && index >= this.hintFirst) {
      p = this.hintPos;
      first = this.hintFirst;
      prev = this.hintPrev;
    }
    let span = 0;
    while (p < end) {
      const op = b[p];
      let oplen = 1;
      if (isZero(op)) span = zeroLen(op);
      else if (isXzero(op)) {
        span = xzeroLen(b, p);
        oplen = 2;
      } else span = valLen(op);
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    if (ascending) {
      // everything before `prev` stays as it is whatever happens below
      if (prev >= 0) {
        const before = this.prevOf(prev);
        this.hintFirst = first - spanAt(b, prev);
        this.hintPos = prev;
        this.hintPrev = before;
      } else {
        this.hintPos = HLL_HDR_SIZE;
        this.hintFirst = 0;
        this.hintPrev = -1;
      }
    }
    const op = b[p];
    const zero = isZero(op);
    const xzero = isXzero(op);
    const val = !zero && !xzero;
    const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(b, p) : valLen(op);

    // Step 2: the trivial cases
    let updated = false;
    if (val) {
      const old = valValue(op);
      if (old >= count) return 0;
      if (runlen === 1) {
        b[p] = valOp(count, 1);
        updated = true;
      }
    }
    if (!updated && zero && runlen === 1) {
      b[p] = valOp(count, 1);
      updated = true;
    }

    if (!updated) {
      // Step 3: split the opcode into up to three (before, the register, after)
      const seq: number[] = [];
      const last = first + span - 1;
      if (zero || xzero) {
        if (index !== first) pushZeros(seq, index - first);
        seq.push(valOp(count, 1));
        if (index !== last) pushZeros(seq, last - index);
      } else {
        const cur = valValue(op);
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      const oldlen = xzero ? 2 : 1;
      const delta = seq.length - oldlen;
      if (delta > 0 && this.len + delta > maxBytes) return 'promote';
      this.room(3);
      const bb = this.buf;
      const next = p + oldlen;
      if (delta !== 0 && next < end) bb.copyWithin(next + delta, next, end);
      for (let i = 0; i < seq.length; i++) bb[p + i] = seq[i];
      end += delta;
      this.len = end;
    }

    // Step 4: merge adjacent VAL opcodes with the same value, scanning up to 5 opcodes
    const bb = this.buf;
    let q = prev >= 0 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (q < end && scan-- > 0) {
      const o = bb[q];
      if (isXzero(o)) {
        q += 2;
        continue;
      }
      if (isZero(o)) {
        q++;
        continue;
      }
      if (q + 1 < end && !isZero(bb[q + 1]) && !isXzero(bb[q + 1])) {
        const v1 = valValue(o);
        const v2 = valValue(bb[q + 1]);
        if (v1 === v2) {
          const l = valLen(o) + valLen(bb[q + 1]);
          if (l <= SPARSE_VAL_MAX_LEN) {
            bb[q + 1] = valOp(v1, l);
            bb.copyWithin(q, q + 1, end);
            end--;
            continue;
          }
        }
      }
      q++;
    }
    this.len = end;
    invalidateCache(bb);
    return 1;
  }

  /** Opcode position before `pos` (a linear walk; only used to refresh the hint). */
  private prevOf(pos: number): number {
    if (pos === this.hintPos) return this.hintPrev;
    let p = this.hintPos <= pos ? this.hintPos : HLL_HDR_SIZE;
    let prev = this.hintPos <= pos ? this.hintPrev : -1;
    while (p < pos) {
      prev = p;
      p += isXzero(this.buf[p]) ? 2 : 1;
    }
    return prev;
  }
}

function spanAt(b: Uint8Array, p: number): number {
  const op = b[p];
  if (isZero(op)) return zeroLen(op);
  if (isXzero(op)) return xzeroLen(b, p);
  return valLen(op);
}

function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    const l = len - 1;
    seq.push((l >>> 8) | 0x40, l & 0xff);
  } else {
    seq.push(len - 1);
  }
}

/** The dense form of a sparse HLL (header copied, encoding changed); null when corrupted. */
export function sparseToDense(s: Uint8Array): Buffer | null {
  const d = Buffer.alloc(HLL_DENSE_SIZE);
  d.set(s.subarray(0, HLL_HDR_SIZE));
  d[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = s.length;
  while (p < end) {
    const op = s[p];
    if (isZero(op)) {
      idx += zeroLen(op);
      p++;
    } else if (isXzero(op)) {
      idx += xzeroLen(s, p);
      p += 2;
    } else {
      let run = valLen(op);
      const v = valValue(op);
      if (run + idx > HLL_REGISTERS) break;
      while (run-- > 0) denseSetReg(d, idx++, v);
      p++;
    }
  }
  return idx === HLL_REGISTERS ? d : null;
}

// ---- counting and merging ----

/** Register value histogram (64 slots) of an HLL string; null for a corrupted sparse one. */
export function regHisto(b: Uint8Array): number[] | null {
  const h = new Array<number>(64).fill(0);
  if (b[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) h[denseGet(b, i)]++;
    return h;
  }
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = b.length;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      const r = zeroLen(op);
      idx += r;
      h[0] += r;
      p++;
    } else if (isXzero(op)) {
      const r = xzeroLen(b, p);
      idx += r;
      h[0] += r;
      p += 2;
    } else {
      const r = valLen(op);
      idx += r;
      h[valValue(op)] += r;
      p++;
    }
  }
  return idx === HLL_REGISTERS ? h : null;
}

export function rawHisto(regs: Uint8Array): number[] {
  const h = new Array<number>(64).fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) h[regs[i]]++;
  return h;
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Cardinality estimate from a register histogram (Ertl's improved estimator, as Redis). */
export function estimate(h: number[]): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - h[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += h[j];
    z *= 0.5;
  }
  z += m * sigma(h[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** Raises max[i] to the registers of an HLL string; false when the sparse form is corrupted. */
export function mergeInto(max: Uint8Array, b: Uint8Array): boolean {
  if (b[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(b, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  const end = b.length;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      i += zeroLen(op);
      p++;
    } else if (isXzero(op)) {
      i += xzeroLen(b, p);
      p += 2;
    } else {
      let run = valLen(op);
      const v = valValue(op);
      if (run + i > HLL_REGISTERS) break;
      while (run-- > 0) {
        if (v > max[i]) max[i] = v;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** PFDEBUG DECODE text of a sparse HLL. */
export function decodeSparse(b: Uint8Array): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < b.length) {
    const op = b[p];
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXzero(op)) {
      parts.push(`Z:${xzeroLen(b, p)}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}
