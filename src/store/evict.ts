// Key eviction under maxmemory, following Redis's algorithm (not its code):
// - Before a command runs, if used memory (store/memory.ts) exceeds maxmemory, keys are
//   evicted until it does not, within a time budget set by maxmemory-eviction-tenacity; the
//   rest continues on the next turns of the event loop.
// - LRU, LFU and TTL policies are approximated by sampling: each round samples
//   maxmemory-samples keys per database (all keys, or only keys with a TTL for volatile-*)
//   into a pool of the 16 best candidates kept across rounds, and evicts the best one still
//   alive. LRU scores by idle time (Entry.lru), LFU by the decayed logarithmic counter
//   (Entry.lfu), TTL by the nearest expiry.
// - Random policies pick a random key, visiting the databases in turn.
// - When nothing can be evicted (noeviction, or volatile-* without volatile keys) commands
//   flagged denyoom are refused with the OOM error; reads and deletions still work.

import { unwatchAll } from '../commands/tx';
import { type Command, Flag } from '../commands/types';
import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { addGate, type Gate } from '../server/dispatch';
import type { Server } from '../server/server';
import { type Db, type Entry, lfuConfig, lfuDecayed } from './db';
import { trackPeak, usedMemory } from './memory';

export enum EvictResult {
  /** under the limit (or no limit) */
  Ok = 0,
  /** over the limit, eviction continues in the background: commands may go on */
  Running = 1,
  /** over the limit and nothing can be evicted */
  Fail = 2,
}

type Policy =
  | 'noeviction'
  | 'allkeys-lru'
  | 'volatile-lru'
  | 'allkeys-lfu'
  | 'volatile-lfu'
  | 'allkeys-random'
  | 'volatile-random'
  | 'volatile-ttl';

const POOL_SIZE = 16;

interface Candidate {
  db: Db;
  e: Entry;
  /** higher = evict sooner */
  score: number;
}

/** Per-server eviction state; config values are cached here so the per-command gate is cheap. */
class EvictionState {
  maxmemory = 0;
  policy: Policy = 'noeviction';
  samples = 5;
  tenacity = 10;
  /** best candidates seen so far, ascending by score (best last) */
  pool: Candidate[] = [];
  /** round-robin database index for the random policies */
  nextDb = 0;
  /** rotating iterators over each database's TTL set, for volatile sampling */
  volatileIters = new WeakMap<Db, { set: Set<Entry>; it: Iterator<Entry> }>();
  /** background continuation of an eviction that ran out of time */
  pending: NodeJS.Immediate | null = null;
  rand: () => number = Math.random;
}

const states = new WeakMap<Server, EvictionState>();
/** Whether any server ever had maxmemory set: until then the gate returns at once. */
let anyLimit = false;

function stateOf(s: Server): EvictionState {
  let st = states.get(s);
  if (st === undefined) {
    st = new EvictionState();
    states.set(s, st);
    readConfig(s, st);
  }
  return st;
}

function readConfig(s: Server, st: EvictionState): void {
  st.maxmemory = s.config.num('maxmemory');
  if (st.maxmemory !== 0) {
    anyLimit = true;
    if (memoryGate !== null) memoryGate.on = true;
  }
  st.policy = s.config.str('maxmemory-policy') as Policy;
  st.samples = s.config.num('maxmemory-samples');
  st.tenacity = s.config.num('maxmemory-eviction-tenacity');
  lfuConfig.logFactor = s.config.num('lfu-log-factor');
  lfuConfig.decayTime = s.config.num('lfu-decay-time');
}

/**
 * Called by the apply hooks of maxmemory, maxmemory-policy, maxmemory-samples,
 * maxmemory-eviction-tenacity, lfu-log-factor, lfu-decay-time.
 */
export function memoryConfigChanged(s: Server, name: string): undefined {
  const st = stateOf(s);
  const oldPolicy = st.policy;
  readConfig(s, st);
  // scores of different policies are not comparable
  if (st.policy !== oldPolicy) st.pool = [];
  if (name === 'maxmemory' && st.maxmemory !== 0 && s.dbs.length > 0) {
    const used = usedMemory(s);
    if (used > st.maxmemory) {
      s.log.warning(
        'WARNING: the new maxmemory value set via CONFIG SET is smaller than the current memory usage. This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.',
      );
      performEvictions(s);
    }
  }
  return undefined;
}

/** Replaces the random source (tests). */
export function setEvictionRandom(s: Server, rand: () => number): void {
  stateOf(s).rand = rand;
}

/** Whether used memory is above maxmemory (for scripts deciding on denyoom calls). */
export function overMaxmemory(s: Server): boolean {
  const st = stateOf(s);
  return st.maxmemory !== 0 && usedMemory(s) > st.maxmemory;
}

/** Redis's evictionTimeLimitUs, in ms: 50µs per tenacity step up to 10, then +15% per step. */
function timeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * 1.15 ** (tenacity - 10)) / 1000;
  return Number.POSITIVE_INFINITY;
}

/** Evicts keys until used memory is under maxmemory, or the time budget runs out. */
export function performEvictions(s: Server): EvictResult {
  const st = stateOf(s);
  const max = st.maxmemory;
  if (max === 0) return EvictResult.Ok;
  let used = usedMemory(s);
  if (used <= max) return EvictResult.Ok;
  if (st.policy === 'noeviction') return EvictResult.Fail;
  const start = performance.now();
  const budget = timeLimitMs(st.tenacity);
  let evicted = 0;
  while (used > max) {
    const victim = selectVictim(s, st);
    if (victim === null) return EvictResult.Fail;
    evict(s, victim.db, victim.e);
    used = usedMemory(s);
    evicted++;
    // as Redis: look at the clock every 16 keys only
    if ((evicted & 15) === 0 && used > max && performance.now() - start > budget) {
      if (st.pending === null) {
        st.pending = setImmediate(() => {
          st.pending = null;
          performEvictions(s);
        });
      }
      return EvictResult.Running;
    }
  }
  return EvictResult.Ok;
}

function evict(s: Server, db: Db, e: Entry): void {
  const key = e.key;
  db.remove(e);
  // WATCH and client tracking see evictions as modifications, as in Redis
  db.modified(key);
  s.keyEvicted(db, key);
  const n = s.notifier;
  if (n !== null) n('e', 'evicted', key, db.id);
}

function isVolatile(p: Policy): boolean {
  return p.startsWith('volatile-');
}

function selectVictim(s: Server, st: EvictionState): Candidate | null {
  const dbs = s.dbs;
  const volatile = isVolatile(st.policy);
  if (st.policy === 'allkeys-random' || st.policy === 'volatile-random') {
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[st.nextDb++ % dbs.length];
      const e = volatile ? randomVolatile(st, db) : db.randomEntry(st.rand);
      if (e !== undefined) return { db, e, score: 0 };
    }
    return null;
  }
  // a few rounds at most: each round samples live keys, so the pool gets a live candidate
  for (let round = 0; round < 8; round++) {
    let keys = 0;
    const now = s.clock.now();
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[i];
      const size = volatile ? db.volatile.size : db.size;
      if (size === 0) continue;
      keys += size;
      populate(st, db, now, volatile);
    }
    if (keys === 0) return null;
    const pool = st.pool;
    while (pool.length > 0) {
      const c = pool.pop() as Candidate;
      // the key may have been deleted, replaced or (volatile-*) made persistent since
      if (c.db.dict.get(c.e.key) === c.e && (!volatile || c.e.expires !== 0)) return c;
    }
  }
  return null;
}

/** Samples keys of one database into the pool. */
function populate(st: EvictionState, db: Db, now: number, volatile: boolean): void {
  const n = Math.min(st.samples, volatile ? db.volatile.size : db.size);
  for (let i = 0; i < n; i++) {
    const e = volatile ? sampleVolatile(st, db) : db.randomEntry(st.rand);
    if (e === undefined) return;
    insert(st.pool, { db, e, score: score(st.policy, e, now) });
  }
}

function score(p: Policy, e: Entry, now: number): number {
  switch (p) {
    case 'allkeys-lru':
    case 'volatile-lru':
      return now - e.lru;
    case 'allkeys-lfu':
    case 'volatile-lfu':
      return 255 - lfuDecayed(e, now);
    default:
      // volatile-ttl: the nearest expiry goes first
      return -e.expires;
  }
}

/** Inserts a candidate keeping the pool sorted ascending and at most POOL_SIZE long. */
function insert(pool: Candidate[], c: Candidate): void {
  if (pool.length >= POOL_SIZE && c.score <= pool[0].score) return;
  for (let i = 0; i < pool.length; i++) if (pool[i].e === c.e) return;
  let i = pool.length;
  while (i > 0 && pool[i - 1].score > c.score) i--;
  pool.splice(i, 0, c);
  if (pool.length > POOL_SIZE) pool.shift();
}

/**
 * A key with a TTL. When such keys are a good share of the database, random slots of the
 * database are tried (uniform); otherwise a rotating iterator over the TTL set is used, so
 * successive samples cover every volatile key.
 */
function sampleVolatile(st: EvictionState, db: Db): Entry | undefined {
  if (db.volatile.size * 4 >= db.size) {
    for (let tries = 0; tries < 8; tries++) {
      const e = db.randomEntry(st.rand);
      if (e !== undefined && e.expires !== 0) return e;
    }
  }
  let c = st.volatileIters.get(db);
  if (c === undefined || c.set !== db.volatile) {
    c = { set: db.volatile, it: db.volatile.values() };
    st.volatileIters.set(db, c);
  }
  let r = c.it.next();
  if (r.done) {
    c.it = db.volatile.values();
    r = c.it.next();
  }
  return r.done ? undefined : r.value;
}

function randomVolatile(st: EvictionState, db: Db): Entry | undefined {
  if (db.volatile.size === 0) return undefined;
  return sampleVolatile(st, db);
}

const MULTI_EXEMPT = new Set(['exec', 'discard', 'quit', 'reset']);

/**
 * The dispatcher gate: evicts if needed, and refuses commands that may grow memory when
 * nothing could be freed. Inside MULTI every command but EXEC/DISCARD/QUIT/RESET is refused
 * then (queuing costs memory too); EXEC is refused if it holds a denyoom command.
 */
function checkMemory(c: Client, cmd: Command): string | null {
  if (!anyLimit) return null;
  const s = c.server;
  const st = states.get(s);
  if (st === undefined || st.maxmemory === 0) return null;
  if (performEvictions(s) !== EvictResult.Fail) return null;
  let deny = (cmd.flags & Flag.DenyOom) !== 0;
  const m = c.multi;
  if (m !== null) {
    if (cmd.name === 'exec') {
      for (let i = 0; i < m.queue.length && !deny; i++) {
        if (m.queue[i].cmd.flags & Flag.DenyOom) deny = true;
      }
      if (deny) {
        abortExec(c);
        return `EXECABORT Transaction discarded because of: ${E.oom}`;
      }
    } else if (!MULTI_EXEMPT.has(cmd.name)) {
      deny = true;
    }
  }
  return deny ? E.oom : null;
}

/** EXEC refused: the transaction is discarded, as Redis's execCommandAbort does. */
function abortExec(c: Client): void {
  c.multi = null;
  unwatchAll(c);
}

/** Off until some server has a maxmemory (as anyLimit). */
let memoryGate: Gate | null = null;

/** Wires eviction into a server: the dispatcher gate and the state for its config. */
export function installEviction(s: Server): void {
  stateOf(s);
  s.cronHooks.push(() => trackPeak(s));
  if (memoryGate === null) memoryGate = addGate({ on: anyLimit, check: (c, cmd) => checkMemory(c, cmd) });
}
