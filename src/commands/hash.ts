// Hash commands, Redis 7.0 semantics. Fields and values are latin1 strings in the store
// (store/hash.ts), so every byte survives unchanged.
//
// Also the pieces HSCAN shares with SSCAN (option parsing, reply) and the integer-argument
// readers with Redis's exact error texts, which set commands use too.

import { E } from '../protocol/errors';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../protocol/longdouble';
import type { Client } from '../server/client';
import { type CompiledGlob, compileGlob, matchCompiled } from '../store/glob';
import { type HashLimits, HashValue } from '../store/hash';
import type { ScanMap } from '../store/scanmap';
import { is, key, parseInt64, str } from './args';
import { parseCursor } from './keys';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import type { CommandDef } from './types';

const LONG_MAX = 9223372036854775807n;
const ERR_HASH_NOT_INT = 'ERR hash value is not an integer';
const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';
const ERR_INCR_NAN_INF = 'ERR value is NaN or Infinity';
const ERR_RESULT_NAN_INF = 'ERR increment would produce NaN or Infinity';
const ERR_OUT_OF_RANGE = 'ERR value is out of range';
/**
 * No Redis equivalent: Redis 7.0 tries to build any reply with repetitions (HRANDFIELD,
 * SRANDMEMBER with a negative count) and runs out of memory on a huge count. We refuse a
 * reply estimated larger than proto-max-bulk-len instead.
 */
export const ERR_REPLY_TOO_LARGE = 'ERR count is too large: the reply would exceed proto-max-bulk-len';

// ---- shared argument readers ----

/**
 * getRangeLongFromObjectOrReply: a C long within [min, max], else null after writing `msg`
 * (for both a non-integer and an out-of-range value) or Redis's default texts.
 */
export function rangeLongArg(c: Client, b: Buffer, min: bigint, max: bigint, msg?: string): bigint | null {
  const v = parseInt64(b);
  if (v === null) {
    c.reply.error(msg ?? E.notInt);
    return null;
  }
  const x = BigInt(v);
  if (x < min || x > max) {
    c.reply.error(msg ?? `ERR value is out of range, value must between ${min} and ${max}`);
    return null;
  }
  return x;
}

/** A count for the *RAND* commands: any long but LONG_MIN (so that -count is a long). */
export function randCountArg(c: Client, b: Buffer): bigint | null {
  return rangeLongArg(c, b, -LONG_MAX, LONG_MAX);
}

/**
 * True (after writing an error) when a reply of `count` items of about `perItem` bytes each
 * would exceed proto-max-bulk-len: see ERR_REPLY_TOO_LARGE.
 */
export function replyTooLarge(c: Client, count: number, perItem: number): boolean {
  if (count * perItem <= c.server.config.num('proto-max-bulk-len')) return false;
  c.reply.error(ERR_REPLY_TOO_LARGE);
  return true;
}

// ---- shared by HSCAN and SSCAN ----

export interface ScanOptions {
  count: number;
  /** null: no MATCH, or MATCH "*" (which Redis treats as no pattern, so it matches "" too) */
  glob: CompiledGlob | null;
}

/** MATCH / COUNT from argv[from...], as Redis's scanGenericCommand; null after an error. */
export function scanOptions(c: Client, argv: Buffer[], from: number): ScanOptions | null {
  let count = 10;
  let glob: CompiledGlob | null = null;
  for (let i = from; i < argv.length; i += 2) {
    const more = argv.length - i;
    if (is(argv[i], 'count') && more >= 2) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) {
        c.reply.error(E.notInt);
        return null;
      }
      if (n < 1) {
        c.reply.error(E.syntax);
        return null;
      }
      count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
    } else if (is(argv[i], 'match') && more >= 2) {
      const p = key(argv[i + 1]);
      glob = p === '*' ? null : compileGlob(p);
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return { count, glob };
}

/** The reply of a scan over a missing key. */
export function replyEmptyScan(c: Client): void {
  c.reply.array(2);
  c.reply.bulkStr('0');
  c.reply.array(0);
}

/**
 * One scan step over `map`: a small encoding (`whole`) returns everything with cursor 0, as
 * Redis does for listpacks and intsets; otherwise up to `count` nodes from `cursor`.
 * `withValues` adds each node's value after its key (HSCAN). Filtering by MATCH follows the
 * walk, so a step may return fewer elements than COUNT, or none, with a non-zero cursor.
 */
export function replyScan<V>(
  c: Client,
  map: ScanMap<V>,
  order: Iterable<string> | null,
  cursor: number,
  o: ScanOptions,
  value: ((v: V) => string) | null,
): void {
  const out: string[] = [];
  const g = o.glob;
  let next = 0;
  if (order !== null) {
    for (const k of order) {
      if (g !== null && !matchCompiled(g, k)) continue;
      out.push(k);
      if (value !== null) out.push(value(map.get(k) as V));
    }
  } else {
    next = map.scan(cursor, o.count, (n) => {
      if (g !== null && !matchCompiled(g, n.key)) return;
      out.push(n.key);
      if (value !== null) out.push(value(n.value));
    });
  }
  c.reply.array(2);
  c.reply.bulkStr(String(next));
  c.reply.bulkStrs(out);
}

// ---- lookups ----

function hashLimits(c: Client): HashLimits {
  const cfg = c.server.config;
  return { entries: cfg.num('hash-max-listpack-entries'), value: cfg.num('hash-max-listpack-value') };
}

/** A hash for reading (hit/miss stats); null after writing WRONGTYPE. */
function readHash(c: Client, k: string): HashValue | undefined | null {
  const e = lookupRead(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof HashValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** A hash for writing (no stats); null after writing WRONGTYPE. */
function writeHash(c: Client, k: string): HashValue | undefined | null {
  const e = lookupWrite(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof HashValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** Stores a field into `h` (a new hash when undefined, then the key is created) and signals it. */
function storeField(c: Client, k: string, h: HashValue | undefined, field: string, value: string): void {
  if (h === undefined) {
    h = new HashValue();
    h.set(field, value, hashLimits(c));
    setKey(c, k, h);
  } else {
    h.set(field, value, hashLimits(c));
    modified(c, k);
  }
}

// ---- setting ----

function hsetGeneric(c: Client, argv: Buffer[], name: string): void {
  if (argv.length % 2 === 1) {
    c.reply.error(E.wrongArgs(name));
    return;
  }
  const k = key(argv[1]);
  const found = writeHash(c, k);
  if (found === null) return;
  const h = found ?? new HashValue();
  const lim = hashLimits(c);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(str(argv[i]), str(argv[i + 1]), lim)) created++;
  if (found === undefined) setKey(c, k, h);
  else modified(c, k);
  c.server.dirty += (argv.length - 2) / 2 - 1;
  if (name === 'hset') c.reply.int(created);
  else c.reply.ok();
  notify(c, 'h', 'hset', k);
}

// HSET key field value [field value ...]
function hset(c: Client, argv: Buffer[]): void {
  hsetGeneric(c, argv, 'hset');
}

// HMSET key field value [field value ...]
function hmset(c: Client, argv: Buffer[]): void {
  hsetGeneric(c, argv, 'hmset');
}

// HSETNX key field value
function hsetnx(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const h = writeHash(c, k);
  if (h === null) return;
  const field = str(argv[2]);
  if (h?.has(field)) {
    c.reply.int(0);
    return;
  }
  storeField(c, k, h, field, str(argv[3]));
  c.reply.int(1);
  notify(c, 'h', 'hset', k);
}

// HDEL key field [field ...]
function hdel(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const h = writeHash(c, k);
  if (h === null) return;
  if (h === undefined) {
    c.reply.int(0);
    return;
  }
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(str(argv[i]))) {
      deleted++;
      if (h.size === 0) {
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    if (removed) {
      c.db.delete(k);
      c.server.dirty += deleted;
    } else {
      modified(c, k);
      c.server.dirty += deleted - 1;
    }
    notify(c, 'h', 'hdel', k);
    if (removed) notify(c, 'g', 'del', k);
  }
  c.reply.int(deleted);
}

// HINCRBY key field increment
function hincrby(c: Client, argv: Buffer[]): void {
  const incr = parseInt64(argv[3]);
  if (incr === null) {
    c.reply.error(E.notInt);
    return;
  }
  const k = key(argv[1]);
  const h = writeHash(c, k);
  if (h === null) return;
  const field = str(argv[2]);
  const cur = h?.get(field);
  let old: number | bigint = 0;
  if (cur !== undefined) {
    const v = cur.length > 20 ? null : parseInt64(Buffer.from(cur, 'latin1'));
    if (v === null) {
      c.reply.error(ERR_HASH_NOT_INT);
      return;
    }
    old = v;
  }
  let sum: number | bigint;
  if (typeof old === 'number' && typeof incr === 'number' && Number.isSafeInteger(old + incr)) {
    sum = old + incr;
  } else {
    const s = BigInt(old) + BigInt(incr);
    if (s > LONG_MAX || s < -LONG_MAX - 1n) {
      c.reply.error(E.overflow);
      return;
    }
    sum = s;
  }
  storeField(c, k, h, field, String(sum));
  notify(c, 'h', 'hincrby', k);
  c.reply.int(sum);
}

// HINCRBYFLOAT key field increment
function hincrbyfloat(c: Client, argv: Buffer[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) {
    c.reply.error(E.notFloat);
    return;
  }
  if (incr.inf) {
    c.reply.error(ERR_INCR_NAN_INF);
    return;
  }
  const k = key(argv[1]);
  const h = writeHash(c, k);
  if (h === null) return;
  const field = str(argv[2]);
  const cur = h?.get(field);
  let sum = incr;
  if (cur !== undefined) {
    const v = parseLongDouble(Buffer.from(cur, 'latin1'));
    if (v === null) {
      c.reply.error(ERR_HASH_NOT_FLOAT);
      return;
    }
    const r = addLongDouble(v, incr);
    if (r === null || r.inf) {
      c.reply.error(ERR_RESULT_NAN_INF);
      return;
    }
    sum = r;
  }
  const text = formatLongDoubleHuman(sum);
  storeField(c, k, h, field, text);
  notify(c, 'h', 'hincrbyfloat', k);
  c.reply.bulkStr(text);
}

// ---- reading ----

// HGET key field
function hget(c: Client, argv: Buffer[]): void {
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  const v = h?.get(str(argv[2]));
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulkStr(v);
}

// HMGET key field [field ...]
function hmget(c: Client, argv: Buffer[]): void {
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.get(str(argv[i]));
    if (v === undefined) c.reply.nullBulk();
    else c.reply.bulkStr(v);
  }
}

// HLEN key
function hlen(c: Client, argv: Buffer[]): void {
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  c.reply.int(h === undefined ? 0 : h.size);
}

// HSTRLEN key field
function hstrlen(c: Client, argv: Buffer[]): void {
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  c.reply.int(h?.get(str(argv[2]))?.length ?? 0);
}

// HEXISTS key field
function hexists(c: Client, argv: Buffer[]): void {
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  c.reply.int(h?.has(str(argv[2])) ? 1 : 0);
}

const KEYS = 1;
const VALS = 2;

function getallGeneric(c: Client, argv: Buffer[], what: number): void {
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  const n = h === undefined ? 0 : h.size;
  const r = c.reply;
  if (what === (KEYS | VALS)) r.map(n);
  else r.array(n);
  if (h === undefined) return;
  for (const node of h.map.nodes()) {
    if (what & KEYS) r.bulkStr(node.key);
    if (what & VALS) r.bulkStr(node.value);
  }
}

// HKEYS key
function hkeys(c: Client, argv: Buffer[]): void {
  getallGeneric(c, argv, KEYS);
}

// HVALS key
function hvals(c: Client, argv: Buffer[]): void {
  getallGeneric(c, argv, VALS);
}

// HGETALL key
function hgetall(c: Client, argv: Buffer[]): void {
  getallGeneric(c, argv, KEYS | VALS);
}

// HRANDFIELD key [count [WITHVALUES]]
function hrandfield(c: Client, argv: Buffer[]): void {
  if (argv.length < 3) {
    const h = readHash(c, key(argv[1]));
    if (h === null) return;
    if (h === undefined) c.reply.nullBulk();
    else c.reply.bulkStr(h.map.random().key);
    return;
  }
  const l = randCountArg(c, argv[2]);
  if (l === null) return;
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'withvalues'))) {
    c.reply.error(E.syntax);
    return;
  }
  const withValues = argv.length === 4;
  // count * 2 must fit in a long for the flat RESP2 reply
  if (withValues && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) {
    c.reply.error(ERR_OUT_OF_RANGE);
    return;
  }
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  if (h === undefined || l === 0n) {
    c.reply.array(0);
    return;
  }
  const r = c.reply;
  const pairs = withValues && r.proto === 3;
  const size = h.size;
  const reply = (field: string, value: string): void => {
    if (pairs) r.array(2);
    r.bulkStr(field);
    if (withValues) r.bulkStr(value);
  };
  if (l < 0n || l === 1n) {
    // with repetitions: every pick samples the whole hash
    const count = Number(l < 0n ? -l : l);
    const item = h.payloadBytes / size + (withValues ? 40 : 16);
    if (replyTooLarge(c, count, item)) return;
    r.array(withValues && !pairs ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const n = h.map.random();
      reply(n.key, n.value);
    }
    return;
  }
  const count = l >= BigInt(size) ? size : Number(l);
  r.array(withValues && !pairs ? count * 2 : count);
  if (count === size) {
    for (const n of h.map.nodes()) reply(n.key, n.value);
    return;
  }
  for (const n of h.map.sample(count)) reply(n.key, n.value);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
function hscan(c: Client, argv: Buffer[]): void {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) {
    c.reply.error('ERR invalid cursor');
    return;
  }
  const h = readHash(c, key(argv[1]));
  if (h === null) return;
  if (h === undefined) {
    replyEmptyScan(c);
    return;
  }
  const o = scanOptions(c, argv, 3);
  if (o === null) return;
  replyScan(c, h.map, h.listpack ? h.map.keys() : null, cursor, o, (v) => v);
}

const W = 'write denyoom fast';
const R = 'readonly fast';

export const hashCommands: CommandDef[] = [
  { name: 'hset', borrowsArgs: true, arity: -4, flags: W, keys: [1, 1, 1], acl: '@hash', handler: hset },
  { name: 'hsetnx', borrowsArgs: true, arity: 4, flags: W, keys: [1, 1, 1], acl: '@hash', handler: hsetnx },
  { name: 'hmset', borrowsArgs: true, arity: -4, flags: W, keys: [1, 1, 1], acl: '@hash', handler: hmset },
  { name: 'hget', borrowsArgs: true, arity: 3, flags: R, keys: [1, 1, 1], acl: '@hash', handler: hget },
  { name: 'hmget', borrowsArgs: true, arity: -3, flags: R, keys: [1, 1, 1], acl: '@hash', handler: hmget },
  {
    name: 'hdel',
    borrowsArgs: true,
    arity: -3,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@hash',
    handler: hdel,
  },
  { name: 'hlen', borrowsArgs: true, arity: 2, flags: R, keys: [1, 1, 1], acl: '@hash', handler: hlen },
  { name: 'hstrlen', arity: 3, flags: R, keys: [1, 1, 1], acl: '@hash', handler: hstrlen },
  { name: 'hexists', borrowsArgs: true, arity: 3, flags: R, keys: [1, 1, 1], acl: '@hash', handler: hexists },
  {
    name: 'hkeys',
    arity: 2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@hash',
    tips: 'nondeterministic_output_order',
    handler: hkeys,
  },
  {
    name: 'hvals',
    arity: 2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@hash',
    tips: 'nondeterministic_output_order',
    handler: hvals,
  },
  {
    name: 'hgetall',
    arity: 2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@hash',
    tips: 'nondeterministic_output_order',
    handler: hgetall,
  },
  { name: 'hincrby', borrowsArgs: true, arity: 4, flags: W, keys: [1, 1, 1], acl: '@hash', handler: hincrby },
  { name: 'hincrbyfloat', arity: 4, flags: W, keys: [1, 1, 1], acl: '@hash', handler: hincrbyfloat },
  {
    name: 'hrandfield',
    arity: -2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@hash',
    tips: 'nondeterministic_output',
    handler: hrandfield,
  },
  {
    name: 'hscan',
    arity: -3,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@hash',
    tips: 'nondeterministic_output',
    handler: hscan,
  },
];
