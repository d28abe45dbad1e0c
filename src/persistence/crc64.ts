// CRC-64/Jones as RDB files and DUMP payloads use it: polynomial 0xad93d23594c935a9, reflected
// input and output, initial value 0, no final xor (check value for "123456789":
// 0xe9c6d914c4b8d9ca).
//
// JS has no fast 64-bit integers, so the CRC is kept as two 32-bit halves and the tables hold
// halves too. Slicing-by-8 (eight tables, one 8-byte word per step) keeps whole-file checksums
// cheap: a checksum of a large dump must not dominate loading or saving.

/** The polynomial in reflected (LSB-first) form, as hi/lo halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const TLO = new Int32Array(8 * 256);
const THI = new Int32Array(8 * 256);

(() => {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = (lo >>> 1) | ((hi & 1) << 31);
      hi >>>= 1;
      if (bit) {
        lo ^= POLY_LO;
        hi ^= POLY_HI;
      }
    }
    TLO[i] = lo;
    THI[i] = hi;
  }
  // table k: the CRC of a byte followed by k zero bytes
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const plo = TLO[(k - 1) * 256 + i];
      const phi = THI[(k - 1) * 256 + i];
      const idx = plo & 0xff;
      TLO[k * 256 + i] = ((plo >>> 8) | (phi << 24)) ^ TLO[idx];
      THI[k * 256 + i] = (phi >>> 8) ^ THI[idx];
    }
  }
})();

/** A running CRC-64 (two 32-bit halves). */
export class Crc64 {
  lo = 0;
  hi = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    const t = TLO;
    const u = THI;
    for (; i + 8 <= end; i += 8) {
      lo ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
      hi ^= buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
      const a = 7 * 256 + (lo & 0xff);
      const b = 6 * 256 + ((lo >>> 8) & 0xff);
      const c = 5 * 256 + ((lo >>> 16) & 0xff);
      const d = 4 * 256 + (lo >>> 24);
      const e = 3 * 256 + (hi & 0xff);
      const f = 2 * 256 + ((hi >>> 8) & 0xff);
      const g = 256 + ((hi >>> 16) & 0xff);
      const h = hi >>> 24;
      lo = t[a] ^ t[b] ^ t[c] ^ t[d] ^ t[e] ^ t[f] ^ t[g] ^ t[h];
      hi = u[a] ^ u[b] ^ u[c] ^ u[d] ^ u[e] ^ u[f] ^ u[g] ^ u[h];
    }
    for (; i < end; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ t[idx];
      hi = (hi >>> 8) ^ u[idx];
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  /** The CRC as 8 little-endian bytes (how RDB files and DUMP payloads store it). */
  bytesLE(): Buffer {
    const b = Buffer.allocUnsafe(8);
    b.writeInt32LE(this.lo | 0, 0);
    b.writeInt32LE(this.hi | 0, 4);
    return b;
  }

  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  hex(): string {
    return this.value().toString(16).padStart(16, '0');
  }
}

/** CRC-64/Jones of a buffer. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): bigint {
  return new Crc64().update(buf, start, end).value();
}
