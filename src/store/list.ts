// The list value: a ring buffer (deque) of Buffers. Push and pop at both ends are O(1)
// amortized, index access is O(1), and a range is read by walking consecutive slots.
// The capacity is a power of two so a physical slot is `(head + i) & mask`; it doubles when
// full and halves when a quarter full, so memory follows the length both ways.
//
// Elements are never mutated in place (LSET replaces the slot), so clone() can share them.

import type { ValueLike } from './db';

const MIN_CAP = 8;
/** Estimated bytes per element besides its payload: the Buffer object and its slot. */
const ELEMENT_OVERHEAD = 72;

export class ListValue implements ValueLike {
  readonly kind = 'list';
  private slots: (Buffer | undefined)[];
  private head = 0;
  private len = 0;
  private mask: number;
  /** Sum of element lengths, kept up to date so memoryUsage() is O(1). */
  private bytes = 0;

  constructor(cap = MIN_CAP) {
    let c = MIN_CAP;
    while (c < cap) c *= 2;
    this.slots = new Array(c);
    this.mask = c - 1;
  }

  static from(items: Buffer[]): ListValue {
    const l = new ListValue(items.length);
    for (const b of items) l.pushTail(b);
    return l;
  }

  get length(): number {
    return this.len;
  }

  /** Redis 7.0 always reports quicklist for lists (the listpack encoding came with 7.2). */
  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const l = new ListValue(this.len);
    for (let i = 0; i < this.len; i++) l.slots[i] = this.slots[(this.head + i) & this.mask];
    l.len = this.len;
    l.bytes = this.bytes;
    return l;
  }

  /** Sum of the element lengths. */
  get payloadBytes(): number {
    return this.bytes;
  }

  /** Slots allocated (a power of two, at least 8). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Approximate bytes held, for maxmemory accounting (O(1)). */
  memoryUsage(): number {
    return 48 + this.bytes + this.len * ELEMENT_OVERHEAD + (this.mask + 1) * 8;
  }

  private resize(cap: number): void {
    const next: (Buffer | undefined)[] = new Array(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.head = 0;
    this.mask = cap - 1;
  }

  private maybeShrink(): void {
    const cap = this.mask + 1;
    if (cap > MIN_CAP && this.len * 4 <= cap) {
      let c = cap;
      while (c > MIN_CAP && this.len * 4 <= c) c /= 2;
      this.resize(Math.max(c, MIN_CAP));
    }
  }

  pushHead(b: Buffer): void {
    if (this.len === this.mask + 1) this.resize(this.len * 2);
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = b;
    this.len++;
    this.bytes += b.length;
  }

  pushTail(b: Buffer): void {
    if (this.len === this.mask + 1) this.resize(this.len * 2);
    this.slots[(this.head + this.len) & this.mask] = b;
    this.len++;
    this.bytes += b.length;
  }

  popHead(): Buffer | undefined {
    if (this.len === 0) return undefined;
    const b = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.bytes -= (b as Buffer).length;
    this.maybeShrink();
    return b;
  }

  popTail(): Buffer | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const b = this.slots[i];
    this.slots[i] = undefined;
    this.len--;
    this.bytes -= (b as Buffer).length;
    this.maybeShrink();
    return b;
  }

  /** Element at 0-based index (no negative indexes); undefined when out of range. */
  get(i: number): Buffer | undefined {
    if (i < 0 || i >= this.len) return undefined;
    return this.slots[(this.head + i) & this.mask];
  }

  set(i: number, b: Buffer): void {
    if (i < 0 || i >= this.len) throw new RangeError('list index');
    const p = (this.head + i) & this.mask;
    this.bytes += b.length - (this.slots[p] as Buffer).length;
    this.slots[p] = b;
  }

  /** Calls visit for indexes start..end inclusive (already clamped), in order. */
  forRange(start: number, end: number, visit: (b: Buffer) => void): void {
    const s = this.slots;
    const m = this.mask;
    for (let i = start; i <= end; i++) visit(s[(this.head + i) & m] as Buffer);
  }

  /** Elements start..end inclusive as an array (already clamped indexes). */
  range(start: number, end: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = start; i <= end; i++) out.push(this.slots[(this.head + i) & this.mask] as Buffer);
    return out;
  }

  toArray(): Buffer[] {
    return this.len === 0 ? [] : this.range(0, this.len - 1);
  }

  /** Inserts before index i (0..len); shifts the shorter side. */
  insert(i: number, b: Buffer): void {
    if (i < 0 || i > this.len) throw new RangeError('list index');
    if (i === 0) {
      this.pushHead(b);
      return;
    }
    if (i === this.len) {
      this.pushTail(b);
      return;
    }
    if (this.len === this.mask + 1) this.resize(this.len * 2);
    const s = this.slots;
    const m = this.mask;
    if (i < this.len / 2) {
      // move elements [0, i) one slot left
      this.head = (this.head - 1) & m;
      for (let j = 0; j < i; j++) s[(this.head + j) & m] = s[(this.head + j + 1) & m];
    } else {
      for (let j = this.len; j > i; j--) s[(this.head + j) & m] = s[(this.head + j - 1) & m];
    }
    s[(this.head + i) & m] = b;
    this.len++;
    this.bytes += b.length;
  }

  /** Removes `n` elements from the head and `m` from the tail. */
  trim(n: number, m: number): void {
    n = Math.min(n, this.len);
    m = Math.min(m, this.len - n);
    if (n + m === this.len) {
      this.clear();
      return;
    }
    const mask = this.mask;
    for (let j = 0; j < n; j++) this.drop((this.head + j) & mask);
    for (let j = this.len - m; j < this.len; j++) this.drop((this.head + j) & mask);
    this.head = (this.head + n) & mask;
    this.len -= n + m;
    this.maybeShrink();
  }

  private drop(slot: number): void {
    this.bytes -= (this.slots[slot] as Buffer).length;
    this.slots[slot] = undefined;
  }

  clear(): void {
    this.slots = new Array(MIN_CAP);
    this.mask = MIN_CAP - 1;
    this.head = 0;
    this.len = 0;
    this.bytes = 0;
  }

  /**
   * Removes elements equal to `b`: up to `count` from the head (count > 0), from the tail
   * (count < 0), or all (count 0). Returns how many were removed. One compaction pass.
   */
  remove(b: Buffer, count: number): number {
    const len = this.len;
    const s = this.slots;
    const m = this.mask;
    const limit = count === 0 ? len : Math.abs(count);
    // mark the indexes to drop first, so removal from the tail picks the last matches
    const drop = new Uint8Array(len);
    let found = 0;
    if (count >= 0) {
      for (let i = 0; i < len && found < limit; i++) {
        if (equal(s[(this.head + i) & m] as Buffer, b)) {
          drop[i] = 1;
          found++;
        }
      }
    } else {
      for (let i = len - 1; i >= 0 && found < limit; i--) {
        if (equal(s[(this.head + i) & m] as Buffer, b)) {
          drop[i] = 1;
          found++;
        }
      }
    }
    if (found === 0) return 0;
    let w = 0;
    for (let r = 0; r < len; r++) {
      if (drop[r]) {
        this.bytes -= (s[(this.head + r) & m] as Buffer).length;
        continue;
      }
      if (w !== r) s[(this.head + w) & m] = s[(this.head + r) & m];
      w++;
    }
    for (let j = w; j < len; j++) s[(this.head + j) & m] = undefined;
    this.len = w;
    this.maybeShrink();
    return found;
  }

  /** Index of the first element equal to `b`, or -1. */
  indexOf(b: Buffer): number {
    for (let i = 0; i < this.len; i++)
      if (equal(this.slots[(this.head + i) & this.mask] as Buffer, b)) return i;
    return -1;
  }
}

export function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && (a.length === 0 || a.equals(b));
}

export function isList(v: unknown): v is ListValue {
  return v instanceof ListValue;
}
