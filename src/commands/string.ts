// String commands.
//
// A string value is a Buffer. Commands that change a string in place (APPEND, SETRANGE, SETBIT,
// BITFIELD) first make it "owned": a Buffer viewing the start of a zero-filled backing store that
// no other value shares, possibly with spare capacity past its length. Growing then only needs a
// new, longer view of the same store (amortised O(1) APPEND), and bytes past a view's length are
// never written before a longer view is stored, so older views of the store keep their bytes.

import { constants as bufferConstants } from 'node:buffer';
import { E } from '../protocol/errors';
import { overwriteDecimal } from '../protocol/format';
import { incrByFloat } from '../protocol/longdouble';
import type { Client } from '../server/client';
import { isPrivateCopy, latin1Bytes } from '../store/bytes';
import { type Entry, isString } from '../store/db';
import { INT64, is, key, parseInt64 } from './args';
import { lookupRead, lookupWrite, modified, notify, readString, setKey, setKeyBytes } from './keyspace';
import type { CommandDef } from './types';

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const EX = 16;
const PX = 32;
const EXAT = 64;
const PXAT = 128;
const PERSIST = 256;
const EXPIRE_FLAGS = EX | PX | EXAT | PXAT;
const INT64_MAX_SECONDS = INT64.MAX / 1000n;

const ERR_DECR_OVERFLOW = 'ERR decrement would overflow';
const ERR_FLOAT_NAN = 'ERR increment would produce NaN or Infinity';
const ERR_OFFSET_RANGE = 'ERR offset is out of range';

// ---- owned (in-place mutable) strings ----

/** Values whose backing store belongs to them alone (see the header comment). */
const owned = new WeakSet<Uint8Array>();
const MB = 1024 * 1024;

/** Largest string we will build: proto-max-bulk-len, within what a Buffer can hold. */
export function maxStringLen(c: Client): number {
  return Math.min(c.server.config.num('proto-max-bulk-len'), bufferConstants.MAX_LENGTH - 64);
}

/** Capacity for a string growing to `len`: double below 1MB, else +1MB (like sds), within `limit`. */
function growCapacity(len: number, limit: number): number {
  const want = len < MB ? len * 2 : len + MB;
  return Math.max(len, Math.min(want, limit, bufferConstants.MAX_LENGTH));
}

function allocZero(n: number): Buffer | null {
  try {
    return Buffer.alloc(n);
  } catch {
    return null;
  }
}

/** A new owned string of `len` zero bytes (null when memory cannot be allocated). */
export function newOwnedString(len: number): Buffer | null {
  const b = allocZero(len);
  if (b !== null) owned.add(b);
  return b;
}

/** Marks a freshly allocated Buffer (not from Node's pool, not shared) as owned. */
export function adoptOwned(b: Buffer): Buffer {
  owned.add(b);
  return b;
}

/**
 * Makes the string in `e` writable in place and at least `len` bytes long (new bytes are zero),
 * storing the result in the entry. Null when memory cannot be allocated.
 */
export function growString(e: Entry, len: number, limit: number): Buffer | null {
  const cur = e.value as Buffer;
  if (owned.has(cur)) {
    if (len <= cur.length) return cur;
    if (cur.byteOffset + len <= cur.buffer.byteLength) {
      const nb = Buffer.from(cur.buffer, cur.byteOffset, len);
      owned.delete(cur);
      owned.add(nb);
      e.value = nb;
      return nb;
    }
  }
  const size = Math.max(len, cur.length);
  const cap = len > cur.length ? growCapacity(size, limit) : size;
  const store = allocZero(cap);
  if (store === null) return null;
  cur.copy(store);
  const nb = cap === size ? store : store.subarray(0, size);
  owned.add(nb);
  e.value = nb;
  return nb;
}

/** OBJECT ENCODING of a string value, approximating Redis's int / embstr / raw choice. */
export function stringEncoding(b: Buffer): 'int' | 'embstr' | 'raw' {
  if (owned.has(b)) return 'raw'; // modified in place: Redis unshares into a raw sds
  if (b.length <= 20 && parseInt64(b) !== null) return 'int';
  return b.length <= 44 ? 'embstr' : 'raw';
}

// ---- SET family ----

/** The expire flag an option word names, or 0. */
function expireWord(a: Buffer): number {
  if (a.length === 2) {
    if (is(a, 'ex')) return EX;
    if (is(a, 'px')) return PX;
  } else if (a.length === 4) {
    if (is(a, 'exat')) return EXAT;
    if (is(a, 'pxat')) return PXAT;
  }
  return 0;
}

/**
 * Converts an expire argument to an absolute ms time, or writes the error and returns -1.
 * `unitFlag` is one of EX PX EXAT PXAT.
 */
function expireArg(c: Client, arg: Buffer, unitFlag: number, cmdName: string): number {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(E.notInt);
    return -1;
  }
  const seconds = unitFlag === EX || unitFlag === EXAT;
  const relative = unitFlag === EX || unitFlag === PX;
  if (typeof v === 'number' && v > 0 && v < 1e12) {
    // the common case, exact in doubles
    return (seconds ? v * 1000 : v) + (relative ? c.server.clock.now() : 0);
  }
  let ms = BigInt(v);
  if (ms <= 0n || (seconds && ms > INT64_MAX_SECONDS)) {
    c.reply.error(E.invalidExpire(cmdName));
    return -1;
  }
  if (seconds) ms *= 1000n;
  if (relative) ms += BigInt(c.server.clock.now());
  if (ms > INT64.MAX) {
    // Redis's long long addition wraps negative here
    c.reply.error(E.invalidExpire(cmdName));
    return -1;
  }
  return Number(ms);
}

/** Shared by SET, SETNX, SETEX, PSETEX, GETSET. */
function setGeneric(
  c: Client,
  k: Buffer,
  val: Buffer,
  flags: number,
  expires: number,
  okReply: boolean,
): void {
  const name = key(k);
  if (flags & GET) {
    const old = readString(c, name);
    if (old === null) return; // WRONGTYPE already written
    if (old === undefined) c.reply.nullBulk();
    else c.reply.bulk(old);
  }
  if (flags & (NX | XX)) {
    const found = lookupWrite(c, name) !== undefined;
    if ((flags & NX && found) || (flags & XX && !found)) {
      if (!(flags & GET)) {
        if (okReply) c.reply.nullBulk();
        else c.reply.raw(':0\r\n');
      }
      return;
    }
  }
  setKeyBytes(c, name, val, expires, (flags & KEEPTTL) !== 0);
  notify(c, '$', 'set', name);
  if (expires !== 0) notify(c, 'g', 'expire', name);
  if (!(flags & GET)) {
    if (okReply) c.reply.raw('+OK\r\n');
    else c.reply.raw(':1\r\n');
  }
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//   PXAT unix-time-milliseconds | KEEPTTL]
function set(c: Client, argv: Buffer[]): void {
  let flags = 0;
  let expArg: Buffer | null = null;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    const next = j + 1 < argv.length ? argv[j + 1] : null;
    const f = expireWord(a);
    if (is(a, 'nx') && !(flags & XX)) flags |= NX;
    else if (is(a, 'xx') && !(flags & NX)) flags |= XX;
    else if (is(a, 'get')) flags |= GET;
    else if (is(a, 'keepttl') && !(flags & EXPIRE_FLAGS)) flags |= KEEPTTL;
    // repeating the same unit is accepted (the last one wins), mixing units is not
    else if (f !== 0 && next !== null && !(flags & KEEPTTL) && !(flags & EXPIRE_FLAGS & ~f)) {
      flags |= f;
      expArg = next;
      j++;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  let expires = 0;
  if (expArg !== null) {
    expires = expireArg(c, expArg, flags & EXPIRE_FLAGS, 'set');
    if (expires < 0) return;
  }
  setGeneric(c, argv[1], argv[2], flags, expires, true);
}

// SETNX key value
function setnx(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv[1], argv[2], NX, 0, false);
}

// SETEX key seconds value
function setex(c: Client, argv: Buffer[]): void {
  const expires = expireArg(c, argv[2], EX, 'setex');
  if (expires < 0) return;
  setGeneric(c, argv[1], argv[3], 0, expires, true);
}

// PSETEX key milliseconds value
function psetex(c: Client, argv: Buffer[]): void {
  const expires = expireArg(c, argv[2], PX, 'psetex');
  if (expires < 0) return;
  setGeneric(c, argv[1], argv[3], 0, expires, true);
}

// GETSET key value
function getset(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv[1], argv[2], GET, 0, true);
}

// GET key
function get(c: Client, argv: Buffer[]): void {
  const v = readString(c, key(argv[1]));
  if (v === null) return;
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

// GETDEL key
function getdel(c: Client, argv: Buffer[]): void {
  const name = key(argv[1]);
  const v = readString(c, name);
  if (v === null) return;
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.bulk(v);
  if (c.db.delete(name)) {
    c.server.dirty++;
    notify(c, 'g', 'del', name);
  }
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//   PXAT unix-time-milliseconds | PERSIST]
function getex(c: Client, argv: Buffer[]): void {
  let flags = 0;
  let expArg: Buffer | null = null;
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const f = expireWord(a);
    if (is(a, 'persist') && !(flags & EXPIRE_FLAGS)) flags |= PERSIST;
    else if (f !== 0 && j + 1 < argv.length && !(flags & PERSIST) && !(flags & EXPIRE_FLAGS & ~f)) {
      flags |= f;
      expArg = argv[++j];
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const name = key(argv[1]);
  const e = lookupRead(c, name);
  if (e === undefined) {
    c.reply.nullBulk();
    return;
  }
  if (!isString(e.value)) {
    c.reply.error(E.wrongType);
    return;
  }
  let ms = 0;
  if (expArg !== null) {
    ms = expireArg(c, expArg, flags & EXPIRE_FLAGS, 'getex');
    if (ms < 0) return;
  }
  c.reply.bulk(e.value);
  if (flags & (EXAT | PXAT) && ms <= c.server.clock.now()) {
    // an absolute time in the past deletes the key at once
    c.db.delete(name);
    c.server.dirty++;
    notify(c, 'g', 'del', name);
  } else if (expArg !== null) {
    c.db.setExpire(e, ms);
    modified(c, name);
    notify(c, 'g', 'expire', name);
  } else if (flags & PERSIST && e.expires !== 0) {
    c.db.setExpire(e, 0);
    modified(c, name);
    notify(c, 'g', 'persist', name);
  }
}

// MGET key [key ...]
function mget(c: Client, argv: Buffer[]): void {
  c.reply.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const e = lookupRead(c, key(argv[j]));
    if (e === undefined || !isString(e.value)) c.reply.nullBulk();
    else c.reply.bulk(e.value);
  }
}

function msetGeneric(c: Client, argv: Buffer[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    c.reply.error(E.wrongArgs(nx ? 'msetnx' : 'mset'));
    return;
  }
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (lookupWrite(c, key(argv[j])) !== undefined) {
        c.reply.int(0);
        return;
      }
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    const name = key(argv[j]);
    setKeyBytes(c, name, argv[j + 1]);
    notify(c, '$', 'set', name);
  }
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

// MSET key value [key value ...]
function mset(c: Client, argv: Buffer[]): void {
  msetGeneric(c, argv, false);
}

// MSETNX key value [key value ...]
function msetnx(c: Client, argv: Buffer[]): void {
  msetGeneric(c, argv, true);
}

// ---- in-place edits ----

// APPEND key value
function append(c: Client, argv: Buffer[]): void {
  const name = key(argv[1]);
  const add = argv[2];
  const e = lookupWrite(c, name);
  let total: number;
  if (e === undefined) {
    setKey(c, name, Buffer.from(add));
    total = add.length;
  } else {
    if (!isString(e.value)) {
      c.reply.error(E.wrongType);
      return;
    }
    const old = e.value.length;
    total = old + add.length;
    const limit = maxStringLen(c);
    if (total > limit) {
      c.reply.error(E.stringTooLong);
      return;
    }
    const buf = growString(e, total, limit);
    if (buf === null) {
      c.reply.error(E.oom);
      return;
    }
    add.copy(buf, old);
    modified(c, name);
  }
  notify(c, '$', 'append', name);
  c.reply.int(total);
}

// SETRANGE key offset value
function setrange(c: Client, argv: Buffer[]): void {
  const name = key(argv[1]);
  const e = lookupWrite(c, name);
  const o = parseInt64(argv[2]);
  if (o === null) {
    c.reply.error(E.notInt);
    return;
  }
  if (o < 0) {
    c.reply.error(ERR_OFFSET_RANGE);
    return;
  }
  const off = Number(o); // beyond 2^53 it only has to compare above the limit
  const val = argv[3];
  const limit = maxStringLen(c);
  let buf: Buffer | null;
  if (e === undefined) {
    if (val.length === 0) {
      c.reply.int(0);
      return;
    }
    if (off + val.length > limit) {
      c.reply.error(E.stringTooLong);
      return;
    }
    buf = newOwnedString(off + val.length);
    if (buf === null) {
      c.reply.error(E.oom);
      return;
    }
    val.copy(buf, off);
    setKey(c, name, buf);
  } else {
    if (!isString(e.value)) {
      c.reply.error(E.wrongType);
      return;
    }
    if (val.length === 0) {
      c.reply.int(e.value.length);
      return;
    }
    if (off + val.length > limit) {
      c.reply.error(E.stringTooLong);
      return;
    }
    buf = growString(e, off + val.length, limit);
    if (buf === null) {
      c.reply.error(E.oom);
      return;
    }
    val.copy(buf, off);
    modified(c, name);
  }
  notify(c, '$', 'setrange', name);
  c.reply.int(buf.length);
}

/**
 * Redis's [start, end] range over `total` units after negative indexes count from the end;
 * null when empty. Inputs are 64-bit, so they are compared as bigints when beyond 2^53.
 */
export function clampRange(
  start: number | bigint,
  end: number | bigint,
  total: number,
): [number, number] | null {
  let s: number;
  let e: number;
  if (typeof start === 'number' && typeof end === 'number') {
    s = start;
    e = end;
  } else {
    // out-of-range 64-bit values clamp to +-2^62, which keeps every comparison below
    const clamp = (v: number | bigint) => (typeof v === 'number' ? v : v > 0n ? 2 ** 62 : -(2 ** 62));
    s = clamp(start);
    e = clamp(end);
  }
  if (s < 0) s += total;
  if (e < 0) e += total;
  if (s < 0) s = 0;
  if (e < 0) e = 0;
  if (e >= total) e = total - 1;
  if (s > e) return null;
  return [s, e];
}

/** start < 0 && end < 0 && start > end, compared exactly on 64-bit inputs. */
export function negReversed(start: number | bigint, end: number | bigint): boolean {
  return start < 0 && end < 0 && start > end;
}

// GETRANGE key start end
function getrange(c: Client, argv: Buffer[]): void {
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
  const v = readString(c, key(argv[1]));
  if (v === null) return;
  if (v === undefined || negReversed(start, end)) {
    c.reply.raw('$0\r\n\r\n');
    return;
  }
  const r = clampRange(start, end, v.length);
  if (r === null) c.reply.raw('$0\r\n\r\n');
  else c.reply.bulk(v.subarray(r[0], r[1] + 1));
}

// STRLEN key
function strlen(c: Client, argv: Buffer[]): void {
  const v = readString(c, key(argv[1]));
  if (v === null) return;
  c.reply.int(v === undefined ? 0 : v.length);
}

// ---- counters ----

/** a + b within int64, or null on overflow. */
function add64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64.MAX || r < INT64.MIN) return null;
  return r;
}

/** Stores a counter's new value, keeping the TTL (Redis overwrites the value only). */
function storeNumber(c: Client, name: string, e: Entry | undefined, text: string): void {
  if (e !== undefined) {
    const cur = e.value as Buffer;
    // a counter that keeps its number of digits is rewritten in its own bytes
    if (cur.length === text.length && isPrivateCopy(cur)) {
      for (let i = 0; i < text.length; i++) cur[i] = text.charCodeAt(i);
    } else {
      e.value = latin1Bytes(text);
    }
    modified(c, name);
  } else {
    setKey(c, name, latin1Bytes(text));
  }
}

function incrDecr(c: Client, keyArg: Buffer, incr: number | bigint): void {
  const name = key(keyArg);
  const e = lookupWrite(c, name);
  let cur: number | bigint = 0;
  if (e !== undefined) {
    if (!isString(e.value)) {
      c.reply.error(E.wrongType);
      return;
    }
    const v = parseInt64(e.value);
    if (v === null) {
      c.reply.error(E.notInt);
      return;
    }
    cur = v;
  }
  const r = add64(cur, incr);
  if (r === null) {
    c.reply.error(E.overflow);
    return;
  }
  // the common case, a counter that keeps its number of digits: its bytes are rewritten as they are
  if (
    e !== undefined &&
    typeof r === 'number' &&
    isPrivateCopy(e.value as Buffer) &&
    overwriteDecimal(e.value as Buffer, r)
  )
    modified(c, name);
  else storeNumber(c, name, e, String(r));
  notify(c, '$', 'incrby', name);
  c.reply.int(r);
}

// INCR key
function incr(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1], 1);
}

// DECR key
function decr(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1], -1);
}

// INCRBY key increment
function incrby(c: Client, argv: Buffer[]): void {
  const v = parseInt64(argv[2]);
  if (v === null) c.reply.error(E.notInt);
  else incrDecr(c, argv[1], v);
}

// DECRBY key decrement
function decrby(c: Client, argv: Buffer[]): void {
  const v = parseInt64(argv[2]);
  if (v === null) c.reply.error(E.notInt);
  else if (v === INT64.MIN) c.reply.error(ERR_DECR_OVERFLOW);
  else incrDecr(c, argv[1], typeof v === 'bigint' ? -v : -v);
}

// INCRBYFLOAT key increment
function incrbyfloat(c: Client, argv: Buffer[]): void {
  const name = key(argv[1]);
  const e = lookupWrite(c, name);
  if (e !== undefined && !isString(e.value)) {
    c.reply.error(E.wrongType);
    return;
  }
  const r = incrByFloat(e === undefined ? null : (e.value as Buffer), argv[2]);
  if (!r.ok) {
    c.reply.error(r.error === 'nan' ? ERR_FLOAT_NAN : E.notFloat);
    return;
  }
  storeNumber(c, name, e, r.text);
  notify(c, '$', 'incrbyfloat', name);
  c.reply.bulkStr(r.text);
}

// ---- LCS ----

const ERR_LCS_TYPE = 'ERR The specified keys must contain string values';
const ERR_LCS_IDX_LEN = 'ERR If you want both the length and indexes, please just use IDX.';
const ERR_LCS_LIMIT = 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';
const ERR_LCS_ALLOC = 'ERR Insufficient memory, failed allocating transient memory for LCS';
const EMPTY = Buffer.alloc(0);

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
function lcs(c: Client, argv: Buffer[]): void {
  const ea = lookupRead(c, key(argv[1]));
  const eb = lookupRead(c, key(argv[2]));
  if ((ea !== undefined && !isString(ea.value)) || (eb !== undefined && !isString(eb.value))) {
    c.reply.error(ERR_LCS_TYPE);
    return;
  }
  const a = ea === undefined ? EMPTY : (ea.value as Buffer);
  const b = eb === undefined ? EMPTY : (eb.value as Buffer);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (is(opt, 'idx')) getIdx = true;
    else if (is(opt, 'len')) getLen = true;
    else if (is(opt, 'withmatchlen')) withMatchLen = true;
    else if (is(opt, 'minmatchlen') && j + 1 < argv.length) {
      const v = parseInt64(argv[++j]);
      if (v === null) {
        c.reply.error(E.notInt);
        return;
      }
      minMatchLen = v < 0 ? 0 : Number(v);
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  if (getIdx && getLen) {
    c.reply.error(ERR_LCS_IDX_LEN);
    return;
  }
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  if (cells * 4 > c.server.config.num('proto-max-bulk-len')) {
    c.reply.error(ERR_LCS_LIMIT);
    return;
  }
  let t: Uint32Array;
  try {
    t = new Uint32Array(cells);
  } catch {
    c.reply.error(ERR_LCS_ALLOC);
    return;
  }
  // t[i*w + j] = length of the LCS of a[0..i) and b[0..j); row and column 0 stay zero
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = Math.max(up, left);
      }
    }
  }
  const total = t[alen * w + blen];
  if (getLen) {
    c.reply.int(total);
    return;
  }
  // walk back from the end, collecting the LCS and its contiguous matching ranges
  const result = Buffer.allocUnsafe(total);
  const ranges: number[][] = [];
  let idx = total;
  let i = alen;
  let j = blen;
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
      else j--;
      if (aStart >= 0) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = -1;
    }
  }
  if (!getIdx) {
    c.reply.bulk(result);
    return;
  }
  c.reply.map(2);
  c.reply.bulkStr('matches');
  c.reply.array(ranges.length);
  for (const r of ranges) {
    c.reply.array(withMatchLen ? 3 : 2);
    c.reply.array(2);
    c.reply.int(r[0]);
    c.reply.int(r[1]);
    c.reply.array(2);
    c.reply.int(r[2]);
    c.reply.int(r[3]);
    if (withMatchLen) c.reply.int(r[4]);
  }
  c.reply.bulkStr('len');
  c.reply.int(total);
}

export const stringCommands: CommandDef[] = [
  {
    name: 'get',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: get,
  },
  {
    name: 'set',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@string',
    handler: set,
  },
  {
    name: 'setnx',
    borrowsArgs: true,
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: setnx,
  },
  {
    name: 'setex',
    borrowsArgs: true,
    arity: 4,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@string',
    handler: setex,
  },
  {
    name: 'psetex',
    borrowsArgs: true,
    arity: 4,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@string',
    handler: psetex,
  },
  {
    name: 'getset',
    borrowsArgs: true,
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: getset,
  },
  {
    name: 'getdel',
    borrowsArgs: true,
    arity: 2,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: getdel,
  },
  {
    name: 'getex',
    borrowsArgs: true,
    arity: -2,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: getex,
  },
  {
    name: 'mget',
    borrowsArgs: true,
    arity: -2,
    flags: 'readonly fast',
    keys: [1, -1, 1],
    acl: '@string',
    tips: 'request_policy:multi_shard',
    handler: mget,
  },
  {
    name: 'mset',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom',
    keys: [1, -1, 2],
    acl: '@string',
    tips: 'request_policy:multi_shard response_policy:all_succeeded',
    handler: mset,
  },
  {
    name: 'msetnx',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom',
    keys: [1, -1, 2],
    acl: '@string',
    tips: 'request_policy:multi_shard response_policy:agg_min',
    handler: msetnx,
  },
  {
    name: 'append',
    borrowsArgs: true,
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: append,
  },
  {
    name: 'strlen',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: strlen,
  },
  {
    name: 'incr',
    borrowsArgs: true,
    arity: 2,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: incr,
  },
  {
    name: 'decr',
    borrowsArgs: true,
    arity: 2,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: decr,
  },
  {
    name: 'incrby',
    borrowsArgs: true,
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: incrby,
  },
  {
    name: 'decrby',
    borrowsArgs: true,
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: decrby,
  },
  {
    name: 'incrbyfloat',
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@string',
    handler: incrbyfloat,
  },
  {
    name: 'getrange',
    borrowsArgs: true,
    arity: 4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@string',
    handler: getrange,
  },
  {
    name: 'substr',
    borrowsArgs: true,
    arity: 4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@string',
    handler: getrange,
  },
  {
    name: 'setrange',
    borrowsArgs: true,
    arity: 4,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@string',
    handler: setrange,
  },
  { name: 'lcs', arity: -3, flags: 'readonly', keys: [1, 2, 1], acl: '@string', handler: lcs },
];
