// The set value: members as latin1 strings in a ScanMap (stable SSCAN cursors, O(1) random
// picks, insertion order).
//
// OBJECT ENCODING follows Redis 7.0: 'intset' while every member is a 64-bit integer in
// canonical form (what string2ll accepts: no '+', no leading zeros, no "-0") and the set has
// at most set-max-intset-entries members, then 'hashtable' for good. An intset is a sorted
// array, so Redis returns its members in numeric order; members() does the same for an
// intset-encoded set (sorted lazily and cached), which makes small integer sets reply exactly
// like Redis. Hashtable order is Redis's hash order, which nobody can rely on.

import type { ValueLike } from './db';
import { ScanMap } from './scanmap';

/** Estimated bytes per member besides its payload: map entry, node, string header. */
const MEMBER_OVERHEAD = 96;

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/** True when `s` is a canonical 64-bit integer, as Redis's string2ll accepts it. */
export function isIntString(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 20) return false;
  if (s === '0') return true;
  let p = 0;
  if (s.charCodeAt(0) === 45) {
    p = 1;
    if (len === 1) return false;
  }
  const first = s.charCodeAt(p);
  if (first < 49 || first > 57) return false;
  for (let i = p + 1; i < len; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return false;
  }
  const digits = len - p;
  if (digits < 19) return true;
  if (digits > 19) return false;
  // 19 digits: compare with the int64 bound as text (equal lengths compare numerically)
  const body = p === 0 ? s : s.slice(1);
  return body <= (p === 0 ? INT64_MAX_DIGITS : INT64_MIN_DIGITS);
}

/** Numeric order of two canonical integer strings, without parsing them. */
export function compareIntStrings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let r: number;
  if (a.length !== b.length) r = a.length < b.length ? -1 : 1;
  else r = a < b ? -1 : a > b ? 1 : 0;
  return na && r !== 0 ? -r : r;
}

export class SetValue implements ValueLike {
  readonly kind = 'set';
  readonly map = new ScanMap<true>();
  /** Still in the intset encoding. */
  intset: boolean;
  /** intset members in numeric order; null when not computed since the last change. */
  private sorted: string[] | null = null;
  /** Sum of member lengths. */
  private bytes = 0;

  /** `intset`: the encoding a new set starts in (Redis picks it from the first member). */
  constructor(intset = true) {
    this.intset = intset;
  }

  /** A new set for a first member, as Redis's setTypeCreate. */
  static for(member: string): SetValue {
    return new SetValue(isIntString(member));
  }

  get size(): number {
    return this.map.size;
  }

  /** Sum of the member lengths. */
  get payloadBytes(): number {
    return this.bytes;
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  memoryUsage(): number {
    return 64 + this.bytes + this.map.size * MEMBER_OVERHEAD;
  }

  clone(): SetValue {
    const s = new SetValue(this.intset);
    for (const m of this.map.keys()) s.map.set(m, true);
    s.bytes = this.bytes;
    return s;
  }

  has(member: string): boolean {
    return this.map.has(member);
  }

  /** Adds a member; returns true when it was new. `maxIntset` is set-max-intset-entries. */
  add(member: string, maxIntset: number): boolean {
    if (this.map.has(member)) return false;
    if (this.intset && !isIntString(member)) this.intset = false;
    this.map.set(member, true);
    this.bytes += member.length;
    this.sorted = null;
    if (this.intset && this.map.size > maxIntset) this.intset = false;
    return true;
  }

  delete(member: string): boolean {
    if (this.map.delete(member) === undefined) return false;
    this.bytes -= member.length;
    this.sorted = null;
    return true;
  }

  /** Members in reply order: numeric for an intset, insertion order otherwise. */
  members(): Iterable<string> {
    if (!this.intset) return this.map.keys();
    if (this.sorted === null) this.sorted = [...this.map.keys()].sort(compareIntStrings);
    return this.sorted;
  }

  /** A uniformly random member; the set must not be empty. */
  random(rand?: () => number): string {
    return this.map.random(rand).key;
  }
}

export function isSet(v: unknown): v is SetValue {
  return v instanceof SetValue;
}
