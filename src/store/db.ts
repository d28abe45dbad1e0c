// One logical database: a Map from key (latin1 string, so every byte is one char) to Entry.
// Besides the Map, entries are kept in insertion order in an array with tombstones: SCAN
// walks it by sequence number (stable under inserts and deletes, which Redis guarantees),
// and random sampling (RANDOMKEY, eviction) picks array slots in O(1).
// Each Db also keeps an approximate byte count of its entries for maxmemory (store/memory.ts).

import { copyBytes, isPrivateCopy } from './bytes';
import { entryBytes } from './memory';

/** Non-string values (list, hash, set, zset, stream) implement this. */
export interface ValueLike {
  /** TYPE reply: 'list' | 'hash' | 'set' | 'zset' | 'stream' */
  readonly kind: string;
  /** A deep copy (COPY). */
  clone(): ValueLike;
  /** OBJECT ENCODING reply, e.g. 'listpack', 'quicklist', 'hashtable', 'intset', 'skiplist'. */
  encoding(): string;
  /**
   * Approximate bytes held by the value, for maxmemory accounting. It is called after every
   * modification of the key, so it must be O(1): keep a running total in the type.
   * Without it a coarse estimate from `size`/`length` is used (see store/memory.ts).
   */
  memoryUsage?(): number;
}

/** A string value is a Buffer; other types are objects with a `kind`. */
export type Value = Buffer | ValueLike;

export class Entry {
  /** Absolute expiry in ms since the epoch; 0 = persistent. */
  expires = 0;
  /** Last access time in ms (LRU) and logarithmic access counter (LFU). */
  lru: number;
  lfu = 5; // Redis's LFU_INIT_VAL
  /** Position in Db.order; -1 once removed. */
  idx = -1;
  seq = 0;
  /** Bytes this entry counts for in Db.mem. */
  mem = 0;
  constructor(
    readonly key: string,
    public value: Value,
    now: number,
  ) {
    this.lru = now;
  }
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The server's clock. Within a batch of requests read from one client it reads the system clock
 * once and then follows the monotonic timestamp the dispatcher already takes after every command
 * (for commandstats): a pipeline of 16 SETs costs one Date.now(), not 16 (a clock read is ~50 ns
 * on a VM, a large share of a SET). Time still moves from command to command, as with Redis's
 * per-command cached time. Outside a batch (timers, cron) it is the system clock.
 */
export class RequestClock implements Clock {
  /** ms time for the running command; 0 outside a batch */
  private frozen = 0;
  private wall = 0;
  private mono = 0;
  constructor(readonly inner: Clock) {}

  now(): number {
    return this.frozen !== 0 ? this.frozen : this.inner.now();
  }

  /** A batch starts: returns the time it was received. */
  begin(): number {
    this.wall = this.inner.now();
    this.mono = performance.now();
    this.frozen = this.wall;
    return this.wall;
  }

  /** A command ended at `mono` (performance.now()): later commands of the batch see it. */
  advance(mono: number): void {
    if (this.frozen !== 0) this.frozen = this.wall + Math.floor(mono - this.mono);
  }

  end(): void {
    this.frozen = 0;
  }
}

/** Hooks the store calls; the server wires them to notifications, WATCH, stats. */
export interface DbEvents {
  /** A key was expired lazily or actively. */
  expired(db: Db, key: string): void;
}

export class Db {
  readonly dict = new Map<string, Entry>();
  /** Entries that carry an expiry, for the active expiry cycle. */
  readonly volatile = new Set<Entry>();
  private order: (Entry | null)[] = [];
  /** seq of each slot of `order`, kept for tombstones too, so SCAN can binary-search. */
  private seqs: number[] = [];
  private tombs = 0;
  private nextSeq = 1;
  /** Set by the server: called with the key for every modification (WATCH, client tracking). */
  onModified: ((db: Db, key: string) => void) | null = null;
  /** Set by the blocking layer: called for every key stored by set(), so waiters can be served. */
  onKeySet: ((db: Db, key: string) => void) | null = null;
  /** Set by the blocking layer: called on both databases after SWAPDB exchanged their contents. */
  onSwapped: ((db: Db) => void) | null = null;
  /** Set by the server: the whole database is about to be emptied or swapped (WATCH). */
  onCleared: ((db: Db) => void) | null = null;
  /**
   * Set by a running snapshot (BGSAVE): called before a key is looked up, its expiry changed or
   * it is removed, so its value can be saved before anything changes it (copy-on-write at key
   * granularity). Every lookup counts, reads included: some commands change a value they looked
   * up for reading (XREADGROUP, XACK, PFCOUNT's cache), so only this covers every in-place edit.
   */
  onBeforeWrite: ((db: Db, e: Entry) => void) | null = null;
  /** Set by a running snapshot: called before the whole database is emptied or swapped. */
  onBeforeClear: ((db: Db) => void) | null = null;
  avgTtl = 0;
  /** Approximate bytes held by the entries: the sum of their `mem` (maxmemory, INFO memory). */
  mem = 0;

  constructor(
    public id: number,
    readonly clock: Clock,
    readonly events: DbEvents,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** Looks a key up, expiring it first if its time has passed. */
  get(key: string): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined) return undefined;
    if (this.onBeforeWrite !== null) this.onBeforeWrite(this, e);
    if (e.expires !== 0 && e.expires <= this.clock.now()) {
      this.remove(e);
      this.events.expired(this, key);
      return undefined;
    }
    return e;
  }

  /** Like get(), and updates the access time used by LRU/LFU and OBJECT IDLETIME. */
  touchGet(key: string): Entry | undefined {
    const e = this.get(key);
    if (e !== undefined) {
      const now = this.clock.now();
      // decay is measured from the previous access, so it runs before lru moves
      e.lfu = lfuDecayed(e, now);
      bumpLfu(e, lfuConfig.logFactor);
      e.lru = now;
    }
    return e;
  }

  /**
   * Sets a key. `keepTtl` keeps an existing expiry, otherwise the key becomes persistent
   * unless `expires` is given.
   */
  set(key: string, value: Value, expires = 0, keepTtl = false): Entry {
    return this.store(key, this.get(key), value, expires, keepTtl);
  }

  /**
   * set() of a string value copied from request bytes. When the key holds a private copy of the
   * same length (a fixed-size value overwritten), its bytes are overwritten in place: no
   * allocation and no garbage. A snapshot in progress saved the old bytes in get() already.
   */
  setBytes(key: string, src: Uint8Array, expires = 0, keepTtl = false): Entry {
    const e = this.get(key);
    if (e !== undefined) {
      const cur = e.value;
      if (cur instanceof Uint8Array && cur.length === src.length && isPrivateCopy(cur)) {
        cur.set(src);
        return this.store(key, e, cur, expires, keepTtl);
      }
    }
    return this.store(key, e, copyBytes(src), expires, keepTtl);
  }

  /** set() once the key was looked up (`e`: its live entry, if any). */
  private store(key: string, e: Entry | undefined, value: Value, expires: number, keepTtl: boolean): Entry {
    const now = this.clock.now();
    if (e !== undefined) {
      e.value = value;
      if (!keepTtl) this.setExpire(e, expires);
      e.lru = now;
    } else {
      e = new Entry(key, value, now);
      e.seq = this.nextSeq++;
      e.idx = this.order.length;
      this.order.push(e);
      this.seqs.push(e.seq);
      this.dict.set(key, e);
      if (expires !== 0) this.setExpire(e, expires);
    }
    this.account(e);
    if (this.onModified !== null) this.onModified(this, key);
    if (this.onKeySet !== null) this.onKeySet(this, key);
    return e;
  }

  /** Adds a new key that must not exist (after a get() returned undefined). */
  add(key: string, value: Value): Entry {
    return this.set(key, value);
  }

  setExpire(e: Entry, expires: number): void {
    if (this.onBeforeWrite !== null) this.onBeforeWrite(this, e);
    if (expires === 0) {
      if (e.expires !== 0) this.volatile.delete(e);
    } else if (e.expires === 0) {
      this.volatile.add(e);
    }
    e.expires = expires;
  }

  /** Deletes a key; returns true if it existed (and was not expired). */
  delete(key: string): boolean {
    const e = this.get(key);
    if (e === undefined) return false;
    this.remove(e);
    this.modified(key);
    return true;
  }

  remove(e: Entry): void {
    if (this.onBeforeWrite !== null) this.onBeforeWrite(this, e);
    this.dict.delete(e.key);
    this.mem -= e.mem;
    if (e.expires !== 0) this.volatile.delete(e);
    if (e.idx >= 0) {
      this.order[e.idx] = null;
      e.idx = -1;
      this.tombs++;
      // a low threshold keeps random sampling (RANDOMKEY, eviction) from missing on tombstones
      if (this.tombs > 64 && this.tombs * 2 > this.order.length) this.compact();
    }
  }

  /** Signals a change to a key (also after in-place edits): re-measures it, runs the hook. */
  modified(key: string): void {
    const e = this.dict.get(key);
    if (e !== undefined) this.account(e);
    if (this.onModified !== null) this.onModified(this, key);
  }

  /** Re-measures an entry for the byte count. */
  account(e: Entry): void {
    const m = entryBytes(e);
    this.mem += m - e.mem;
    e.mem = m;
  }

  private compact(): void {
    const o = this.order;
    const s = this.seqs;
    let j = 0;
    for (let i = 0; i < o.length; i++) {
      const e = o[i];
      if (e !== null) {
        e.idx = j;
        s[j] = e.seq;
        o[j++] = e;
      }
    }
    o.length = j;
    s.length = j;
    this.tombs = 0;
  }

  clear(): void {
    if (this.onBeforeClear !== null) this.onBeforeClear(this);
    if (this.onCleared !== null) this.onCleared(this);
    this.dict.clear();
    this.volatile.clear();
    this.order = [];
    this.seqs = [];
    this.tombs = 0;
    this.mem = 0;
  }

  /** Swaps the whole contents with another Db (SWAPDB). */
  swapWith(other: Db): void {
    if (this.onBeforeClear !== null) this.onBeforeClear(this);
    if (other.onBeforeClear !== null) other.onBeforeClear(other);
    if (this.onCleared !== null) this.onCleared(this);
    if (other.onCleared !== null) other.onCleared(other);
    const fields = ['dict', 'volatile', 'order', 'seqs', 'tombs', 'nextSeq', 'avgTtl', 'mem'] as const;
    for (const f of fields) {
      const a = this as unknown as Record<string, unknown>;
      const b = other as unknown as Record<string, unknown>;
      const t = a[f];
      a[f] = b[f];
      b[f] = t;
    }
    if (this.onSwapped !== null) this.onSwapped(this);
    if (other.onSwapped !== null) other.onSwapped(other);
  }

  /** A uniformly random live entry (expired ones are skipped lazily), or undefined. */
  randomEntry(rand: () => number = Math.random): Entry | undefined {
    const o = this.order;
    if (this.dict.size === 0) return undefined;
    for (let tries = 0; tries < 100; tries++) {
      const e = o[Math.floor(rand() * o.length)];
      if (e !== null) return e;
    }
    for (const e of this.dict.values()) return e;
    return undefined;
  }

  /**
   * SCAN step: visits entries with seq >= cursor in sequence order, up to `count` slots.
   * Returns the next cursor (0 when done).
   */
  scan(cursor: number, count: number, visit: (e: Entry) => void): number {
    const o = this.order;
    const s = this.seqs;
    let lo = 0;
    let hi = o.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] < cursor) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    let visited = 0;
    while (i < o.length && visited < count) {
      const e = o[i++];
      if (e === null) continue;
      visited++;
      visit(e);
    }
    while (i < o.length && o[i] === null) i++;
    if (i >= o.length) return 0;
    return (o[i] as Entry).seq;
  }

  /** Sequence number of the newest entry ever added (entries added later have larger ones). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  *entries(): IterableIterator<Entry> {
    yield* this.dict.values();
  }
}

/** lfu-log-factor and lfu-decay-time (minutes), kept in step with the config. */
export const lfuConfig = { logFactor: 10, decayTime: 1 };

/** The LFU counter after decay: one step down per lfu-decay-time minutes since the last access. */
export function lfuDecayed(e: Entry, now: number): number {
  const period = lfuConfig.decayTime;
  if (period <= 0) return e.lfu;
  const steps = Math.floor((now - e.lru) / 60000 / period);
  return steps <= 0 ? e.lfu : Math.max(0, e.lfu - steps);
}

/** Redis's logarithmic LFU counter increment. */
export function bumpLfu(e: Entry, logFactor = 10): void {
  const c = e.lfu;
  if (c >= 255) return;
  const base = Math.max(c - 5, 0);
  const p = 1 / (base * logFactor + 1);
  if (Math.random() < p) e.lfu = c + 1;
}

export function isString(v: Value): v is Buffer {
  return v instanceof Uint8Array;
}

export function typeName(v: Value): string {
  return v instanceof Uint8Array ? 'string' : (v as ValueLike).kind;
}
