// Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
// Queuing happens in the dispatcher (after arity/auth/ACL checks, so a rejected command marks
// the transaction dirty and EXEC answers EXECABORT). WATCH is optimistic locking: every
// modification signalled by the store (Db.onModified) marks the watching clients dirty; FLUSH
// and SWAPDB mark every watcher of the database; a watched key that expires aborts EXEC too.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { resetHooks } from '../server/clientops';
import { disconnectHooks } from '../server/connection';
import { call } from '../server/dispatch';
import { serverInitHooks } from '../server/hooks';
import type { Server } from '../server/server';
import type { Db } from '../store/db';
import { key } from './args';
import type { CommandDef } from './types';

/** Watchers per "dbid\0key", and what each client watches (with the expiry seen at WATCH). */
const watchers = new WeakMap<Server, Map<string, Set<Client>>>();
const watching = new WeakMap<Client, Map<string, { db: Db; key: string; expires: number }>>();

function table(s: Server): Map<string, Set<Client>> {
  let t = watchers.get(s);
  if (t === undefined) {
    t = new Map();
    watchers.set(s, t);
  }
  return t;
}

/** Store hook: a key changed. */
export function touchWatchedKey(s: Server, db: Db, k: string): void {
  const t = watchers.get(s);
  if (t === undefined || t.size === 0) return;
  const set = t.get(`${db.id}\0${k}`);
  if (set === undefined) return;
  for (const c of set) c.watchDirty = true;
}

/** FLUSHDB/FLUSHALL/SWAPDB: every client watching a key of `db` (or any db when null) is dirty. */
export function touchAllWatched(s: Server, db: Db | null): void {
  const t = watchers.get(s);
  if (t === undefined) return;
  const prefix = db === null ? null : `${db.id}\0`;
  for (const [k, set] of t) {
    if (prefix === null || k.startsWith(prefix)) for (const c of set) c.watchDirty = true;
  }
}

export function unwatchAll(c: Client): void {
  const mine = watching.get(c);
  if (mine === undefined) return;
  const t = table(c.server);
  for (const id of mine.keys()) {
    const set = t.get(id);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) t.delete(id);
    }
  }
  watching.delete(c);
  c.watchDirty = false;
}

function watchedKeyExpired(c: Client): boolean {
  const mine = watching.get(c);
  if (mine === undefined) return false;
  const now = c.server.clock.now();
  for (const w of mine.values()) {
    if (w.expires !== 0 && w.expires <= now) return true;
  }
  return false;
}

// MULTI
function multi(c: Client): void {
  if (c.multi !== null) {
    c.reply.error(E.nested);
    return;
  }
  c.multi = { queue: [], dirty: false };
  c.reply.ok();
}

// DISCARD
function discard(c: Client): void {
  if (c.multi === null) {
    c.reply.error('ERR DISCARD without MULTI');
    return;
  }
  c.multi = null;
  unwatchAll(c);
  c.reply.ok();
}

// EXEC
function exec(c: Client): void {
  const m = c.multi;
  if (m === null) {
    c.reply.error('ERR EXEC without MULTI');
    return;
  }
  c.multi = null;
  if (m.dirty) {
    unwatchAll(c);
    c.reply.error(E.execAbort);
    return;
  }
  if (c.watchDirty || watchedKeyExpired(c)) {
    unwatchAll(c);
    c.reply.nullArray();
    return;
  }
  unwatchAll(c);
  c.inExec = true;
  try {
    c.reply.array(m.queue.length);
    for (const q of m.queue) call(c.server, c, q.cmd, q.argv);
  } finally {
    c.inExec = false;
  }
}

// WATCH key [key ...]
function watch(c: Client, argv: Buffer[]): void {
  if (c.multi !== null) {
    c.reply.error('ERR WATCH inside MULTI is not allowed');
    return;
  }
  const t = table(c.server);
  let mine = watching.get(c);
  if (mine === undefined) {
    mine = new Map();
    watching.set(c, mine);
  }
  for (let i = 1; i < argv.length; i++) {
    const k = key(argv[i]);
    const id = `${c.db.id}\0${k}`;
    if (mine.has(id)) continue;
    const e = c.db.get(k);
    mine.set(id, { db: c.db, key: k, expires: e === undefined ? 0 : e.expires });
    let set = t.get(id);
    if (set === undefined) {
      set = new Set();
      t.set(id, set);
    }
    set.add(c);
  }
  c.reply.ok();
}

// UNWATCH
function unwatch(c: Client): void {
  unwatchAll(c);
  c.reply.ok();
}

serverInitHooks.push((s) => {
  s.keyModifiedHooks.push((db, k) => touchWatchedKey(s, db, k));
  s.dbClearedHooks.push((db) => touchAllWatched(s, db));
});
resetHooks.push((c) => {
  c.multi = null;
  unwatchAll(c);
});
disconnectHooks.push((c) => unwatchAll(c));

export const txCommands: CommandDef[] = [
  {
    name: 'multi',
    arity: 1,
    flags: 'noscript loading stale fast allow_busy',
    acl: '@transaction',
    handler: multi,
  },
  {
    name: 'exec',
    arity: 1,
    flags: 'noscript loading stale skip_slowlog',
    acl: '@transaction',
    handler: exec,
  },
  {
    name: 'discard',
    arity: 1,
    flags: 'noscript loading stale fast allow_busy',
    acl: '@transaction',
    handler: discard,
  },
  {
    name: 'watch',
    arity: -2,
    flags: 'noscript loading stale fast allow_busy',
    keys: [1, -1, 1],
    acl: '@transaction',
    handler: watch,
  },
  {
    name: 'unwatch',
    arity: 1,
    flags: 'noscript loading stale fast allow_busy',
    acl: '@transaction',
    handler: unwatch,
  },
];
