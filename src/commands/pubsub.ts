// Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH SSUBSCRIBE SUNSUBSCRIBE
// SPUBLISH PUBSUB, and keyspace notifications (notify-keyspace-events).
// Messages are written into the subscribers' reply buffers and flushed at the end of the
// current batch (server.pendingFlush); slow subscribers are bounded by the pubsub class of
// client-output-buffer-limit.

import type { Client } from '../server/client';
import { resetHooks } from '../server/clientops';
import { disconnectHooks } from '../server/connection';
import { serverInitHooks } from '../server/hooks';
import type { Server } from '../server/server';
import { compileGlob, matchCompiled } from '../store/glob';
import type { CommandDef } from './types';

type Glob = ReturnType<typeof compileGlob>;

interface PubSubState {
  channels: Map<string, Set<Client>>;
  patterns: Map<string, { glob: Glob; clients: Set<Client> }>;
  shard: Map<string, Set<Client>>;
}

const states = new WeakMap<Server, PubSubState>();

function state(s: Server): PubSubState {
  let st = states.get(s);
  if (st === undefined) {
    st = { channels: new Map(), patterns: new Map(), shard: new Map() };
    states.set(s, st);
  }
  return st;
}

function count(c: Client): number {
  return (c.channels?.size ?? 0) + (c.patterns?.size ?? 0);
}

function ack(c: Client, kind: string, name: string | null, n: number): void {
  c.reply.push(3);
  c.reply.bulkStr(kind);
  if (name === null) c.reply.nullBulk();
  else c.reply.bulkStr(name);
  c.reply.int(n);
}

function subscribeChannel(c: Client, ch: string): void {
  const st = state(c.server);
  if (c.channels === null) c.channels = new Set();
  if (!c.channels.has(ch)) {
    c.channels.add(ch);
    let set = st.channels.get(ch);
    if (set === undefined) {
      set = new Set();
      st.channels.set(ch, set);
    }
    set.add(c);
  }
  ack(c, 'subscribe', ch, count(c));
}

function unsubscribeChannel(c: Client, ch: string, notify: boolean): void {
  const st = state(c.server);
  if (c.channels?.delete(ch)) {
    const set = st.channels.get(ch);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) st.channels.delete(ch);
    }
  }
  if (notify) ack(c, 'unsubscribe', ch, count(c));
}

function subscribePattern(c: Client, p: string): void {
  const st = state(c.server);
  if (c.patterns === null) c.patterns = new Set();
  if (!c.patterns.has(p)) {
    c.patterns.add(p);
    let entry = st.patterns.get(p);
    if (entry === undefined) {
      entry = { glob: compileGlob(p), clients: new Set() };
      st.patterns.set(p, entry);
    }
    entry.clients.add(c);
  }
  ack(c, 'psubscribe', p, count(c));
}

function unsubscribePattern(c: Client, p: string, notify: boolean): void {
  const st = state(c.server);
  if (c.patterns?.delete(p)) {
    const entry = st.patterns.get(p);
    if (entry !== undefined) {
      entry.clients.delete(c);
      if (entry.clients.size === 0) st.patterns.delete(p);
    }
  }
  if (notify) ack(c, 'punsubscribe', p, count(c));
}

function subscribeShard(c: Client, ch: string): void {
  const st = state(c.server);
  if (c.shardChannels === null) c.shardChannels = new Set();
  if (!c.shardChannels.has(ch)) {
    c.shardChannels.add(ch);
    let set = st.shard.get(ch);
    if (set === undefined) {
      set = new Set();
      st.shard.set(ch, set);
    }
    set.add(c);
  }
  ack(c, 'ssubscribe', ch, c.shardChannels.size);
}

function unsubscribeShard(c: Client, ch: string, notify: boolean): void {
  const st = state(c.server);
  if (c.shardChannels?.delete(ch)) {
    const set = st.shard.get(ch);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) st.shard.delete(ch);
    }
  }
  if (notify) ack(c, 'sunsubscribe', ch, c.shardChannels?.size ?? 0);
}

/** Delivers a message; returns the number of receiving clients (PUBLISH's reply). */
export function publish(s: Server, channel: string, message: Buffer | string): number {
  const st = states.get(s);
  if (st === undefined) return 0;
  let n = 0;
  const subs = st.channels.get(channel);
  if (subs !== undefined) {
    for (const c of subs) {
      c.reply.push(3);
      c.reply.bulkStr('message');
      c.reply.bulkStr(channel);
      writeMsg(c, message);
      s.pendingFlush.add(c);
      n++;
    }
  }
  if (st.patterns.size > 0) {
    for (const [p, entry] of st.patterns) {
      if (!matchCompiled(entry.glob, channel)) continue;
      for (const c of entry.clients) {
        c.reply.push(4);
        c.reply.bulkStr('pmessage');
        c.reply.bulkStr(p);
        c.reply.bulkStr(channel);
        writeMsg(c, message);
        s.pendingFlush.add(c);
        n++;
      }
    }
  }
  return n;
}

function publishShard(s: Server, channel: string, message: Buffer): number {
  const st = states.get(s);
  const subs = st?.shard.get(channel);
  if (subs === undefined) return 0;
  for (const c of subs) {
    c.reply.push(3);
    c.reply.bulkStr('smessage');
    c.reply.bulkStr(channel);
    c.reply.bulk(message);
    s.pendingFlush.add(c);
  }
  return subs.size;
}

function writeMsg(c: Client, m: Buffer | string): void {
  if (typeof m === 'string') c.reply.bulkStr(m);
  else c.reply.bulk(m);
}

// SUBSCRIBE channel [channel ...]
function subscribe(c: Client, argv: Buffer[]): void {
  for (let i = 1; i < argv.length; i++) subscribeChannel(c, argv[i].toString('latin1'));
}

// UNSUBSCRIBE [channel [channel ...]]
function unsubscribe(c: Client, argv: Buffer[]): void {
  if (argv.length === 1) {
    const all = c.channels === null ? [] : [...c.channels];
    if (all.length === 0) ack(c, 'unsubscribe', null, count(c));
    for (const ch of all) unsubscribeChannel(c, ch, true);
    return;
  }
  for (let i = 1; i < argv.length; i++) unsubscribeChannel(c, argv[i].toString('latin1'), true);
}

// PSUBSCRIBE pattern [pattern ...]
function psubscribe(c: Client, argv: Buffer[]): void {
  for (let i = 1; i < argv.length; i++) subscribePattern(c, argv[i].toString('latin1'));
}

// PUNSUBSCRIBE [pattern [pattern ...]]
function punsubscribe(c: Client, argv: Buffer[]): void {
  if (argv.length === 1) {
    const all = c.patterns === null ? [] : [...c.patterns];
    if (all.length === 0) ack(c, 'punsubscribe', null, count(c));
    for (const p of all) unsubscribePattern(c, p, true);
    return;
  }
  for (let i = 1; i < argv.length; i++) unsubscribePattern(c, argv[i].toString('latin1'), true);
}

// SSUBSCRIBE shardchannel [shardchannel ...]
function ssubscribe(c: Client, argv: Buffer[]): void {
  for (let i = 1; i < argv.length; i++) subscribeShard(c, argv[i].toString('latin1'));
}

// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
function sunsubscribe(c: Client, argv: Buffer[]): void {
  if (argv.length === 1) {
    const all = c.shardChannels === null ? [] : [...c.shardChannels];
    if (all.length === 0) ack(c, 'sunsubscribe', null, 0);
    for (const ch of all) unsubscribeShard(c, ch, true);
    return;
  }
  for (let i = 1; i < argv.length; i++) unsubscribeShard(c, argv[i].toString('latin1'), true);
}

// PUBLISH channel message
function publishCmd(c: Client, argv: Buffer[]): void {
  c.reply.int(publish(c.server, argv[1].toString('latin1'), argv[2]));
}

// SPUBLISH shardchannel message
function spublish(c: Client, argv: Buffer[]): void {
  c.reply.int(publishShard(c.server, argv[1].toString('latin1'), argv[2]));
}

// PUBSUB CHANNELS [pattern]
function pubsubChannels(c: Client, argv: Buffer[], shard = false): void {
  const st = state(c.server);
  const glob = argv.length > 2 ? compileGlob(argv[2].toString('latin1')) : null;
  const names: string[] = [];
  for (const ch of (shard ? st.shard : st.channels).keys()) {
    if (glob === null || matchCompiled(glob, ch)) names.push(ch);
  }
  c.reply.bulkStrs(names);
}

// PUBSUB NUMSUB [channel [channel ...]]
function pubsubNumsub(c: Client, argv: Buffer[], shard = false): void {
  const st = state(c.server);
  c.reply.map(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const ch = argv[i].toString('latin1');
    c.reply.bulk(argv[i]);
    c.reply.int((shard ? st.shard : st.channels).get(ch)?.size ?? 0);
  }
}

// PUBSUB NUMPAT
function pubsubNumpat(c: Client): void {
  c.reply.int(state(c.server).patterns.size);
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

function pubsubHelp(c: Client): void {
  c.reply.array(PUBSUB_HELP.length);
  for (const l of PUBSUB_HELP) c.reply.simple(l);
}

/** Drops every subscription of a client (disconnect, RESET). */
export function unsubscribeAll(c: Client): void {
  if (c.channels) for (const ch of [...c.channels]) unsubscribeChannel(c, ch, false);
  if (c.patterns) for (const p of [...c.patterns]) unsubscribePattern(c, p, false);
  if (c.shardChannels) for (const ch of [...c.shardChannels]) unsubscribeShard(c, ch, false);
}

// ---- keyspace notifications ----

/** Parses notify-keyspace-events flags; null when invalid. */
export function parseNotifyFlags(s: string): Set<string> | null {
  const out = new Set<string>();
  for (const ch of s) {
    if (ch === 'A') for (const x of 'g$lshzxetd') out.add(x);
    else if ('KEg$lshzxetdmn'.includes(ch)) out.add(ch);
    else return null;
  }
  return out;
}

function installNotifier(s: Server, flags: Set<string>): void {
  const keyspace = flags.has('K');
  const keyevent = flags.has('E');
  if (!keyspace && !keyevent) {
    s.notifier = null;
    return;
  }
  s.notifier = (type, event, key, dbid) => {
    if (!flags.has(type)) return;
    if (keyspace) publish(s, `__keyspace@${dbid}__:${key}`, event);
    if (keyevent) publish(s, `__keyevent@${dbid}__:${event}`, key);
  };
}

/** Installs the notifier for a notify-keyspace-events value (its apply hook, and start-up). */
export function keyspaceEventsChanged(s: Server, value: string): undefined {
  installNotifier(s, parseNotifyFlags(value) ?? new Set());
  return undefined;
}

serverInitHooks.push((s) => {
  s.startupHooks.push(async () => keyspaceEventsChanged(s, s.config.str('notify-keyspace-events')));
});

resetHooks.push((c) => unsubscribeAll(c));
disconnectHooks.push((c) => unsubscribeAll(c));

export const pubsubCommands: CommandDef[] = [
  { name: 'subscribe', arity: -2, flags: 'pubsub noscript loading stale', handler: subscribe },
  { name: 'unsubscribe', arity: -1, flags: 'pubsub noscript loading stale', handler: unsubscribe },
  { name: 'psubscribe', arity: -2, flags: 'pubsub noscript loading stale', handler: psubscribe },
  { name: 'punsubscribe', arity: -1, flags: 'pubsub noscript loading stale', handler: punsubscribe },
  {
    name: 'ssubscribe',
    arity: -2,
    flags: 'pubsub noscript loading stale',
    keys: [1, -1, 1],
    handler: ssubscribe,
  },
  {
    name: 'sunsubscribe',
    arity: -1,
    flags: 'pubsub noscript loading stale',
    keys: [1, -1, 1],
    handler: sunsubscribe,
  },
  { name: 'publish', arity: 3, flags: 'pubsub loading stale fast may_replicate', handler: publishCmd },
  {
    name: 'spublish',
    arity: 3,
    flags: 'pubsub loading stale fast may_replicate',
    keys: [1, 1, 1],
    handler: spublish,
  },
  {
    name: 'pubsub',
    arity: -2,
    flags: '',
    subcommands: [
      { name: 'channels', arity: -2, flags: 'pubsub loading stale', handler: (c, a) => pubsubChannels(c, a) },
      { name: 'numsub', arity: -2, flags: 'pubsub loading stale', handler: (c, a) => pubsubNumsub(c, a) },
      { name: 'numpat', arity: 2, flags: 'pubsub loading stale', handler: pubsubNumpat },
      {
        name: 'shardchannels',
        arity: -2,
        flags: 'pubsub loading stale',
        handler: (c, a) => pubsubChannels(c, a, true),
      },
      {
        name: 'shardnumsub',
        arity: -2,
        flags: 'pubsub loading stale',
        handler: (c, a) => pubsubNumsub(c, a, true),
      },
      { name: 'help', arity: 2, flags: 'loading stale', handler: pubsubHelp },
    ],
  },
];
