// Keyspace (generic) commands: database-wide operations, key lookup/iteration, renames,
// copies and expiry. Values are handled generically (Buffer or ValueLike), so every data
// type works with COPY/MOVE/RENAME/TYPE/OBJECT without this file knowing about it.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { type Db, type Entry, lfuDecayed, typeName, type Value, type ValueLike } from '../store/db';
import { compileGlob, matchCompiled } from '../store/glob';
import { INT64, is, key, parseBigInt64, parseInt64, str } from './args';
import { lookupRead, lookupWrite, notify } from './keyspace';
import { stringEncoding } from './string';
import type { CommandDef } from './types';

// ---------------------------------------------------------------------------------------------
// helpers

/** Lookup that counts hits/misses but leaves LRU/LFU alone (Redis's LOOKUP_NOTOUCH). */
function peek(c: Client, k: string): Entry | undefined {
  const e = c.db.get(k);
  if (e === undefined) c.server.stats.keyspaceMisses++;
  else c.server.stats.keyspaceHits++;
  return e;
}

/** Keyspace notification for a database other than the client's (MOVE, COPY ... DB). */
function notifyDb(c: Client, db: Db, event: string, k: string): void {
  const n = c.server.notifier;
  if (n !== null) n('g', event, k, db.id);
}

function isExpired(e: Entry, now: number): boolean {
  return e.expires !== 0 && e.expires <= now;
}

/**
 * A 32-bit signed integer argument, as getIntFromObjectOrReply: writes the error (`msg` for
 * both failures when given, else Redis's two distinct texts) and returns null when invalid.
 */
function int32Arg(c: Client, b: Buffer, msg?: string): number | null {
  const v = parseInt64(b);
  if (v === null) {
    c.reply.error(msg ?? E.notInt);
    return null;
  }
  if (typeof v !== 'number' || v > 2147483647 || v < -2147483648) {
    c.reply.error(msg ?? 'ERR value is out of range, value must between -2147483648 and 2147483647');
    return null;
  }
  return v;
}

/** The database with this index, or undefined. */
function dbAt(c: Client, id: number): Db | undefined {
  return id >= 0 ? c.server.dbs[id] : undefined;
}

/** A deep copy of a value (COPY): strings are duplicated, other types clone themselves. */
function cloneValue(v: Value): Value {
  return v instanceof Uint8Array ? Buffer.from(v) : (v as ValueLike).clone();
}

/** The stored expiry as a 64-bit integer (doubles above 2^53 are rounded; clamp to INT64_MAX). */
function expireOf(e: Entry): bigint {
  const x = BigInt(Math.trunc(e.expires));
  return x > INT64.MAX ? INT64.MAX : x;
}

/** Moves an entry's value (and expiry, access stats) to `k` in `dst`, removing it from `src`. */
function transfer(src: Db, e: Entry, dst: Db, k: string): void {
  const ne = dst.set(k, e.value, e.expires);
  // the same object moves: Redis keeps its LRU/LFU data
  ne.lru = e.lru;
  ne.lfu = e.lfu;
  src.remove(e);
  src.modified(e.key);
}

// ---------------------------------------------------------------------------------------------
// database-wide

/** Empties a database; returns the number of keys removed. */
function flushDb(c: Client, db: Db): number {
  const n = db.size;
  // Db.clear() tells WATCH and the other layers (Db.onCleared), like swapWith() for SWAPDB
  db.clear();
  c.server.dirty += n;
  return n;
}

/** FLUSHDB/FLUSHALL option: SYNC or ASYNC (both clear synchronously here). */
function flushOption(c: Client, argv: Buffer[]): boolean {
  if (argv.length > 2 || (argv.length === 2 && !is(argv[1], 'sync') && !is(argv[1], 'async'))) {
    c.reply.error(E.syntax);
    return false;
  }
  return true;
}

// FLUSHDB [ASYNC | SYNC]
function flushdb(c: Client, argv: Buffer[]): void {
  if (!flushOption(c, argv)) return;
  flushDb(c, c.db);
  c.reply.ok();
}

// FLUSHALL [ASYNC | SYNC]
function flushall(c: Client, argv: Buffer[]): void {
  if (!flushOption(c, argv)) return;
  for (const db of c.server.dbs) flushDb(c, db);
  // counted as a change even on an empty dataset, as Redis does (so it propagates)
  c.server.dirty++;
  c.reply.ok();
}

// DBSIZE
function dbsize(c: Client): void {
  // like Redis, keys that expired but were not reclaimed yet still count
  c.reply.int(c.db.size);
}

// SWAPDB index1 index2
function swapdb(c: Client, argv: Buffer[]): void {
  const id1 = int32Arg(c, argv[1], 'ERR invalid first DB index');
  if (id1 === null) return;
  const id2 = int32Arg(c, argv[2], 'ERR invalid second DB index');
  if (id2 === null) return;
  const a = dbAt(c, id1);
  const b = dbAt(c, id2);
  if (a === undefined || b === undefined) {
    c.reply.error(E.invalidDb);
    return;
  }
  if (a !== b) a.swapWith(b);
  c.server.dirty++;
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// iteration

// KEYS pattern
function keys(c: Client, argv: Buffer[]): void {
  const pattern = key(argv[1]);
  const db = c.db;
  const now = c.server.clock.now();
  const g = compileGlob(pattern);
  const out: string[] = [];
  if (g.literal !== null) {
    // no wildcard: a direct lookup (expired keys are skipped, not reclaimed, as Redis)
    const e = db.dict.get(pattern);
    if (e !== undefined && !isExpired(e, now)) out.push(e.key);
  } else {
    const all = pattern === '*';
    for (const e of db.dict.values()) {
      if ((all || matchCompiled(g, e.key)) && !isExpired(e, now)) out.push(e.key);
    }
  }
  c.reply.bulkStrs(out);
}

const SPACE = new Set([32, 9, 10, 11, 12, 13]);

/**
 * SCAN cursor as Redis parses it (strtoul): optional sign, decimal digits, no leading space,
 * nothing after; "" is 0; "-n" wraps modulo 2^64. Returns null when invalid.
 */
export function parseCursor(b: Buffer): number | null {
  if (b.length === 0) return 0;
  if (SPACE.has(b[0])) return null;
  const s = b.toString('latin1');
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const neg = s[0] === '-';
  let v = BigInt(s[0] === '+' || neg ? s.slice(1) : s);
  if (v > 0xffffffffffffffffn) return null;
  if (neg && v !== 0n) v = 0x10000000000000000n - v;
  // cursors we hand out are small sequence numbers; anything beyond just ends the scan
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
function scan(c: Client, argv: Buffer[]): void {
  const cursor = parseCursor(argv[1]);
  if (cursor === null) {
    c.reply.error('ERR invalid cursor');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  let type: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
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
    } else if (is(argv[i], 'type') && more >= 2) {
      type = str(argv[i + 1]).toLowerCase();
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const db = c.db;
  const found: Entry[] = [];
  const next = db.scan(cursor, count, (e) => found.push(e));
  // "*" disables matching, so it also returns the empty key (which "*" does not match)
  const g = pattern === null || pattern === '*' ? null : compileGlob(pattern);
  const out: string[] = [];
  // filtering happens after the walk: lazy expiry below deletes entries
  for (const e of found) {
    if (g !== null && !matchCompiled(g, e.key)) continue;
    if (db.get(e.key) !== e) continue; // expired now: reclaimed and skipped
    if (type !== null && typeName(e.value) !== type) continue;
    out.push(e.key);
  }
  c.reply.array(2);
  c.reply.bulkStr(String(next));
  c.reply.bulkStrs(out);
}

// RANDOMKEY
function randomkey(c: Client): void {
  const db = c.db;
  for (;;) {
    const e = db.randomEntry();
    if (e === undefined) {
      c.reply.nullBulk();
      return;
    }
    // an expired pick is reclaimed and another one drawn, so this terminates
    if (db.get(e.key) === undefined) continue;
    c.reply.bulkStr(e.key);
    return;
  }
}

// ---------------------------------------------------------------------------------------------
// existence, deletion, type

// EXISTS key [key ...]
function exists(c: Client, argv: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (peek(c, key(argv[i])) !== undefined) n++;
  c.reply.int(n);
}

// DEL key [key ...]  /  UNLINK key [key ...]  (UNLINK frees synchronously here)
function del(c: Client, argv: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const k = key(argv[i]);
    if (c.db.delete(k)) {
      notify(c, 'g', 'del', k);
      c.server.dirty++;
      n++;
    }
  }
  c.reply.int(n);
}

// TYPE key
function type(c: Client, argv: Buffer[]): void {
  const e = peek(c, key(argv[1]));
  c.reply.simple(e === undefined ? 'none' : typeName(e.value));
}

// TOUCH key [key ...]
function touch(c: Client, argv: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(c, key(argv[i])) !== undefined) n++;
  c.reply.int(n);
}

// ---------------------------------------------------------------------------------------------
// rename, move, copy

function renameGeneric(c: Client, argv: Buffer[], nx: boolean): void {
  const src = key(argv[1]);
  const dst = key(argv[2]);
  const db = c.db;
  const e = lookupWrite(c, src);
  if (e === undefined) {
    c.reply.error(E.noKey);
    return;
  }
  if (src === dst) {
    if (nx) c.reply.int(0);
    else c.reply.ok();
    return;
  }
  const d = lookupWrite(c, dst);
  if (d !== undefined) {
    if (nx) {
      c.reply.int(0);
      return;
    }
    db.remove(d);
  }
  transfer(db, e, db, dst);
  notify(c, 'g', 'rename_from', src);
  notify(c, 'g', 'rename_to', dst);
  c.server.dirty++;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

// RENAME key newkey
function rename(c: Client, argv: Buffer[]): void {
  renameGeneric(c, argv, false);
}

// RENAMENX key newkey
function renamenx(c: Client, argv: Buffer[]): void {
  renameGeneric(c, argv, true);
}

// MOVE key db
function move(c: Client, argv: Buffer[]): void {
  const id = int32Arg(c, argv[2]);
  if (id === null) return;
  const dst = dbAt(c, id);
  if (dst === undefined) {
    c.reply.error(E.invalidDb);
    return;
  }
  const src = c.db;
  if (dst === src) {
    c.reply.error(E.sameObject);
    return;
  }
  const k = key(argv[1]);
  const e = src.get(k);
  if (e === undefined || dst.get(k) !== undefined) {
    c.reply.int(0);
    return;
  }
  transfer(src, e, dst, k);
  notifyDb(c, src, 'move_from', k);
  notifyDb(c, dst, 'move_to', k);
  c.server.dirty++;
  c.reply.int(1);
}

// COPY source destination [DB destination-db] [REPLACE]
function copy(c: Client, argv: Buffer[]): void {
  const src = c.db;
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], 'replace')) {
      replace = true;
    } else if (is(argv[j], 'db') && j + 1 < argv.length) {
      const id = int32Arg(c, argv[j + 1]);
      if (id === null) return;
      const d = dbAt(c, id);
      if (d === undefined) {
        c.reply.error(E.invalidDb);
        return;
      }
      dst = d;
      j++;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const from = key(argv[1]);
  const to = key(argv[2]);
  if (src === dst && from === to) {
    c.reply.error(E.sameObject);
    return;
  }
  const e = lookupRead(c, from);
  if (e === undefined) {
    c.reply.int(0);
    return;
  }
  const existing = dst.get(to);
  if (existing !== undefined) {
    if (!replace) {
      c.reply.int(0);
      return;
    }
    dst.remove(existing);
  }
  dst.set(to, cloneValue(e.value), e.expires);
  notifyDb(c, dst, 'copy_to', to);
  c.server.dirty++;
  c.reply.int(1);
}

// ---------------------------------------------------------------------------------------------
// expiry

const EXP_NX = 1;
const EXP_XX = 2;
const EXP_GT = 4;
const EXP_LT = 8;

/**
 * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT. `basetime` is now for relative forms, 0 for
 * absolute ones. Arithmetic is on 64-bit integers so overflow is detected as Redis does.
 */
function expireGeneric(c: Client, argv: Buffer[], relative: boolean, seconds: boolean, name: string): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], 'nx')) flags |= EXP_NX;
    else if (is(argv[j], 'xx')) flags |= EXP_XX;
    else if (is(argv[j], 'gt')) flags |= EXP_GT;
    else if (is(argv[j], 'lt')) flags |= EXP_LT;
    else {
      c.reply.error(`ERR Unsupported option ${str(argv[j])}`);
      return;
    }
  }
  if (flags & EXP_NX && flags & (EXP_XX | EXP_GT | EXP_LT)) {
    c.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & EXP_GT && flags & EXP_LT) {
    c.reply.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  let when = parseBigInt64(argv[2]);
  if (when === null) {
    c.reply.error(E.notInt);
    return;
  }
  if (seconds) {
    if (when > INT64.MAX / 1000n || when < INT64.MIN / 1000n) {
      c.reply.error(E.invalidExpire(name));
      return;
    }
    when *= 1000n;
  }
  const now = c.server.clock.now();
  const base = relative ? BigInt(now) : 0n;
  if (when > INT64.MAX - base) {
    c.reply.error(E.invalidExpire(name));
    return;
  }
  when += base;
  const k = key(argv[1]);
  const e = lookupWrite(c, k);
  if (e === undefined) {
    c.reply.int(0);
    return;
  }
  if (flags !== 0) {
    const cur = e.expires === 0 ? -1n : expireOf(e);
    const rejected =
      (flags & EXP_NX && cur !== -1n) ||
      (flags & EXP_XX && cur === -1n) ||
      // no TTL counts as infinite: GT never succeeds on it, LT always does
      (flags & EXP_GT && (cur === -1n || when <= cur)) ||
      (flags & EXP_LT && cur !== -1n && when >= cur);
    if (rejected) {
      c.reply.int(0);
      return;
    }
  }
  if (when <= BigInt(now) && !c.server.replaying) {
    // a time in the past deletes the key (Redis propagates it as DEL); not while the AOF
    // replays, where later commands of the file may still find the key (as Redis's loading)
    c.db.delete(k);
    notify(c, 'g', 'del', k);
  } else {
    c.db.setExpire(e, Number(when));
    c.db.modified(k);
    notify(c, 'g', 'expire', k);
  }
  c.server.dirty++;
  c.reply.int(1);
}

// EXPIRE key seconds [NX | XX | GT | LT]
function expire(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, true, true, 'expire');
}

// PEXPIRE key milliseconds [NX | XX | GT | LT]
function pexpire(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, true, false, 'pexpire');
}

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
function expireat(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, false, true, 'expireat');
}

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
function pexpireat(c: Client, argv: Buffer[]): void {
  expireGeneric(c, argv, false, false, 'pexpireat');
}

/** TTL family: -2 no key, -1 no expiry; `abs` replies the absolute time instead. */
function ttlGeneric(c: Client, argv: Buffer[], ms: boolean, abs: boolean): void {
  const e = peek(c, key(argv[1]));
  if (e === undefined) {
    c.reply.int(-2);
    return;
  }
  if (e.expires === 0) {
    c.reply.int(-1);
    return;
  }
  let t = expireOf(e);
  if (!abs) t -= BigInt(c.server.clock.now());
  if (t < 0n) t = 0n;
  // seconds are rounded to the nearest, as Redis's (t+500)/1000
  c.reply.int(ms ? t : (t + 500n) / 1000n);
}

// TTL key
function ttl(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, false, false);
}

// PTTL key
function pttl(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, true, false);
}

// EXPIRETIME key
function expiretime(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, false, true);
}

// PEXPIRETIME key
function pexpiretime(c: Client, argv: Buffer[]): void {
  ttlGeneric(c, argv, true, true);
}

// PERSIST key
function persist(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const e = lookupWrite(c, k);
  if (e === undefined || e.expires === 0) {
    c.reply.int(0);
    return;
  }
  c.db.setExpire(e, 0);
  c.db.modified(k);
  notify(c, 'g', 'persist', k);
  c.server.dirty++;
  c.reply.int(1);
}

// ---------------------------------------------------------------------------------------------
// OBJECT

const OBJ_SHARED_INTEGERS = 10000;
const OBJ_SHARED_REFCOUNT = 2147483647;

/** OBJECT ENCODING of a string, approximated from its content (APPEND/SETRANGE give raw in Redis). */

function lfuPolicy(c: Client): boolean {
  return c.server.config.str('maxmemory-policy').endsWith('-lfu');
}

/** OBJECT subcommands look keys up without touching them; a missing key is a null reply. */
function objectLookup(c: Client, argv: Buffer[]): Entry | undefined {
  const e = peek(c, key(argv[2]));
  if (e === undefined) c.reply.nullBulk();
  return e;
}

// OBJECT ENCODING key
function objectEncoding(c: Client, argv: Buffer[]): void {
  const e = objectLookup(c, argv);
  if (e === undefined) return;
  const v = e.value;
  c.reply.bulkStr(v instanceof Uint8Array ? stringEncoding(v) : (v as ValueLike).encoding());
}

// OBJECT REFCOUNT key
function objectRefcount(c: Client, argv: Buffer[]): void {
  const e = objectLookup(c, argv);
  if (e === undefined) return;
  const v = e.value;
  let shared = false;
  if (v instanceof Uint8Array && v.length <= 20) {
    // small integers are shared objects in Redis unless an LRU/LFU policy needs per-key data
    const n = parseInt64(v);
    const policy = c.server.config.str('maxmemory-policy');
    const perKey = c.server.config.num('maxmemory') !== 0 && /-(lru|lfu)$/.test(policy);
    shared = typeof n === 'number' && n >= 0 && n < OBJ_SHARED_INTEGERS && !perKey;
  }
  c.reply.int(shared ? OBJ_SHARED_REFCOUNT : 1);
}

// OBJECT IDLETIME key
function objectIdletime(c: Client, argv: Buffer[]): void {
  const e = objectLookup(c, argv);
  if (e === undefined) return;
  if (lfuPolicy(c)) {
    c.reply.error(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    return;
  }
  // Redis's LRU clock ticks in seconds
  const now = c.server.clock.now();
  c.reply.int(Math.max(0, Math.floor(now / 1000) - Math.floor(e.lru / 1000)));
}

// OBJECT FREQ key
function objectFreq(c: Client, argv: Buffer[]): void {
  const e = objectLookup(c, argv);
  if (e === undefined) return;
  if (!lfuPolicy(c)) {
    c.reply.error(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    return;
  }
  // the counter decays with time since the last access, which lookups only apply when touching
  c.reply.int(lfuDecayed(e, c.server.clock.now()));
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

// OBJECT HELP
function objectHelp(c: Client): void {
  c.reply.array(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.reply.simple(line);
}

// ---------------------------------------------------------------------------------------------

const KEY1: [number, number, number] = [1, 1, 1];
const KEYS_ALL: [number, number, number] = [1, -1, 1];
const KEY12: [number, number, number] = [1, 2, 1];
const OBJ_KEY: [number, number, number] = [2, 2, 1];

export const keysCommands: CommandDef[] = [
  {
    name: 'dbsize',
    arity: 1,
    flags: 'readonly fast',
    acl: '@keyspace',
    tips: 'request_policy:all_shards response_policy:agg_sum',
    handler: dbsize,
  },
  {
    name: 'flushdb',
    arity: -1,
    flags: 'write',
    acl: '@keyspace @dangerous',
    tips: 'request_policy:all_shards response_policy:all_succeeded',
    handler: flushdb,
  },
  {
    name: 'flushall',
    arity: -1,
    flags: 'write',
    acl: '@keyspace @dangerous',
    tips: 'request_policy:all_shards response_policy:all_succeeded',
    handler: flushall,
  },
  { name: 'swapdb', arity: 3, flags: 'write fast', acl: '@keyspace @dangerous', handler: swapdb },
  {
    name: 'keys',
    arity: 2,
    flags: 'readonly',
    acl: '@keyspace @dangerous',
    tips: 'request_policy:all_shards nondeterministic_output_order',
    handler: keys,
  },
  {
    name: 'scan',
    arity: -2,
    flags: 'readonly',
    acl: '@keyspace',
    tips: 'nondeterministic_output request_policy:special',
    handler: scan,
  },
  {
    name: 'randomkey',
    arity: 1,
    flags: 'readonly',
    acl: '@keyspace',
    tips: 'request_policy:all_shards nondeterministic_output',
    handler: randomkey,
  },
  {
    name: 'exists',
    borrowsArgs: true,
    arity: -2,
    flags: 'readonly fast',
    keys: KEYS_ALL,
    acl: '@keyspace',
    tips: 'request_policy:multi_shard response_policy:agg_sum',
    handler: exists,
  },
  {
    name: 'del',
    borrowsArgs: true,
    arity: -2,
    flags: 'write',
    keys: KEYS_ALL,
    acl: '@keyspace',
    tips: 'request_policy:multi_shard response_policy:agg_sum',
    handler: del,
  },
  {
    name: 'unlink',
    borrowsArgs: true,
    arity: -2,
    flags: 'write fast',
    keys: KEYS_ALL,
    acl: '@keyspace',
    tips: 'request_policy:multi_shard response_policy:agg_sum',
    handler: del,
  },
  {
    name: 'type',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: KEY1,
    acl: '@keyspace',
    handler: type,
  },
  { name: 'rename', arity: 3, flags: 'write', keys: KEY12, acl: '@keyspace', handler: rename },
  { name: 'renamenx', arity: 3, flags: 'write fast', keys: KEY12, acl: '@keyspace', handler: renamenx },
  { name: 'move', arity: 3, flags: 'write fast', keys: KEY1, acl: '@keyspace', handler: move },
  { name: 'copy', arity: -3, flags: 'write denyoom', keys: KEY12, acl: '@keyspace', handler: copy },
  {
    name: 'expire',
    borrowsArgs: true,
    arity: -3,
    flags: 'write fast',
    keys: KEY1,
    acl: '@keyspace',
    handler: expire,
  },
  {
    name: 'pexpire',
    borrowsArgs: true,
    arity: -3,
    flags: 'write fast',
    keys: KEY1,
    acl: '@keyspace',
    handler: pexpire,
  },
  { name: 'expireat', arity: -3, flags: 'write fast', keys: KEY1, acl: '@keyspace', handler: expireat },
  { name: 'pexpireat', arity: -3, flags: 'write fast', keys: KEY1, acl: '@keyspace', handler: pexpireat },
  {
    name: 'ttl',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: KEY1,
    acl: '@keyspace',
    tips: 'nondeterministic_output',
    handler: ttl,
  },
  {
    name: 'pttl',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: KEY1,
    acl: '@keyspace',
    tips: 'nondeterministic_output',
    handler: pttl,
  },
  { name: 'expiretime', arity: 2, flags: 'readonly fast', keys: KEY1, acl: '@keyspace', handler: expiretime },
  {
    name: 'pexpiretime',
    arity: 2,
    flags: 'readonly fast',
    keys: KEY1,
    acl: '@keyspace',
    handler: pexpiretime,
  },
  {
    name: 'persist',
    borrowsArgs: true,
    arity: 2,
    flags: 'write fast',
    keys: KEY1,
    acl: '@keyspace',
    handler: persist,
  },
  {
    name: 'touch',
    borrowsArgs: true,
    arity: -2,
    flags: 'readonly fast',
    keys: KEYS_ALL,
    acl: '@keyspace',
    tips: 'request_policy:multi_shard response_policy:agg_sum',
    handler: touch,
  },
  {
    name: 'object',
    arity: -2,
    flags: '',
    subcommands: [
      {
        name: 'encoding',
        tips: 'nondeterministic_output',
        arity: 3,
        flags: 'readonly',
        keys: OBJ_KEY,
        acl: '@keyspace',
        handler: objectEncoding,
      },
      {
        name: 'freq',
        arity: 3,
        flags: 'readonly',
        keys: OBJ_KEY,
        acl: '@keyspace',
        tips: 'nondeterministic_output',
        handler: objectFreq,
      },
      {
        name: 'idletime',
        tips: 'nondeterministic_output',
        arity: 3,
        flags: 'readonly',
        keys: OBJ_KEY,
        acl: '@keyspace',
        handler: objectIdletime,
      },
      {
        name: 'refcount',
        tips: 'nondeterministic_output',
        arity: 3,
        flags: 'readonly',
        keys: OBJ_KEY,
        acl: '@keyspace',
        handler: objectRefcount,
      },
      { name: 'help', arity: 2, flags: 'loading stale', acl: '@keyspace', handler: objectHelp },
    ],
  },
];
