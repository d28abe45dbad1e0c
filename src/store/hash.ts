// The hash value: fields and values as latin1 strings (one char per byte, so binary safe and
// compact in V8) in a ScanMap, which keeps insertion order, stable HSCAN cursors and O(1)
// random picks.
//
// OBJECT ENCODING follows Redis 7.0: 'listpack' while the hash has at most
// hash-max-listpack-entries fields and no field or value longer than hash-max-listpack-value
// bytes, then 'hashtable' for good (Redis never converts back). A listpack keeps insertion
// order and updates in place, which is what the ScanMap does, so small hashes reply in the
// same order as Redis; a listpack is also returned whole by HSCAN, and so is a small hash here.

import type { ValueLike } from './db';
import { ScanMap } from './scanmap';

/** Estimated bytes per field besides its payload: map entry, node, two string headers. */
const FIELD_OVERHEAD = 120;

/** The conversion thresholds, read from the config by the commands. */
export interface HashLimits {
  /** hash-max-listpack-entries */
  entries: number;
  /** hash-max-listpack-value */
  value: number;
}

export class HashValue implements ValueLike {
  readonly kind = 'hash';
  readonly map = new ScanMap<string>();
  /** Still in the small encoding. */
  listpack = true;
  /** Sum of field and value lengths. */
  private bytes = 0;

  get size(): number {
    return this.map.size;
  }

  /** Sum of field and value lengths. */
  get payloadBytes(): number {
    return this.bytes;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  memoryUsage(): number {
    return 64 + this.bytes + this.map.size * FIELD_OVERHEAD;
  }

  clone(): HashValue {
    const h = new HashValue();
    for (const n of this.map.nodes()) h.map.set(n.key, n.value);
    h.listpack = this.listpack;
    h.bytes = this.bytes;
    return h;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** Sets a field; returns true when it was added. Converts to hashtable past the limits. */
  set(field: string, value: string, lim: HashLimits): boolean {
    if (this.listpack && (field.length > lim.value || value.length > lim.value)) this.listpack = false;
    const n = this.map.node(field);
    if (n !== undefined) {
      this.bytes += value.length - n.value.length;
      n.value = value;
      return false;
    }
    this.map.set(field, value);
    this.bytes += field.length + value.length;
    if (this.listpack && this.map.size > lim.entries) this.listpack = false;
    return true;
  }

  delete(field: string): boolean {
    const n = this.map.delete(field);
    if (n === undefined) return false;
    this.bytes -= n.key.length + n.value.length;
    return true;
  }
}

export function isHash(v: unknown): v is HashValue {
  return v instanceof HashValue;
}
