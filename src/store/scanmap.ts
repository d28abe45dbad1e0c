// An insertion-ordered map from latin1 strings (hash fields, set members) that supports the
// two things a plain Map cannot do cheaply: a SCAN cursor that stays valid while the map
// changes, and uniform random picks (SPOP, SRANDMEMBER, HRANDFIELD).
//
// Besides the Map, nodes sit in an array in insertion order; a deletion leaves a tombstone
// (null) there. Every node carries a sequence number that never changes while it lives, and
// the array is sorted by it, so a cursor is simply "the next sequence number to visit": an
// element present for the whole iteration is returned exactly once whatever is added or
// deleted meanwhile (the guarantee Redis gives, and a bit more). The array is compacted when
// tombstones make up more than half of it, which keeps random picks O(1) expected and costs
// O(1) amortised per deletion.

export class ScanNode<V> {
  constructor(
    readonly key: string,
    public value: V,
    /** Insertion sequence number: the SCAN cursor position of this node. */
    readonly seq: number,
    /** Slot in ScanMap.order; -1 once deleted. */
    public idx: number,
  ) {}
}

/** Tombstones tolerated before compaction is considered at all (avoids churn on tiny maps). */
const MIN_TOMBS = 8;

export class ScanMap<V> {
  private readonly map = new Map<string, ScanNode<V>>();
  private order: (ScanNode<V> | null)[] = [];
  /** seq of each slot of `order`, tombstones included, so a cursor can be binary-searched. */
  private seqs: number[] = [];
  private tombs = 0;
  private nextSeq = 1;

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  node(key: string): ScanNode<V> | undefined {
    return this.map.get(key);
  }

  /** Inserts or updates; an update keeps the node (and its place and cursor position). */
  set(key: string, value: V): boolean {
    const n = this.map.get(key);
    if (n !== undefined) {
      n.value = value;
      return false;
    }
    const node = new ScanNode(key, value, this.nextSeq++, this.order.length);
    this.order.push(node);
    this.seqs.push(node.seq);
    this.map.set(key, node);
    return true;
  }

  delete(key: string): ScanNode<V> | undefined {
    const n = this.map.get(key);
    if (n === undefined) return undefined;
    this.map.delete(key);
    this.order[n.idx] = null;
    n.idx = -1;
    this.tombs++;
    if (this.tombs > MIN_TOMBS && this.tombs * 2 > this.order.length) this.compact();
    return n;
  }

  private compact(): void {
    const o = this.order;
    const s = this.seqs;
    let j = 0;
    for (let i = 0; i < o.length; i++) {
      const n = o[i];
      if (n !== null) {
        n.idx = j;
        s[j] = n.seq;
        o[j++] = n;
      }
    }
    o.length = j;
    s.length = j;
    this.tombs = 0;
  }

  /** Nodes in insertion order. */
  nodes(): IterableIterator<ScanNode<V>> {
    return this.map.values();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** A uniformly random node; the map must not be empty. */
  random(rand: () => number = Math.random): ScanNode<V> {
    const o = this.order;
    // at least half of the slots are live (see compact), so each try succeeds with p >= 1/2
    for (let tries = 0; tries < 64; tries++) {
      const n = o[Math.floor(rand() * o.length)];
      if (n !== null && n !== undefined) return n;
    }
    for (const n of o) if (n !== null) return n;
    throw new Error('ScanMap.random on an empty map');
  }

  /**
   * `n` distinct random nodes (0 < n < size), in random order. A large sample shuffles a copy
   * of the live nodes partially; a small one draws until it has n distinct nodes.
   */
  sample(n: number, rand: () => number = Math.random): ScanNode<V>[] {
    const size = this.map.size;
    if (n >= size) return [...this.map.values()];
    if (n * 3 > size) {
      const all = [...this.map.values()];
      for (let i = 0; i < n; i++) {
        const j = i + Math.floor(rand() * (size - i));
        const t = all[i];
        all[i] = all[j];
        all[j] = t;
      }
      all.length = n;
      return all;
    }
    const picked = new Set<ScanNode<V>>();
    while (picked.size < n) picked.add(this.random(rand));
    return [...picked];
  }

  /**
   * One SCAN step: visits up to `count` live nodes with seq >= cursor, in sequence order.
   * Returns the next cursor, 0 when the walk is complete.
   */
  scan(cursor: number, count: number, visit: (n: ScanNode<V>) => void): number {
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
      const n = o[i++];
      if (n === null) continue;
      visited++;
      visit(n);
    }
    while (i < o.length && o[i] === null) i++;
    return i >= o.length ? 0 : (o[i] as ScanNode<V>).seq;
  }

  /** A copy with the same iteration order (sequence numbers restart: old cursors don't apply). */
  clone(copy: (v: V) => V = (v) => v): ScanMap<V> {
    const m = new ScanMap<V>();
    for (const n of this.map.values()) m.set(n.key, copy(n.value));
    return m;
  }
}
