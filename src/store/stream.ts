// The stream value: entries ordered by ID, consumer groups with their pending entries lists.
//
// IDs are two unsigned 64-bit numbers (ms, seq). They are kept as JS numbers while they fit
// in 2^53 (always, for time-based IDs) and as bigints beyond; every value is normalised so one
// value has one representation, and number/bigint comparisons in JS are exact.
//
// Entries live in nodes that reproduce Redis's listpack nodes: an entry goes to the last node
// unless that node holds stream-node-max-entries entries (live + deleted) or its listpack size
// plus the new field/value bytes reaches stream-node-max-bytes; a node disappears when its
// last live entry is deleted. Node boundaries are observable (approximate MAXLEN ~/MINID ~
// trimming removes whole nodes only, XINFO reports radix-tree-keys/-nodes), so the listpack
// byte size of each node is computed from the format's encoding rules. Within a node, entries
// are parallel arrays searched by binary search; nodes are found by binary search on their
// first ID. XADD is amortised O(1), a range read O(log n + k).

import { parseInt64 } from '../commands/args';
import type { ValueLike } from './db';

export type U64 = number | bigint;

export interface StreamID {
  readonly ms: U64;
  readonly seq: U64;
}

export const U64_MAX = 18446744073709551615n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const ZERO_ID: StreamID = { ms: 0, seq: 0 };
export const MAX_ID: StreamID = { ms: U64_MAX, seq: U64_MAX };

/** The canonical representation of an unsigned 64-bit value. */
export function norm(v: bigint): U64 {
  return v <= SAFE ? Number(v) : v;
}

function big(v: U64): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

function cmpU(a: U64, b: U64): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cmpId(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function idEq(a: StreamID, b: StreamID): boolean {
  return a.ms === b.ms && a.seq === b.seq;
}

export function isZeroId(a: StreamID): boolean {
  return a.ms === 0 && a.seq === 0;
}

export function idStr(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

function incU(v: U64): U64 {
  if (typeof v === 'number') return v < Number.MAX_SAFE_INTEGER ? v + 1 : norm(BigInt(v) + 1n);
  return v + 1n;
}

function decU(v: U64): U64 {
  if (typeof v === 'number') return v - 1;
  return norm(v - 1n);
}

/** The next ID, or null past the last possible one. */
export function incrId(id: StreamID): StreamID | null {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return null;
    return { ms: incU(id.ms), seq: 0 };
  }
  return { ms: id.ms, seq: incU(id.seq) };
}

/** The previous ID, or null before 0-0. */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: decU(id.ms), seq: U64_MAX };
  }
  return { ms: id.ms, seq: decU(id.seq) };
}

/** Signed 64-bit counters (entries-added, entries-read) with the same number/bigint scheme. */
export type I64 = number | bigint;

export function addI(a: I64, n: number): I64 {
  if (typeof a === 'number') {
    const r = a + n;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt.asIntN(64, big(a) + BigInt(n));
  return r <= SAFE && r >= -SAFE ? Number(r) : r;
}

export function subI(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt.asIntN(64, big(a) - big(b));
  return r <= SAFE && r >= -SAFE ? Number(r) : r;
}

// ---- listpack sizes ----

/** Bytes of an integer listpack element (encoding + backlen). */
function lpIntBytes(v: number | bigint): number {
  if (typeof v === 'bigint') {
    if (v < -2147483648n || v > 2147483647n) return 10;
    v = Number(v);
  }
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

function backlenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of a string listpack element: integer-looking strings are stored as integers. */
function lpStrBytes(b: Buffer): number {
  const len = b.length;
  if (len > 0 && len <= 20) {
    const v = parseInt64(b);
    if (v !== null) return lpIntBytes(v);
  }
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + backlenBytes(enc);
}

/** The int64 a listpack stores for an ID delta (uint64 difference reinterpreted). */
function delta(a: U64, b: U64): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return BigInt.asIntN(64, big(a) - big(b));
}

const LP_HEADER_AND_END = 7;
/** Flags field of an entry: 0..3, one byte plus backlen. */
const FLAGS_BYTES = 2;
/** STREAM_LISTPACK_MAX_SIZE */
const LISTPACK_MAX = 1 << 30;

// ---- nodes ----

class Node {
  ms: U64[] = [];
  seq: U64[] = [];
  /** field, value, field, value... per entry; null once deleted */
  fv: (Buffer[] | null)[] = [];
  live = 0;
  deleted = 0;
  readonly master: Buffer[];
  private readonly masterBytes: number;
  private entryBytes = 0;

  constructor(fv: Buffer[]) {
    const n = fv.length / 2;
    const master: Buffer[] = new Array(n);
    let mb = lpIntBytes(n) + 2; // num-fields and the zero terminator
    for (let i = 0; i < n; i++) {
      master[i] = fv[i * 2];
      mb += lpStrBytes(master[i]);
    }
    this.master = master;
    this.masterBytes = mb;
  }

  get size(): number {
    return this.ms.length;
  }

  /** The listpack size in bytes. */
  bytes(): number {
    return (
      LP_HEADER_AND_END +
      lpIntBytes(this.live) +
      lpIntBytes(this.deleted) +
      this.masterBytes +
      this.entryBytes
    );
  }

  append(id: StreamID, fv: Buffer[]): void {
    const n = fv.length / 2;
    let same = n === this.master.length;
    if (same) {
      for (let i = 0; i < n; i++) {
        if (!fv[i * 2].equals(this.master[i])) {
          same = false;
          break;
        }
      }
    }
    let b = FLAGS_BYTES + lpIntBytes(delta(id.ms, this.ms.length ? this.ms[0] : id.ms));
    b += lpIntBytes(delta(id.seq, this.seq.length ? this.seq[0] : id.seq));
    if (same) {
      for (let i = 0; i < n; i++) b += lpStrBytes(fv[i * 2 + 1]);
      b += lpIntBytes(n + 3);
    } else {
      b += lpIntBytes(n);
      for (let i = 0; i < fv.length; i++) b += lpStrBytes(fv[i]);
      b += lpIntBytes(2 * n + 4);
    }
    this.entryBytes += b;
    this.ms.push(id.ms);
    this.seq.push(id.seq);
    this.fv.push(fv);
    this.live++;
  }

  /** Index of the first entry with ID >= id (size when none). */
  lowerBound(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.ms[mid];
      if (m < ms || (m === ms && this.seq[mid] < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the entry with exactly this ID (live or deleted), or -1. */
  indexOf(id: StreamID): number {
    const i = this.lowerBound(id.ms, id.seq);
    return i < this.ms.length && this.ms[i] === id.ms && this.seq[i] === id.seq ? i : -1;
  }

  markDeleted(i: number): void {
    this.fv[i] = null;
    this.live--;
    this.deleted++;
  }

  idAt(i: number): StreamID {
    return { ms: this.ms[i], seq: this.seq[i] };
  }

  clone(): Node {
    const n = Object.create(Node.prototype) as Node;
    Object.assign(n, this);
    n.ms = this.ms.slice();
    n.seq = this.seq.slice();
    n.fv = this.fv.slice();
    return n;
  }
}

// ---- consumer groups ----

export interface Nack {
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer | null;
}

export class Consumer {
  readonly pel = new IdMap<Nack>();
  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new IdMap<Nack>();
  readonly consumers = new Map<string, Consumer>();
  constructor(
    readonly name: string,
    public lastId: StreamID,
    /** -1 when unknown (SCG_INVALID_ENTRIES_READ) */
    public entriesRead: I64,
  ) {}

  /** Consumers in name (byte) order, as Redis's radix tree lists them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(name: string): number {
    const cons = this.consumers.get(name);
    if (cons === undefined) return 0;
    const n = cons.pel.size;
    cons.pel.walk((id) => {
      this.pel.delete(id);
      return true;
    });
    this.consumers.delete(name);
    return n;
  }
}

/**
 * An ordered map keyed by stream ID: sorted chunks of at most CHUNK keys, found by binary
 * search over the chunks' last keys. Insert and delete cost O(log n + CHUNK) plus, when a
 * chunk splits or empties, O(n / CHUNK).
 */
const CHUNK = 128;

interface Chunk<V> {
  keys: StreamID[];
  vals: V[];
}

export class IdMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** First chunk whose last key is >= id (chunks.length when none). */
  private chunkFor(id: StreamID): number {
    const ch = this.chunks;
    let lo = 0;
    let hi = ch.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ks = ch[mid].keys;
      if (cmpId(ks[ks.length - 1], id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static pos(keys: StreamID[], id: StreamID): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpId(keys[mid], id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamID): V | undefined {
    const ci = this.chunkFor(id);
    if (ci >= this.chunks.length) return undefined;
    const c = this.chunks[ci];
    const i = IdMap.pos(c.keys, id);
    return i < c.keys.length && idEq(c.keys[i], id) ? c.vals[i] : undefined;
  }

  has(id: StreamID): boolean {
    return this.get(id) !== undefined;
  }

  /** Inserts or replaces; returns true when the key was new. */
  set(id: StreamID, v: V): boolean {
    const ch = this.chunks;
    if (ch.length === 0) {
      ch.push({ keys: [id], vals: [v] });
      this.count++;
      return true;
    }
    let ci = this.chunkFor(id);
    if (ci === ch.length) ci--; // beyond every key: append to the last chunk
    const c = ch[ci];
    const i = IdMap.pos(c.keys, id);
    if (i < c.keys.length && idEq(c.keys[i], id)) {
      c.vals[i] = v;
      return false;
    }
    c.keys.splice(i, 0, id);
    c.vals.splice(i, 0, v);
    this.count++;
    if (c.keys.length > CHUNK) {
      const half = c.keys.length >>> 1;
      const right: Chunk<V> = { keys: c.keys.splice(half), vals: c.vals.splice(half) };
      ch.splice(ci + 1, 0, right);
    }
    return true;
  }

  delete(id: StreamID): boolean {
    const ci = this.chunkFor(id);
    if (ci >= this.chunks.length) return false;
    const c = this.chunks[ci];
    const i = IdMap.pos(c.keys, id);
    if (i >= c.keys.length || !idEq(c.keys[i], id)) return false;
    c.keys.splice(i, 1);
    c.vals.splice(i, 1);
    this.count--;
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  first(): StreamID | undefined {
    return this.chunks.length ? this.chunks[0].keys[0] : undefined;
  }

  last(): StreamID | undefined {
    const ch = this.chunks;
    if (ch.length === 0) return undefined;
    const ks = ch[ch.length - 1].keys;
    return ks[ks.length - 1];
  }

  /** The first key >= id with its value, or undefined. */
  ceil(id: StreamID): [StreamID, V] | undefined {
    const ci = this.chunkFor(id);
    if (ci >= this.chunks.length) return undefined;
    const c = this.chunks[ci];
    const i = IdMap.pos(c.keys, id);
    return [c.keys[i], c.vals[i]];
  }

  /** Visits keys >= from in order until visit returns false (no changes while visiting). */
  walk(visit: (id: StreamID, v: V) => boolean, from: StreamID = ZERO_ID): void {
    const ch = this.chunks;
    let ci = this.chunkFor(from);
    if (ci >= ch.length) return;
    let i = IdMap.pos(ch[ci].keys, from);
    for (; ci < ch.length; ci++, i = 0) {
      const c = ch[ci];
      for (; i < c.keys.length; i++) if (!visit(c.keys[i], c.vals[i])) return;
    }
  }
}

// ---- the stream ----

export enum Trim {
  None = 0,
  Maxlen = 1,
  Minid = 2,
}

export interface TrimArgs {
  strategy: Trim;
  maxlen: number;
  minid: StreamID;
  approx: boolean;
  /** 0 = no limit */
  limit: number;
}

/** Estimated bytes per entry besides its fields: arrays slots, IDs, Buffer objects. */
const ENTRY_OVERHEAD = 48;
const FIELD_OVERHEAD = 40;
const NACK_BYTES = 96;

export class StreamValue implements ValueLike {
  readonly kind = 'stream';
  private nodes: Node[] = [];
  length = 0;
  lastId: StreamID = ZERO_ID;
  firstId: StreamID = ZERO_ID;
  maxDeletedId: StreamID = ZERO_ID;
  entriesAdded: I64 = 0;
  /** Consumer groups by name (null until the first one, as Redis). */
  groups: Map<string, ConsumerGroup> | null = null;
  /** Payload bytes + per-entry estimates, for memoryUsage(). */
  private mem = 0;

  encoding(): string {
    return 'stream';
  }

  memoryUsage(): number {
    let pel = 0;
    if (this.groups !== null) for (const g of this.groups.values()) pel += g.pel.size * NACK_BYTES + 64;
    return 128 + this.mem + this.nodes.length * 96 + pel;
  }

  /** Number of listpack nodes (radix-tree-keys). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Node sizes for tests: [live, deleted, listpack bytes] per node. */
  nodeStats(): [number, number, number][] {
    return this.nodes.map((n) => [n.live, n.deleted, n.bytes()]);
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => n.clone());
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    s.mem = this.mem;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const g of this.groups.values()) {
        const ng = new ConsumerGroup(g.name, g.lastId, g.entriesRead);
        for (const c of g.consumers.values()) {
          const nc = new Consumer(c.name, c.seenTime);
          ng.consumers.set(c.name, nc);
          c.pel.walk((id) => {
            const old = g.pel.get(id) as Nack;
            const nack: Nack = {
              deliveryTime: old.deliveryTime,
              deliveryCount: old.deliveryCount,
              consumer: nc,
            };
            ng.pel.set(id, nack);
            nc.pel.set(id, nack);
            return true;
          });
        }
        s.groups.set(g.name, ng);
      }
    }
    return s;
  }

  // ---- adding ----

  /** The ID XADD * generates at time `now` (ms). */
  nextAutoId(now: number): StreamID {
    if (now > this.lastId.ms) return { ms: now, seq: 0 };
    return incrId(this.lastId) ?? ZERO_ID;
  }

  /**
   * Appends an entry whose ID is greater than lastId. `fv` holds owned copies of the fields
   * and values. maxBytes/maxEntries are stream-node-max-bytes/-entries.
   */
  append(id: StreamID, fv: Buffer[], maxBytes: number, maxEntries: number): void {
    let total = 0;
    for (let i = 0; i < fv.length; i++) total += fv[i].length;
    let tail = this.nodes.length ? this.nodes[this.nodes.length - 1] : null;
    if (tail !== null) {
      const limit = maxBytes === 0 || maxBytes > LISTPACK_MAX ? LISTPACK_MAX : maxBytes;
      if (tail.bytes() + total >= limit) tail = null;
      else if (maxEntries !== 0 && tail.live + tail.deleted >= maxEntries) tail = null;
    }
    if (tail === null) {
      tail = new Node(fv);
      this.nodes.push(tail);
    }
    tail.append(id, fv);
    if (this.length === 0) this.firstId = id;
    this.length++;
    this.entriesAdded = addI(this.entriesAdded, 1);
    this.lastId = id;
    this.mem += total + ENTRY_OVERHEAD + fv.length * FIELD_OVERHEAD;
  }

  // ---- lookups ----

  /** Index of the last node whose first ID is <= id (-1 when none). */
  private nodeFor(ms: U64, seq: U64): number {
    const ns = this.nodes;
    let lo = 0;
    let hi = ns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = ns[mid].ms[0];
      if (m < ms || (m === ms && ns[mid].seq[0] <= seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The fields and values of a live entry, or undefined. */
  get(id: StreamID): Buffer[] | undefined {
    const ni = this.nodeFor(id.ms, id.seq);
    if (ni < 0) return undefined;
    const n = this.nodes[ni];
    const i = n.indexOf(id);
    if (i < 0) return undefined;
    return n.fv[i] ?? undefined;
  }

  has(id: StreamID): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Visits live entries with start <= ID <= end, ascending (or descending when rev), until
   * visit returns false. The stream must not change while visiting.
   */
  range(start: StreamID, end: StreamID, rev: boolean, visit: (id: StreamID, fv: Buffer[]) => boolean): void {
    if (cmpId(start, end) > 0) return;
    const ns = this.nodes;
    if (!rev) {
      let ni = this.nodeFor(start.ms, start.seq);
      let i = 0;
      if (ni < 0) ni = 0;
      else i = ns[ni].lowerBound(start.ms, start.seq);
      for (; ni < ns.length; ni++, i = 0) {
        const n = ns[ni];
        for (; i < n.size; i++) {
          const m = n.ms[i];
          const s = n.seq[i];
          if (m > end.ms || (m === end.ms && s > end.seq)) return;
          const fv = n.fv[i];
          if (fv !== null && !visit({ ms: m, seq: s }, fv)) return;
        }
      }
    } else {
      let ni = this.nodeFor(end.ms, end.seq);
      if (ni < 0) return;
      let i = ns[ni].lowerBound(end.ms, end.seq);
      // lowerBound gives the first >= end: step back unless it is end itself
      if (i >= ns[ni].size || ns[ni].ms[i] !== end.ms || ns[ni].seq[i] !== end.seq) i--;
      for (; ni >= 0; ni--, i = ni >= 0 ? ns[ni].size - 1 : 0) {
        const n = ns[ni];
        for (; i >= 0; i--) {
          const m = n.ms[i];
          const s = n.seq[i];
          if (m < start.ms || (m === start.ms && s < start.seq)) return;
          const fv = n.fv[i];
          if (fv !== null && !visit({ ms: m, seq: s }, fv)) return;
        }
      }
    }
  }

  /**
   * ID of the first entry still held in a node, deleted or not (Redis's streamGetEdgeID without
   * skipping tombstones, which it writes as XADD/XTRIM's effective MINID); undefined when empty.
   */
  firstHeldId(): StreamID | undefined {
    for (const n of this.nodes) if (n.size > 0) return { ms: n.ms[0], seq: n.seq[0] };
    return undefined;
  }

  /** ID of the first (or last) live entry; undefined when empty. */
  edgeId(last: boolean): StreamID | undefined {
    let found: StreamID | undefined;
    this.range(ZERO_ID, MAX_ID, last, (id) => {
      found = id;
      return false;
    });
    return found;
  }

  // ---- deleting ----

  /** Marks an entry deleted (XDEL); false when there is no such live entry. */
  delete(id: StreamID): boolean {
    const ni = this.nodeFor(id.ms, id.seq);
    if (ni < 0) return false;
    const n = this.nodes[ni];
    const i = n.indexOf(id);
    if (i < 0 || n.fv[i] === null) return false;
    this.forget(n.fv[i] as Buffer[]);
    if (n.live === 1) this.nodes.splice(ni, 1);
    else n.markDeleted(i);
    this.length--;
    return true;
  }

  private forget(fv: Buffer[]): void {
    let total = 0;
    for (let i = 0; i < fv.length; i++) total += fv[i].length;
    this.mem -= total + ENTRY_OVERHEAD + fv.length * FIELD_OVERHEAD;
  }

  private forgetNode(n: Node): void {
    for (const fv of n.fv) if (fv !== null) this.forget(fv);
  }

  /** XTRIM / XADD trimming, node by node from the head, as Redis's streamTrim. */
  trim(a: TrimArgs): number {
    if (a.strategy === Trim.None) return 0;
    let deleted = 0;
    let removed = 0;
    const ns = this.nodes;
    while (removed < ns.length) {
      if (a.strategy === Trim.Maxlen && this.length <= a.maxlen) break;
      const n = ns[removed];
      const entries = n.live;
      if (a.limit && deleted + entries > a.limit) break;
      let removeNode: boolean;
      if (a.strategy === Trim.Maxlen) removeNode = this.length - entries >= a.maxlen;
      else {
        // the node's last entry, deleted or not
        const li = n.size - 1;
        removeNode = cmpId({ ms: n.ms[li], seq: n.seq[li] }, a.minid) < 0;
      }
      if (removeNode) {
        this.forgetNode(n);
        removed++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      // mark entries of this node deleted until the condition holds
      for (let i = 0; i < n.size; i++) {
        const stop =
          a.strategy === Trim.Maxlen
            ? this.length <= a.maxlen
            : cmpId({ ms: n.ms[i], seq: n.seq[i] }, a.minid) >= 0;
        if (stop) break;
        const fv = n.fv[i];
        if (fv !== null) {
          this.forget(fv);
          n.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (removed > 0) ns.splice(0, removed);
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (deleted > 0) this.firstId = this.edgeId(false) as StreamID;
    return deleted;
  }

  // ---- groups ----

  group(name: string): ConsumerGroup | undefined {
    return this.groups?.get(name);
  }

  /** Creates a group; undefined when the name is taken. */
  createGroup(name: string, lastId: StreamID, entriesRead: I64): ConsumerGroup | undefined {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return undefined;
    const g = new ConsumerGroup(name, lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** Groups in name (byte) order. */
  sortedGroups(): ConsumerGroup[] {
    if (this.groups === null) return [];
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- entries-read bookkeeping (consumer group lag) ----

  /** Whether a deleted entry may lie in [start, end] (end undefined = up to the last ID). */
  rangeHasTombstones(start: StreamID | undefined, end: StreamID | undefined): boolean {
    if (this.length === 0 || isZeroId(this.maxDeletedId)) return false;
    if (cmpId(this.firstId, this.maxDeletedId) > 0) return false;
    const s = start ?? ZERO_ID;
    const e = end ?? MAX_ID;
    return cmpId(s, this.maxDeletedId) <= 0 && cmpId(this.maxDeletedId, e) <= 0;
  }

  /** The logical read counter of an ID when it can be known, else -1. */
  estimateDistanceFromFirstEverEntry(id: StreamID): I64 {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && cmpId(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = cmpId(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return -1;
    const cmpFirst = cmpId(id, this.firstId);
    if (isZeroId(this.maxDeletedId) || cmpId(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return subI(this.entriesAdded, this.length);
      if (cmpFirst === 0) return addI(subI(this.entriesAdded, this.length), 1);
    }
    return -1;
  }

  /** A group's lag, or null when it cannot be computed. */
  lag(g: ConsumerGroup): I64 | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== -1 && !this.rangeHasTombstones(g.lastId, undefined)) {
      return subI(this.entriesAdded, g.entriesRead);
    }
    const er = this.estimateDistanceFromFirstEverEntry(g.lastId);
    if (er === -1) return null;
    return subI(this.entriesAdded, er);
  }

  // ---- radix tree shape (XINFO) ----

  /**
   * Nodes of the radix tree Redis would hold for the node keys (16-byte big-endian IDs):
   * a compressed trie where every key has the same length, so every key is a leaf.
   */
  raxNodeCount(): number {
    const keys = this.nodes.map((n) => ridKey(n.ms[0], n.seq[0]));
    if (keys.length === 0) return 1;
    return countTrie(keys, 0, keys.length, 0);
  }

  /** Node first IDs (tests). */
  nodeFirstIds(): StreamID[] {
    return this.nodes.map((n) => n.idAt(0));
  }
}

function ridKey(ms: U64, seq: U64): string {
  const m = big(ms).toString(16).padStart(16, '0');
  const s = big(seq).toString(16).padStart(16, '0');
  let out = '';
  const hex = m + s;
  for (let i = 0; i < 32; i += 2) out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return out;
}

/** Rax nodes for sorted, distinct, equal-length keys[lo, hi) sharing their first `d` bytes. */
function countTrie(keys: string[], lo: number, hi: number, d: number): number {
  const len = keys[lo].length;
  if (d === len) return 1;
  if (hi - lo === 1) return 2; // a compressed node to the end, then the leaf
  const a = keys[lo];
  const b = keys[hi - 1];
  let l = d;
  while (l < len && a.charCodeAt(l) === b.charCodeAt(l)) l++;
  // a compressed node for the common part, then a branching node
  let n = (l > d ? 1 : 0) + 1;
  let i = lo;
  while (i < hi) {
    const ch = keys[i].charCodeAt(l);
    let j = i + 1;
    while (j < hi && keys[j].charCodeAt(l) === ch) j++;
    n += countTrie(keys, i, j, l + 1);
    i = j;
  }
  return n;
}

export function cmpU64(a: U64, b: U64): number {
  return cmpU(a, b);
}
