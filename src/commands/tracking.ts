// Client tracking (server-assisted client-side caching), as Redis 7.0: CLIENT TRACKING, CACHING,
// GETREDIR, TRACKINGINFO. Default mode remembers the keys a tracking client's read-only commands
// touched (one table over all databases, key → client ids) and sends one invalidation when such
// a key changes, then forgets it. BCAST mode keeps no key table: every changed key matching one
// of the client's prefixes is sent, batched per prefix. Invalidations are queued while a command
// runs and written once the top-level command has finished (after its own reply, as Redis does
// for the running client), or at the end of the cron (expiry).

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { resetHooks } from '../server/clientops';
import { disconnectHooks } from '../server/connection';
import { setTrackHook } from '../server/dispatch';
import { serverInitHooks } from '../server/hooks';
import { addInfoFields } from '../server/info';
import type { Server } from '../server/server';
import { is, parseInt64 } from './args';
import { clientSubcommands, trackingView } from './client';
import { type Command, Flag } from './types';

interface TrackState {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING given for the next command */
  caching: boolean;
  /** the redirect client went away */
  brokenRedir: boolean;
  redirect: number;
  /** BCAST prefixes (latin1) */
  prefixes: Set<string>;
}

interface Prefix {
  clients: Set<Client>;
  /** keys changed since the last broadcast */
  keys: Set<string>;
}

interface Pending {
  /** key, or null for the FLUSHALL/FLUSHDB "everything" message */
  key: string | null;
  target: Client;
}

interface State {
  server: Server;
  clients: Map<Client, TrackState>;
  /** key → ids of the clients that read it */
  table: Map<string, Set<number>>;
  items: number;
  prefixes: Map<string, Prefix>;
  pending: Pending[];
  broadcastDue: boolean;
  /** a script ran a read-only command during the current top-level call */
  scriptRead: boolean;
}

const states = new WeakMap<Server, State>();
/** tracking clients over every server in the process: the dispatcher hook is on while > 0 */
let active = 0;

function stateOf(s: Server): State {
  let st = states.get(s);
  if (st === undefined) {
    st = {
      server: s,
      clients: new Map(),
      table: new Map(),
      items: 0,
      prefixes: new Map(),
      pending: [],
      broadcastDue: false,
      scriptRead: false,
    };
    states.set(s, st);
  }
  return st;
}

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/**
 * Writes one invalidation for tracking client `c`: `keys` is a key, a prebuilt RESP array of
 * keys (BCAST), or null (flush: a null in `c`'s own protocol, as Redis).
 */
function sendMessage(s: Server, c: Client, t: TrackState, keys: string | Buffer | null): void {
  let to = c;
  let redirected = false;
  if (t.redirect !== 0) {
    const r = s.clients.get(t.redirect);
    if (r === undefined || r.closed) {
      t.brokenRedir = true;
      if (c.reply.proto === 3) {
        c.reply.push(2);
        c.reply.bulkStr('tracking-redir-broken');
        c.reply.int(t.redirect);
        s.pendingFlush.add(c);
      }
      return;
    }
    to = r;
    redirected = true;
  }
  const w = to.reply;
  if (w.proto === 3) {
    w.push(2);
    w.bulkStr('invalidate');
  } else if (redirected && to.subscriptions > 0) {
    // a RESP2 subscriber gets a pub/sub message on the invalidation channel
    w.push(3);
    w.bulkStr('message');
    w.bulkStr(INVALIDATE_CHANNEL);
  } else {
    // RESP2 without redirection: nowhere to put it
    return;
  }
  if (keys === null) w.raw(c.reply.proto === 3 ? '_\r\n' : '$-1\r\n');
  else if (typeof keys === 'string') {
    w.array(1);
    w.bulkStr(keys);
  } else w.rawBuf(keys);
  s.pendingFlush.add(to);
}

/** A key changed: queue invalidations for the clients that read it; note it for BCAST. */
function keyModified(st: State, key: string): void {
  if (st.prefixes.size > 0) {
    for (const [p, pre] of st.prefixes) {
      if (key.startsWith(p)) {
        pre.keys.add(key);
        st.broadcastDue = true;
      }
    }
  }
  const ids = st.table.get(key);
  if (ids === undefined) return;
  st.table.delete(key);
  st.items -= ids.size;
  // written after the command, when the writer is known (NOLOOP)
  for (const id of ids) {
    const c = st.server.clients.get(id);
    if (c !== undefined) st.pending.push({ key, target: c });
  }
}

/** Writes the queued invalidations; `current` ran the command that caused them (NOLOOP). */
function flushMessages(s: Server, st: State, current: Client | null): void {
  if (st.pending.length > 0) {
    const list = st.pending;
    st.pending = [];
    for (const p of list) {
      const t = st.clients.get(p.target);
      if (t === undefined) continue;
      if (p.key !== null && (t.bcast || (t.noloop && p.target === current))) continue;
      sendMessage(s, p.target, t, p.key);
    }
  }
  if (st.broadcastDue) {
    st.broadcastDue = false;
    for (const pre of st.prefixes.values()) {
      if (pre.keys.size === 0) continue;
      const keys = [...pre.keys].sort(byteOrder);
      const all = encodeKeys(keys);
      for (const c of pre.clients) {
        const t = st.clients.get(c);
        if (t === undefined) continue;
        // the keys of one batch were all changed by `current` (messages go out after each
        // top-level command): a NOLOOP client hears nothing of its own writes
        if (!(t.noloop && current === c)) sendMessage(s, c, t, all);
      }
      pre.keys.clear();
    }
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeKeys(keys: string[]): Buffer {
  let out = `*${keys.length}\r\n`;
  for (const k of keys) out += `$${k.length}\r\n${k}\r\n`;
  return Buffer.from(out, 'latin1');
}

/** Records the keys of a read-only command run by a tracking client. */
function rememberKeys(st: State, c: Client, t: TrackState, cmd: Command, argv: Buffer[]): void {
  if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
  if (cmd.flags & Flag.Movablekeys && cmd.def.getKeys === undefined) return;
  const idx = cmd.keyIndexes(argv);
  for (let i = 0; i < idx.length; i++) {
    const n = idx[i];
    if (n <= 0 || n >= argv.length) continue;
    const key = argv[n].toString('latin1');
    let ids = st.table.get(key);
    if (ids === undefined) {
      ids = new Set();
      st.table.set(key, ids);
    }
    if (!ids.has(c.id)) {
      ids.add(c.id);
      st.items++;
    }
  }
}

/**
 * tracking-table-max-keys: past it, the oldest keys are invalidated as if changed (Redis picks
 * random ones) until the table fits.
 */
function limitTable(s: Server, st: State): void {
  const max = s.config.num('tracking-table-max-keys');
  if (max === 0 || st.table.size <= max) return;
  for (const key of st.table.keys()) {
    if (st.table.size <= max) break;
    keyModified(st, key);
  }
}

/** After every call while some client tracks (dispatch.ts). */
function afterCall(c: Client, cmd: Command, argv: Buffer[], depth: number): void {
  const s = c.server;
  const st = states.get(s);
  if (st === undefined) return;
  const t = st.clients.get(c);
  if (cmd.flags & Flag.Readonly) {
    if (t !== undefined) {
      if (!t.bcast) rememberKeys(st, c, t, cmd, argv);
    } else if (depth > 0 && c.socket === null) {
      // a read by a script (the scripting client): as Redis 7.0, the caller is tracked for the
      // keys its own command declared (EVAL's KEYS), once its top-level call ends
      st.scriptRead = true;
    }
  }
  const name = cmd.fullname;
  if (name === 'flushall' || name === 'flushdb') flushed(st);
  if (depth !== 0) return;
  if (st.scriptRead) {
    st.scriptRead = false;
    if (t !== undefined && !t.bcast) rememberKeys(st, c, t, cmd, argv);
  }
  // CLIENT CACHING applies to the one command after it (a transaction counts as one)
  if (t !== undefined && c.multi === null && !name.startsWith('client|')) t.caching = false;
  flushMessages(s, st, c);
  // keys dropped to fit the table are nobody's writes (NOLOOP clients hear of them too)
  limitTable(s, st);
  if (st.pending.length > 0) flushMessages(s, st, null);
}

/** FLUSHALL / FLUSHDB: every tracking client hears that everything may have changed. */
function flushed(st: State): void {
  for (const c of st.clients.keys()) st.pending.push({ key: null, target: c });
  st.table.clear();
  st.items = 0;
}

function enable(
  st: State,
  c: Client,
  o: Omit<TrackState, 'caching' | 'brokenRedir'>,
  prefixes: string[],
): void {
  let t = st.clients.get(c);
  if (t === undefined) {
    t = { ...o, caching: false, brokenRedir: false };
    st.clients.set(c, t);
    if (active++ === 0) setTrackHook(afterCall);
  } else {
    t.bcast = o.bcast;
    t.optin = o.optin;
    t.optout = o.optout;
    t.noloop = o.noloop;
    t.redirect = o.redirect;
    t.brokenRedir = false;
  }
  if (o.bcast) {
    if (prefixes.length === 0) prefixes = [''];
    for (const p of prefixes) {
      t.prefixes.add(p);
      let pre = st.prefixes.get(p);
      if (pre === undefined) {
        pre = { clients: new Set(), keys: new Set() };
        st.prefixes.set(p, pre);
      }
      pre.clients.add(c);
    }
  }
}

function disable(st: State, c: Client): void {
  const t = st.clients.get(c);
  if (t === undefined) return;
  for (const p of t.prefixes) {
    const pre = st.prefixes.get(p);
    if (pre === undefined) continue;
    pre.clients.delete(c);
    if (pre.clients.size === 0) st.prefixes.delete(p);
  }
  st.clients.delete(c);
  if (--active === 0) setTrackHook(null);
}

function overlaps(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

/** Index of the first element >= p in a sorted array. */
function lowerBound(sorted: string[], p: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first index (in argument order) of a prefix that overlaps another one given, or -1; in
 * O(n log n). In sorted order the prefixes beginning with p form a range starting at p, and
 * every member of such a range of two or more overlaps p: the answer is the least index
 * covered by those ranges.
 */
function firstOverlapping(prefixes: string[]): number {
  const n = prefixes.length;
  if (n < 2) return -1;
  const order = prefixes.map((_, i) => i).sort((a, b) => byteOrder(prefixes[a], prefixes[b]));
  const sorted = order.map((i) => prefixes[i]);
  const cover = new Int32Array(n + 1);
  let any = false;
  for (let q = 0; q < n; q++) {
    // keys are latin1: every string beginning with p sorts before p + U+0100
    const end = lowerBound(sorted, `${sorted[q]}\u0100`);
    if (end - q > 1) {
      cover[q]++;
      cover[end]--;
      any = true;
    }
  }
  if (!any) return -1;
  let best = -1;
  let depth = 0;
  for (let q = 0; q < n; q++) {
    depth += cover[q];
    if (depth > 0 && (best < 0 || order[q] < best)) best = order[q];
  }
  return best;
}

/**
 * BCAST prefixes must not overlap (one a prefix of another), among themselves or with the
 * client's current ones; writes Redis's error naming the first collision. Kept near-linear so a
 * request with many prefixes can't stall the server: sorted neighbours reveal any overlap, and
 * only then is the first pair searched for.
 */
function checkPrefixes(c: Client, cur: TrackState | undefined, prefixes: string[]): boolean {
  const old = cur === undefined ? [] : [...cur.prefixes].sort(byteOrder);
  // the lengths of the current prefixes, shortest first: candidates for "a prefix of p"
  const lengths = [...new Set(old.map((x) => x.length))].sort((a, b) => a - b);
  const firstSelf = firstOverlapping(prefixes);
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i];
    if (old.length > 0) {
      // the first existing one in sorted order: its shortest prefix of p, else what p begins
      let hit: string | null = null;
      for (const k of lengths) {
        if (k > p.length) break;
        if (cur?.prefixes.has(p.slice(0, k))) {
          hit = p.slice(0, k);
          break;
        }
      }
      if (hit === null) {
        const at = lowerBound(old, p);
        if (at < old.length && old[at].startsWith(p)) hit = old[at];
      }
      if (hit !== null) {
        c.reply.error(
          `ERR Prefix '${p}' overlaps with an existing prefix '${hit}'. Prefixes for a single client must not overlap.`,
        );
        return false;
      }
    }
    if (i !== firstSelf) continue;
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(p, prefixes[j])) {
        c.reply.error(
          `ERR Prefix '${p}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`,
        );
        return false;
      }
    }
  }
  return true;
}

// CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST]
//   [OPTIN] [OPTOUT] [NOLOOP]
function clientTracking(c: Client, argv: Buffer[]): void {
  const s = c.server;
  const st = stateOf(s);
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    if (is(argv[j], 'redirect') && more) {
      j++;
      if (redirect !== 0) {
        c.reply.error('ERR A client can only redirect to a single other client');
        return;
      }
      const id = parseInt64(argv[j]);
      if (id === null) {
        c.reply.error(E.notInt);
        return;
      }
      // must exist now, though it may go away later
      if (typeof id !== 'number' || !s.clients.has(id)) {
        c.reply.error('ERR The client ID you want redirect to does not exist');
        return;
      }
      redirect = id;
    } else if (is(argv[j], 'bcast')) bcast = true;
    else if (is(argv[j], 'optin')) optin = true;
    else if (is(argv[j], 'optout')) optout = true;
    else if (is(argv[j], 'noloop')) noloop = true;
    else if (is(argv[j], 'prefix') && more) {
      j++;
      prefixes.push(argv[j].toString('latin1'));
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  if (is(argv[2], 'on')) {
    const cur = st.clients.get(c);
    if (!bcast && prefixes.length > 0) {
      c.reply.error('ERR PREFIX option requires BCAST mode to be enabled');
      return;
    }
    if (cur !== undefined && cur.bcast !== bcast) {
      c.reply.error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
      );
      return;
    }
    if (bcast && (optin || optout)) {
      c.reply.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
      return;
    }
    if (optin && optout) {
      c.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
      return;
    }
    if (cur !== undefined && ((optin && cur.optout) || (optout && cur.optin))) {
      c.reply.error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
      );
      return;
    }
    if (bcast && !checkPrefixes(c, cur, prefixes)) return;
    enable(st, c, { bcast, optin, optout, noloop, redirect, prefixes: new Set() }, prefixes);
  } else if (is(argv[2], 'off')) {
    disable(st, c);
  } else {
    c.reply.error(E.syntax);
    return;
  }
  c.reply.ok();
}

// CLIENT CACHING <YES | NO>
function clientCaching(c: Client, argv: Buffer[]): void {
  const t = stateOf(c.server).clients.get(c);
  if (t === undefined) {
    c.reply.error(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
    return;
  }
  if (is(argv[2], 'yes')) {
    if (!t.optin) {
      c.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (is(argv[2], 'no')) {
    if (!t.optout) {
      c.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    c.reply.error(E.syntax);
    return;
  }
  t.caching = true;
  c.reply.ok();
}

// CLIENT GETREDIR
function clientGetredir(c: Client): void {
  const t = stateOf(c.server).clients.get(c);
  c.reply.int(t === undefined ? -1 : t.redirect);
}

// CLIENT TRACKINGINFO
function clientTrackinginfo(c: Client): void {
  const t = stateOf(c.server).clients.get(c);
  const flags: string[] = [];
  if (t === undefined) flags.push('off');
  else {
    flags.push('on');
    if (t.bcast) flags.push('bcast');
    if (t.optin) {
      flags.push('optin');
      if (t.caching) flags.push('caching-yes');
    }
    if (t.optout) {
      flags.push('optout');
      if (t.caching) flags.push('caching-no');
    }
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedir) flags.push('broken_redirect');
  }
  const r = c.reply;
  r.map(3);
  r.bulkStr('flags');
  r.set(flags.length);
  for (const f of flags) r.bulkStr(f);
  r.bulkStr('redirect');
  r.int(t === undefined ? -1 : t.redirect);
  r.bulkStr('prefixes');
  const pre = t === undefined ? [] : [...t.prefixes].sort(byteOrder);
  r.array(pre.length);
  for (const p of pre) r.bulkStr(p);
}

const conn = { flags: 'noscript loading stale', acl: '@connection' };

clientSubcommands.push(
  { name: 'tracking', arity: -3, ...conn, handler: clientTracking },
  { name: 'caching', arity: 3, ...conn, handler: clientCaching },
  { name: 'getredir', arity: 2, ...conn, handler: clientGetredir },
  { name: 'trackinginfo', arity: 2, ...conn, handler: clientTrackinginfo },
);

trackingView.flags = (c) => {
  const t = states.get(c.server)?.clients.get(c);
  if (t === undefined) return '';
  return `t${t.brokenRedir ? 'R' : ''}${t.bcast ? 'B' : ''}`;
};
trackingView.redir = (c) => states.get(c.server)?.clients.get(c)?.redirect ?? -1;

resetHooks.push((c) => {
  const st = states.get(c.server);
  if (st !== undefined) disable(st, c);
});

disconnectHooks.push((c) => {
  const st = states.get(c.server);
  if (st !== undefined) disable(st, c);
});

serverInitHooks.push((s) => {
  const st = stateOf(s);
  const modified = (_db: unknown, key: string) => {
    if (st.table.size === 0 && st.prefixes.size === 0) return;
    keyModified(st, key);
  };
  s.keyModifiedHooks.push(modified);
  s.keyExpiredHooks.push(modified);
  // with nobody tracking the call hook is off: FLUSHALL/FLUSHDB still empty the table here
  s.dbClearedHooks.push(() => {
    if (st.clients.size === 0) {
      st.table.clear();
      st.items = 0;
    }
  });
  // expiry by the cron: nobody's command caused it
  s.cronHooks.push(() => {
    if (st.pending.length > 0 || st.broadcastDue) flushMessages(s, st, null);
  });
});

addInfoFields('clients', (s) => [['tracking_clients', stateOf(s).clients.size]]);
addInfoFields('stats', (s) => {
  const st = stateOf(s);
  return [
    ['tracking_total_keys', st.table.size],
    ['tracking_total_items', st.items],
    ['tracking_total_prefixes', st.prefixes.size],
  ];
});
