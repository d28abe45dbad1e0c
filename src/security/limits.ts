// Output buffer limits: a client whose unsent replies grow past its class's hard limit is
// closed at once; one that stays past the soft limit for soft-seconds is closed too. This is
// what keeps a client that pipelines large reads and never reads the replies from growing
// server memory without bound.
//
// Syntax as Redis's client-output-buffer-limit: `<class> <hard> <soft> <soft-seconds>`,
// repeated, classes normal, replica (alias slave) and pubsub; 0 disables a limit. Unlike
// Redis (whose default is `normal 0 0 0`), normal clients are limited by default:
//   normal 256mb 64mb 60  replica 256mb 64mb 60  pubsub 32mb 8mb 60
// A single reply larger than 256mb (e.g. GET of a huge value) therefore needs a higher
// normal limit.
//
// What is measured: the bytes Node still holds for the socket (writableLength) plus replies
// built but not yet handed to it. The connection module hands replies over every 1 MB of a
// pipeline (not only at the end of a read batch), so the check runs before a batch of
// amplifying commands has built all its output.

import type { Client } from '../server/client';
import { closeClient, disconnectHooks, setOutputLimitCheck } from '../server/connection';
import type { Server } from '../server/server';

export type OutputClass = 'normal' | 'replica' | 'pubsub';

export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/** The default, in the form CONFIG GET shows (bytes; Redis prints the replica class as slave). */
export const DEFAULT_OUTPUT_LIMITS =
  'normal 268435456 67108864 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

const CLASS_NAMES: Record<string, OutputClass> = {
  normal: 'normal',
  replica: 'replica',
  slave: 'replica',
  pubsub: 'pubsub',
};

const ERR_ARGS = 'Wrong number of arguments in buffer limit configuration.';
const ERR_CLASS = 'Invalid client class specified in buffer limit configuration.';
const ERR_VALUE = 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';

/** Redis's memtoull units: b, k=1000, kb=1024, m, mb, g, gb (case-insensitive). */
function parseBytes(s: string): number | null {
  const m = /^(\d+)([a-z]*)$/i.exec(s);
  if (m === null) return null;
  const mul: Record<string, number> = {
    '': 1,
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: 1024 * 1024,
    g: 1000 * 1000 * 1000,
    gb: 1024 * 1024 * 1024,
  };
  const f = mul[m[2].toLowerCase()];
  if (f === undefined) return null;
  const n = Number(m[1]) * f;
  return Number.isSafeInteger(n) ? n : null;
}

export type OutputLimits = Record<OutputClass, OutputLimit>;

/**
 * Parses `class hard soft seconds ...` (tokens may also arrive as one space-separated string,
 * as CONFIG SET passes them) on top of `base`: classes not mentioned keep their limits.
 * Returns the new limits or an error text; nothing changes on error.
 */
export function parseOutputLimits(args: string[], base: OutputLimits): OutputLimits | string {
  const tokens: string[] = [];
  for (const a of args) for (const t of a.split(/[ \t]+/)) if (t !== '') tokens.push(t);
  if (tokens.length % 4 !== 0) return ERR_ARGS;
  const out: OutputLimits = {
    normal: { ...base.normal },
    replica: { ...base.replica },
    pubsub: { ...base.pubsub },
  };
  for (let i = 0; i < tokens.length; i += 4) {
    const cls = CLASS_NAMES[tokens[i].toLowerCase()];
    if (cls === undefined) return ERR_CLASS;
    const hard = parseBytes(tokens[i + 1]);
    const soft = parseBytes(tokens[i + 2]);
    const secs = /^\d+$/.test(tokens[i + 3]) ? Number(tokens[i + 3]) : Number.NaN;
    if (hard === null || soft === null || !Number.isSafeInteger(secs)) return ERR_VALUE;
    out[cls] = { hard, soft, softSeconds: secs };
  }
  return out;
}

/** The CONFIG GET form of the limits. */
export function formatOutputLimits(l: OutputLimits): string[] {
  const out: string[] = [];
  const names: [OutputClass, string][] = [
    ['normal', 'normal'],
    ['replica', 'slave'],
    ['pubsub', 'pubsub'],
  ];
  for (const [cls, name] of names) {
    const x = l[cls];
    out.push(name, String(x.hard), String(x.soft), String(x.softSeconds));
  }
  return out;
}

const NO_LIMITS: OutputLimits = {
  normal: { hard: 0, soft: 0, softSeconds: 0 },
  replica: { hard: 0, soft: 0, softSeconds: 0 },
  pubsub: { hard: 0, soft: 0, softSeconds: 0 },
};

class LimitsState {
  limits: OutputLimits;
  /** Below this many pending bytes no class limit can be reached: the check's fast path. */
  floor = Number.POSITIVE_INFINITY;
  /** clients above their soft limit, and since when (ms) */
  readonly softSince = new Map<Client, number>();

  constructor(limits: OutputLimits) {
    this.limits = limits;
    this.update(limits);
  }

  update(l: OutputLimits): void {
    this.limits = l;
    let f = Number.POSITIVE_INFINITY;
    for (const x of [l.normal, l.replica, l.pubsub]) {
      if (x.hard > 0) f = Math.min(f, x.hard);
      if (x.soft > 0) f = Math.min(f, x.soft);
    }
    this.floor = f;
  }
}

const states = new WeakMap<Server, LimitsState>();

function stateOf(s: Server, current?: string[]): LimitsState {
  let st = states.get(s);
  if (st === undefined) {
    const v = current ?? s.config.list('client-output-buffer-limit');
    const parsed = parseOutputLimits(v, NO_LIMITS);
    st = new LimitsState(typeof parsed === 'string' ? NO_LIMITS : parsed);
    states.set(s, st);
  }
  return st;
}

/**
 * The apply hook of client-output-buffer-limit. `value` holds the new triples; on success it
 * is rewritten in place to the full normalized list, so CONFIG GET and CONFIG REWRITE show
 * every class (the config keeps the array it handed to the hook).
 */
export function applyOutputLimits(s: Server, value: string[], prev: string[]): string | undefined {
  const st = stateOf(s, prev);
  const parsed = parseOutputLimits(value, st.limits);
  if (typeof parsed === 'string') return parsed;
  st.update(parsed);
  const norm = formatOutputLimits(parsed);
  value.length = 0;
  for (const t of norm) value.push(t);
  return undefined;
}

/** Decides a client's class; the replication layer may replace the replica test. */
let isReplica = (_c: Client): boolean => false;

export function setReplicaTest(f: (c: Client) => boolean): void {
  isReplica = f;
}

export function outputClass(c: Client): OutputClass {
  if (isReplica(c)) return 'replica';
  if (c.subscriptions > 0 || (c.shardChannels !== null && c.shardChannels.size > 0)) return 'pubsub';
  return 'normal';
}

/** Bytes of replies the client has not received yet. */
export function pendingOutput(c: Client): number {
  return (c.socket === null ? 0 : c.socket.writableLength) + c.reply.size();
}

/** Checks one client against its limits; closes it and returns false when one is exceeded. */
export function checkOutputLimits(s: Server, c: Client): boolean {
  const st = states.get(s);
  if (st === undefined) return true;
  const pending = pendingOutput(c);
  if (pending < st.floor) {
    if (st.softSince.size !== 0) st.softSince.delete(c);
    return true;
  }
  const lim = st.limits[outputClass(c)];
  let over = lim.hard > 0 && pending >= lim.hard;
  if (!over && lim.soft > 0 && pending >= lim.soft) {
    const now = s.clock.now();
    const since = st.softSince.get(c);
    if (since === undefined) st.softSince.set(c, now);
    else if (now - since > lim.softSeconds * 1000) over = true;
  } else if (!over) {
    st.softSince.delete(c);
  }
  if (!over) return true;
  st.softSince.delete(c);
  s.log.warning(
    `Client ${describe(s, c, pending)} scheduled to be closed ASAP for overcoming of output buffer limits.`,
  );
  s.stats.outputLimitDisconnections++;
  closeClient(s, c);
  return false;
}

function describe(s: Server, c: Client, pending: number): string {
  const now = s.clock.now();
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} name=${c.name} ` +
    `age=${Math.floor((now - c.ctime) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} ` +
    `db=${c.db.id} sub=${c.channels?.size ?? 0} psub=${c.patterns?.size ?? 0} ` +
    `omem=${pending} cmd=${c.lastCommand} user=${c.user}`
  );
}

/** Soft limits are also checked by the cron, for clients that receive nothing new. */
function cron(s: Server, st: LimitsState): void {
  if (st.softSince.size === 0) return;
  for (const c of [...st.softSince.keys()]) {
    if (c.closed) st.softSince.delete(c);
    else checkOutputLimits(s, c);
  }
}

let hookInstalled = false;

/** Wires output buffer limits into a server. */
export function installLimits(s: Server): void {
  const st = stateOf(s);
  if (!hookInstalled) {
    hookInstalled = true;
    setOutputLimitCheck(checkOutputLimits);
  }
  s.cronHooks.push(() => cron(s, st));
  disconnectHooks.push((c) => st.softSince.delete(c));
}
