// The sorted set value: a member → item Map for O(1) score lookups, plus an order-statistics
// B+tree of the items ordered by (score, member) for O(log n) insert, delete, rank, select by
// rank and search by score or lex bound. Each inner node keeps the element count of every
// child, so rank and select descend once; leaves are linked both ways so a range is a walk.
// A tree keeps memory low next to a skip list in JS: one array slot per element per level
// instead of a node object with forward and span arrays.
//
// Members are latin1 strings (one char per byte), so JS string comparison is byte order, the
// memcmp order Redis uses for equal scores and for lex ranges.
//
// ZSCAN needs cursors that survive inserts, deletes and score changes of other elements (Redis
// guarantees that an element present for the whole iteration is returned), so items are also
// kept in insertion order in an array with tombstones, addressed by sequence number, like the
// keyspace in db.ts. A score change reinserts the item in the tree only, keeping its place.
//
// `packed` mirrors Redis's listpack encoding (OBJECT ENCODING, ZSCAN returning everything at
// once); the conversions are driven by the commands, which know the configured limits.

import type { ValueLike } from './db';

export class ZItem {
  /** Slot in the scan order array; -1 once removed. */
  idx = -1;
  constructor(
    readonly member: string,
    public score: number,
  ) {}
}

/** (score, member) order: -1, 0, 1. */
export function cmpKey(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

// ---- order-statistics B+tree ----

/** Node capacities: a node splits above max and is refilled below min (min ≤ max / 2). */
export interface TreeShape {
  leafMax: number;
  leafMin: number;
  innerMax: number;
  innerMin: number;
}

const DEFAULT_SHAPE: TreeShape = { leafMax: 64, leafMin: 16, innerMax: 64, innerMin: 16 };

class Leaf {
  readonly leaf = true;
  next: Leaf | null = null;
  prev: Leaf | null = null;
  constructor(public items: ZItem[]) {}
}

class Inner {
  readonly leaf = false;
  /** sepS[i], sepM[i]: a lower bound of every key in children[i] (index 0 unused). */
  constructor(
    public children: TreeNode[],
    public sizes: number[],
    public sepS: number[],
    public sepM: string[],
  ) {}
}

type TreeNode = Leaf | Inner;

function nodeSize(n: TreeNode): number {
  if (n.leaf) return n.items.length;
  let s = 0;
  for (let i = 0; i < n.sizes.length; i++) s += n.sizes[i];
  return s;
}

/** First key of a subtree (its leftmost item). */
function firstItem(n: TreeNode): ZItem {
  while (!n.leaf) n = n.children[0];
  return n.items[0];
}

/** A predicate over keys that is false, then true, in (score, member) order. */
export type KeyPred = (score: number, member: string) => boolean;

export interface Cursor {
  leaf: Leaf;
  pos: number;
}

export class ZTree {
  private root: TreeNode = new Leaf([]);
  private first: Leaf;
  private last: Leaf;
  private n = 0;

  private readonly leafMax: number;
  private readonly leafMin: number;
  private readonly innerMax: number;
  private readonly innerMin: number;

  /** `shape` is for tests (tiny nodes exercise every split, borrow and merge). */
  constructor(shape: TreeShape = DEFAULT_SHAPE) {
    this.leafMax = shape.leafMax;
    this.leafMin = shape.leafMin;
    this.innerMax = shape.innerMax;
    this.innerMin = shape.innerMin;
    this.first = this.root as Leaf;
    this.last = this.first;
  }

  get size(): number {
    return this.n;
  }

  /** Builds from items already in (score, member) order, in O(n). */
  static fromSorted(items: ZItem[], shape: TreeShape = DEFAULT_SHAPE): ZTree {
    const t = new ZTree(shape);
    const LEAF_MAX = shape.leafMax;
    const INNER_MAX = shape.innerMax;
    if (items.length === 0) return t;
    const per = Math.floor((LEAF_MAX * 3) / 4);
    let level: TreeNode[] = [];
    let prev: Leaf | null = null;
    const nLeaves = Math.ceil(items.length / per);
    for (let i = 0; i < nLeaves; i++) {
      // spread evenly so no leaf is below the minimum
      const a = Math.floor((i * items.length) / nLeaves);
      const b = Math.floor(((i + 1) * items.length) / nLeaves);
      const l = new Leaf(items.slice(a, b));
      l.prev = prev;
      if (prev !== null) prev.next = l;
      prev = l;
      level.push(l);
    }
    t.first = level[0] as Leaf;
    t.last = prev as Leaf;
    const fan = Math.floor((INNER_MAX * 3) / 4);
    while (level.length > 1) {
      const up: TreeNode[] = [];
      const groups = Math.ceil(level.length / fan);
      for (let g = 0; g < groups; g++) {
        const a = Math.floor((g * level.length) / groups);
        const b = Math.floor(((g + 1) * level.length) / groups);
        const kids = level.slice(a, b);
        const sizes = kids.map(nodeSize);
        const sepS = [0];
        const sepM = [''];
        for (let k = 1; k < kids.length; k++) {
          const f = firstItem(kids[k]);
          sepS.push(f.score);
          sepM.push(f.member);
        }
        up.push(new Inner(kids, sizes, sepS, sepM));
      }
      level = up;
    }
    t.root = level[0];
    t.n = items.length;
    return t;
  }

  /** Index of the child of `node` whose key range holds (s, m). */
  private childFor(node: Inner, s: number, m: string): number {
    let lo = 1;
    let hi = node.children.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cmpKey(node.sepS[mid], node.sepM[mid], s, m) <= 0) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  insert(item: ZItem): void {
    const split = this.insertRec(this.root, item);
    if (split !== null) {
      const old = this.root;
      const f = firstItem(split);
      this.root = new Inner([old, split], [nodeSize(old), nodeSize(split)], [0, f.score], ['', f.member]);
    }
    this.n++;
  }

  /** Inserts below `node`; returns a new right sibling when `node` split. */
  private insertRec(node: TreeNode, item: ZItem): TreeNode | null {
    const s = item.score;
    const m = item.member;
    if (node.leaf) {
      const items = node.items;
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const x = items[mid];
        if (cmpKey(x.score, x.member, s, m) < 0) lo = mid + 1;
        else hi = mid;
      }
      items.splice(lo, 0, item);
      if (items.length <= this.leafMax) return null;
      const right = new Leaf(items.splice(items.length >> 1));
      right.next = node.next;
      right.prev = node;
      if (node.next !== null) node.next.prev = right;
      else this.last = right;
      node.next = right;
      return right;
    }
    const i = this.childFor(node, s, m);
    node.sizes[i]++;
    const split = this.insertRec(node.children[i], item);
    if (split === null) return null;
    const sz = nodeSize(split);
    node.sizes[i] -= sz;
    const f = firstItem(split);
    node.children.splice(i + 1, 0, split);
    node.sizes.splice(i + 1, 0, sz);
    node.sepS.splice(i + 1, 0, f.score);
    node.sepM.splice(i + 1, 0, f.member);
    if (node.children.length <= this.innerMax) return null;
    const h = node.children.length >> 1;
    const right = new Inner(
      node.children.splice(h),
      node.sizes.splice(h),
      node.sepS.splice(h),
      node.sepM.splice(h),
    );
    return right;
  }

  /** Removes the item with this exact key (it must be in the tree). */
  delete(s: number, m: string): void {
    if (!this.deleteRec(this.root, s, m)) throw new Error('zset tree: key not found');
    this.n--;
    const r = this.root;
    if (!r.leaf && r.children.length === 1) this.root = r.children[0];
  }

  private deleteRec(node: TreeNode, s: number, m: string): boolean {
    if (node.leaf) {
      const items = node.items;
      let lo = 0;
      let hi = items.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const x = items[mid];
        const c = cmpKey(x.score, x.member, s, m);
        if (c === 0) {
          items.splice(mid, 1);
          return true;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    }
    const i = this.childFor(node, s, m);
    if (!this.deleteRec(node.children[i], s, m)) return false;
    node.sizes[i]--;
    const child = node.children[i];
    const small = child.leaf ? child.items.length < this.leafMin : child.children.length < this.innerMin;
    if (small && node.children.length > 1) this.rebalance(node, i);
    return true;
  }

  /** Child i of `p` is under its minimum: borrow from a sibling or merge with it. */
  private rebalance(p: Inner, i: number): void {
    // pair (a, a+1) with the child and its right sibling, or its left one at the end
    const a = i + 1 < p.children.length ? i : i - 1;
    const L = p.children[a];
    const R = p.children[a + 1];
    if (L.leaf && R.leaf) {
      const total = L.items.length + R.items.length;
      if (total <= this.leafMax) {
        for (const x of R.items) L.items.push(x);
        L.next = R.next;
        if (R.next !== null) R.next.prev = L;
        else this.last = L;
        this.removeChild(p, a + 1);
        p.sizes[a] = total;
        return;
      }
      // even out the two leaves
      const want = total >> 1;
      if (L.items.length < want) {
        const k = want - L.items.length;
        for (const x of R.items.splice(0, k)) L.items.push(x);
      } else {
        const k = L.items.length - want;
        R.items.unshift(...L.items.splice(L.items.length - k));
      }
      p.sizes[a] = L.items.length;
      p.sizes[a + 1] = R.items.length;
      p.sepS[a + 1] = R.items[0].score;
      p.sepM[a + 1] = R.items[0].member;
      return;
    }
    const li = L as Inner;
    const ri = R as Inner;
    // the separator between them, pushed down as the bound of R's first child
    const bs = p.sepS[a + 1];
    const bm = p.sepM[a + 1];
    const total = li.children.length + ri.children.length;
    if (total <= this.innerMax) {
      li.children.push(...ri.children);
      li.sizes.push(...ri.sizes);
      li.sepS.push(bs, ...ri.sepS.slice(1));
      li.sepM.push(bm, ...ri.sepM.slice(1));
      p.sizes[a] += p.sizes[a + 1];
      this.removeChild(p, a + 1);
      return;
    }
    const want = total >> 1;
    if (li.children.length < want) {
      const k = want - li.children.length;
      const kids = ri.children.splice(0, k);
      const sizes = ri.sizes.splice(0, k);
      const sS = ri.sepS.splice(0, k);
      const sM = ri.sepM.splice(0, k);
      sS[0] = bs;
      sM[0] = bm;
      li.children.push(...kids);
      li.sizes.push(...sizes);
      li.sepS.push(...sS);
      li.sepM.push(...sM);
      // R's new first child: its bound moves up to the parent
      p.sepS[a + 1] = ri.sepS[0];
      p.sepM[a + 1] = ri.sepM[0];
      ri.sepS[0] = 0;
      ri.sepM[0] = '';
    } else {
      const k = li.children.length - want;
      const at = li.children.length - k;
      const kids = li.children.splice(at);
      const sizes = li.sizes.splice(at);
      const sS = li.sepS.splice(at);
      const sM = li.sepM.splice(at);
      ri.sepS[0] = bs;
      ri.sepM[0] = bm;
      p.sepS[a + 1] = sS[0];
      p.sepM[a + 1] = sM[0];
      sS[0] = 0;
      sM[0] = '';
      ri.children.unshift(...kids);
      ri.sizes.unshift(...sizes);
      ri.sepS.unshift(...sS);
      ri.sepM.unshift(...sM);
    }
    let s = 0;
    for (const x of li.sizes) s += x;
    const all = p.sizes[a] + p.sizes[a + 1];
    p.sizes[a] = s;
    p.sizes[a + 1] = all - s;
  }

  private removeChild(p: Inner, j: number): void {
    p.children.splice(j, 1);
    p.sizes.splice(j, 1);
    p.sepS.splice(j, 1);
    p.sepM.splice(j, 1);
  }

  /** 0-based rank of the item with this key (it must be in the tree). */
  rank(s: number, m: string): number {
    let node = this.root;
    let r = 0;
    while (!node.leaf) {
      const i = this.childFor(node, s, m);
      for (let j = 0; j < i; j++) r += node.sizes[j];
      node = node.children[i];
    }
    const items = node.items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const x = items[mid];
      if (cmpKey(x.score, x.member, s, m) < 0) lo = mid + 1;
      else hi = mid;
    }
    return r + lo;
  }

  /** How many items come before the first one for which `pred` holds (n when none does). */
  countBefore(pred: KeyPred): number {
    let node = this.root;
    let r = 0;
    while (!node.leaf) {
      // the last child whose lower bound still fails the predicate holds the boundary
      let lo = 1;
      let hi = node.children.length - 1;
      let ans = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (!pred(node.sepS[mid], node.sepM[mid])) {
          ans = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      for (let j = 0; j < ans; j++) r += node.sizes[j];
      node = node.children[ans];
    }
    const items = node.items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(items[mid].score, items[mid].member)) hi = mid;
      else lo = mid + 1;
    }
    return r + lo;
  }

  /** Position of the item at 0-based rank i (0 ≤ i < size). */
  seek(i: number): Cursor {
    let node = this.root;
    while (!node.leaf) {
      let j = 0;
      while (i >= node.sizes[j]) {
        i -= node.sizes[j];
        j++;
      }
      node = node.children[j];
    }
    return { leaf: node, pos: i };
  }

  at(i: number): ZItem {
    const c = this.seek(i);
    return c.leaf.items[c.pos];
  }

  /** Calls visit for ranks start..end inclusive (0 ≤ start ≤ end < size), ascending. */
  forRange(start: number, end: number, visit: (it: ZItem) => void): void {
    let { leaf, pos } = this.seek(start);
    let left = end - start + 1;
    for (;;) {
      const items = leaf.items;
      while (pos < items.length && left > 0) {
        visit(items[pos++]);
        left--;
      }
      if (left === 0 || leaf.next === null) return;
      leaf = leaf.next;
      pos = 0;
    }
  }

  /** Calls visit for ranks end..start, descending (0 ≤ start ≤ end < size). */
  forRangeRev(start: number, end: number, visit: (it: ZItem) => void): void {
    let { leaf, pos } = this.seek(end);
    let left = end - start + 1;
    for (;;) {
      const items = leaf.items;
      while (pos >= 0 && left > 0) {
        visit(items[pos--]);
        left--;
      }
      if (left === 0 || leaf.prev === null) return;
      leaf = leaf.prev;
      pos = leaf.items.length - 1;
    }
  }

  /** Items of ranks start..end inclusive, ascending. */
  slice(start: number, end: number): ZItem[] {
    const out: ZItem[] = [];
    if (start > end) return out;
    this.forRange(start, end, (it) => out.push(it));
    return out;
  }

  /** Every item, ascending. */
  forEach(visit: (it: ZItem) => void): void {
    if (this.n > 0) this.forRange(0, this.n - 1, visit);
  }

  min(): ZItem | undefined {
    return this.n === 0 ? undefined : this.first.items[0];
  }

  max(): ZItem | undefined {
    return this.n === 0 ? undefined : this.last.items[this.last.items.length - 1];
  }

  /** Checks the invariants (tests). Returns the item count. */
  check(): number {
    const walk = (node: TreeNode, lo: [number, string] | null, hi: [number, string] | null): number => {
      if (node.leaf) {
        for (let i = 0; i < node.items.length; i++) {
          const x = node.items[i];
          if (i > 0 && cmpKey(node.items[i - 1].score, node.items[i - 1].member, x.score, x.member) >= 0)
            throw new Error('leaf out of order');
          if (lo !== null && cmpKey(x.score, x.member, lo[0], lo[1]) < 0) throw new Error('below bound');
          if (hi !== null && cmpKey(x.score, x.member, hi[0], hi[1]) >= 0) throw new Error('above bound');
        }
        return node.items.length;
      }
      let total = 0;
      for (let i = 0; i < node.children.length; i++) {
        const l: [number, string] | null = i === 0 ? lo : [node.sepS[i], node.sepM[i]];
        const h: [number, string] | null =
          i + 1 < node.children.length ? [node.sepS[i + 1], node.sepM[i + 1]] : hi;
        const s = walk(node.children[i], l, h);
        if (s !== node.sizes[i]) throw new Error(`size mismatch ${s} != ${node.sizes[i]}`);
        total += s;
      }
      return total;
    };
    const total = walk(this.root, null, null);
    if (total !== this.n) throw new Error('count mismatch');
    let linked = 0;
    for (let l: Leaf | null = this.first; l !== null; l = l.next) linked += l.items.length;
    if (linked !== this.n) throw new Error('leaf chain mismatch');
    return total;
  }
}

// ---- the value ----

/** Estimated bytes per element besides the member: item, map entry, tree and scan slots. */
const ELEMENT_OVERHEAD = 120;

export class ZSetValue implements ValueLike {
  readonly kind = 'zset';
  /** listpack encoding in Redis terms (small set, short members). */
  packed: boolean;
  private readonly dict = new Map<string, ZItem>();
  private tree: ZTree;
  /** Items in insertion order with tombstones (ZSCAN cursors), with their sequence numbers. */
  private order: (ZItem | null)[] = [];
  private seqs: number[] = [];
  private tombs = 0;
  private nextSeq = 1;
  private bytes = 0;

  /** `shape` is for tests: tiny tree nodes. */
  constructor(
    packed = true,
    private readonly shape?: TreeShape,
  ) {
    this.packed = packed;
    this.tree = new ZTree(shape);
  }

  get size(): number {
    return this.dict.size;
  }

  encoding(): string {
    return this.packed ? 'listpack' : 'skiplist';
  }

  memoryUsage(): number {
    return 96 + this.bytes + this.dict.size * ELEMENT_OVERHEAD + this.order.length * 16;
  }

  clone(): ZSetValue {
    const z = new ZSetValue(this.packed, this.shape);
    const items: ZItem[] = [];
    this.tree.forEach((it) => {
      items.push(new ZItem(it.member, it.score));
    });
    z.loadSorted(items);
    return z;
  }

  /** Fills an empty set from items in (score, member) order with distinct members. */
  loadSorted(items: ZItem[]): void {
    this.tree = ZTree.fromSorted(items, this.shape);
    for (const it of items) {
      if (this.packed && it.score === 0) it.score = 0;
      this.dict.set(it.member, it);
      this.track(it);
      this.bytes += it.member.length;
    }
  }

  /** Longest member length (encoding decisions). O(n). */
  maxMemberLength(): number {
    let m = 0;
    for (const k of this.dict.keys()) if (k.length > m) m = k.length;
    return m;
  }

  get(member: string): ZItem | undefined {
    return this.dict.get(member);
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  has(member: string): boolean {
    return this.dict.has(member);
  }

  private track(it: ZItem): void {
    it.idx = this.order.length;
    this.order.push(it);
    this.seqs.push(this.nextSeq++);
  }

  /** Adds a member that is not present. */
  add(member: string, score: number): ZItem {
    // a listpack stores 0 for -0 (as an integer entry); a skiplist keeps the sign
    if (this.packed && score === 0) score = 0;
    const it = new ZItem(member, score);
    this.dict.set(member, it);
    this.tree.insert(it);
    this.track(it);
    this.bytes += member.length;
    return it;
  }

  /** Changes the score of a present item (moves it in the order). */
  update(it: ZItem, score: number): void {
    if (score === it.score) return;
    if (this.packed && score === 0) score = 0;
    this.tree.delete(it.score, it.member);
    it.score = score;
    this.tree.insert(it);
  }

  /** Removes a member; returns whether it was there. */
  delete(member: string): boolean {
    const it = this.dict.get(member);
    if (it === undefined) return false;
    this.removeItem(it);
    return true;
  }

  removeItem(it: ZItem): void {
    this.dict.delete(it.member);
    this.tree.delete(it.score, it.member);
    this.bytes -= it.member.length;
    this.order[it.idx] = null;
    it.idx = -1;
    this.tombs++;
    if (this.tombs > 64 && this.tombs * 2 > this.order.length) this.compact();
  }

  private compact(): void {
    const order: (ZItem | null)[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < this.order.length; i++) {
      const it = this.order[i];
      if (it === null) continue;
      it.idx = order.length;
      order.push(it);
      seqs.push(this.seqs[i]);
    }
    this.order = order;
    this.seqs = seqs;
    this.tombs = 0;
  }

  /** 0-based rank in ascending order. */
  rank(it: ZItem): number {
    return this.tree.rank(it.score, it.member);
  }

  /** Number of items before the first for which pred holds. */
  countBefore(pred: KeyPred): number {
    return this.tree.countBefore(pred);
  }

  at(i: number): ZItem {
    return this.tree.at(i);
  }

  /** Items of ranks start..end (clamped by the caller), ascending or descending. */
  range(start: number, end: number, rev = false): ZItem[] {
    const out: ZItem[] = [];
    if (start > end) return out;
    if (rev) this.tree.forRangeRev(start, end, (it) => out.push(it));
    else this.tree.forRange(start, end, (it) => out.push(it));
    return out;
  }

  forRange(start: number, end: number, rev: boolean, visit: (it: ZItem) => void): void {
    if (start > end) return;
    if (rev) this.tree.forRangeRev(start, end, visit);
    else this.tree.forRange(start, end, visit);
  }

  min(): ZItem | undefined {
    return this.tree.min();
  }

  max(): ZItem | undefined {
    return this.tree.max();
  }

  /** Every item in ascending order. */
  items(): ZItem[] {
    return this.tree.slice(0, this.tree.size - 1);
  }

  /**
   * ZSCAN step over insertion order: visits up to `count` live items from sequence `cursor`
   * and returns the next cursor (0 when done).
   */
  scan(cursor: number, count: number, visit: (it: ZItem) => void): number {
    const seqs = this.seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid] < cursor) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    let i = lo;
    // tombstones count a little, so a scan over a mostly deleted stretch still returns
    let budget = count * 10;
    for (; i < this.order.length && seen < count && budget > 0; i++, budget--) {
      const it = this.order[i];
      if (it === null) continue;
      visit(it);
      seen++;
    }
    return i >= this.order.length ? 0 : seqs[i];
  }

  /** Checks the internal invariants (tests). */
  check(): void {
    const n = this.tree.check();
    if (n !== this.dict.size) throw new Error('tree and dict disagree');
    let live = 0;
    for (const it of this.order) if (it !== null) live++;
    if (live !== n) throw new Error('scan order disagrees');
  }
}

export function isZSet(v: unknown): v is ZSetValue {
  return v instanceof ZSetValue;
}
