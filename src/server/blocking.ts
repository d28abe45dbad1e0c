// Blocking on keys: clients parked by a blocking command (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
// BLMPOP; later BZPOPMIN/BZPOPMAX/BZMPOP and XREAD/XREADGROUP BLOCK) until a key they wait on
// can serve them, their timeout passes, they are unblocked (CLIENT UNBLOCK) or they disconnect.
//
// API (everything a blocking command or a key-creating command needs):
//
//   parseTimeout(c, arg) → deadline | null
//       Seconds as Redis's getTimeoutFromObjectOrReply (long double, fractional): ms epoch,
//       0 = forever; on a bad value writes the Redis error and returns null.
//   canBlock(c) → boolean
//       False inside MULTI/EXEC and nested command calls (scripts): the command must then
//       answer as on timeout instead of blocking. EXEC and EVAL must run their commands
//       through dispatch.call() (which tracks the nesting depth) for this to hold.
//   blockForKeys(c, keys, deadline, serve, onTimeout?)
//       Parks `c` (its further input is held) on `keys` of c.db. When one of them becomes
//       ready, serve(key) runs with `c` as the current client: it either writes c's reply and
//       returns true (the client is unblocked, its held input resumes), or returns false to
//       keep waiting (wrong type, nothing new for it...). On timeout onTimeout() writes the
//       reply (default: null array, as Redis does for lists, zsets and streams).
//   signalKeyAsReady(db, key)
//       A key may now serve waiters. Db.set() calls it for every key it stores (so RENAME,
//       COPY, MOVE, RESTORE, SORT STORE and every list/zset/stream creation are covered);
//       call it explicitly for in-place additions that can serve waiters (XADD to an
//       existing stream). Cheap when nobody waits on the key.
//   scanDatabaseForReadyKeys(db)
//       Every waited key that now exists becomes ready; Db.swapWith() (SWAPDB) calls it.
//   handleClientsBlockedOnKeys()
//       Serves ready keys: for each key in signal order, its waiters in FIFO order of
//       blocking, until the key is gone. Runs after every top-level command (installed in
//       server.afterCommandHooks), so a command's whole effect (or a whole EXEC) lands before
//       waiters are served, as in Redis; keys made ready while serving (BLMOVE destination)
//       are served in the same pass.
//   unblockClient(c, error?) → boolean
//       CLIENT UNBLOCK: writes the timeout reply (or the error) and unblocks.
//   propagateHooks / propagate(c, argv)
//       Serving happens outside call(): a served command reports its non-blocking
//       equivalent (LPOP key, LMOVE ...) here for AOF/replication.
//   blockedClientCount(s), blockingKeyCount(s)
//       For INFO (blocked_clients, clients_in_timeout_table-like stats).
//
// State is module-level and keyed by Db objects (Db objects stay per index; SWAPDB swaps their
// contents), so waiters on db 0 keep waiting on db 0 as in Redis.

import type { Db } from '../store/db';
import type { Client } from './client';
import { disconnectHooks, flushPending, processInput } from './connection';
import { callDepth } from './dispatch';
import type { Server } from './server';

interface Waiter {
  c: Client;
  db: Db;
  keys: string[];
  serve: (key: string) => boolean;
  onTimeout: () => void;
  deadline: number;
  active: boolean;
}

const byClient = new Map<Client, Waiter>();
/** db → key → waiters in blocking order (a Set iterates in insertion order). */
const waiting = new Map<Db, Map<string, Set<Waiter>>>();
/** Keys signalled since the last pass, per db, in signal order. */
let ready = new Map<Db, Set<string>>();
let readyScheduled = false;
const installed = new WeakSet<Server>();
let hooksInstalled = false;
const resumeQueue = new Set<Client>();
let resumeScheduled = false;

/** setTimeout's limit; longer waits re-arm. */
const MAX_TIMER = 2 ** 31 - 1;

export const propagateHooks: ((c: Client, argv: Buffer[]) => void)[] = [];

export function propagate(c: Client, argv: Buffer[]): void {
  for (const h of propagateHooks) h(c, argv);
}

// ---- timeout parsing ----

const DEC_RE = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
/** long double range (x87 80-bit): decimal exponents beyond these overflow / underflow to 0. */
const LD_MAX_EXP = 4932;
const LD_MIN_EXP = -4951;

/**
 * strtold over the whole string, as Redis's string2ld: no leading space, no trailing bytes,
 * NaN rejected, overflow and underflow to zero rejected. The value is returned as a double
 * (beyond double range it becomes ±Infinity or 0, which the callers treat like Redis does).
 */
export function parseLongDouble(s: string): number | null {
  if (s.length === 0 || s.length >= 5 * 1024) return null;
  const low = s.toLowerCase();
  const unsigned = low[0] === '+' || low[0] === '-' ? low.slice(1) : low;
  if (unsigned === 'inf' || unsigned === 'infinity') return low[0] === '-' ? -Infinity : Infinity;
  let m = DEC_RE.exec(s);
  if (m !== null) {
    const ip = m[1];
    const fp = m[2] ?? '';
    if (ip.length === 0 && fp.length === 0) return null;
    const exp = m[3] === undefined ? 0 : Number(m[3]);
    const nz = ip.search(/[1-9]/);
    let decExp: number | null = null;
    if (nz >= 0) decExp = ip.length - nz - 1 + exp;
    else {
      const fz = fp.search(/[1-9]/);
      if (fz >= 0) decExp = -(fz + 1) + exp;
    }
    if (decExp !== null && (decExp > LD_MAX_EXP || decExp < LD_MIN_EXP)) return null;
    return Number(s);
  }
  m = HEX_RE.exec(s);
  if (m !== null) {
    const ip = m[2];
    const fp = m[3] ?? '';
    if (ip.length === 0 && fp.length === 0) return null;
    let v = 0;
    for (const ch of ip) v = v * 16 + Number.parseInt(ch, 16);
    let scale = 1 / 16;
    for (const ch of fp) {
      v += Number.parseInt(ch, 16) * scale;
      scale /= 16;
    }
    if (m[4] !== undefined) v *= 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  return null;
}

/**
 * A blocking command's timeout in seconds → absolute deadline in ms (0 = forever), or null
 * after writing the error. As Redis 7.0: ms = (long long)(seconds * 1000), where a product
 * beyond the 64-bit range converts to LLONG_MIN and so reads as negative.
 */
export function parseTimeout(c: Client, arg: Buffer): number | null {
  const v = parseLongDouble(arg.toString('latin1'));
  if (v === null) {
    c.reply.error('ERR timeout is not a float or out of range');
    return null;
  }
  const t = v * 1000;
  const ms = Math.abs(t) < 2 ** 63 ? Math.trunc(t) : -1;
  if (ms < 0) {
    c.reply.error('ERR timeout is negative');
    return null;
  }
  return ms === 0 ? 0 : c.server.clock.now() + ms;
}

// ---- blocking ----

/** Whether the running command may block (not inside MULTI/EXEC or a script). */
export function canBlock(c: Client): boolean {
  return c.multi === null && callDepth() <= 1;
}

function install(s: Server): void {
  if (!installed.has(s)) {
    installed.add(s);
    s.afterCommandHooks.push(() => {
      if (ready.size > 0 && callDepth() === 0) handleClientsBlockedOnKeys();
    });
  }
  if (!hooksInstalled) {
    hooksInstalled = true;
    disconnectHooks.push((c) => {
      const w = byClient.get(c);
      if (w !== undefined) detach(w);
    });
  }
}

export function blockForKeys(
  c: Client,
  keys: string[],
  deadline: number,
  serve: (key: string) => boolean,
  onTimeout: () => void = () => c.reply.nullArray(),
  argv: Buffer[] = [],
): void {
  const s = c.server;
  install(s);
  const db = c.db;
  if (db.onKeySet === null) db.onKeySet = signalKeyAsReady;
  if (db.onSwapped === null) db.onSwapped = scanDatabaseForReadyKeys;
  const w: Waiter = { c, db, keys: [...new Set(keys)], serve, onTimeout, deadline, active: true };
  byClient.set(c, w);
  let perDb = waiting.get(db);
  if (perDb === undefined) waiting.set(db, (perDb = new Map()));
  for (const k of w.keys) {
    let q = perDb.get(k);
    if (q === undefined) perDb.set(k, (q = new Set()));
    q.add(w);
  }
  c.blockedOn = { kind: 'keys', argv, deadline, timer: null, keys: w.keys, onTimeout };
  if (deadline !== 0) arm(w);
}

function arm(w: Waiter): void {
  const b = w.c.blockedOn;
  if (b === null) return;
  const delay = Math.min(Math.max(w.deadline - w.c.server.clock.now(), 0), MAX_TIMER);
  b.timer = setTimeout(() => {
    if (!w.active) return;
    const s = w.c.server;
    if (s.clock.now() < w.deadline) {
      arm(w);
      return;
    }
    w.onTimeout();
    finish(w);
    flushPending(s);
  }, delay);
}

/** Removes a waiter from every queue (no reply). */
function detach(w: Waiter): void {
  if (!w.active) return;
  w.active = false;
  byClient.delete(w.c);
  const perDb = waiting.get(w.db);
  if (perDb !== undefined) {
    for (const k of w.keys) {
      const q = perDb.get(k);
      if (q === undefined) continue;
      q.delete(w);
      if (q.size === 0) perDb.delete(k);
    }
    if (perDb.size === 0) waiting.delete(w.db);
  }
}

/** Unblocks a waiter whose reply was written: its held input resumes after this pass. */
function finish(w: Waiter): void {
  detach(w);
  const c = w.c;
  const b = c.blockedOn;
  if (b !== null && b.kind === 'keys') {
    if (b.timer) clearTimeout(b.timer);
    c.blockedOn = null;
  }
  c.server.pendingFlush.add(c);
  resumeQueue.add(c);
  if (!resumeScheduled) {
    resumeScheduled = true;
    setImmediate(runResumes);
  }
}

/** Runs the input unblocked clients received while they waited (Redis: processUnblockedClients). */
function runResumes(): void {
  resumeScheduled = false;
  const list = [...resumeQueue];
  resumeQueue.clear();
  const servers = new Set<Server>();
  for (const c of list) {
    if (c.closed || c.blockedOn !== null) continue;
    processInput(c.server, c);
    c.server.pendingFlush.add(c);
    servers.add(c.server);
  }
  for (const s of servers) flushPending(s);
}

export function signalKeyAsReady(db: Db, key: string): void {
  if (byClient.size === 0) return;
  const q = waiting.get(db)?.get(key);
  if (q === undefined) return;
  let set = ready.get(db);
  if (set === undefined) ready.set(db, (set = new Set()));
  set.add(key);
  if (!readyScheduled) {
    // normally served by the after-command hook; this covers keys made ready outside commands
    readyScheduled = true;
    setImmediate(() => {
      readyScheduled = false;
      if (ready.size > 0) handleClientsBlockedOnKeys();
    });
  }
}

export function scanDatabaseForReadyKeys(db: Db): void {
  const perDb = waiting.get(db);
  if (perDb === undefined) return;
  for (const k of perDb.keys()) if (db.get(k) !== undefined) signalKeyAsReady(db, k);
}

export function handleClientsBlockedOnKeys(): void {
  const servers = new Set<Server>();
  while (ready.size > 0) {
    const batch = ready;
    ready = new Map();
    for (const [db, keys] of batch) {
      for (const k of keys) {
        const q = waiting.get(db)?.get(k);
        if (q === undefined) continue;
        for (const w of q) {
          if (db.get(k) === undefined) break;
          if (!w.active) continue;
          if (w.serve(k)) {
            finish(w);
            servers.add(w.c.server);
          }
        }
      }
    }
  }
  for (const s of servers) flushPending(s);
}

export function unblockClient(c: Client, error?: string): boolean {
  const w = byClient.get(c);
  if (w === undefined) return false;
  if (error !== undefined) c.reply.error(error);
  else w.onTimeout();
  finish(w);
  return true;
}

export function isBlockedOnKeys(c: Client): boolean {
  return byClient.has(c);
}

export function blockedClientCount(s: Server): number {
  let n = 0;
  for (const c of byClient.keys()) if (c.server === s) n++;
  return n;
}

export function blockingKeyCount(s: Server): number {
  let n = 0;
  for (const db of s.dbs) n += waiting.get(db)?.size ?? 0;
  return n;
}
