// Key access used by command handlers: lookups with hit/miss statistics, type checks,
// and the signals every write emits (WATCH/tracking via Db.modified, dirty counter,
// keyspace notifications).

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import type { Entry, Value } from '../store/db';

/** Lookup for reading: counts keyspace hits/misses and updates LRU/LFU. */
export function lookupRead(c: Client, key: string): Entry | undefined {
  const e = c.db.touchGet(key);
  if (e === undefined) c.server.stats.keyspaceMisses++;
  else c.server.stats.keyspaceHits++;
  return e;
}

/** Lookup for writing (expires the key if needed, no statistics). */
export function lookupWrite(c: Client, key: string): Entry | undefined {
  return c.db.get(key);
}

/** Reads a string value; writes WRONGTYPE and returns null when the key holds another type. */
export function readString(c: Client, key: string): Buffer | undefined | null {
  const e = lookupRead(c, key);
  if (e === undefined) return undefined;
  if (!(e.value instanceof Uint8Array)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** Stores a value, signalling modification; `expires` 0 = persistent unless keepTtl. */
export function setKey(c: Client, key: string, value: Value, expires = 0, keepTtl = false): Entry {
  const e = c.db.set(key, value, expires, keepTtl);
  c.server.dirty++;
  return e;
}

/** setKey() of a string copied from request bytes (Db.setBytes: overwritten in place if it can). */
export function setKeyBytes(c: Client, key: string, src: Buffer, expires = 0, keepTtl = false): Entry {
  const e = c.db.setBytes(key, src, expires, keepTtl);
  c.server.dirty++;
  return e;
}

/** Marks a key as changed in place (e.g. APPEND to an existing value). */
export function modified(c: Client, key: string): void {
  c.db.modified(key);
  c.server.dirty++;
}

/** Emits a keyspace notification (no-op unless notify-keyspace-events enables the class). */
export function notify(c: Client, type: NotifyClass, event: string, key: string): void {
  const n = c.server.notifier;
  if (n !== null) n(type, event, key, c.db.id);
}

/** Notification classes as in notify-keyspace-events. */
export type NotifyClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'm' | 'd' | 'n';
