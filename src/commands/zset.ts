// Sorted set commands, Redis 7.0 semantics. The value is store/zset.ts (B+tree + Map); the
// blocking pops are served through server/blocking.ts like the list ones.

import { E } from '../protocol/errors';
import { formatDouble17 } from '../protocol/format';
import { blockForKeys, canBlock, parseTimeout, propagate } from '../server/blocking';
import type { Client } from '../server/client';
import { propagateAs } from '../server/dispatch';
import type { Value } from '../store/db';
import { compileGlob, matchCompiled } from '../store/glob';
import { type KeyPred, ZItem, ZSetValue } from '../store/zset';
import { is, key, parseInt64 } from './args';
import { parseCursor } from './keys';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import type { CommandDef } from './types';

const LONG_MAX = 9223372036854775807n;

export const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX = 'ERR min or max is not a float';
const ERR_LEX = 'ERR min or max not valid string range item';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
/** A negative ZRANDMEMBER count asks for that many picks: refused beyond proto-max-bulk-len. */
const ERR_REPLY_TOO_LARGE = 'ERR count is too large: the reply would exceed proto-max-bulk-len';

// ---- number parsing (C strtod semantics) ----

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

function hexVal(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  const l = ch | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function startsWithCI(s: string, at: number, word: string): boolean {
  if (s.length - at < word.length) return false;
  for (let i = 0; i < word.length; i++) if ((s.charCodeAt(at + i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

interface Strtod {
  value: number;
  /** chars consumed; 0 when no conversion was performed */
  end: number;
  /** errno ERANGE: the value overflowed to ±inf or underflowed to 0 */
  erange: boolean;
}

/** C strtod over the start of `s` (a latin1 string): leading space, sign, inf/nan, hex, decimal. */
export function strtod(s: string): Strtod {
  const none: Strtod = { value: 0, end: 0, erange: false };
  let p = 0;
  const n = s.length;
  while (p < n && isSpace(s.charCodeAt(p))) p++;
  let neg = false;
  if (p < n && (s[p] === '+' || s[p] === '-')) {
    neg = s[p] === '-';
    p++;
  }
  if (startsWithCI(s, p, 'inf')) {
    const end = startsWithCI(s, p, 'infinity') ? p + 8 : p + 3;
    return { value: neg ? -Infinity : Infinity, end, erange: false };
  }
  if (startsWithCI(s, p, 'nan')) {
    let end = p + 3;
    if (s[end] === '(') {
      let q = end + 1;
      while (q < n && /[0-9A-Za-z_]/.test(s[q])) q++;
      if (s[q] === ')') end = q + 1;
    }
    return { value: Number.NaN, end, erange: false };
  }
  if (s[p] === '0' && (s[p + 1] === 'x' || s[p + 1] === 'X')) {
    let q = p + 2;
    // at most 16 significant hex digits (64 bits) are kept; later ones only scale the value or,
    // below the point, mark it inexact: a long argument costs linear time
    let mant = 0n;
    let kept = 0;
    let sticky = false;
    let digits = 0;
    let exp2 = 0;
    const take = (h: number, frac: boolean): void => {
      if (kept === 0 && h === 0) {
        if (frac) exp2 -= 4;
        return;
      }
      if (kept < 16) {
        mant = mant * 16n + BigInt(h);
        kept++;
        if (frac) exp2 -= 4;
      } else {
        if (h !== 0) sticky = true;
        if (!frac) exp2 += 4;
      }
    };
    while (q < n && hexVal(s.charCodeAt(q)) >= 0) {
      take(hexVal(s.charCodeAt(q)), false);
      q++;
      digits++;
    }
    if (s[q] === '.') {
      let r = q + 1;
      let fd = 0;
      const save = { mant, kept, sticky, exp2 };
      while (r < n && hexVal(s.charCodeAt(r)) >= 0) {
        take(hexVal(s.charCodeAt(r)), true);
        r++;
        fd++;
      }
      if (digits + fd > 0) {
        q = r;
        digits += fd;
      } else ({ mant, kept, sticky, exp2 } = save);
    }
    if (sticky) {
      // a lowest extra bit stands for the dropped non-zero digits (rounding stays correct)
      mant = mant * 2n + 1n;
      exp2 -= 1;
    }
    if (digits === 0) {
      // "0x" without hex digits: only the "0" converts
      return { value: neg ? -0 : 0, end: p + 1, erange: false };
    }
    if ((s[q] === 'p' || s[q] === 'P') && q + 1 < n) {
      let r = q + 1;
      let eneg = false;
      if (s[r] === '+' || s[r] === '-') {
        eneg = s[r] === '-';
        r++;
      }
      if (r < n && isDigit(s.charCodeAt(r))) {
        let e = 0;
        while (r < n && isDigit(s.charCodeAt(r))) {
          e = Math.min(e * 10 + (s.charCodeAt(r) - 48), 1e6);
          r++;
        }
        exp2 += eneg ? -e : e;
        q = r;
      }
    }
    let v = mant === 0n ? 0 : hexToDouble(mant, exp2);
    const erange = mant !== 0n && (v === 0 || !Number.isFinite(v));
    if (neg) v = -v;
    return { value: v, end: q, erange };
  }
  const start = p;
  let digits = 0;
  let nonzero = false;
  while (p < n && isDigit(s.charCodeAt(p))) {
    if (s[p] !== '0') nonzero = true;
    p++;
    digits++;
  }
  if (s[p] === '.') {
    let q = p + 1;
    let fd = 0;
    while (q < n && isDigit(s.charCodeAt(q))) {
      if (s[q] !== '0') nonzero = true;
      q++;
      fd++;
    }
    if (digits + fd > 0) {
      p = q;
      digits += fd;
    }
  }
  if (digits === 0) return none;
  if (s[p] === 'e' || s[p] === 'E') {
    let q = p + 1;
    if (s[q] === '+' || s[q] === '-') q++;
    if (q < n && isDigit(s.charCodeAt(q))) {
      while (q < n && isDigit(s.charCodeAt(q))) q++;
      p = q;
    }
  }
  let v = Number(s.slice(start, p));
  const erange = !Number.isFinite(v) || (v === 0 && nonzero);
  if (neg) v = -v;
  return { value: v, end: p, erange };
}

/** mant × 2^exp2 rounded to a double (mant > 0). */
function hexToDouble(mant: bigint, exp2: number): number {
  // keep 64 significant bits so Number() rounds once, then scale by powers of two
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const drop = bits - 64;
    const sticky = mant & ((1n << BigInt(drop)) - 1n) ? 1n : 0n;
    mant = (mant >> BigInt(drop)) | sticky;
    exp2 += drop;
  }
  let v = Number(mant);
  while (exp2 > 0) {
    const k = Math.min(exp2, 1000);
    v *= 2 ** k;
    exp2 -= k;
  }
  while (exp2 < 0) {
    const k = Math.min(-exp2, 1000);
    v /= 2 ** k;
    exp2 += k;
  }
  return v;
}

/**
 * A double as Redis's getDoubleFromObject: the whole argument, no leading space, no overflow
 * to ±inf nor underflow to 0 (but "inf" itself is fine), no NaN. Null when invalid.
 */
export function parseScore(b: Buffer): number | null {
  if (b.length === 0 || isSpace(b[0])) return null;
  const s = b.toString('latin1');
  const r = strtod(s);
  if (r.end !== s.length || r.end === 0) return null;
  if (r.erange && (r.value === 0 || !Number.isFinite(r.value))) return null;
  if (Number.isNaN(r.value)) return null;
  return r.value;
}

/** getDoubleFromObjectOrReply: null after writing `msg` (default: not a valid float). */
export function scoreArg(c: Client, b: Buffer, msg: string = E.notFloat): number | null {
  const v = parseScore(b);
  if (v === null) c.reply.error(msg);
  return v;
}

// ---- ranges ----

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One bound of a score range as zslParseRange: C string (stops at NUL), strtod, no NaN. */
function parseScoreBound(b: Buffer): { v: number; ex: boolean } | null {
  let s = b.toString('latin1');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  let ex = false;
  if (s[0] === '(') {
    ex = true;
    s = s.slice(1);
  }
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  return { v: r.value, ex };
}

export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | null {
  const a = parseScoreBound(min);
  if (a === null) return null;
  const b = parseScoreBound(max);
  if (b === null) return null;
  return { min: a.v, minex: a.ex, max: b.v, maxex: b.ex };
}

function emptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** A lex bound: -∞ ("-"), +∞ ("+") or a string, inclusive or exclusive. */
interface LexBound {
  inf: -1 | 0 | 1;
  s: string;
  ex: boolean;
}

interface LexRange {
  min: LexBound;
  max: LexBound;
}

function parseLexBound(b: Buffer): LexBound | null {
  if (b.length === 0) return null;
  const c0 = b[0];
  // "+" and "-" must be alone (a NUL after them ends the C string)
  if (c0 === 43 || c0 === 45) {
    if (b.length > 1 && b[1] !== 0) return null;
    return { inf: c0 === 43 ? 1 : -1, s: '', ex: true };
  }
  if (c0 === 40) return { inf: 0, s: b.toString('latin1', 1), ex: true };
  if (c0 === 91) return { inf: 0, s: b.toString('latin1', 1), ex: false };
  return null;
}

function parseLexRange(min: Buffer, max: Buffer): LexRange | null {
  const a = parseLexBound(min);
  if (a === null) return null;
  const b = parseLexBound(max);
  if (b === null) return null;
  return { min: a, max: b };
}

/** sdscmplex: -∞ and +∞ sentinels around plain byte order. */
function cmpLex(a: LexBound, b: LexBound): number {
  if (a.inf === b.inf && a.inf !== 0) return 0;
  if (a.inf === -1 || b.inf === 1) return -1;
  if (a.inf === 1 || b.inf === -1) return 1;
  return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
}

function cmpMemberLex(m: string, b: LexBound): number {
  if (b.inf === -1) return 1;
  if (b.inf === 1) return -1;
  return m < b.s ? -1 : m > b.s ? 1 : 0;
}

function emptyLexRange(r: LexRange): boolean {
  const c = cmpLex(r.min, r.max);
  return c > 0 || (c === 0 && (r.min.ex || r.max.ex));
}

function lexGte(m: string, r: LexRange): boolean {
  const c = cmpMemberLex(m, r.min);
  return r.min.ex ? c > 0 : c >= 0;
}

function lexLte(m: string, r: LexRange): boolean {
  const c = cmpMemberLex(m, r.max);
  return r.max.ex ? c < 0 : c <= 0;
}

/**
 * A lex range over a listpack-encoded set, walked as Redis does (which decides what a lex range
 * means when the scores differ): nothing unless the last element is ≥ min and the first ≤ max;
 * start at the first element ≥ min (the last ≤ max when reversed), which must itself be in range;
 * skip `offset` elements, then take up to `limit` (negative: all) while the far bound holds.
 */
function packedLex(z: ZSetValue, r: LexRange, rev: boolean, offset: number, limit: number): ZItem[] {
  const items = z.items();
  const n = items.length;
  const out: ZItem[] = [];
  if (n === 0 || emptyLexRange(r)) return out;
  if (!lexGte(items[n - 1].member, r) || !lexLte(items[0].member, r)) return out;
  let start = -1;
  if (!rev) {
    for (let i = 0; i < n; i++) {
      if (!lexGte(items[i].member, r)) continue;
      if (lexLte(items[i].member, r)) start = i;
      break;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      if (!lexLte(items[i].member, r)) continue;
      if (lexGte(items[i].member, r)) start = i;
      break;
    }
  }
  if (start < 0 || offset < 0) return out;
  let left = limit;
  for (let i = rev ? start - offset : start + offset; i >= 0 && i < n && left !== 0; i += rev ? -1 : 1) {
    const m = items[i].member;
    if (rev ? !lexGte(m, r) : !lexLte(m, r)) break;
    out.push(items[i]);
    left--;
  }
  return out;
}

/** The elements of a lex range in ascending order (ZLEXCOUNT, ZREMRANGEBYLEX). */
function lexItems(z: ZSetValue, r: LexRange): ZItem[] {
  if (z.packed) return packedLex(z, r, false, 0, -1);
  const [a, b] = lexSpan(z, r);
  return z.range(a, b - 1);
}

/** [first, end) ranks of the items in a score range. */
function scoreSpan(z: ZSetValue, r: ScoreRange): [number, number] {
  if (emptyScoreRange(r)) return [0, 0];
  const lo: KeyPred = r.minex ? (s) => s > r.min : (s) => s >= r.min;
  const hi: KeyPred = r.maxex ? (s) => s >= r.max : (s) => s > r.max;
  const a = z.countBefore(lo);
  const b = z.countBefore(hi);
  return [a, Math.max(a, b)];
}

/** [first, end) ranks of the items in a lex range (meaningful when all scores are equal). */
function lexSpan(z: ZSetValue, r: LexRange): [number, number] {
  if (emptyLexRange(r)) return [0, 0];
  const lo: KeyPred = r.min.ex
    ? (_s, m) => cmpMemberLex(m, r.min) > 0
    : (_s, m) => cmpMemberLex(m, r.min) >= 0;
  const hi: KeyPred = r.max.ex
    ? (_s, m) => cmpMemberLex(m, r.max) >= 0
    : (_s, m) => cmpMemberLex(m, r.max) > 0;
  const a = z.countBefore(lo);
  const b = z.countBefore(hi);
  return [a, Math.max(a, b)];
}

// ---- shared helpers ----

/** A sorted set for reading (hit/miss stats); null after writing WRONGTYPE. */
export function readZset(c: Client, k: string): ZSetValue | undefined | null {
  const e = lookupRead(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof ZSetValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** A sorted set for writing (no stats); null after writing WRONGTYPE. */
export function writeZset(c: Client, k: string): ZSetValue | undefined | null {
  const e = lookupWrite(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof ZSetValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** zset-max-listpack-entries / -value. */
export function packLimits(c: Client): { entries: number; value: number } {
  const cfg = c.server.config;
  return { entries: cfg.num('zset-max-listpack-entries'), value: cfg.num('zset-max-listpack-value') };
}

/**
 * A result set built in one go (ZUNIONSTORE, ZRANGESTORE, GEOSEARCHSTORE...): listpack when
 * it is small enough, as zsetConvertToListpackIfNeeded. `items` are sorted, members distinct.
 */
export function buildStored(c: Client, items: ZItem[], maxMemberLen: number): ZSetValue {
  const lim = packLimits(c);
  const z = new ZSetValue(items.length <= lim.entries && maxMemberLen <= lim.value);
  z.loadSorted(items);
  return z;
}

/** Stores a computed set at `dst` (or deletes `dst` when empty) and replies with its size. */
export function storeResult(c: Client, dst: string, z: ZSetValue, event: string): void {
  if (z.size > 0) {
    setKey(c, dst, z);
    c.reply.int(z.size);
    notify(c, 'z', event, dst);
  } else {
    c.reply.int(0);
    if (c.db.delete(dst)) {
      c.server.dirty++;
      notify(c, 'g', 'del', dst);
    }
  }
}

function sortItems(items: ZItem[]): void {
  items.sort((a, b) =>
    a.score < b.score ? -1 : a.score > b.score ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0,
  );
}

/** A C `long` argument: null after writing `msg`. */
function longArg(c: Client, b: Buffer, msg: string = E.notInt): number | null {
  const v = parseInt64(b);
  if (v === null) {
    c.reply.error(msg);
    return null;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

/** %.17g of a score; integers (the common case, geo scores too) skip the slow general path. */
export function scoreText(d: number): string {
  if (Number.isInteger(d) && d <= 2 ** 53 && d >= -(2 ** 53) && !Object.is(d, -0)) return String(d);
  return formatDouble17(d);
}

/** A score reply: a bulk string in RESP2, a double in RESP3 (as c.reply.double). */
function replyScore(c: Client, d: number): void {
  const t = scoreText(d);
  if (c.reply.proto === 3) c.reply.raw(`,${t}\r\n`);
  else c.reply.bulkStr(t);
}

/** Writes one element with its score: flat in RESP2, a [member, score] pair in RESP3. */
function replyScored(c: Client, it: ZItem, withScores: boolean): void {
  if (withScores && c.reply.proto === 3) c.reply.array(2);
  c.reply.bulkStr(it.member);
  if (withScores) replyScore(c, it.score);
}

function replyItems(c: Client, items: ZItem[], withScores: boolean): void {
  c.reply.array(withScores && c.reply.proto === 2 ? items.length * 2 : items.length);
  for (const it of items) replyScored(c, it, withScores);
}

/** After elements were removed from `k`: delete it when empty, WATCH, dirty. */
function afterRemoval(c: Client, k: string, z: ZSetValue, removed: number): boolean {
  if (z.size === 0) {
    c.db.delete(k);
    c.server.dirty += removed;
    return true;
  }
  modified(c, k);
  c.server.dirty += removed - 1;
  return false;
}

// ---- ZADD / ZINCRBY ----

const F_INCR = 1;
const F_NX = 2;
const F_XX = 4;
const F_GT = 8;
const F_LT = 16;

const ADDED = 1;
const UPDATED = 2;
const NOP = 4;
const NAN = 8;

/**
 * zsetAdd: adds or updates one member, converting a listpack set that would outgrow its limits.
 * Returns the outcome flags and the resulting score.
 */
export function zsetAdd(
  c: Client,
  z: ZSetValue,
  score: number,
  member: string,
  flags: number,
): { out: number; score: number } {
  if (Number.isNaN(score)) return { out: NAN, score };
  const it = z.get(member);
  if (it !== undefined) {
    if (flags & F_NX) return { out: NOP, score };
    if (flags & F_INCR) {
      score += it.score;
      if (Number.isNaN(score)) return { out: NAN, score };
    }
    if ((flags & F_LT && score >= it.score) || (flags & F_GT && score <= it.score))
      return { out: NOP, score };
    if (score !== it.score) {
      z.update(it, score);
      return { out: UPDATED, score };
    }
    return { out: 0, score };
  }
  if (flags & F_XX) return { out: NOP, score };
  if (z.packed) {
    const lim = packLimits(c);
    if (z.size + 1 > lim.entries || member.length > lim.value) z.packed = false;
  }
  z.add(member, score);
  return { out: ADDED, score };
}

function zaddGeneric(c: Client, argv: Buffer[], flags: number): void {
  const k = key(argv[1]);
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const o = argv[idx];
    if (is(o, 'nx')) flags |= F_NX;
    else if (is(o, 'xx')) flags |= F_XX;
    else if (is(o, 'ch')) ch = true;
    else if (is(o, 'incr')) flags |= F_INCR;
    else if (is(o, 'gt')) flags |= F_GT;
    else if (is(o, 'lt')) flags |= F_LT;
    else break;
  }
  const incr = (flags & F_INCR) !== 0;
  const nx = (flags & F_NX) !== 0;
  const xx = (flags & F_XX) !== 0;
  const gt = (flags & F_GT) !== 0;
  const lt = (flags & F_LT) !== 0;
  const rest = argv.length - idx;
  if (rest % 2 !== 0 || rest === 0) {
    c.reply.error(E.syntax);
    return;
  }
  const elements = rest / 2;
  if (nx && xx) {
    c.reply.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && elements > 1) {
    c.reply.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  // every score is checked before anything changes
  const scores: number[] = new Array(elements);
  for (let j = 0; j < elements; j++) {
    const v = scoreArg(c, argv[idx + j * 2]);
    if (v === null) return;
    scores[j] = v;
  }
  let z = writeZset(c, k);
  if (z === null) return;
  let created = false;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (z === undefined) {
    if (xx) {
      if (incr) c.reply.nullBulk();
      else c.reply.int(0);
      return;
    }
    const lim = packLimits(c);
    z = new ZSetValue(!(lim.entries === 0 || lim.value < argv[idx + 1].length));
    created = true;
  }
  let failed = false;
  for (let j = 0; j < elements; j++) {
    const r = zsetAdd(c, z, scores[j], key(argv[idx + 1 + j * 2]), flags);
    if (r.out & NAN) {
      c.reply.error(ERR_NAN);
      failed = true;
      break;
    }
    if (r.out & ADDED) added++;
    if (r.out & UPDATED) updated++;
    if (!(r.out & NOP)) processed++;
    score = r.score;
  }
  if (!failed) {
    if (incr) {
      if (processed) replyScore(c, score);
      else c.reply.nullBulk();
    } else c.reply.int(ch ? added + updated : added);
  }
  if (created) {
    if (z.size > 0) setKey(c, k, z);
  } else if (added || updated) modified(c, k);
  if (added || updated) {
    c.server.dirty += added + updated - 1;
    notify(c, 'z', incr ? 'zincr' : 'zadd', k);
  }
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
export function zadd(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, 0);
}

// ZINCRBY key increment member
function zincrby(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, F_INCR);
}

// ---- removal ----

// ZREM key member [member ...]
function zrem(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const z = writeZset(c, k);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (z.delete(key(argv[j]))) deleted++;
    if (z.size === 0) break;
  }
  if (deleted > 0) {
    notify(c, 'z', 'zrem', k);
    if (afterRemoval(c, k, z, deleted)) notify(c, 'g', 'del', k);
  }
  c.reply.int(deleted);
}

const RANK = 0;
const SCORE = 1;
const LEX = 2;
type RangeType = 0 | 1 | 2;

function zremrangeGeneric(c: Client, argv: Buffer[], type: RangeType): void {
  const k = key(argv[1]);
  let start = 0;
  let end = 0;
  let srange: ScoreRange | null = null;
  let lrange: LexRange | null = null;
  if (type === RANK) {
    const a = longArg(c, argv[2]);
    if (a === null) return;
    const b = longArg(c, argv[3]);
    if (b === null) return;
    start = a;
    end = b;
  } else if (type === SCORE) {
    srange = parseScoreRange(argv[2], argv[3]);
    if (srange === null) {
      c.reply.error(ERR_MINMAX);
      return;
    }
  } else {
    lrange = parseLexRange(argv[2], argv[3]);
    if (lrange === null) {
      c.reply.error(ERR_LEX);
      return;
    }
  }
  const z = writeZset(c, k);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  let first: number;
  let stop: number; // exclusive
  if (type === RANK) {
    const len = z.size;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) {
      c.reply.int(0);
      return;
    }
    if (end >= len) end = len - 1;
    first = start;
    stop = end + 1;
  } else if (srange !== null) [first, stop] = scoreSpan(z, srange);
  else [first, stop] = [0, 0];
  const doomed = lrange !== null ? lexItems(z, lrange) : z.range(first, stop - 1);
  for (const it of doomed) z.removeItem(it);
  const deleted = doomed.length;
  if (deleted > 0) {
    notify(c, 'z', ['zremrangebyrank', 'zremrangebyscore', 'zremrangebylex'][type], k);
    if (afterRemoval(c, k, z, deleted)) notify(c, 'g', 'del', k);
  }
  c.reply.int(deleted);
}

// ZREMRANGEBYRANK key start stop
function zremrangebyrank(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, RANK);
}

// ZREMRANGEBYSCORE key min max
function zremrangebyscore(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, SCORE);
}

// ZREMRANGEBYLEX key min max
function zremrangebylex(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, LEX);
}

// ---- reading single elements ----

// ZCARD key
function zcard(c: Client, argv: Buffer[]): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  c.reply.int(z === undefined ? 0 : z.size);
}

// ZSCORE key member
function zscore(c: Client, argv: Buffer[]): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  const s = z?.score(key(argv[2]));
  if (s === undefined) c.reply.nullBulk();
  else replyScore(c, s);
}

// ZMSCORE key member [member ...]
function zmscore(c: Client, argv: Buffer[]): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(key(argv[j]));
    if (s === undefined) c.reply.nullBulk();
    else replyScore(c, s);
  }
}

function zrankGeneric(c: Client, argv: Buffer[], rev: boolean): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  const it = z?.get(key(argv[2]));
  if (z === undefined || it === undefined) {
    c.reply.nullBulk();
    return;
  }
  const r = z.rank(it);
  c.reply.int(rev ? z.size - 1 - r : r);
}

// ZRANK key member
function zrank(c: Client, argv: Buffer[]): void {
  zrankGeneric(c, argv, false);
}

// ZREVRANK key member
function zrevrank(c: Client, argv: Buffer[]): void {
  zrankGeneric(c, argv, true);
}

// ZCOUNT key min max
function zcount(c: Client, argv: Buffer[]): void {
  const r = parseScoreRange(argv[2], argv[3]);
  if (r === null) {
    c.reply.error(ERR_MINMAX);
    return;
  }
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  const [a, b] = scoreSpan(z, r);
  c.reply.int(b - a);
}

// ZLEXCOUNT key min max
function zlexcount(c: Client, argv: Buffer[]): void {
  const r = parseLexRange(argv[2], argv[3]);
  if (r === null) {
    c.reply.error(ERR_LEX);
    return;
  }
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  c.reply.int(z.packed ? lexItems(z, r).length : lexSpan(z, r).reduce((a, b) => b - a));
}

// ---- ZRANGE family ----

const AUTO = -1;

/**
 * zrangeGenericCommand: `argStart` is the index of the source key; `store` the destination
 * for ZRANGESTORE. `fixedType` / `fixedRev` are set by the legacy commands (AUTO otherwise).
 */
function zrangeGeneric(
  c: Client,
  argv: Buffer[],
  argStart: number,
  store: string | null,
  fixedType: RangeType | typeof AUTO,
  fixedRev: boolean | typeof AUTO,
): void {
  const k = key(argv[argStart]);
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let type: RangeType | typeof AUTO = fixedType;
  let rev: boolean | typeof AUTO = fixedRev;
  for (let j = argStart + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (store === null && is(a, 'withscores')) withScores = true;
    else if (is(a, 'limit') && left >= 2) {
      const o = longArg(c, argv[j + 1]);
      if (o === null) return;
      const l = longArg(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (rev === AUTO && is(a, 'rev')) rev = true;
    else if (type === AUTO && is(a, 'bylex')) type = LEX;
    else if (type === AUTO && is(a, 'byscore')) type = SCORE;
    else {
      c.reply.error(E.syntax);
      return;
    }
  }
  if (rev === AUTO) rev = false;
  if (type === AUTO) type = RANK;
  if (limit !== -1 && type === RANK) {
    c.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && type === LEX) {
    c.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  if (rev && type !== RANK) [minIdx, maxIdx] = [maxIdx, minIdx];
  let start = 0;
  let end = 0;
  let srange: ScoreRange | null = null;
  let lrange: LexRange | null = null;
  if (type === RANK) {
    const a = longArg(c, argv[minIdx]);
    if (a === null) return;
    const b = longArg(c, argv[maxIdx]);
    if (b === null) return;
    start = a;
    end = b;
  } else if (type === SCORE) {
    srange = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (srange === null) {
      c.reply.error(ERR_MINMAX);
      return;
    }
  } else {
    lrange = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lrange === null) {
      c.reply.error(ERR_LEX);
      return;
    }
  }
  const z = readZset(c, k);
  if (z === null) return;
  let items: ZItem[] = [];
  if (z !== undefined) {
    if (type === RANK) {
      const len = z.size;
      if (start < 0) start += len;
      if (end < 0) end += len;
      if (start < 0) start = 0;
      if (!(start > end || start >= len)) {
        if (end >= len) end = len - 1;
        items = rev ? z.range(len - 1 - end, len - 1 - start, true) : z.range(start, end);
      }
    } else if (lrange !== null && z.packed) {
      items = packedLex(z, lrange, rev, offset, limit);
    } else {
      const [a, b] = srange !== null ? scoreSpan(z, srange) : lexSpan(z, lrange as LexRange);
      // a negative offset selects nothing; a negative limit means no limit
      if (offset >= 0 && a + offset < b && limit !== 0) {
        const n = b - a - offset;
        const take = limit < 0 ? n : Math.min(limit, n);
        items = rev
          ? z.range(b - offset - take, b - offset - 1, true)
          : z.range(a + offset, a + offset + take - 1);
      }
    }
  }
  if (store !== null) {
    let maxLen = 0;
    const copy = items.map((it) => {
      if (it.member.length > maxLen) maxLen = it.member.length;
      return new ZItem(it.member, it.score);
    });
    if (rev) copy.reverse();
    storeResult(c, store, buildStored(c, copy, maxLen), 'zrangestore');
    return;
  }
  replyItems(c, items, withScores);
}

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
function zrange(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, AUTO, AUTO);
}

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
function zrangestore(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 2, key(argv[1]), AUTO, AUTO);
}

// ZREVRANGE key start stop [WITHSCORES]
function zrevrange(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, RANK, true);
}

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
function zrangebyscore(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, SCORE, false);
}

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
function zrevrangebyscore(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, SCORE, true);
}

// ZRANGEBYLEX key min max [LIMIT offset count]
function zrangebylex(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, LEX, false);
}

// ZREVRANGEBYLEX key max min [LIMIT offset count]
function zrevrangebylex(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, LEX, true);
}

// ---- pops ----

const MIN = 0;
const MAX = 1;
type Where = 0 | 1;

/**
 * genericZpopCommand once the source key `k` holds the non-empty set `z`: pops up to `count`
 * (-1: one, flat) and replies in the shape chosen by emitKey / nested.
 */
function zpopFrom(
  c: Client,
  k: string,
  z: ZSetValue,
  where: Where,
  count: number,
  emitKey: boolean,
  nested: boolean,
): number {
  const n = Math.min(count === -1 ? 1 : count, z.size);
  const r = c.reply;
  if (!nested && !emitKey) r.array(n * 2);
  else if (nested && !emitKey) r.array(n);
  else if (!nested && emitKey) {
    r.array(n * 2 + 1);
    r.bulkStr(k);
  } else {
    r.array(2);
    r.bulkStr(k);
    r.array(n);
  }
  for (let i = 0; i < n; i++) {
    const it = (where === MIN ? z.min() : z.max()) as ZItem;
    z.removeItem(it);
    if (nested) r.array(2);
    r.bulkStr(it.member);
    replyScore(c, it.score);
  }
  notify(c, 'z', where === MIN ? 'zpopmin' : 'zpopmax', k);
  if (afterRemoval(c, k, z, n)) notify(c, 'g', 'del', k);
  return n;
}

/** The first existing key among `keys` for a pop: its set, undefined when none, null on WRONGTYPE. */
function firstZset(c: Client, keys: string[]): { k: string; z: ZSetValue } | undefined | null {
  for (const k of keys) {
    const z = writeZset(c, k);
    if (z === null) return null;
    if (z === undefined || z.size === 0) continue;
    return { k, z };
  }
  return undefined;
}

function zpopMinMax(c: Client, argv: Buffer[], where: Where): void {
  if (argv.length > 3) {
    c.reply.error(E.syntax);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const v = longArg(c, argv[2], ERR_POSITIVE);
    if (v === null) return;
    if (v < 0) {
      c.reply.error(ERR_POSITIVE);
      return;
    }
    count = v;
  }
  const nested = c.reply.proto === 3 && count !== -1;
  const f = firstZset(c, [key(argv[1])]);
  if (f === null) return;
  if (f === undefined || count === 0) {
    c.reply.array(0);
    return;
  }
  zpopFrom(c, f.k, f.z, where, count, false, nested);
}

// ZPOPMIN key [count]
function zpopmin(c: Client, argv: Buffer[]): void {
  zpopMinMax(c, argv, MIN);
}

// ZPOPMAX key [count]
function zpopmax(c: Client, argv: Buffer[]): void {
  zpopMinMax(c, argv, MAX);
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** numkeys, keys, MIN|MAX, [COUNT count] as zmpopGenericCommand. */
function parseZmpop(c: Client, argv: Buffer[], numkeysIdx: number): MpopArgs | null {
  const msg = 'ERR numkeys should be greater than 0';
  const numkeys = longArg(c, argv[numkeysIdx], msg);
  if (numkeys === null) return null;
  if (numkeys < 1) {
    c.reply.error(msg);
    return null;
  }
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.reply.error(E.syntax);
    return null;
  }
  let where: Where;
  if (is(argv[whereIdx], 'min')) where = MIN;
  else if (is(argv[whereIdx], 'max')) where = MAX;
  else {
    c.reply.error(E.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], 'count') && j + 1 < argv.length) {
      const cmsg = 'ERR count should be greater than 0';
      const v = longArg(c, argv[++j], cmsg);
      if (v === null) return null;
      if (v < 1) {
        c.reply.error(cmsg);
        return null;
      }
      count = v;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  const keys: string[] = [];
  for (let j = numkeysIdx + 1; j < whereIdx; j++) keys.push(key(argv[j]));
  return { keys, where, count: count === -1 ? 1 : count };
}

// ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]
function zmpop(c: Client, argv: Buffer[]): void {
  const a = parseZmpop(c, argv, 1);
  if (a === null) return;
  const f = firstZset(c, a.keys);
  if (f === null) return;
  if (f === undefined) {
    c.reply.nullArray();
    return;
  }
  propagateAs([zpopRecord(f.k, a.where, a.count, zpopFrom(c, f.k, f.z, a.where, a.count, true, true))]);
}

/** Key positions of ZMPOP (numkeys at 1) / BZMPOP (at 2) and the ZUNION family. */
function numkeysKeys(numkeysIdx: number, extraFirst = false): (argv: Buffer[]) => number[] {
  return (argv) => {
    const n = numkeysIdx < argv.length ? parseInt64(argv[numkeysIdx]) : null;
    if (typeof n !== 'number' || n < 1 || numkeysIdx + n >= argv.length) return extraFirst ? [1] : [];
    const out: number[] = extraFirst ? [1] : [];
    for (let i = 1; i <= n; i++) out.push(numkeysIdx + i);
    return out;
  };
}

/** The ZPOPMIN/ZPOPMAX [count] a pop of `n` members is written as (count -1: a single pop). */
function zpopRecord(k: string, where: Where, count: number, n: number): Buffer[] {
  const argv = [Buffer.from(where === MIN ? 'ZPOPMIN' : 'ZPOPMAX'), Buffer.from(k, 'latin1')];
  if (count !== -1) argv.push(Buffer.from(String(n)));
  return argv;
}

/** A waiter's pop, reported for propagation as ZPOPMIN/ZPOPMAX [count]. */
function serveBlockedZpop(c: Client, k: string, where: Where, count: number, nested: boolean): boolean {
  const e = lookupWrite(c, k);
  if (e === undefined || !(e.value instanceof ZSetValue) || e.value.size === 0) return false;
  const n = zpopFrom(c, k, e.value, where, count, true, nested);
  propagate(c, zpopRecord(k, where, count, n));
  return true;
}

function blockingZpop(
  c: Client,
  argv: Buffer[],
  keys: string[],
  where: Where,
  timeoutIdx: number,
  count: number,
  nested: boolean,
): void {
  const deadline = parseTimeout(c, argv[timeoutIdx]);
  if (deadline === null) return;
  const f = firstZset(c, keys);
  if (f === null) return;
  if (f !== undefined) {
    // written as the pop it was, which a replay can't block on (as Redis)
    propagateAs([zpopRecord(f.k, where, count, zpopFrom(c, f.k, f.z, where, count, true, nested))]);
    return;
  }
  if (!canBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockForKeys(c, keys, deadline, (k) => serveBlockedZpop(c, k, where, count, nested), undefined, argv);
}

// BZPOPMIN key [key ...] timeout
function bzpopmin(c: Client, argv: Buffer[]): void {
  blockingZpop(c, argv, argv.slice(1, -1).map(key), MIN, argv.length - 1, -1, false);
}

// BZPOPMAX key [key ...] timeout
function bzpopmax(c: Client, argv: Buffer[]): void {
  blockingZpop(c, argv, argv.slice(1, -1).map(key), MAX, argv.length - 1, -1, false);
}

// BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]
function bzmpop(c: Client, argv: Buffer[]): void {
  const a = parseZmpop(c, argv, 2);
  if (a === null) return;
  blockingZpop(c, argv, a.keys, a.where, 1, a.count, true);
}

// ---- ZRANDMEMBER ----

// ZRANDMEMBER key [count [WITHSCORES]]
function zrandmember(c: Client, argv: Buffer[]): void {
  if (argv.length >= 3) {
    const raw = parseInt64(argv[2]);
    if (raw === null) {
      c.reply.error(E.notInt);
      return;
    }
    const big = typeof raw === 'bigint' ? raw : BigInt(raw);
    if (big < -LONG_MAX) {
      c.reply.error(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
      return;
    }
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'withscores'))) {
      c.reply.error(E.syntax);
      return;
    }
    if (argv.length === 4) {
      withScores = true;
      if (big < -(LONG_MAX / 2n) || big > LONG_MAX / 2n) {
        c.reply.error('ERR value is out of range');
        return;
      }
    }
    randWithCount(c, argv, big, withScores);
    return;
  }
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  if (z === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.bulkStr(z.at(Math.floor(Math.random() * z.size)).member);
}

function randWithCount(c: Client, argv: Buffer[], count: bigint, withScores: boolean): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  if (z === undefined || count === 0n) {
    c.reply.array(0);
    return;
  }
  const size = z.size;
  const flat = withScores && c.reply.proto === 2;
  if (count < 0n || count === 1n) {
    // picks with repetitions: the reply grows with the count, not with the set
    const n = count < 0n ? -count : count;
    const perItem = (withScores ? 40 : 8) + 16;
    if (n * BigInt(perItem) > BigInt(c.server.config.num('proto-max-bulk-len'))) {
      c.reply.error(ERR_REPLY_TOO_LARGE);
      return;
    }
    const m = Number(n);
    c.reply.array(flat ? m * 2 : m);
    for (let i = 0; i < m; i++) replyScored(c, z.at(Math.floor(Math.random() * size)), withScores);
    return;
  }
  if (count >= BigInt(size)) {
    // the whole set, walked from the highest score down as Redis does
    replyItems(c, z.items().reverse(), withScores);
    return;
  }
  // distinct picks: a partial Fisher-Yates over the ranks
  const m = Number(count);
  const picked = new Map<number, number>();
  const ranks: number[] = [];
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const vj = picked.get(j) ?? j;
    picked.set(j, picked.get(i) ?? i);
    ranks.push(vj);
  }
  // a listpack is sampled in its own order, a skiplist in random order (as Redis)
  if (z.packed) ranks.sort((a, b) => a - b);
  c.reply.array(flat ? m * 2 : m);
  for (const r of ranks) replyScored(c, z.at(r), withScores);
}

// ---- ZUNION / ZINTER / ZDIFF ----

/** A set value (store/set.ts) seen through the calls the zset operations need. */
interface SetLike {
  readonly kind: string;
  readonly size: number;
  has(member: string): boolean;
  members(): Iterable<string>;
}

function isSetLike(v: Value): v is Value & SetLike {
  return !(v instanceof Uint8Array) && v.kind === 'set';
}

interface Source {
  z: ZSetValue | null;
  s: SetLike | null;
  weight: number;
}

function srcSize(src: Source): number {
  return src.z !== null ? src.z.size : src.s !== null ? src.s.size : 0;
}

function srcForEach(src: Source, visit: (member: string, score: number) => void): void {
  if (src.z !== null) for (const it of src.z.items()) visit(it.member, it.score);
  else if (src.s !== null) for (const m of src.s.members()) visit(m, 1);
}

function srcScore(src: Source, member: string): number | undefined {
  if (src.z !== null) return src.z.score(member);
  if (src.s !== null) return src.s.has(member) ? 1 : undefined;
  return undefined;
}

const SUM = 0;
const AMIN = 1;
const AMAX = 2;

function aggregate(target: number, val: number, agg: number): number {
  if (agg === SUM) {
    const r = target + val;
    // inf + -inf is taken as 0
    return Number.isNaN(r) ? 0 : r;
  }
  // C's comparisons, not Math.min/max: they differ on -0 versus 0
  // biome-ignore lint/complexity/useMathMinMax: -0 and 0 must compare as in C
  if (agg === AMIN) return val < target ? val : target;
  // biome-ignore lint/complexity/useMathMinMax: -0 and 0 must compare as in C
  return val > target ? val : target;
}

const UNION = 0;
const INTER = 1;
const DIFF = 2;
type SetOp = 0 | 1 | 2;
const OP_EVENT = ['zunionstore', 'zinterstore', 'zdiffstore'];

/** zunionInterDiffGenericCommand. */
function zsetOpGeneric(
  c: Client,
  argv: Buffer[],
  dst: string | null,
  numkeysIdx: number,
  op: SetOp,
  cardinalityOnly: boolean,
): void {
  const setnum = longArg(c, argv[numkeysIdx]);
  if (setnum === null) return;
  if (setnum < 1) {
    c.reply.error(`ERR at least 1 input key is needed for '${key(argv[0]).toLowerCase()}' command`);
    return;
  }
  if (setnum > argv.length - (numkeysIdx + 1)) {
    c.reply.error(E.syntax);
    return;
  }
  const srcs: Source[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const e = lookupRead(c, key(argv[j]));
    const src: Source = { z: null, s: null, weight: 1 };
    if (e !== undefined) {
      if (e.value instanceof ZSetValue) src.z = e.value;
      else if (isSetLike(e.value)) src.s = e.value;
      else {
        c.reply.error(E.wrongType);
        return;
      }
    }
    srcs.push(src);
  }
  let agg = SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const a = argv[j];
    if (op !== DIFF && !cardinalityOnly && remaining >= setnum + 1 && is(a, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = scoreArg(c, argv[j], 'ERR weight value is not a float');
        if (w === null) return;
        srcs[i].weight = w;
      }
    } else if (op !== DIFF && !cardinalityOnly && remaining >= 2 && is(a, 'aggregate')) {
      const v = argv[j + 1];
      if (is(v, 'sum')) agg = SUM;
      else if (is(v, 'min')) agg = AMIN;
      else if (is(v, 'max')) agg = AMAX;
      else {
        c.reply.error(E.syntax);
        return;
      }
      j += 2;
    } else if (dst === null && !cardinalityOnly && is(a, 'withscores')) {
      j++;
      withScores = true;
    } else if (cardinalityOnly && remaining >= 2 && is(a, 'limit')) {
      const msg = "ERR LIMIT can't be negative";
      const v = longArg(c, argv[j + 1], msg);
      if (v === null) return;
      if (v < 0) {
        c.reply.error(msg);
        return;
      }
      limit = v;
      j += 2;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  // smallest input first (a stable sort, as glibc's merge-sorting qsort)
  if (op !== DIFF) srcs.sort((a, b) => srcSize(a) - srcSize(b));
  const result = new Map<string, number>();
  let cardinality = 0;
  if (op === INTER) {
    if (srcSize(srcs[0]) > 0) {
      const first = srcs[0];
      const members: [string, number][] = [];
      srcForEach(first, (m, s) => members.push([m, s]));
      for (const [m, s0] of members) {
        let score = first.weight * s0;
        if (Number.isNaN(score)) score = 0;
        let i = 1;
        for (; i < srcs.length; i++) {
          const v = srcs[i] === first || sameValue(srcs[i], first) ? s0 : srcScore(srcs[i], m);
          if (v === undefined) break;
          score = aggregate(score, v * srcs[i].weight, agg);
        }
        if (i < srcs.length) continue;
        if (cardinalityOnly) {
          cardinality++;
          if (limit && cardinality >= limit) break;
        } else result.set(m, score);
      }
    }
  } else if (op === UNION) {
    for (const src of srcs) {
      if (srcSize(src) === 0) continue;
      srcForEach(src, (m, s) => {
        let score = src.weight * s;
        if (Number.isNaN(score)) score = 0;
        const prev = result.get(m);
        result.set(m, prev === undefined ? score : aggregate(prev, score, agg));
      });
    }
  } else {
    const first = srcs[0];
    if (srcSize(first) > 0) {
      srcForEach(first, (m, s) => {
        for (let i = 1; i < srcs.length; i++) if (srcScore(srcs[i], m) !== undefined) return;
        result.set(m, s);
      });
    }
  }
  if (cardinalityOnly) {
    c.reply.int(cardinality);
    return;
  }
  const items: ZItem[] = [];
  let maxLen = 0;
  for (const [m, s] of result) {
    items.push(new ZItem(m, s));
    if (m.length > maxLen) maxLen = m.length;
  }
  sortItems(items);
  if (dst !== null) {
    storeResult(c, dst, buildStored(c, items, maxLen), OP_EVENT[op]);
    return;
  }
  replyItems(c, items, withScores);
}

function sameValue(a: Source, b: Source): boolean {
  return (a.z !== null && a.z === b.z) || (a.s !== null && a.s === b.s);
}

// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
function zunion(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, null, 1, UNION, false);
}

// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
function zinter(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, null, 1, INTER, false);
}

// ZDIFF numkeys key [key ...] [WITHSCORES]
function zdiff(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, null, 1, DIFF, false);
}

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
function zunionstore(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, key(argv[1]), 2, UNION, false);
}

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
function zinterstore(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, key(argv[1]), 2, INTER, false);
}

// ZDIFFSTORE destination numkeys key [key ...]
function zdiffstore(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, key(argv[1]), 2, DIFF, false);
}

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
function zintercard(c: Client, argv: Buffer[]): void {
  zsetOpGeneric(c, argv, null, 1, INTER, true);
}

// ---- ZSCAN ----

// ZSCAN key cursor [MATCH pattern] [COUNT count]
function zscan(c: Client, argv: Buffer[]): void {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) {
    c.reply.error('ERR invalid cursor');
    return;
  }
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  if (z === undefined) {
    c.reply.array(2);
    c.reply.bulkStr('0');
    c.reply.array(0);
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - i;
    if (is(argv[i], 'count') && more >= 2) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) {
        c.reply.error(E.notInt);
        return;
      }
      if (n < 1) {
        c.reply.error(E.syntax);
        return;
      }
      count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
    } else if (is(argv[i], 'match') && more >= 2) {
      pattern = key(argv[i + 1]);
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  let found: ZItem[] = [];
  let next = 0;
  // a listpack is returned whole, in order, with cursor 0
  if (z.packed) found = z.items();
  else next = z.scan(cursor, count, (it) => found.push(it));
  const g = pattern === null || pattern === '*' ? null : compileGlob(pattern);
  const out: string[] = [];
  for (const it of found) {
    if (g !== null && !matchCompiled(g, it.member)) continue;
    out.push(it.member, scoreText(it.score));
  }
  c.reply.array(2);
  c.reply.bulkStr(String(next));
  c.reply.bulkStrs(out);
}

export const zsetCommands: CommandDef[] = [
  {
    name: 'zadd',
    borrowsArgs: true,
    arity: -4,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zadd,
  },
  {
    name: 'zincrby',
    borrowsArgs: true,
    arity: 4,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zincrby,
  },
  {
    name: 'zrem',
    borrowsArgs: true,
    arity: -3,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zrem,
  },
  {
    name: 'zcard',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zcard,
  },
  {
    name: 'zscore',
    borrowsArgs: true,
    arity: 3,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zscore,
  },
  {
    name: 'zmscore',
    arity: -3,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zmscore,
  },
  { name: 'zrank', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], acl: '@sortedset', handler: zrank },
  {
    name: 'zrevrank',
    arity: 3,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zrevrank,
  },
  { name: 'zcount', arity: 4, flags: 'readonly fast', keys: [1, 1, 1], acl: '@sortedset', handler: zcount },
  {
    name: 'zlexcount',
    arity: 4,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zlexcount,
  },
  { name: 'zrange', arity: -4, flags: 'readonly', keys: [1, 1, 1], acl: '@sortedset', handler: zrange },
  {
    name: 'zrangestore',
    arity: -5,
    flags: 'write denyoom',
    keys: [1, 2, 1],
    acl: '@sortedset',
    handler: zrangestore,
  },
  { name: 'zrevrange', arity: -4, flags: 'readonly', keys: [1, 1, 1], acl: '@sortedset', handler: zrevrange },
  {
    name: 'zrangebyscore',
    arity: -4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zrangebyscore,
  },
  {
    name: 'zrevrangebyscore',
    arity: -4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zrevrangebyscore,
  },
  {
    name: 'zrangebylex',
    arity: -4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zrangebylex,
  },
  {
    name: 'zrevrangebylex',
    arity: -4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zrevrangebylex,
  },
  {
    name: 'zremrangebyrank',
    arity: 4,
    flags: 'write',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zremrangebyrank,
  },
  {
    name: 'zremrangebyscore',
    arity: 4,
    flags: 'write',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zremrangebyscore,
  },
  {
    name: 'zremrangebylex',
    arity: 4,
    flags: 'write',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zremrangebylex,
  },
  {
    name: 'zpopmin',
    borrowsArgs: true,
    arity: -2,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zpopmin,
  },
  {
    name: 'zpopmax',
    borrowsArgs: true,
    arity: -2,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@sortedset',
    handler: zpopmax,
  },
  { name: 'zmpop', arity: -4, flags: 'write', acl: '@sortedset', getKeys: numkeysKeys(1), handler: zmpop },
  {
    name: 'bzpopmin',
    arity: -3,
    flags: 'write noscript blocking fast',
    keys: [1, -2, 1],
    acl: '@sortedset',
    handler: bzpopmin,
  },
  {
    name: 'bzpopmax',
    arity: -3,
    flags: 'write noscript blocking fast',
    keys: [1, -2, 1],
    acl: '@sortedset',
    handler: bzpopmax,
  },
  {
    name: 'bzmpop',
    arity: -5,
    flags: 'write blocking',
    acl: '@sortedset',
    getKeys: numkeysKeys(2),
    handler: bzmpop,
  },
  {
    name: 'zrandmember',
    arity: -2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@sortedset',
    tips: 'nondeterministic_output',
    handler: zrandmember,
  },
  {
    name: 'zunion',
    arity: -3,
    flags: 'readonly',
    acl: '@sortedset',
    getKeys: numkeysKeys(1),
    handler: zunion,
  },
  {
    name: 'zinter',
    arity: -3,
    flags: 'readonly',
    acl: '@sortedset',
    getKeys: numkeysKeys(1),
    handler: zinter,
  },
  { name: 'zdiff', arity: -3, flags: 'readonly', acl: '@sortedset', getKeys: numkeysKeys(1), handler: zdiff },
  {
    name: 'zunionstore',
    arity: -4,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@sortedset',
    getKeys: numkeysKeys(2, true),
    handler: zunionstore,
  },
  {
    name: 'zinterstore',
    arity: -4,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@sortedset',
    getKeys: numkeysKeys(2, true),
    handler: zinterstore,
  },
  {
    name: 'zdiffstore',
    arity: -4,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@sortedset',
    getKeys: numkeysKeys(2, true),
    handler: zdiffstore,
  },
  {
    name: 'zintercard',
    arity: -3,
    flags: 'readonly',
    acl: '@sortedset',
    getKeys: numkeysKeys(1),
    handler: zintercard,
  },
  {
    name: 'zscan',
    arity: -3,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@sortedset',
    tips: 'nondeterministic_output',
    handler: zscan,
  },
];
