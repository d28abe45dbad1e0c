// LZF, the compression RDB files use for strings (rdbcompression yes).
//
// The compressed format: a control byte c; c < 32 starts a run of c + 1 literal bytes, otherwise
// it is a back reference of length (c >> 5) + 2 (c >> 5 == 7: plus the next byte) at distance
// ((c & 31) << 8) + next byte + 1 before the output position.
//
// The compressor follows liblzf's algorithm with the parameters Redis builds it with (16-bit
// hash table indexed by ((h >> 8) - h * 5) of the last bytes seen, "very fast" mode: two
// hash-table updates after a match, matches of at most 264 bytes within 8 KB, runs of at most
// 32 literals, the same output-size checks), so the bytes it produces are the bytes Redis
// produces and DUMP payloads of long strings and large listpacks match (checked against
// redis-server 7.0 on random and repetitive inputs).

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

// The hash table maps a 3-byte hash to the last input position where it was seen. Instead of
// clearing 64K slots per call, a slot is valid only if its stamp equals the call's generation.
const htab = new Int32Array(HSIZE);
const stamp = new Uint32Array(HSIZE);
let generation = 0;

function idx(h: number): number {
  return (((h >>> (3 * 8 - HLOG)) - h * 5) & (HSIZE - 1)) >>> 0;
}

/**
 * Compresses `inp` into at most `outLimit` bytes; null when it doesn't fit (or is empty),
 * as lzf_compress returning 0.
 */
export function lzfCompress(inp: Uint8Array, outLimit: number): Buffer | null {
  const inLen = inp.length;
  if (inLen === 0 || outLimit <= 0) return null;
  generation = (generation + 1) >>> 0;
  if (generation === 0) {
    stamp.fill(0);
    generation = 1;
  }
  const gen = generation;
  // a little slack: the algorithm may advance the output position past the limit before it
  // notices and gives up
  const out = Buffer.allocUnsafe(outLimit + 4);
  const inEnd = inLen;
  const outEnd = outLimit;
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start a literal run
  let hval = (inp[0] << 8) | (inLen > 1 ? inp[1] : 0);
  while (ip < inEnd - 2) {
    hval = (hval << 8) | inp[ip + 2];
    const slot = idx(hval);
    const ref = stamp[slot] === gen ? htab[slot] : 0;
    htab[slot] = ip;
    stamp[slot] = gen;
    const off = ip - ref - 1;
    if (
      ref < ip &&
      off < MAX_OFF &&
      ref > 0 &&
      inp[ref + 2] === inp[ip + 2] &&
      inp[ref] === inp[ip] &&
      inp[ref + 1] === inp[ip + 1]
    ) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = (lit - 1) & 0xff; // stop the run
      if (lit === 0) op--; // undo an empty run
      let done = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (inp[ref + len] !== inp[ip + len]) {
            done = true;
            break;
          }
        }
      }
      if (!done) {
        do len++;
        while (len < maxlen && inp[ref + len] === inp[ip + len]);
      }
      len -= 2; // now the stored length
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // hash the two positions before the new input position too
      ip -= 2;
      hval = (inp[ip] << 8) | inp[ip + 1];
      hval = (hval << 8) | inp[ip + 2];
      let s = idx(hval);
      htab[s] = ip;
      stamp[s] = gen;
      ip++;
      hval = (hval << 8) | inp[ip + 2];
      s = idx(hval);
      htab[s] = ip;
      stamp[s] = gen;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = inp[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = inp[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = (lit - 1) & 0xff;
  if (lit === 0) op--;
  if (op > outLimit) return null;
  return out.subarray(0, op);
}

/**
 * Decompresses into exactly `outLen` bytes; null when the input is malformed (a reference
 * before the start, a run past either end) or doesn't produce exactly `outLen` bytes.
 */
export function lzfDecompress(inp: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  const inLen = inp.length;
  let ip = 0;
  let op = 0;
  while (ip < inLen) {
    const ctrl = inp[ip++];
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (op + len > outLen || ip + len > inLen) return null;
      for (let k = 0; k < len; k++) out[op++] = inp[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inLen) return null;
        len += inp[ip++];
      }
      if (ip >= inLen) return null;
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - inp[ip++];
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      // byte by byte: the reference may overlap what it produces (runs)
      for (let k = 0; k < len; k++) out[op++] = out[ref + k];
    }
  }
  return op === outLen ? out : null;
}
