// x86 80-bit extended precision ("long double") emulated with BigInt, for INCRBYFLOAT and
// HINCRBYFLOAT. Redis parses both operands with strtold, adds them in long double and prints
// the sum with "%.17Lf" minus trailing zeros. A 64-bit significand shows through in the
// 17 fractional digits (1000.1 prints as "1000.09999999999999998"), so neither doubles nor
// exact decimal arithmetic reproduce the replies; rounding like the FPU does.

/** A finite extended value (-1)^neg * m * 2^e with m < 2^64, or an infinity. */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf: boolean;
}

const SIG_BITS = 64;
/** Exponent of the lowest significand bit of the smallest subnormal (2^-16445). */
const E_MIN = -16445;
/** Largest e with a 64-bit significand: max value (2^64-1) * 2^16320. */
const E_MAX = 16320;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are not floats. */
const MAX_CHARS = 5 * 1024;

const TWO64 = 1n << 64n;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds (q + sticky*epsilon) * 2^exp to the nearest extended value, ties to even. */
function round(neg: boolean, q: bigint, exp: number, sticky: boolean): LongDouble {
  if (q === 0n) return { neg, m: 0n, e: 0, inf: false };
  const bl = bitLength(q);
  const shift = Math.max(bl - SIG_BITS, E_MIN - exp);
  let m: bigint;
  let e: number;
  if (shift <= 0) {
    m = q << BigInt(-shift);
    e = exp + shift;
  } else {
    const s = BigInt(shift);
    m = q >> s;
    const rem = q & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) m += 1n;
    e = exp + shift;
    if (m === TWO64) {
      m >>= 1n;
      e += 1;
    }
  }
  if (e > E_MAX) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m, e, inf: false };
}

const DEC_RE = /^([+-]?)(?:(\d*)(?:\.(\d*))?)(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

/** Clamps an exponent string to a range that cannot matter beyond it. */
function clampExp(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = Number.parseInt(s, 10);
  if (v > 1e6) return 1e6;
  if (v < -1e6) return -1e6;
  return v;
}

/**
 * Parses as Redis's string2ld: strtold must consume the whole string, no leading space, no NaN, and no overflow or underflow to zero.
 * Returns null when the text is not a valid float.
 */
export function parseLongDouble(b: Buffer): LongDouble | null {
  if (b.length === 0 || b.length >= MAX_CHARS) return null;
  // strtold stops at a NUL byte, so it cannot consume the whole string
  if (b.indexOf(0) >= 0) return null;
  const s = b.toString('latin1');
  let mt = INF_RE.exec(s);
  if (mt !== null) return { neg: mt[1] === '-', m: 0n, e: 0, inf: true };
  mt = HEX_RE.exec(s);
  if (mt !== null) {
    const ip = mt[2];
    const fp = mt[3] ?? '';
    if (ip.length + fp.length === 0) return null;
    const h = BigInt(`0x${ip}${fp}`);
    const r = round(mt[1] === '-', h, clampExp(mt[4]) - 4 * fp.length, false);
    return r.inf || (r.m === 0n && h !== 0n) ? null : r;
  }
  mt = DEC_RE.exec(s);
  if (mt === null) return null;
  const ip = mt[2];
  const fp = mt[3] ?? '';
  if (ip.length + fp.length === 0) return null;
  const neg = mt[1] === '-';
  const digits = (ip + fp).replace(/^0+/, '');
  if (digits.length === 0) return { neg, m: 0n, e: 0, inf: false };
  const e10 = clampExp(mt[4]) - fp.length;
  const mag = digits.length + e10; // value < 10^mag and >= 10^(mag-1)
  if (mag - 1 > 4932) return null; // > LDBL_MAX: ERANGE with HUGE_VALL
  if (mag < -4951) return null; // below half the smallest subnormal: ERANGE with zero
  const d = BigInt(digits);
  let r: LongDouble;
  if (e10 >= 0) {
    r = round(neg, d * 10n ** BigInt(e10), 0, false);
  } else {
    const den = 10n ** BigInt(-e10);
    const s2 = Math.max(0, SIG_BITS + 2 + bitLength(den) - bitLength(d));
    const num = d << BigInt(s2);
    const q = num / den;
    r = round(neg, q, -s2, q * den !== num);
  }
  return r.inf || r.m === 0n ? null : r;
}

/** a + b rounded to extended precision; NaN (inf - inf) is returned as null. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (a.m === 0n && b.m === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0, inf: false };
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const va = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const vb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = va + vb;
  if (sum === 0n) return { neg: false, m: 0n, e: 0, inf: false };
  return round(sum < 0n, sum < 0n ? -sum : sum, e, false);
}

const TEN17 = 10n ** 17n;

/**
 * printf("%.17Lf") with trailing zeros (and a bare '.') removed, and "-0" printed as "0", as
 * Redis's ld2string in human-friendly mode.
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  let scaled: bigint; // the value times 10^17, rounded to nearest, ties to even
  if (v.e >= 0) {
    scaled = (v.m << BigInt(v.e)) * TEN17;
  } else {
    const k = BigInt(-v.e);
    const n = v.m * TEN17;
    scaled = n >> k;
    const rem = n & ((1n << k) - 1n);
    const half = 1n << (k - 1n);
    if (rem > half || (rem === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const ip = (scaled / TEN17).toString();
  const fp = (scaled % TEN17).toString().padStart(17, '0').replace(/0+$/, '');
  const out = (v.neg ? '-' : '') + ip + (fp.length > 0 ? `.${fp}` : '');
  return out === '-0' ? '0' : out;
}

export type IncrFloatResult = { ok: true; text: string } | { ok: false; error: 'notfloat' | 'nan' };

/**
 * INCRBYFLOAT's arithmetic: current + increment, as the text Redis stores and replies.
 * Errors: 'notfloat' when an operand is not a valid float, 'nan' when the sum is NaN or
 * infinite. `current` null means a missing key (0).
 */
export function incrByFloat(current: Buffer | null, incr: Buffer): IncrFloatResult {
  const a = current === null ? { neg: false, m: 0n, e: 0, inf: false } : parseLongDouble(current);
  if (a === null) return { ok: false, error: 'notfloat' };
  const b = parseLongDouble(incr);
  if (b === null) return { ok: false, error: 'notfloat' };
  const r = addLongDouble(a, b);
  if (r === null || r.inf) return { ok: false, error: 'nan' };
  return { ok: true, text: formatLongDoubleHuman(r) };
}
