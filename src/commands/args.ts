// Argument parsing with Redis's rules: strict integers (string2ll: no '+', no spaces,
// no leading zeros, 64-bit range) and strict doubles (strtod over the whole string).

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Buffer#latin1Slice is what toString('latin1') ends in, without the encoding dispatch in
 * between (a third of the cost of decoding a short key). It is not in Node's typings; when a
 * runtime lacks it, toString is used.
 */
type Latin1Slice = (this: Buffer, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;
const decode: (b: Buffer) => string =
  typeof latin1Slice === 'function' ? (b) => latin1Slice.call(b, 0, b.length) : (b) => b.toString('latin1');

/** Key bytes as a latin1 string (one char per byte). */
export function key(b: Buffer): string {
  return decode(b);
}

export function str(b: Buffer): string {
  return decode(b);
}

/** Case-insensitive comparison of an argument with a lower-case ASCII word. */
export function is(b: Buffer, word: string): boolean {
  if (b.length !== word.length) return false;
  for (let i = 0; i < b.length; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Parses a signed 64-bit integer as Redis's string2ll. Returns a number when it is safe,
 * a bigint beyond 2^53, or null when invalid.
 */
export function parseInt64(b: Buffer): number | bigint | null {
  const len = b.length;
  if (len === 0 || len > 20) return null;
  let p = 0;
  let neg = false;
  if (b[0] === 45) {
    neg = true;
    p = 1;
    if (len === 1) return null;
  }
  if (b[p] === 48) return len === 1 ? 0 : null;
  if (b[p] < 49 || b[p] > 57) return null;
  if (len - p <= 15) {
    let v = 0;
    for (; p < len; p++) {
      const c = b[p];
      if (c < 48 || c > 57) return null;
      v = v * 10 + (c - 48);
    }
    return neg ? -v : v;
  }
  for (let i = p; i < len; i++) if (b[i] < 48 || b[i] > 57) return null;
  const v = BigInt(b.toString('latin1'));
  if (v > INT64_MAX || v < INT64_MIN) return null;
  if (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  return v;
}

/** Integer that must fit in a JS safe integer (indexes, counts, times); null when not. */
export function parseSafeInt(b: Buffer): number | null {
  const v = parseInt64(b);
  if (v === null) return null;
  if (typeof v === 'bigint') return null;
  return v;
}

/** Like parseInt64 but any 64-bit value as bigint. */
export function parseBigInt64(b: Buffer): bigint | null {
  const v = parseInt64(b);
  if (v === null) return null;
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function isInt64(v: bigint): boolean {
  return v <= INT64_MAX && v >= INT64_MIN;
}

const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/**
 * Parses a double as Redis's string2d / strtod: the whole string must be consumed,
 * no leading space; "inf", "-inf", "+inf" accepted. NaN is rejected (returns null).
 */
export function parseDouble(b: Buffer): number | null {
  if (b.length === 0 || b.length > 5000) return null;
  const s = b.toString('latin1');
  if (!FLOAT_RE.test(s)) {
    // strtod also takes hex floats; Redis accepts them too
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return Number.parseInt(s, 16);
    return null;
  }
  const l = s.toLowerCase();
  let v: number;
  if (l.endsWith('inf') || l.endsWith('infinity')) v = l.startsWith('-') ? -Infinity : Infinity;
  else if (l.endsWith('nan')) return null;
  else v = Number(s);
  if (Number.isNaN(v)) return null;
  return v;
}

export const INT64 = { MAX: INT64_MAX, MIN: INT64_MIN };
