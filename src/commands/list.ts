// List commands, Redis 7.0 semantics, including the blocking pops (served through
// server/blocking.ts: a waiter is served directly with the pop when its key becomes ready).

import { E } from '../protocol/errors';
import { blockForKeys, canBlock, parseTimeout, propagate } from '../server/blocking';
import type { Client } from '../server/client';
import { propagateAs } from '../server/dispatch';
import { copyBytes } from '../store/bytes';
import { ListValue } from '../store/list';
import { is, key, parseInt64 } from './args';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import type { CommandDef } from './types';

const LONG_MIN = -9223372036854775808n;

type Where = 0 | 1;
const HEAD: Where = 0;
const TAIL: Where = 1;

/** A list for reading (hit/miss stats); null after writing WRONGTYPE. */
function readList(c: Client, k: string): ListValue | undefined | null {
  const e = lookupRead(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof ListValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** A list for writing (no stats); null after writing WRONGTYPE. */
function writeList(c: Client, k: string): ListValue | undefined | null {
  const e = lookupWrite(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof ListValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/**
 * A C `long` argument as getLongFromObjectOrReply: null after writing `msg`. Values beyond
 * 2^53 lose precision, which no list index or count can observe.
 */
function longArg(c: Client, b: Buffer, msg: string = E.notInt): number | null {
  const v = parseInt64(b);
  if (v === null) {
    c.reply.error(msg);
    return null;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

/** getPositiveLongFromObjectOrReply: `msg` for both a non-integer and a negative value. */
function positiveArg(c: Client, b: Buffer, msg: string): number | null {
  const v = longArg(c, b, msg);
  if (v === null) return null;
  if (v < 0) {
    c.reply.error(msg);
    return null;
  }
  return v;
}

/** LEFT | RIGHT; null after a syntax error. */
function whereArg(c: Client, b: Buffer): Where | null {
  if (is(b, 'left')) return HEAD;
  if (is(b, 'right')) return TAIL;
  c.reply.error(E.syntax);
  return null;
}

function pop(l: ListValue, where: Where): Buffer {
  return (where === HEAD ? l.popHead() : l.popTail()) as Buffer;
}

/** Pops up to `count` elements from one end, in pop order. */
function popMany(l: ListValue, where: Where, count: number): Buffer[] {
  const n = Math.min(count, l.length);
  const out: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = pop(l, where);
  return out;
}

/** After elements were popped: notification, delete when empty, WATCH and dirty. */
function elementsRemoved(c: Client, k: string, where: Where, l: ListValue, count: number): void {
  notify(c, 'l', where === HEAD ? 'lpop' : 'rpop', k);
  if (l.length === 0) {
    c.db.delete(k);
    c.server.dirty += count;
    notify(c, 'g', 'del', k);
  } else {
    modified(c, k);
    c.server.dirty += count - 1;
  }
}

/** Pushes onto `dst` (created when missing; the caller checked its type) and notifies. */
function pushTo(c: Client, dst: string, l: ListValue | undefined, v: Buffer, where: Where): void {
  if (l === undefined) {
    l = new ListValue();
    if (where === HEAD) l.pushHead(v);
    else l.pushTail(v);
    setKey(c, dst, l);
  } else {
    if (where === HEAD) l.pushHead(v);
    else l.pushTail(v);
    modified(c, dst);
  }
  notify(c, 'l', where === HEAD ? 'lpush' : 'rpush', dst);
}

const SIDE = ['left', 'right'];

// ---- push ----

function pushGeneric(c: Client, argv: Buffer[], where: Where, onlyExisting: boolean): void {
  const k = key(argv[1]);
  let l = writeList(c, k);
  if (l === null) return;
  const n = argv.length - 2;
  if (l === undefined) {
    if (onlyExisting) {
      c.reply.int(0);
      return;
    }
    l = new ListValue(n);
    for (let j = 2; j < argv.length; j++) {
      const v = copyBytes(argv[j]);
      if (where === HEAD) l.pushHead(v);
      else l.pushTail(v);
    }
    setKey(c, k, l);
  } else {
    for (let j = 2; j < argv.length; j++) {
      const v = copyBytes(argv[j]);
      if (where === HEAD) l.pushHead(v);
      else l.pushTail(v);
    }
    modified(c, k);
  }
  c.server.dirty += n - 1;
  c.reply.int(l.length);
  notify(c, 'l', where === HEAD ? 'lpush' : 'rpush', k);
}

// LPUSH key element [element ...]
function lpush(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, HEAD, false);
}

// RPUSH key element [element ...]
function rpush(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, TAIL, false);
}

// LPUSHX key element [element ...]
function lpushx(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, HEAD, true);
}

// RPUSHX key element [element ...]
function rpushx(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, TAIL, true);
}

// ---- pop ----

function popGeneric(c: Client, argv: Buffer[], where: Where, name: string): void {
  const hasCount = argv.length === 3;
  let count = 0;
  if (argv.length > 3) {
    c.reply.error(E.wrongArgs(name));
    return;
  }
  if (hasCount) {
    const v = positiveArg(c, argv[2], 'ERR value is out of range, must be positive');
    if (v === null) return;
    count = v;
  }
  const k = key(argv[1]);
  const l = writeList(c, k);
  if (l === null) return;
  if (l === undefined) {
    if (hasCount) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (hasCount && count === 0) {
    c.reply.array(0);
    return;
  }
  if (!hasCount) {
    c.reply.bulk(pop(l, where));
    elementsRemoved(c, k, where, l, 1);
    return;
  }
  const items = popMany(l, where, count);
  c.reply.bulks(items);
  elementsRemoved(c, k, where, l, items.length);
}

// LPOP key [count]
function lpop(c: Client, argv: Buffer[]): void {
  popGeneric(c, argv, HEAD, 'lpop');
}

// RPOP key [count]
function rpop(c: Client, argv: Buffer[]): void {
  popGeneric(c, argv, TAIL, 'rpop');
}

// ---- reading ----

// LLEN key
function llen(c: Client, argv: Buffer[]): void {
  const l = readList(c, key(argv[1]));
  if (l === null) return;
  c.reply.int(l === undefined ? 0 : l.length);
}

// LRANGE key start stop
function lrange(c: Client, argv: Buffer[]): void {
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const l = readList(c, key(argv[1]));
  if (l === null) return;
  if (l === undefined) {
    c.reply.array(0);
    return;
  }
  const len = l.length;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    c.reply.array(0);
    return;
  }
  if (end >= len) end = len - 1;
  const r = c.reply;
  r.array(end - start + 1);
  l.forRange(start, end, (b) => r.bulk(b));
}

// LINDEX key index
function lindex(c: Client, argv: Buffer[]): void {
  const l = readList(c, key(argv[1]));
  if (l === null) return;
  if (l === undefined) {
    c.reply.nullBulk();
    return;
  }
  let i = longArg(c, argv[2]);
  if (i === null) return;
  if (i < 0) i += l.length;
  const v = l.get(i);
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
function lpos(c: Client, argv: Buffer[]): void {
  const ele = argv[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  let anyRank = false;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    const more = j + 1 < argv.length;
    if (is(a, 'rank') && more) {
      const raw = parseInt64(argv[++j]);
      if (raw === null) {
        c.reply.error(E.notInt);
        return;
      }
      // LONG_MIN is told apart exactly: -LONG_MAX rounds to the same double
      anyRank = raw === LONG_MIN;
      const v = Number(raw);
      if (v === 0) {
        c.reply.error(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
        return;
      }
      rank = v;
    } else if (is(a, 'count') && more) {
      const v = positiveArg(c, argv[++j], "ERR COUNT can't be negative");
      if (v === null) return;
      count = v;
    } else if (is(a, 'maxlen') && more) {
      const v = positiveArg(c, argv[++j], "ERR MAXLEN can't be negative");
      if (v === null) return;
      maxlen = v;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  // A negative rank scans from the tail. Redis negates a C long: LONG_MIN stays negative, so
  // every match qualifies and COUNT never stops the scan; reproduced as `anyRank`.
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const l = readList(c, key(argv[1]));
  if (l === null) return;
  if (l === undefined) {
    if (count !== -1) c.reply.array(0);
    else c.reply.nullBulk();
    return;
  }
  const len = l.length;
  const scan = maxlen === 0 ? len : Math.min(len, maxlen);
  const found: number[] = [];
  let matches = 0;
  for (let i = 0; i < scan; i++) {
    const pos = fromTail ? len - 1 - i : i;
    const v = l.get(pos) as Buffer;
    if (v.length !== ele.length || !v.equals(ele)) continue;
    matches++;
    if (!anyRank && matches < rank) continue;
    found.push(pos);
    if (count === -1) break;
    if (!anyRank && count !== 0 && matches - rank + 1 >= count) break;
  }
  if (count === -1) {
    if (found.length === 0) c.reply.nullBulk();
    else c.reply.int(found[0]);
    return;
  }
  c.reply.array(found.length);
  for (const p of found) c.reply.int(p);
}

// ---- in-place changes ----

// LSET key index element
function lset(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const l = writeList(c, k);
  if (l === null) return;
  if (l === undefined) {
    c.reply.error(E.noKey);
    return;
  }
  let i = longArg(c, argv[2]);
  if (i === null) return;
  if (i < 0) i += l.length;
  if (i < 0 || i >= l.length) {
    c.reply.error(E.outOfRange);
    return;
  }
  l.set(i, copyBytes(argv[3]));
  c.reply.ok();
  modified(c, k);
  notify(c, 'l', 'lset', k);
}

// LINSERT key BEFORE | AFTER pivot element
function linsert(c: Client, argv: Buffer[]): void {
  let after: boolean;
  if (is(argv[2], 'after')) after = true;
  else if (is(argv[2], 'before')) after = false;
  else {
    c.reply.error(E.syntax);
    return;
  }
  const k = key(argv[1]);
  const l = writeList(c, k);
  if (l === null) return;
  if (l === undefined) {
    c.reply.int(0);
    return;
  }
  const i = l.indexOf(argv[3]);
  if (i < 0) {
    c.reply.int(-1);
    return;
  }
  l.insert(after ? i + 1 : i, copyBytes(argv[4]));
  modified(c, k);
  notify(c, 'l', 'linsert', k);
  c.reply.int(l.length);
}

// LREM key count element
function lrem(c: Client, argv: Buffer[]): void {
  const count = longArg(c, argv[2]);
  if (count === null) return;
  const k = key(argv[1]);
  const l = writeList(c, k);
  if (l === null) return;
  if (l === undefined) {
    c.reply.int(0);
    return;
  }
  const removed = l.remove(argv[3], count);
  if (removed > 0) {
    modified(c, k);
    notify(c, 'l', 'lrem', k);
  }
  if (l.length === 0) {
    c.db.delete(k);
    notify(c, 'g', 'del', k);
  }
  c.reply.int(removed);
}

// LTRIM key start stop
function ltrim(c: Client, argv: Buffer[]): void {
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const k = key(argv[1]);
  const l = writeList(c, k);
  if (l === null) return;
  if (l === undefined) {
    c.reply.ok();
    return;
  }
  const len = l.length;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  let ltrimN: number;
  let rtrimN: number;
  if (start > end || start >= len) {
    ltrimN = len;
    rtrimN = 0;
  } else {
    if (end >= len) end = len - 1;
    ltrimN = start;
    rtrimN = len - end - 1;
  }
  l.trim(ltrimN, rtrimN);
  notify(c, 'l', 'ltrim', k);
  if (l.length === 0) {
    c.db.delete(k);
    notify(c, 'g', 'del', k);
  } else {
    modified(c, k);
  }
  c.server.dirty += ltrimN + rtrimN;
  c.reply.ok();
}

// ---- moving ----

/**
 * LMOVE's core once `src` is known to be a non-empty list: checks the destination type,
 * moves one element and replies with it. Returns false after writing WRONGTYPE.
 */
function moveElement(
  c: Client,
  srcKey: string,
  src: ListValue,
  dstKey: string,
  from: Where,
  to: Where,
): boolean {
  const dst = writeList(c, dstKey);
  if (dst === null) return false;
  const v = pop(src, from);
  pushTo(c, dstKey, dst, v, to);
  c.reply.bulk(v);
  notify(c, 'l', from === HEAD ? 'lpop' : 'rpop', srcKey);
  if (src.length === 0) {
    c.db.delete(srcKey);
    notify(c, 'g', 'del', srcKey);
  }
  modified(c, srcKey);
  return true;
}

function lmoveGeneric(c: Client, srcKey: string, dstKey: string, from: Where, to: Where): void {
  const src = writeList(c, srcKey);
  if (src === null) return;
  if (src === undefined) {
    c.reply.nullBulk();
    return;
  }
  moveElement(c, srcKey, src, dstKey, from, to);
}

// LMOVE source destination LEFT | RIGHT LEFT | RIGHT
function lmove(c: Client, argv: Buffer[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  lmoveGeneric(c, key(argv[1]), key(argv[2]), from, to);
}

// RPOPLPUSH source destination
function rpoplpush(c: Client, argv: Buffer[]): void {
  lmoveGeneric(c, key(argv[1]), key(argv[2]), TAIL, HEAD);
}

// ---- multi-key pops ----

/** Pops up to `count` from `k` and replies [key, [elements]] (LMPOP/BLMPOP). */
function popRangeWithKey(c: Client, k: string, l: ListValue, where: Where, count: number): void {
  const items = popMany(l, where, count);
  c.reply.array(2);
  c.reply.bulkStr(k);
  c.reply.bulks(items);
  elementsRemoved(c, k, where, l, items.length);
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** Parses numkeys, the keys, LEFT|RIGHT and [COUNT count] as Redis's lmpopGenericCommand. */
function parseMpop(c: Client, argv: Buffer[], numkeysIdx: number): MpopArgs | null {
  const numkeys = longArg(c, argv[numkeysIdx], 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  if (numkeys < 1) {
    c.reply.error('ERR numkeys should be greater than 0');
    return null;
  }
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.reply.error(E.syntax);
    return null;
  }
  const where = whereArg(c, argv[whereIdx]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], 'count') && j + 1 < argv.length) {
      const v = longArg(c, argv[++j], 'ERR count should be greater than 0');
      if (v === null) return null;
      if (v < 1) {
        c.reply.error('ERR count should be greater than 0');
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

// LMPOP numkeys key [key ...] LEFT | RIGHT [COUNT count]
function lmpop(c: Client, argv: Buffer[]): void {
  const a = parseMpop(c, argv, 1);
  if (a === null) return;
  for (const k of a.keys) {
    const l = writeList(c, k);
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    const n = Math.min(a.count, l.length);
    popRangeWithKey(c, k, l, a.where, a.count);
    propagateAs([popRecord(k, a.where, a.count, n)]);
    return;
  }
  c.reply.nullArray();
}

/** Key positions of LMPOP (numkeys at 1) and BLMPOP (numkeys at 2). */
function mpopKeys(numkeysIdx: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const n = numkeysIdx < argv.length ? parseInt64(argv[numkeysIdx]) : null;
    if (typeof n !== 'number' || n < 1 || numkeysIdx + n >= argv.length) return [];
    const out: number[] = [];
    for (let i = 1; i <= n; i++) out.push(numkeysIdx + i);
    return out;
  };
}

// ---- blocking ----

/**
 * The pop of BLPOP/BRPOP (count -1: reply [key, element]) and BLMPOP (reply [key, [elements]]).
 * Returns how many elements were popped: 0 (keep waiting) when the key is no list or empty.
 */
function servePop(c: Client, k: string, where: Where, count: number): number {
  const e = lookupWrite(c, k);
  if (e === undefined || !(e.value instanceof ListValue) || e.value.length === 0) return 0;
  const l = e.value;
  if (count !== -1) {
    const n = Math.min(count, l.length);
    popRangeWithKey(c, k, l, where, count);
    return n;
  }
  const v = pop(l, where);
  c.reply.array(2);
  c.reply.bulkStr(k);
  c.reply.bulk(v);
  elementsRemoved(c, k, where, l, 1);
  return 1;
}

/** The LPOP/RPOP [count] a pop of `n` elements is written as (count -1: BLPOP's single pop). */
function popRecord(k: string, where: Where, count: number, n: number): Buffer[] {
  const argv = [Buffer.from(where === HEAD ? 'LPOP' : 'RPOP'), Buffer.from(k, 'latin1')];
  if (count !== -1) argv.push(Buffer.from(String(n)));
  return argv;
}

/** A waiter's pop, reported for propagation as the equivalent LPOP/RPOP [count]. */
function serveBlockedPop(c: Client, k: string, where: Where, count: number): boolean {
  const n = servePop(c, k, where, count);
  if (n === 0) return false;
  propagate(c, popRecord(k, where, count, n));
  return true;
}

/** BLPOP/BRPOP (count -1) and BLMPOP: pop now if any key has elements, else block. */
function blockingPop(
  c: Client,
  argv: Buffer[],
  keys: string[],
  where: Where,
  timeoutIdx: number,
  count: number,
): void {
  const deadline = parseTimeout(c, argv[timeoutIdx]);
  if (deadline === null) return;
  for (const k of keys) {
    const l = writeList(c, k);
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    // written as the pop it was, which a replay can't block on (as Redis)
    propagateAs([popRecord(k, where, count, servePop(c, k, where, count))]);
    return;
  }
  if (!canBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockForKeys(c, keys, deadline, (k) => serveBlockedPop(c, k, where, count), undefined, argv);
}

// BLPOP key [key ...] timeout
function blpop(c: Client, argv: Buffer[]): void {
  blockingPop(c, argv, argv.slice(1, -1).map(key), HEAD, argv.length - 1, -1);
}

// BRPOP key [key ...] timeout
function brpop(c: Client, argv: Buffer[]): void {
  blockingPop(c, argv, argv.slice(1, -1).map(key), TAIL, argv.length - 1, -1);
}

// BLMPOP timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]
function blmpop(c: Client, argv: Buffer[]): void {
  const a = parseMpop(c, argv, 2);
  if (a === null) return;
  blockingPop(c, argv, a.keys, a.where, 1, a.count);
}

/** BLMOVE/BRPOPLPUSH once the source is ready: WRONGTYPE on the destination also unblocks. */
function serveMove(c: Client, srcKey: string, dstKey: string, from: Where, to: Where): boolean {
  const e = lookupWrite(c, srcKey);
  if (e === undefined || !(e.value instanceof ListValue) || e.value.length === 0) return false;
  if (moveElement(c, srcKey, e.value, dstKey, from, to)) {
    propagate(c, [
      Buffer.from('LMOVE'),
      Buffer.from(srcKey, 'latin1'),
      Buffer.from(dstKey, 'latin1'),
      Buffer.from(SIDE[from]),
      Buffer.from(SIDE[to]),
    ]);
  }
  return true;
}

function blmoveGeneric(c: Client, argv: Buffer[], from: Where, to: Where, deadline: number): void {
  const srcKey = key(argv[1]);
  const dstKey = key(argv[2]);
  const src = writeList(c, srcKey);
  if (src === null) return;
  if (src !== undefined) {
    if (moveElement(c, srcKey, src, dstKey, from, to)) {
      // as the non-blocking command (as Redis): BRPOPLPUSH → RPOPLPUSH, BLMOVE → LMOVE
      const rec = is(argv[0], 'brpoplpush')
        ? [Buffer.from('RPOPLPUSH'), argv[1], argv[2]]
        : [Buffer.from('LMOVE'), argv[1], argv[2], argv[3], argv[4]];
      propagateAs([rec]);
    }
    return;
  }
  if (!canBlock(c)) {
    c.reply.nullBulk();
    return;
  }
  blockForKeys(c, [srcKey], deadline, () => serveMove(c, srcKey, dstKey, from, to), undefined, argv);
}

// BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout
function blmove(c: Client, argv: Buffer[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  const deadline = parseTimeout(c, argv[5]);
  if (deadline === null) return;
  blmoveGeneric(c, argv, from, to, deadline);
}

// BRPOPLPUSH source destination timeout
function brpoplpush(c: Client, argv: Buffer[]): void {
  const deadline = parseTimeout(c, argv[3]);
  if (deadline === null) return;
  blmoveGeneric(c, argv, TAIL, HEAD, deadline);
}

export const listCommands: CommandDef[] = [
  {
    name: 'lpush',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: lpush,
  },
  {
    name: 'rpush',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: rpush,
  },
  {
    name: 'lpushx',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: lpushx,
  },
  {
    name: 'rpushx',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: rpushx,
  },
  {
    name: 'lpop',
    borrowsArgs: true,
    arity: -2,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: lpop,
  },
  {
    name: 'rpop',
    borrowsArgs: true,
    arity: -2,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: rpop,
  },
  {
    name: 'llen',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@list',
    handler: llen,
  },
  {
    name: 'lrange',
    borrowsArgs: true,
    arity: 4,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@list',
    handler: lrange,
  },
  {
    name: 'lindex',
    borrowsArgs: true,
    arity: 3,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@list',
    handler: lindex,
  },
  { name: 'lset', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], acl: '@list', handler: lset },
  { name: 'linsert', arity: 5, flags: 'write denyoom', keys: [1, 1, 1], acl: '@list', handler: linsert },
  { name: 'lrem', arity: 4, flags: 'write', keys: [1, 1, 1], acl: '@list', handler: lrem },
  { name: 'ltrim', arity: 4, flags: 'write', keys: [1, 1, 1], acl: '@list', handler: ltrim },
  { name: 'lpos', arity: -3, flags: 'readonly', keys: [1, 1, 1], acl: '@list', handler: lpos },
  { name: 'lmove', arity: 5, flags: 'write denyoom', keys: [1, 2, 1], acl: '@list', handler: lmove },
  { name: 'rpoplpush', arity: 3, flags: 'write denyoom', keys: [1, 2, 1], acl: '@list', handler: rpoplpush },
  { name: 'lmpop', arity: -4, flags: 'write', acl: '@list', getKeys: mpopKeys(1), handler: lmpop },
  {
    name: 'blpop',
    arity: -3,
    flags: 'write noscript blocking',
    keys: [1, -2, 1],
    acl: '@list',
    handler: blpop,
  },
  {
    name: 'brpop',
    arity: -3,
    flags: 'write noscript blocking',
    keys: [1, -2, 1],
    acl: '@list',
    handler: brpop,
  },
  {
    name: 'blmove',
    arity: 6,
    flags: 'write denyoom noscript blocking',
    keys: [1, 2, 1],
    acl: '@list',
    handler: blmove,
  },
  {
    name: 'brpoplpush',
    arity: 4,
    flags: 'write denyoom noscript blocking',
    keys: [1, 2, 1],
    acl: '@list',
    handler: brpoplpush,
  },
  { name: 'blmpop', arity: -5, flags: 'write blocking', acl: '@list', getKeys: mpopKeys(2), handler: blmpop },
];
