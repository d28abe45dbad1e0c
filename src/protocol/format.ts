// Number formatting with the exact output of the C formats Redis uses.

/** C's printf("%.17g", d), as Redis 7.0 uses for doubles in replies. */
export function formatDouble17(d: number): string {
  return formatG(d, 17);
}

/** C's printf("%.<prec>g", d). */
export function formatG(d: number, prec: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Number.POSITIVE_INFINITY) return 'inf';
  if (d === Number.NEGATIVE_INFINITY) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  let s = d.toExponential(prec - 1); // "-d.ddddde+X"
  // toExponential rounds an exact tie away from zero, C rounds it to even: detect the tie on a
  // 100-digit expansion (exact for any tie, whose expansion ends at digit prec+1)
  const full = Math.abs(d).toExponential(99);
  const fe = full.indexOf('e');
  const digits = full.slice(0, fe).replace('.', '');
  if (
    digits.charCodeAt(prec) === 53 /* 5 */ &&
    /^0*$/.test(digits.slice(prec + 1)) &&
    (digits.charCodeAt(prec - 1) & 1) === 0
  ) {
    const kept = digits.slice(0, prec);
    s = `${d < 0 ? '-' : ''}${kept[0]}${prec > 1 ? `.${kept.slice(1)}` : ''}${full.slice(fe)}`;
  }
  const neg = s.charCodeAt(0) === 45;
  const ePos = s.indexOf('e');
  const mant = s.slice(neg ? 1 : 0, ePos).replace('.', '');
  const exp = Number.parseInt(s.slice(ePos + 1), 10);
  let out: string;
  if (exp < -4 || exp >= prec) {
    let m = mant[0];
    const rest = mant.slice(1).replace(/0+$/, '');
    if (rest.length > 0) m += '.' + rest;
    const ae = Math.abs(exp);
    out = m + (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  } else if (exp >= 0) {
    const intPart = mant.slice(0, exp + 1);
    const frac = mant.slice(exp + 1).replace(/0+$/, '');
    out = frac.length > 0 ? intPart + '.' + frac : intPart;
  } else {
    const frac = ('0'.repeat(-exp - 1) + mant).replace(/0+$/, '');
    out = '0.' + frac;
  }
  return neg ? '-' + out : out;
}

/**
 * Redis's long double formatting for INCRBYFLOAT / HINCRBYFLOAT (%.17Lf, trailing zeros removed).
 * We only have doubles, so print the shortest representation that round-trips, in fixed notation.
 */
export function formatLongDouble(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 1e21) return Object.is(d, -0) ? '0' : d.toFixed(0);
  let s = String(d);
  if (s.includes('e')) {
    // expand exponent notation: Redis never prints exponents here
    const neg = d < 0;
    const [m, e] = Math.abs(d).toExponential().split('e');
    const exp = Number.parseInt(e, 10);
    const digits = m.replace('.', '');
    if (exp < 0) s = '0.' + '0'.repeat(-exp - 1) + digits;
    else s = digits.padEnd(exp + 1, '0');
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    if (neg) s = '-' + s;
  }
  return s;
}

/** Decimal digits of a non-negative safe integer. */
export function decimalDigits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let d = 5;
  for (let t = 100000; t <= n; t *= 10) d++;
  return d;
}

/**
 * Writes safe integer `n` in decimal over all of `b` when it has exactly b.length characters
 * (sign included); false, leaving `b` untouched, otherwise.
 */
export function overwriteDecimal(b: Uint8Array, n: number): boolean {
  const neg = n < 0;
  let v = neg ? -n : n;
  if ((neg ? 1 : 0) + decimalDigits(v) !== b.length) return false;
  let p = b.length;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    b[--p] = 48 + (v - q * 10);
    v = q;
  }
  b[--p] = 48 + v;
  if (neg) b[0] = 45;
  return true;
}
