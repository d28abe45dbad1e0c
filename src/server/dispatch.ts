// The single gate every command passes: lookup → arity → authentication → (ACL) → limits →
// MULTI / pub-sub context → call. Handlers never repeat these checks.

// the global `performance` is a lazy getter in Node 20: bind the object once
import { performance } from 'node:perf_hooks';
import { type Command, Flag } from '../commands/types';
import { E, trunc } from '../protocol/errors';
import { ReplyWriter } from '../protocol/reply';
import type { RequestClock } from '../store/db';
import { type Client, ReplyMode } from './client';
import type { Server } from './server';

/** Commands allowed while a RESP2 client is in subscriber mode. */
const PUBSUB_ALLOWED = new Set([
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'ping',
  'quit',
  'reset',
]);
/** Commands executed immediately inside MULTI instead of being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

type GateCheck = (c: Client, cmd: Command, argv: Buffer[]) => string | null;

export interface GateSpec {
  /** An error reply, or null to let the command run. */
  check: GateCheck;
  /** Run again for each command EXEC runs (ACL rules may have changed since it was queued). */
  execCheck?: GateCheck;
  /** Whether the gate starts on (default true); see Gate.on. */
  on?: boolean;
  /** Commands with any of these flags are checked even while the gate is off. */
  alwaysFor?: number;
}

/**
 * A check later layers install (ACL, maxmemory, loading, busy scripts), consulted for every
 * command. Most can deny nothing most of the time: their owner keeps `on` false meanwhile and
 * the dispatcher skips them, instead of making a call per gate and command (they cost more than
 * a fifth of a pipelined GET when all were called). All gates have this one shape, so the
 * dispatcher's loads of `on` stay monomorphic.
 */
export class Gate {
  /** False while check() would return null for every command but those flagged alwaysFor. */
  on: boolean;
  readonly alwaysFor: number;
  readonly check: GateCheck;
  readonly execCheck: GateCheck | null;

  constructor(spec: GateSpec) {
    this.check = spec.check;
    this.execCheck = spec.execCheck ?? null;
    this.on = spec.on ?? true;
    this.alwaysFor = spec.alwaysFor ?? 0;
  }
}

const gates: Gate[] = [];

/** Installs a gate; its owner keeps the returned object's `on` up to date. */
export function addGate(spec: GateSpec): Gate {
  const g = new Gate(spec);
  gates.push(g);
  return g;
}

/** Resolves argv to a command, or writes the rejection and returns null. */
export function lookup(s: Server, c: Client, argv: Buffer[]): Command | null {
  const a0 = argv[0];
  let cmd = s.commands.resolve(a0);
  if (cmd === undefined) {
    const name = a0.toString('latin1');
    let args = '';
    for (let i = 1; i < argv.length && args.length < 128; i++) {
      args += `'${trunc(argv[i].toString('latin1'), 128 - args.length)}' `;
    }
    reject(s, c, `ERR unknown command '${trunc(name, 128)}', with args beginning with: ${args}`);
    return null;
  }
  if (cmd.subcommands !== null && argv.length >= 2) {
    const subName = argv[1].toString('latin1');
    const sub = cmd.subcommands.get(subName.toLowerCase());
    if (sub === undefined) {
      reject(s, c, E.unknownSubcommand(subName, cmd.name));
      return null;
    }
    cmd = sub;
  }
  const arity = cmd.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
    cmd.rejectedCalls++;
    reject(s, c, E.wrongArgs(cmd.fullname));
    return null;
  }
  return cmd;
}

function reject(s: Server, c: Client, msg: string): void {
  if (c.multi !== null) c.multi.dirty = true;
  s.countError(msg);
  c.reply.error(msg);
}

/** Runs one request from a client; `now` (ms, the server clock) is when it was received. */
export function processCommand(s: Server, c: Client, argv: Buffer[], now = s.clock.now()): void {
  c.lastInteraction = now;
  if (c.replyMode === ReplyMode.On) {
    runCommand(s, c, argv);
    // CLIENT REPLY SKIP: the request after this one runs without a reply
    if ((c.replyMode as ReplyMode) === ReplyMode.SkipNext) c.replyMode = ReplyMode.Skip;
    return;
  }
  runWithoutReply(s, c, argv);
}

/** Spare writers for runWithoutReply, so suppressed commands don't allocate a slab each. */
const sinks: ReplyWriter[] = [];

/**
 * CLIENT REPLY OFF/SKIP: the whole request runs against a throwaway writer, so rejections
 * (unknown command, arity) are dropped too, as in Redis. A command that turns replies back on
 * (CLIENT REPLY ON, RESET) has its own reply delivered.
 */
function runWithoutReply(s: Server, c: Client, argv: Buffer[]): void {
  const saved = c.reply;
  const sink = sinks.pop() ?? new ReplyWriter();
  sink.proto = saved.proto;
  c.reply = sink;
  try {
    runCommand(s, c, argv);
  } finally {
    c.reply = saved;
    saved.proto = sink.proto; // HELLO or RESET may have switched the protocol
    const out = sink.take();
    if (c.replyMode === ReplyMode.On) for (const b of out) saved.rawBuf(b);
    sinks.push(sink);
    if (c.replyMode === ReplyMode.Skip) c.replyMode = ReplyMode.On;
    else if (c.replyMode === ReplyMode.SkipNext) c.replyMode = ReplyMode.Skip;
  }
}

/**
 * While the connection layer runs requests parsed from its shared read buffer (connection.ts),
 * that buffer's memory, which the next socket read overwrites: arguments in it are views that
 * whatever may keep them past the call must copy (ownArgs). null otherwise.
 */
let borrowedFrom: ArrayBufferLike | null = null;

export function setBorrowing(ab: ArrayBufferLike | null): void {
  borrowedFrom = ab;
}

/** Replaces the arguments that are views of `ab` by copies, all in one allocation (pooled
 *  when small). Only those: an argument assembled from several reads is the parser's own. */
function ownArgs(argv: Buffer[], ab: ArrayBufferLike): void {
  let total = 0;
  for (let i = 0; i < argv.length; i++) if (argv[i].buffer === ab) total += argv[i].length;
  const mem = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.buffer !== ab) continue;
    const len = a.length;
    mem.set(a, p);
    argv[i] = mem.subarray(p, p + len);
    p += len;
  }
}

function runCommand(s: Server, c: Client, argv: Buffer[]): void {
  const cmd = lookup(s, c, argv);
  if (cmd === null) return;
  // from here on argv may be kept (handler, MULTI queue, pause): copy it unless it can't be
  let borrowed = borrowedFrom;
  if (borrowed !== null && !cmd.borrowsArgs) {
    ownArgs(argv, borrowed);
    borrowed = null;
  }
  if (!c.authenticated && !(cmd.flags & Flag.NoAuth)) {
    cmd.rejectedCalls++;
    reject(s, c, E.noAuth);
    return;
  }
  for (let i = 0; i < gates.length; i++) {
    const g = gates[i];
    if (!g.on && (cmd.flags & g.alwaysFor) === 0) continue;
    const err = g.check(c, cmd, argv);
    if (err !== null) {
      cmd.rejectedCalls++;
      reject(s, c, err);
      return;
    }
  }
  if (c.reply.proto === 2 && c.subscriptions > 0 && !PUBSUB_ALLOWED.has(cmd.name)) {
    cmd.rejectedCalls++;
    reject(
      s,
      c,
      `ERR Can't execute '${cmd.fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
    return;
  }
  if (c.multi !== null && !MULTI_IMMEDIATE.has(cmd.name)) {
    if (cmd.flags & Flag.NoMulti) {
      cmd.rejectedCalls++;
      reject(s, c, 'ERR Command not allowed inside a transaction');
      return;
    }
    if (borrowed !== null) ownArgs(argv, borrowed);
    c.multi.queue.push({ cmd, argv });
    c.reply.raw('+QUEUED\r\n');
    return;
  }
  if (s.pauseUntil !== 0 && isPaused(s, c, cmd)) {
    if (borrowed !== null) ownArgs(argv, borrowed);
    blockForPause(s, c, argv);
    return;
  }
  call(s, c, cmd, argv);
}

/** Nesting of call(): 1 while a top-level command runs, more inside EXEC or scripts. */
let depth = 0;

export function callDepth(): number {
  return depth;
}

/**
 * A script running in time slices past busy-reply-threshold (scripting/engine.ts) holds one
 * level between event-loop turns: commands it calls stay nested (they never block) and
 * after-command hooks don't take it for finished (blocked clients wait for its end).
 */
export function holdCallDepth(delta: 1 | -1): void {
  depth += delta;
}

/*
 * Command timing (commandstats usec) reads the clock once per call instead of twice where it
 * can: within one read batch, a top-level call starts timing at the end of the client's previous
 * call (so its usec also covers parsing and dispatching it, a fraction of a microsecond).
 * processInput links consecutive calls of a batch and breaks the chain wherever anything else
 * (a mid-batch flush, another client's batch) may have run in between; otherwise the clock is
 * read before the call, as Redis does.
 */
let chainClient: Client | null = null;
let lastEnd = 0;
/**
 * Within a chain, a repeat of the same fast command (a pipeline of SETs) is not timed on its
 * own: its calls run untimed and the whole run's time is added to the command when the run ends
 * (another command, the end of the chain). commandstats keeps exact totals per command, and a
 * pipeline of 16 GETs reads the clock once instead of 16 times. Only commands that take
 * microseconds join a run (fast ones, and the plain string writes with small arguments, which
 * Redis doesn't flag fast), so the server clock, which moves with these timestamps, stays still
 * for a few microseconds at most.
 */
let prevCmd: Command | null = null;

/** Not flagged fast, but O(size of their arguments): they join runs when those are small. */
const SMALL_WRITES = new Set(['set', 'setnx', 'setex', 'psetex', 'getset', 'mset', 'msetnx']);
const SMALL_ARGS = 16 * 1024;

/** Command.runClass values: not yet known, fast, a small write, neither. */
const RUN_UNKNOWN = 0;
const RUN_FAST = 1;
const RUN_SMALL_WRITE = 2;
const RUN_NEVER = 3;

function quick(cmd: Command, argv: Buffer[]): boolean {
  let k = cmd.runClass;
  if (k === RUN_UNKNOWN) {
    // by the table name, not the one clients call (rename-command)
    k =
      (cmd.flags & Flag.Fast) !== 0 ? RUN_FAST : SMALL_WRITES.has(cmd.def.name) ? RUN_SMALL_WRITE : RUN_NEVER;
    cmd.runClass = k;
  }
  if (k === RUN_FAST) return true;
  if (k === RUN_NEVER) return false;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    n += argv[i].length;
    if (n > SMALL_ARGS) return false;
  }
  return true;
}
let runCmd: Command | null = null;
let runClock: RequestClock | null = null;

function endRun(): void {
  if (runCmd === null) return;
  const t = performance.now();
  runCmd.usec += (t - lastEnd) * 1000;
  lastEnd = t;
  runClock?.advance(t);
  runCmd = null;
}

/** The next call of any client reads the clock before it starts. */
export function breakTimingChain(): void {
  endRun();
  chainClient = null;
  lastEnd = 0;
  prevCmd = null;
}

/** The client's next top-level call may start its timing where the last call ended. */
export function linkTimingChain(c: Client): void {
  if (lastEnd !== 0) chainClient = c;
}

/**
 * Propagation (AOF): after a call that changed the dataset (server.dirty moved), the installed
 * propagator receives the command, or the commands a handler stated with propagateAs() when its
 * effect is not its arguments (SPOP → SREM).
 */
export type Propagator = (c: Client, cmd: Command, argv: Buffer[], as: Buffer[][] | null) => void;
let propagator: Propagator | null = null;
let propagateOverride: Buffer[][] | null = null;

export function setPropagator(p: Propagator | null): void {
  propagator = p;
}

/** Called by a handler: propagate these commands instead of its own arguments. */
export function propagateAs(argvs: Buffer[][]): void {
  propagateOverride = argvs;
}

let propagationOff = false;

/** A script's redis.set_repl without the AOF flag: its commands are not propagated meanwhile. */
export function setPropagationOff(off: boolean): void {
  propagationOff = off;
}

/**
 * Client tracking (commands/tracking.ts): set only while some client has tracking on, so the
 * cost otherwise is this one null check per call.
 */
let trackHook: ((c: Client, cmd: Command, argv: Buffer[], depth: number) => void) | null = null;

export function setTrackHook(h: typeof trackHook): void {
  trackHook = h;
}

/** Executes a resolved command and records its statistics. */
export function call(s: Server, c: Client, cmd: Command, argv: Buffer[]): void {
  const handler = cmd.handler;
  if (handler === undefined) {
    c.reply.error(E.wrongArgs(cmd.fullname));
    return;
  }
  if (c.inExec && depth === 1) {
    for (let i = 0; i < gates.length; i++) {
      const g = gates[i];
      if (g.execCheck === null || (!g.on && (cmd.flags & g.alwaysFor) === 0)) continue;
      const err = g.execCheck(c, cmd, argv);
      if (err !== null) {
        s.countError(err);
        c.reply.error(err);
        return;
      }
    }
  }
  const errorsBefore = c.reply.errors;
  const chained = depth === 0 && chainClient === c;
  chainClient = null;
  const untimed = chained && cmd === prevCmd && quick(cmd, argv);
  let t0 = 0;
  if (!untimed) {
    endRun();
    t0 = chained ? lastEnd : performance.now();
  }
  const dirtyBefore = s.dirty;
  propagateOverride = null;
  depth++;
  try {
    handler(c, argv);
  } finally {
    depth--;
  }
  if (propagator !== null && !propagationOff && (s.dirty !== dirtyBefore || propagateOverride !== null)) {
    const as = propagateOverride;
    propagateOverride = null;
    propagator(c, cmd, argv, as);
  }
  if (untimed) {
    runCmd = cmd;
    runClock = s.clock;
  } else {
    const t1 = performance.now();
    s.clock.advance(t1);
    if (depth === 0) lastEnd = t1;
    cmd.usec += (t1 - t0) * 1000;
  }
  if (trackHook !== null) trackHook(c, cmd, argv, depth);
  if (depth === 0) prevCmd = cmd;
  cmd.calls++;
  c.commands++;
  s.stats.totalCommands++;
  c.lastCommand = cmd.fullname;
  if (c.reply.errors !== errorsBefore) {
    cmd.failedCalls++;
    s.countError(c.reply.lastError);
  }
  const hooks = s.afterCommandHooks;
  for (let i = 0; i < hooks.length; i++) hooks[i](c);
}

function isPaused(s: Server, c: Client, cmd: Command): boolean {
  if (s.clock.now() >= s.pauseUntil) return false;
  if (!s.pauseWritesOnly) return true;
  // WRITE pause: writes and commands that may write (EVAL, PUBLISH) wait
  const mayWrite = Flag.Write | Flag.MayReplicate;
  if (cmd.flags & mayWrite) return true;
  // and so does EXEC of a transaction that queued one
  return (
    cmd.def.name === 'exec' && c.multi !== null && c.multi.queue.some((q) => (q.cmd.flags & mayWrite) !== 0)
  );
}

function blockForPause(s: Server, c: Client, argv: Buffer[]): void {
  c.blockedOn = { kind: 'pause', argv, deadline: 0, timer: null, keys: [], onTimeout: null };
  s.pausedClients.add(c);
}
