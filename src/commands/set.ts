// Set commands, Redis 7.0 semantics. Members are latin1 strings in the store (store/set.ts).
//
// Reply shapes worth knowing: SMEMBERS, SINTER/SUNION/SDIFF and SPOP with a count reply with
// a RESP3 set; SRANDMEMBER with a count replies with an array; SPOP with a count on a missing
// key is an empty set, SRANDMEMBER's an empty array.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { propagateAs } from '../server/dispatch';
import { SetValue } from '../store/set';
import { is, key, parseInt64, str } from './args';
import { randCountArg, rangeLongArg, replyEmptyScan, replyScan, replyTooLarge, scanOptions } from './hash';
import { parseCursor } from './keys';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import type { CommandDef } from './types';

const LONG_MAX = 9223372036854775807n;
const ERR_POSITIVE = 'ERR value is out of range, must be positive';

function maxIntset(c: Client): number {
  return c.server.config.num('set-max-intset-entries');
}

/** A set for reading (hit/miss stats); null after writing WRONGTYPE. */
function readSet(c: Client, k: string): SetValue | undefined | null {
  const e = lookupRead(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof SetValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** A set for writing (no stats); null after writing WRONGTYPE. */
function writeSet(c: Client, k: string): SetValue | undefined | null {
  const e = lookupWrite(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof SetValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** After members were removed from `s` at `k`: delete the key when empty, else signal it. */
function membersRemoved(c: Client, k: string, s: SetValue, n: number): boolean {
  if (s.size === 0) {
    c.db.delete(k);
    c.server.dirty += n;
    return true;
  }
  modified(c, k);
  c.server.dirty += n - 1;
  return false;
}

function replyMembers(c: Client, members: Iterable<string>, n: number, asSet: boolean): void {
  const r = c.reply;
  if (asSet) r.set(n);
  else r.array(n);
  for (const m of members) r.bulkStr(m);
}

// ---- single-set commands ----

// SADD key member [member ...]
function sadd(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const found = writeSet(c, k);
  if (found === null) return;
  const s = found ?? SetValue.for(str(argv[2]));
  const max = maxIntset(c);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(str(argv[i]), max)) added++;
  if (found === undefined) setKey(c, k, s);
  else if (added > 0) modified(c, k);
  c.reply.int(added);
  if (added > 0) {
    c.server.dirty += added - 1;
    notify(c, 's', 'sadd', k);
  }
}

// SREM key member [member ...]
function srem(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const s = writeSet(c, k);
  if (s === null) return;
  if (s === undefined) {
    c.reply.int(0);
    return;
  }
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (s.delete(str(argv[i]))) {
      deleted++;
      if (s.size === 0) break;
    }
  }
  if (deleted > 0) {
    const removed = membersRemoved(c, k, s, deleted);
    notify(c, 's', 'srem', k);
    if (removed) notify(c, 'g', 'del', k);
  }
  c.reply.int(deleted);
}

// SMOVE source destination member
function smove(c: Client, argv: Buffer[]): void {
  const src = key(argv[1]);
  const dst = key(argv[2]);
  const se = lookupWrite(c, src);
  const de = lookupWrite(c, dst);
  if (se === undefined) {
    c.reply.int(0);
    return;
  }
  if (!(se.value instanceof SetValue) || (de !== undefined && !(de.value instanceof SetValue))) {
    c.reply.error(E.wrongType);
    return;
  }
  const s = se.value;
  const m = str(argv[3]);
  if (se === de) {
    c.reply.int(s.has(m) ? 1 : 0);
    return;
  }
  if (!s.delete(m)) {
    c.reply.int(0);
    return;
  }
  notify(c, 's', 'srem', src);
  if (s.size === 0) {
    c.db.delete(src);
    notify(c, 'g', 'del', src);
  } else {
    c.db.modified(src);
  }
  c.server.dirty++;
  let d = de?.value as SetValue | undefined;
  if (d === undefined) {
    d = SetValue.for(m);
    d.add(m, maxIntset(c));
    setKey(c, dst, d);
    notify(c, 's', 'sadd', dst);
  } else if (d.add(m, maxIntset(c))) {
    modified(c, dst);
    notify(c, 's', 'sadd', dst);
  }
  c.reply.int(1);
}

// SISMEMBER key member
function sismember(c: Client, argv: Buffer[]): void {
  const s = readSet(c, key(argv[1]));
  if (s === null) return;
  c.reply.int(s?.has(str(argv[2])) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
function smismember(c: Client, argv: Buffer[]): void {
  const s = readSet(c, key(argv[1]));
  if (s === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.int(s?.has(str(argv[i])) ? 1 : 0);
}

// SCARD key
function scard(c: Client, argv: Buffer[]): void {
  const s = readSet(c, key(argv[1]));
  if (s === null) return;
  c.reply.int(s === undefined ? 0 : s.size);
}

// SMEMBERS key
function smembers(c: Client, argv: Buffer[]): void {
  const s = readSet(c, key(argv[1]));
  if (s === null) return;
  if (s === undefined) c.reply.set(0);
  else replyMembers(c, s.members(), s.size, true);
}

/** Bytes per member in a reply, estimated for the size guard. */
function itemBytes(s: SetValue): number {
  return s.payloadBytes / s.size + 16;
}

// SPOP key [count]
function spop(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    c.reply.error(E.syntax);
    return;
  }
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  const k = key(argv[1]);
  const s = writeSet(c, k);
  if (s === null) return;
  if (s === undefined) {
    c.reply.nullBulk();
    return;
  }
  const m = s.random();
  s.delete(m);
  propagateAs([[Buffer.from('SREM'), argv[1], Buffer.from(m, 'latin1')]]);
  notify(c, 's', 'spop', k);
  c.reply.bulkStr(m);
  if (membersRemoved(c, k, s, 1)) notify(c, 'g', 'del', k);
}

function spopWithCount(c: Client, argv: Buffer[]): void {
  const l = rangeLongArg(c, argv[2], 0n, LONG_MAX, ERR_POSITIVE);
  if (l === null) return;
  const k = key(argv[1]);
  const s = writeSet(c, k);
  if (s === null) return;
  if (s === undefined || l === 0n) {
    c.reply.set(0);
    return;
  }
  notify(c, 's', 'spop', k);
  const size = s.size;
  if (l >= BigInt(size)) {
    replyMembers(c, s.members(), size, true);
    c.db.delete(k);
    c.server.dirty += size;
    propagateAs([[Buffer.from('DEL'), argv[1]]]);
    notify(c, 'g', 'del', k);
    return;
  }
  const picked = s.map.sample(Number(l));
  c.reply.set(picked.length);
  const srem = [Buffer.from('SREM'), argv[1]];
  for (const n of picked) {
    c.reply.bulkStr(n.key);
    s.delete(n.key);
    srem.push(Buffer.from(n.key, 'latin1'));
  }
  propagateAs([srem]);
  membersRemoved(c, k, s, picked.length);
}

// SRANDMEMBER key [count]
function srandmember(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    c.reply.error(E.syntax);
    return;
  }
  if (argv.length === 2) {
    const s = readSet(c, key(argv[1]));
    if (s === null) return;
    if (s === undefined) c.reply.nullBulk();
    else c.reply.bulkStr(s.random());
    return;
  }
  const l = randCountArg(c, argv[2]);
  if (l === null) return;
  const s = readSet(c, key(argv[1]));
  if (s === null) return;
  if (s === undefined || l === 0n) {
    c.reply.array(0);
    return;
  }
  const r = c.reply;
  if (l < 0n || l === 1n) {
    // with repetitions: every pick samples the whole set
    const count = Number(l < 0n ? -l : l);
    if (replyTooLarge(c, count, itemBytes(s))) return;
    r.array(count);
    for (let i = 0; i < count; i++) r.bulkStr(s.random());
    return;
  }
  if (l >= BigInt(s.size)) {
    replyMembers(c, s.members(), s.size, false);
    return;
  }
  const picked = s.map.sample(Number(l));
  r.array(picked.length);
  for (const n of picked) r.bulkStr(n.key);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
function sscan(c: Client, argv: Buffer[]): void {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) {
    c.reply.error('ERR invalid cursor');
    return;
  }
  const s = readSet(c, key(argv[1]));
  if (s === null) return;
  if (s === undefined) {
    replyEmptyScan(c);
    return;
  }
  const o = scanOptions(c, argv, 3);
  if (o === null) return;
  replyScan(c, s.map, s.intset ? s.members() : null, cursor, o, null);
}

// ---- multi-set operations ----

/** The sets at `keys` (undefined for a missing key); null after WRONGTYPE. */
function loadSets(c: Client, keys: string[]): (SetValue | undefined)[] | null {
  const out: (SetValue | undefined)[] = [];
  for (const k of keys) {
    const s = readSet(c, k);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** STORE variants: stores `result` at `dst` (or deletes `dst` when empty) and replies its size. */
function storeResult(c: Client, dst: string, result: SetValue, event: string): void {
  if (result.size > 0) {
    setKey(c, dst, result);
    c.reply.int(result.size);
    notify(c, 's', event, dst);
    return;
  }
  c.reply.int(0);
  if (c.db.delete(dst)) {
    c.server.dirty++;
    notify(c, 'g', 'del', dst);
  }
}

function interGeneric(c: Client, keys: string[], dst: string | null, cardOnly: boolean, limit: number): void {
  const loaded = loadSets(c, keys);
  if (loaded === null) return;
  if (loaded.some((s) => s === undefined)) {
    // an intersection with an empty set is empty
    if (dst !== null) storeResult(c, dst, new SetValue(), 'sinterstore');
    else if (cardOnly) c.reply.int(0);
    else c.reply.set(0);
    return;
  }
  // smallest first (stable sort): fewer membership checks, and its order is the reply order
  const sets = (loaded as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0];
  const out: string[] = [];
  let card = 0;
  for (const m of first.members()) {
    let j = 1;
    for (; j < sets.length; j++) if (sets[j] !== first && !sets[j].has(m)) break;
    if (j < sets.length) continue;
    card++;
    if (cardOnly) {
      if (limit > 0 && card >= limit) break;
    } else {
      out.push(m);
    }
  }
  if (cardOnly) {
    c.reply.int(card);
  } else if (dst !== null) {
    const result = new SetValue();
    const max = maxIntset(c);
    for (const m of out) result.add(m, max);
    storeResult(c, dst, result, 'sinterstore');
  } else {
    replyMembers(c, out, out.length, true);
  }
}

const UNION = 0;
const DIFF = 1;

function unionDiffGeneric(c: Client, keys: string[], dst: string | null, op: number): void {
  const sets = loadSets(c, keys);
  if (sets === null) return;
  // the temporary set starts as an intset, as in Redis, so the result's encoding (and for an
  // intset the reply order) is the one Redis would give
  const result = new SetValue();
  const max = maxIntset(c);
  if (op === UNION) {
    for (const s of sets) if (s !== undefined) for (const m of s.map.keys()) result.add(m, max);
  } else {
    const first = sets[0];
    const others = sets.slice(1).filter((s): s is SetValue => s !== undefined);
    // a key repeated as a subtrahend empties the result
    if (first !== undefined && !others.includes(first)) {
      for (const m of first.map.keys()) {
        let j = 0;
        while (j < others.length && !others[j].has(m)) j++;
        if (j === others.length) result.add(m, max);
      }
    }
  }
  if (dst !== null) storeResult(c, dst, result, op === UNION ? 'sunionstore' : 'sdiffstore');
  else replyMembers(c, result.members(), result.size, true);
}

function keysFrom(argv: Buffer[], from: number, to = argv.length): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(key(argv[i]));
  return out;
}

// SINTER key [key ...]
function sinter(c: Client, argv: Buffer[]): void {
  interGeneric(c, keysFrom(argv, 1), null, false, 0);
}

// SINTERSTORE destination key [key ...]
function sinterstore(c: Client, argv: Buffer[]): void {
  interGeneric(c, keysFrom(argv, 2), key(argv[1]), false, 0);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
function sintercard(c: Client, argv: Buffer[]): void {
  const nk = rangeLongArg(c, argv[1], 1n, LONG_MAX, 'ERR numkeys should be greater than 0');
  if (nk === null) return;
  if (nk > BigInt(argv.length - 2)) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'limit') && more > 0) {
      j++;
      const l = rangeLongArg(c, argv[j], 0n, LONG_MAX, "ERR LIMIT can't be negative");
      if (l === null) return;
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(l);
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  interGeneric(c, keysFrom(argv, 2, 2 + numkeys), null, true, limit);
}

// SUNION key [key ...]
function sunion(c: Client, argv: Buffer[]): void {
  unionDiffGeneric(c, keysFrom(argv, 1), null, UNION);
}

// SUNIONSTORE destination key [key ...]
function sunionstore(c: Client, argv: Buffer[]): void {
  unionDiffGeneric(c, keysFrom(argv, 2), key(argv[1]), UNION);
}

// SDIFF key [key ...]
function sdiff(c: Client, argv: Buffer[]): void {
  unionDiffGeneric(c, keysFrom(argv, 1), null, DIFF);
}

// SDIFFSTORE destination key [key ...]
function sdiffstore(c: Client, argv: Buffer[]): void {
  unionDiffGeneric(c, keysFrom(argv, 2), key(argv[1]), DIFF);
}

/** SINTERCARD's keys for COMMAND GETKEYS: numkeys at 1, then that many keys. */
function sintercardKeys(argv: Buffer[]): number[] {
  const n = argv.length > 1 ? parseInt64(argv[1]) : null;
  if (typeof n !== 'number' || n < 1 || 1 + n > argv.length - 1) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(2 + i);
  return out;
}

const ORDER = 'nondeterministic_output_order';
const RANDOM = 'nondeterministic_output';

export const setCommands: CommandDef[] = [
  {
    name: 'sadd',
    borrowsArgs: true,
    arity: -3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@set',
    handler: sadd,
  },
  {
    name: 'srem',
    borrowsArgs: true,
    arity: -3,
    flags: 'write fast',
    keys: [1, 1, 1],
    acl: '@set',
    handler: srem,
  },
  { name: 'smove', arity: 4, flags: 'write fast', keys: [1, 2, 1], acl: '@set', handler: smove },
  {
    name: 'sismember',
    borrowsArgs: true,
    arity: 3,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@set',
    handler: sismember,
  },
  {
    name: 'smismember',
    arity: -3,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@set',
    handler: smismember,
  },
  {
    name: 'scard',
    borrowsArgs: true,
    arity: 2,
    flags: 'readonly fast',
    keys: [1, 1, 1],
    acl: '@set',
    handler: scard,
  },
  {
    name: 'smembers',
    arity: 2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@set',
    tips: ORDER,
    handler: smembers,
  },
  { name: 'spop', arity: -2, flags: 'write fast', keys: [1, 1, 1], acl: '@set', tips: RANDOM, handler: spop },
  {
    name: 'srandmember',
    arity: -2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@set',
    tips: RANDOM,
    handler: srandmember,
  },
  {
    name: 'sinter',
    arity: -2,
    flags: 'readonly',
    keys: [1, -1, 1],
    acl: '@set',
    tips: ORDER,
    handler: sinter,
  },
  {
    name: 'sintercard',
    arity: -3,
    flags: 'readonly',
    acl: '@set',
    getKeys: sintercardKeys,
    handler: sintercard,
  },
  {
    name: 'sinterstore',
    arity: -3,
    flags: 'write denyoom',
    keys: [1, -1, 1],
    acl: '@set',
    handler: sinterstore,
  },
  {
    name: 'sunion',
    arity: -2,
    flags: 'readonly',
    keys: [1, -1, 1],
    acl: '@set',
    tips: ORDER,
    handler: sunion,
  },
  {
    name: 'sunionstore',
    arity: -3,
    flags: 'write denyoom',
    keys: [1, -1, 1],
    acl: '@set',
    handler: sunionstore,
  },
  { name: 'sdiff', arity: -2, flags: 'readonly', keys: [1, -1, 1], acl: '@set', tips: ORDER, handler: sdiff },
  {
    name: 'sdiffstore',
    arity: -3,
    flags: 'write denyoom',
    keys: [1, -1, 1],
    acl: '@set',
    handler: sdiffstore,
  },
  { name: 'sscan', arity: -3, flags: 'readonly', keys: [1, 1, 1], acl: '@set', tips: RANDOM, handler: sscan },
];
