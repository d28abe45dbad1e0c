// Geohash arithmetic with Redis's conventions: 26 steps (52 bits) interleaving latitude (even
// bits) and longitude (odd bits), the latitude range limited to the Web Mercator band
// ±85.05112878, cells decoded to their center, and the haversine distance on a sphere of
// radius 6372797.560856 m. Search areas are the center cell plus its eight neighbours at a
// step chosen from the radius, as Redis does, so results (including their order before any
// sorting) match.
//
// Cell indexes are kept as separate latitude / longitude integers (< 2^27) instead of an
// interleaved 64-bit word; moving to a neighbour is then ±1 modulo 2^step on one axis.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

export function degRad(ang: number): number {
  return ang * D_R;
}

export function radDeg(ang: number): number {
  return ang / D_R;
}

/** A cell: latitude and longitude indexes at `step` bits each; step 0 marks an excluded cell. */
export interface Cell {
  lat: number;
  lon: number;
  step: number;
}

export interface Area {
  cell: Cell;
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

interface Range {
  min: number;
  max: number;
}

const LAT_RANGE: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
const LON_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };

/** C's (uint32_t) conversion of a non-negative double below 2^32 (truncation). */
function toU32(d: number): number {
  return Math.trunc(d) >>> 0;
}

/**
 * geohashEncode: null when outside the supported coordinates. An index may equal 2^step at
 * the upper edge (latitude 85.05112878, longitude 180), as in Redis.
 */
export function encodeCell(
  lon: number,
  lat: number,
  step: number,
  latR = LAT_RANGE,
  lonR = LON_RANGE,
): Cell | null {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return null;
  if (lon > lonR.max || lon < lonR.min || lat > latR.max || lat < latR.min) return null;
  let latOff = (lat - latR.min) / (latR.max - latR.min);
  let lonOff = (lon - lonR.min) / (lonR.max - lonR.min);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  return { lat: toU32(latOff), lon: toU32(lonOff), step };
}

// ---- interleaving ----

/** Spreads the low 16 bits of x to the even bits of a 32-bit value. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit value into 16 bits. */
function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x >>> 0;
}

/** interleave64(lat, lon) as an exact 64-bit value. */
export function interleave(lat: number, lon: number): bigint {
  const lo = BigInt(spread16(lat) + spread16(lon) * 2);
  const hi = BigInt(spread16(lat >>> 16) + spread16(lon >>> 16) * 2);
  return (hi << 32n) | lo;
}

/** The 52-bit score of a cell of step 26 (rounded to a double, as Redis's ZADD of the integer). */
export function cellScore(cell: Cell): number {
  return Number(interleave(cell.lat, cell.lon) << BigInt(52 - cell.step * 2));
}

/** [min, max) score range covered by a cell. */
export function cellScoreRange(cell: Cell): [number, number] {
  const shift = BigInt(52 - cell.step * 2);
  const bits = interleave(cell.lat, cell.lon);
  return [Number(bits << shift), Number((bits + 1n) << shift)];
}

/** C's (uint64_t) conversion of a double on x86-64, split into 32-bit halves. */
function scoreBits(score: number): [number, number] {
  if (score >= 0 && score < 2 ** 53) {
    const v = Math.trunc(score);
    return [Math.floor(v / 2 ** 32), v % 2 ** 32];
  }
  let b: bigint;
  if (score > -(2 ** 63) && score < 2 ** 63) b = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  else if (score >= 2 ** 63 && score < 2 ** 64) b = BigInt(score);
  else if (score >= 2 ** 64) b = 0n;
  else b = 1n << 63n;
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

/** Latitude and longitude indexes (32 bits each) of a stored score, as deinterleave64. */
export function scoreToCell(score: number): Cell {
  const [hi, lo] = scoreBits(score);
  const lat = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const lon = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return { lat, lon, step: GEO_STEP_MAX };
}

/** geohashDecode: the cell's bounds. */
export function decodeCell(cell: Cell, latR = LAT_RANGE, lonR = LON_RANGE): Area {
  const latScale = latR.max - latR.min;
  const lonScale = lonR.max - lonR.min;
  const div = 2 ** cell.step;
  return {
    cell,
    latMin: latR.min + ((cell.lat * 1.0) / div) * latScale,
    latMax: latR.min + (((cell.lat + 1) * 1.0) / div) * latScale,
    lonMin: lonR.min + ((cell.lon * 1.0) / div) * lonScale,
    lonMax: lonR.min + (((cell.lon + 1) * 1.0) / div) * lonScale,
  };
}

/** The decoded position of a stored score: its cell center, clamped to the valid range. */
export function decodeScore(score: number): [number, number] {
  const a = decodeCell(scoreToCell(score));
  let lon = (a.lonMin + a.lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (a.latMin + a.latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

/** The 11-character standard geohash (latitude range ±90) of a stored score. */
export function geohashString(score: number): string {
  const alphabet = '0123456789bcdefghjkmnpqrstuvwxyz';
  const [lon, lat] = decodeScore(score);
  const cell = encodeCell(lon, lat, GEO_STEP_MAX, { min: -90, max: 90 }, { min: -180, max: 180 });
  const bits = cell === null ? 0n : interleave(cell.lat, cell.lon);
  let out = '';
  for (let i = 0; i < 11; i++) {
    // 52 bits make 10 characters and 2 bits; the 11th is always '0' as in Redis
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += alphabet[idx];
  }
  return out;
}

// ---- correctly rounded sin / cos / asin ----
//
// Redis calls the C library's sin, cos and asin. V8's versions differ from glibc's in the last
// bit for about 3% of arguments, which shows in STOREDIST scores and could flip a point on the
// radius boundary. These evaluate in double-double arithmetic (about 104 bits) and round
// once, which agrees with glibc except where glibc itself is misrounded (~0.15%).

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter
/** result registers of the double-double operations (no allocation per operation) */
let RH = 0;
let RL = 0;

function quickTwoSum(a: number, b: number): void {
  const s = a + b;
  RL = b - (s - a);
  RH = s;
}

function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  let e = ah - (s - bb) + (bh - bb);
  const t = al + bl;
  const cc = t - al;
  const f = al - (t - cc) + (bl - cc);
  e += t;
  const s2 = s + e;
  e = e - (s2 - s) + f;
  quickTwoSum(s2, e);
}

function ddMul(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  let t = SPLIT * ah;
  const a1 = t - (t - ah);
  const a2 = ah - a1;
  t = SPLIT * bh;
  const b1 = t - (t - bh);
  const b2 = bh - b1;
  const e = a1 * b1 - p + a1 * b2 + a2 * b1 + a2 * b2;
  quickTwoSum(p, e + (ah * bl + al * bh));
}

function ddDivD(ah: number, al: number, b: number): void {
  const q1 = ah / b;
  ddMul(q1, 0, b, 0);
  ddAdd(ah, al, -RH, -RL);
  quickTwoSum(q1, (RH + RL) / b);
}

/** 1/n! as double-doubles, with the sign of the Taylor term folded in for n ≥ 2. */
const TERMS = 31;
const FH = new Float64Array(TERMS);
const FL = new Float64Array(TERMS);
function initTerms(): void {
  FH[0] = 1;
  for (let n = 1; n < TERMS; n++) {
    ddDivD(FH[n - 1], FL[n - 1], n);
    FH[n] = RH;
    FL[n] = RL;
  }
  // x^n/n! alternates in sign every two orders: sin + - + -, cos + - + -
  for (let n = 0; n < TERMS; n++) {
    if (Math.floor(n / 2) % 2 === 1) {
      FH[n] = -FH[n];
      FL[n] = -FL[n];
    }
  }
}
initTerms();

/** π/2 as the sum of three doubles. */
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** x − k·π/2 as a double-double in (RH, RL), |result| ≤ π/4; returns k mod 4. */
function reduce(x: number): number {
  const k = Math.round(x / PIO2_1);
  ddMul(k, 0, PIO2_1, 0);
  ddAdd(x, 0, -RH, -RL);
  ddAdd(RH, RL, -k * PIO2_2, 0);
  ddAdd(RH, RL, -k * PIO2_3, 0);
  return ((k % 4) + 4) % 4;
}

/** sin (odd = true) or cos (odd = false) of the reduced (rh, rl), into (RH, RL). */
function series(rh: number, rl: number, odd: boolean): void {
  ddMul(rh, rl, rh, rl);
  const x2h = RH;
  const x2l = RL;
  let n = odd ? TERMS - 2 : TERMS - 1;
  let ah = FH[n];
  let al = FL[n];
  for (n -= 2; n >= 0; n -= 2) {
    ddMul(ah, al, x2h, x2l);
    ddAdd(RH, RL, FH[n], FL[n]);
    ah = RH;
    al = RL;
  }
  if (odd) ddMul(ah, al, rh, rl);
  else {
    RH = ah;
    RL = al;
  }
}

/**
 * The same series with the high-order terms (below about 2^-20 of the result) in plain doubles:
 * about 2^-70 relative accuracy, enough to round correctly unless the value lies that close to
 * a midpoint between two doubles (then the full series decides).
 */
function seriesFast(rh: number, rl: number, odd: boolean): void {
  const x2 = rh * rh;
  let n = odd ? 23 : 22;
  let p = FH[n];
  const ddFrom = odd ? 7 : 8;
  for (n -= 2; n > ddFrom; n -= 2) p = p * x2 + FH[n];
  ddMul(rh, rl, rh, rl);
  const x2h = RH;
  const x2l = RL;
  let ah = p;
  let al = 0;
  for (; n >= 0; n -= 2) {
    ddMul(ah, al, x2h, x2l);
    ddAdd(RH, RL, FH[n], FL[n]);
    ah = RH;
    al = RL;
  }
  if (odd) ddMul(ah, al, rh, rl);
  else {
    RH = ah;
    RL = al;
  }
}

/** sin or cos of x (double-double in RH, RL); `wantSin` picks which, `full` the precision. */
function sinCosDD(x: number, wantSin: boolean, full: boolean): void {
  const q = reduce(x);
  const rh = RH;
  const rl = RL;
  // quadrant: sin(x) = sin r, cos r, −sin r, −cos r; cos(x) = cos r, −sin r, −cos r, sin r
  const useSin = wantSin ? q % 2 === 0 : q % 2 === 1;
  const neg = wantSin ? q >= 2 : q === 1 || q === 2;
  if (full) series(rh, rl, useSin);
  else seriesFast(rh, rl, useSin);
  if (neg) {
    RH = -RH;
    RL = -RL;
  }
}

/** hi + lo rounded, or NaN when an error of `err` could change the rounding. */
function roundIfSure(hi: number, lo: number, err: number): number {
  const a = hi + (lo + err);
  const b = hi + (lo - err);
  return a === b ? hi + lo : Number.NaN;
}

/** 2^-66: the fast series' error bound, with margin. */
const FAST_ERR = 2 ** -66;

function crSinCos(x: number, wantSin: boolean): number {
  sinCosDD(x, wantSin, false);
  const v = roundIfSure(RH, RL, Math.abs(RH) * FAST_ERR);
  if (!Number.isNaN(v)) return v;
  sinCosDD(x, wantSin, true);
  return RH + RL;
}

export function crSin(x: number): number {
  if (x === 0 || !(Math.abs(x) < 1e5)) return Math.sin(x);
  return crSinCos(x, true);
}

export function crCos(x: number): number {
  if (!(Math.abs(x) < 1e5)) return Math.cos(x);
  return crSinCos(x, false);
}

export function crAsin(x: number): number {
  if (!(x >= -1 && x <= 1)) return Number.NaN;
  if (x === 0) return x;
  if (x === 1) return PIO2_1;
  if (x === -1) return -PIO2_1;
  // one Newton step on sin(y) = x from the library value (error ~1 ulp → ~ulp²)
  const y0 = Math.asin(x);
  const c = Math.cos(y0);
  if (Math.abs(c) > 0.1) {
    sinCosDD(y0, true, false);
    ddAdd(RH, RL, -x, 0);
    const corr = -(RH + RL) / c;
    // the fast sin's error, divided by cos y, plus the correction's own rounding
    const err = (Math.abs(x) * FAST_ERR) / Math.abs(c) + Math.abs(corr) * 2 ** -50 + Math.abs(y0) * 2 ** -100;
    quickTwoSum(y0, corr);
    const v = roundIfSure(RH, RL, err);
    if (!Number.isNaN(v)) return v;
  }
  sinCosDD(y0, true, true);
  ddAdd(RH, RL, -x, 0);
  const d = RH + RL;
  sinCosDD(y0, false, true);
  return y0 - d / (RH + RL);
}

// ---- distances ----

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance in meters. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = crSin((lon2r - lon1r) / 2);
  // same meridian: the latitude difference alone
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = crSin((lat2r - lat1r) / 2);
  const a = u * u + crCos(lat1r) * crCos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * crAsin(Math.sqrt(a));
}

// ---- search shapes ----

export interface Shape {
  /** center */
  lon: number;
  lat: number;
  /** meters per unit */
  conversion: number;
  /** circle: radius in units; box: width and height in units */
  radius?: number;
  width?: number;
  height?: number;
}

/** The haversine distance with the engine's sin/cos/asin: within a few ulps of distance(). */
function roughDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((degRad(lon2) - degRad(lon1)) / 2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** Clearly beyond `limit` meters: the exact distance cannot change the verdict. */
function clearlyBeyond(rough: number, limit: number): boolean {
  return rough > limit + (limit + 1) * 1e-9;
}

/** Distance of a point from the center when it lies inside the shape, else null. */
export function distanceIfInShape(shape: Shape, lon: number, lat: number): number | null {
  if (shape.radius !== undefined) {
    // most candidates outside the circle are rejected without the slower exact distance
    if (clearlyBeyond(roughDistance(shape.lon, shape.lat, lon, lat), shape.radius * shape.conversion))
      return null;
    const d = distance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius * shape.conversion ? null : d;
  }
  const w = (shape.width as number) * shape.conversion;
  const h = (shape.height as number) * shape.conversion;
  // the latitude test is cheaper, so it goes first
  if (latDistance(lat, shape.lat) > h / 2) return null;
  if (clearlyBeyond(roughDistance(lon, lat, shape.lon, lat), w / 2)) return null;
  if (distance(lon, lat, shape.lon, lat) > w / 2) return null;
  return distance(shape.lon, shape.lat, lon, lat);
}

/** [minLon, minLat, maxLon, maxLat] around the shape. */
function boundingBox(shape: Shape): [number, number, number, number] {
  const circle = shape.radius !== undefined;
  const height = shape.conversion * (circle ? (shape.radius as number) : (shape.height as number) / 2);
  const width = shape.conversion * (circle ? (shape.radius as number) : (shape.width as number) / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / crCos(degRad(shape.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / crCos(degRad(shape.lat - latDelta)));
  // the hemispheres widen in opposite directions
  const south = shape.lat < 0;
  const minLon = south ? shape.lon - lonDeltaBottom : shape.lon - lonDeltaTop;
  const maxLon = south ? shape.lon + lonDeltaBottom : shape.lon + lonDeltaTop;
  return [minLon, shape.lat - latDelta, maxLon, shape.lat + latDelta];
}

/** geohashEstimateStepsByRadius. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  // cells are narrower towards the poles
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

function moved(c: Cell, dlon: number, dlat: number): Cell {
  const mask = 2 ** c.step;
  const m = (v: number, d: number) => (d === 0 ? v : (((v + d) % mask) + mask) % mask);
  return { lat: m(c.lat, dlat), lon: m(c.lon, dlon), step: c.step };
}

const ZERO: Cell = { lat: 0, lon: 0, step: 0 };

export function isZero(c: Cell): boolean {
  return c.step === 0 && c.lat === 0 && c.lon === 0;
}

/**
 * The cells to scan for a shape, in Redis's order: center, north, south, east, west,
 * north-east, north-west, south-east, south-west (excluded ones are step 0).
 */
export function searchCells(shape: Shape): Cell[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    shape.radius !== undefined
      ? shape.radius * shape.conversion
      : Math.sqrt(((shape.width as number) / 2) ** 2 + ((shape.height as number) / 2) ** 2) *
        shape.conversion;
  let steps = estimateSteps(radiusMeters, shape.lat);
  let center = encodeCell(shape.lon, shape.lat, steps) as Cell;
  let area = decodeCell(center);
  // a neighbour too close to the search area's edge: one step coarser
  const north = decodeCell(moved(center, 0, 1));
  const south = decodeCell(moved(center, 0, -1));
  const east = decodeCell(moved(center, 1, 0));
  const west = decodeCell(moved(center, -1, 0));
  const decrease =
    north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    center = encodeCell(shape.lon, shape.lat, steps) as Cell;
    area = decodeCell(center);
  }
  const n = {
    north: moved(center, 0, 1),
    south: moved(center, 0, -1),
    east: moved(center, 1, 0),
    west: moved(center, -1, 0),
    northEast: moved(center, 1, 1),
    northWest: moved(center, -1, 1),
    southEast: moved(center, 1, -1),
    southWest: moved(center, -1, -1),
  };
  // drop the neighbours the search area does not reach
  if (steps >= 2) {
    if (area.latMin < minLat) {
      n.south = ZERO;
      n.southWest = ZERO;
      n.southEast = ZERO;
    }
    if (area.latMax > maxLat) {
      n.north = ZERO;
      n.northEast = ZERO;
      n.northWest = ZERO;
    }
    if (area.lonMin < minLon) {
      n.west = ZERO;
      n.southWest = ZERO;
      n.northWest = ZERO;
    }
    if (area.lonMax > maxLon) {
      n.east = ZERO;
      n.southEast = ZERO;
      n.northEast = ZERO;
    }
  }
  return [center, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

// ---- number formatting ----

/** C's printf("%.<n>f", d), exactly (round half to even on the binary value). */
export function formatFixed(d: number, n: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  // toFixed rounds the exact binary value too, but ties upward: a tie needs d·2^(n+1) odd
  if (Math.abs(d) < 1e21 && n <= 100 && !Object.is(d, -0)) {
    const t = d * 2 ** (n + 1);
    if (!(Number.isInteger(t) && t % 2 !== 0)) return d.toFixed(n);
  }
  const neg = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  // a = mant × 2^exp exactly
  let mant: bigint;
  let exp: number;
  if (a === 0) {
    mant = 0n;
    exp = 0;
  } else {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, a);
    const hi = buf.getUint32(0);
    const lo = buf.getUint32(4);
    const e = (hi >>> 20) & 0x7ff;
    const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (e === 0) {
      mant = frac;
      exp = -1074;
    } else {
      mant = frac | (1n << 52n);
      exp = e - 1075;
    }
  }
  const scale = 10n ** BigInt(n);
  let q: bigint;
  if (exp >= 0) q = (mant << BigInt(exp)) * scale;
  else {
    const num = mant * scale;
    const den = 1n << BigInt(-exp);
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  }
  let s = q.toString();
  if (n > 0) {
    if (s.length <= n) s = '0'.repeat(n - s.length + 1) + s;
    s = s.slice(0, s.length - n) + '.' + s.slice(s.length - n);
  }
  return neg ? '-' + s : s;
}

/** Redis's "human" long double text: %.17Lf without trailing zeros ("-0" becomes "0"). */
export function formatHuman(d: number): string {
  let s = formatFixed(d, 17);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s === '-0') s = '0';
  return s;
}
