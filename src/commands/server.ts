// Server commands: INFO TIME LASTSAVE SHUTDOWN DEBUG, and INFO's base sections.
// INFO is a registry (src/server/info.ts): the fields below are the base of each section, other
// layers refine or extend them with addInfoFields(). MONITOR is not implemented yet.

import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { addGate } from '../server/dispatch';
import { serverInitHooks } from '../server/hooks';
import { addInfoFields, type InfoField, renderInfo, selectSections } from '../server/info';
import { REDOUBT_VERSION, type Server } from '../server/server';
import { finishShutdown, prepareShutdown, type ShutdownOptions } from '../server/shutdown';
import type { Entry } from '../store/db';
import { memoryInfo } from '../store/memory';
import { is, key, parseDouble, parseInt64, str } from './args';
import { writeHelp } from './introspect';
import { stringEncoding } from './string';
import { type CommandDef, Flag } from './types';

// ---- INFO base sections ----

/** Per-server figures INFO needs beyond Server's own: sampled rates and fixed ids. */
interface InfoState {
  replId: string;
  lastIn: number;
  lastOut: number;
  lastTime: number;
  inKbps: number[];
  outKbps: number[];
}

const infoStates = new WeakMap<Server, InfoState>();

function infoState(s: Server): InfoState {
  let st = infoStates.get(s);
  if (st === undefined) {
    st = {
      replId: createHash('sha1').update(`${s.runId}:replid`).digest('hex'),
      lastIn: s.stats.netInput,
      lastOut: s.stats.netOutput,
      lastTime: s.clock.now(),
      inKbps: [],
      outKbps: [],
    };
    infoStates.set(s, st);
  }
  return st;
}

/** Network rate samples for instantaneous_*_kbps, taken by the cron like ops/sec. */
function sampleRates(s: Server, now: number): void {
  const st = infoState(s);
  const dt = now - st.lastTime;
  if (dt < 100) return;
  // CONFIG RESETSTAT may have zeroed the counters
  const din = Math.max(0, s.stats.netInput - st.lastIn);
  const dout = Math.max(0, s.stats.netOutput - st.lastOut);
  st.inKbps.push((din * 1000) / dt / 1024);
  st.outKbps.push((dout * 1000) / dt / 1024);
  if (st.inKbps.length > 16) st.inKbps.shift();
  if (st.outKbps.length > 16) st.outKbps.shift();
  st.lastIn = s.stats.netInput;
  st.lastOut = s.stats.netOutput;
  st.lastTime = now;
}

function mean(xs: number[]): number {
  if (xs.length === 0) return 0;
  let t = 0;
  for (const x of xs) t += x;
  return t / xs.length;
}

serverInitHooks.push((s) => {
  s.cronHooks.push((now) => sampleRates(s, now));
});

function buildId(): string {
  return createHash('sha1').update(`redoubt ${REDOUBT_VERSION}`).digest('hex').slice(0, 16);
}

/** Redis's LRU clock: seconds, 24 bits. */
function lruClock(ms: number): number {
  return Math.floor(ms / 1000) & 0xffffff;
}

function serverSection(s: Server): InfoField[] {
  const now = s.clock.now();
  const up = Math.floor((now - s.startTime) / 1000);
  const usec = BigInt(now) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000));
  const mux = process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue';
  return [
    ['redis_version', s.redisVersion],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', buildId()],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', mux],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', s.runId],
    ['tcp_port', s.actualPort || s.config.num('port')],
    ['server_time_usec', usec.toString()],
    ['uptime_in_seconds', up],
    ['uptime_in_days', Math.floor(up / 86400)],
    ['hz', s.config.num('hz')],
    ['configured_hz', s.config.num('hz')],
    ['lru_clock', lruClock(now)],
    ['executable', process.argv[1] ? path.resolve(process.argv[1]) : process.execPath],
    ['config_file', s.configFile],
    ['io_threads_active', 0],
    ['redoubt_version', REDOUBT_VERSION],
    ['node_version', process.version],
  ];
}

function clientsSection(s: Server): InfoField[] {
  let maxIn = 0;
  let maxOut = 0;
  let blocked = 0;
  let inTimeout = 0;
  for (const c of s.clients.values()) {
    maxIn = Math.max(maxIn, c.parser.pending());
    maxOut = Math.max(maxOut, c.reply.size() + (c.socket?.writableLength ?? 0));
    // paused clients are not "blocked" in Redis's count; keys waits are
    if (c.blockedOn !== null && c.blockedOn.kind === 'keys') {
      blocked++;
      if (c.blockedOn.deadline !== 0) inTimeout++;
    }
  }
  return [
    ['connected_clients', s.clients.size],
    ['cluster_connections', 0],
    ['maxclients', s.config.num('maxclients')],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', blocked],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', inTimeout],
  ];
}

function persistenceSection(s: Server): InfoField[] {
  // placeholders for a server without persistence; the persistence layer overrides them
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', s.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', s.lastSave],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
}

function statsSection(s: Server): InfoField[] {
  const st = s.stats;
  const rates = infoState(s);
  // distinct channels and patterns over all subscribers
  const channels = new Set<string>();
  const patterns = new Set<string>();
  const shard = new Set<string>();
  for (const c of s.clients.values()) {
    if (c.channels !== null) for (const x of c.channels) channels.add(x);
    if (c.patterns !== null) for (const x of c.patterns) patterns.add(x);
    if (c.shardChannels !== null) for (const x of c.shardChannels) shard.add(x);
  }
  const fields: InfoField[] = [
    ['total_connections_received', st.totalConnections],
    ['total_commands_processed', st.totalCommands],
    ['instantaneous_ops_per_sec', Math.round(mean(st.opsSamples))],
    ['total_net_input_bytes', st.netInput],
    ['total_net_output_bytes', st.netOutput],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', mean(rates.inKbps).toFixed(2)],
    ['instantaneous_output_kbps', mean(rates.outKbps).toFixed(2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', st.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', st.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', st.keyspaceHits],
    ['keyspace_misses', st.keyspaceMisses],
    ['pubsub_channels', channels.size],
    ['pubsub_patterns', patterns.size],
    ['pubsubshard_channels', shard.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', st.errorReplies],
    ['dump_payload_sanitizations', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    // redoubt's own counters (names as later Redis versions use them where they exist)
    ['client_query_buffer_limit_disconnections', st.queryLimitDisconnections],
    ['client_output_buffer_limit_disconnections', st.outputLimitDisconnections],
  ];
  for (const f of s.guard.info()) fields.push(f);
  return fields;
}

function replicationSection(s: Server): InfoField[] {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', infoState(s).replId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuSection(): InfoField[] {
  const u = process.cpuUsage();
  const secs = (us: number) => (us / 1e6).toFixed(6);
  // one process, one JS thread: the main thread's figures are the process's
  return [
    ['used_cpu_sys', secs(u.system)],
    ['used_cpu_user', secs(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', secs(u.system)],
    ['used_cpu_user_main_thread', secs(u.user)],
  ];
}

function commandstatsSection(s: Server): InfoField[] {
  const out: InfoField[] = [];
  const add = (
    name: string,
    c: { calls: number; usec: number; rejectedCalls: number; failedCalls: number },
  ) => {
    if (c.calls === 0 && c.rejectedCalls === 0 && c.failedCalls === 0) return;
    const usec = Math.floor(c.usec);
    const per = c.calls === 0 ? 0 : usec / c.calls;
    out.push([
      `cmdstat_${name}`,
      `calls=${c.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}`,
    ]);
  };
  for (const c of s.commands.all) {
    add(c.fullname, c);
    if (c.subcommands !== null) for (const sub of c.subcommands.values()) add(sub.fullname, sub);
  }
  return out;
}

function errorstatsSection(s: Server): InfoField[] {
  const codes = [...s.stats.errorCodes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return codes.map(([code, n]) => [`errorstat_${code}`, `count=${n}`]);
}

/** Average remaining TTL of a database, estimated from a bounded sample as Redis estimates it. */
function avgTtl(volatile: Set<Entry>, now: number): number {
  let n = 0;
  let sum = 0;
  for (const e of volatile) {
    if (e.expires > now) {
      sum += e.expires - now;
      n++;
    }
    if (n >= 1024) break;
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

function keyspaceSection(s: Server): InfoField[] {
  const now = s.clock.now();
  const out: InfoField[] = [];
  for (const db of s.dbs) {
    if (db.size === 0) continue;
    out.push([
      `db${db.id}`,
      `keys=${db.size},expires=${db.volatile.size},avg_ttl=${avgTtl(db.volatile, now)}`,
    ]);
  }
  return out;
}

addInfoFields('server', serverSection, 0);
addInfoFields('clients', clientsSection, 0);
addInfoFields('memory', memoryInfo, 0);
addInfoFields('persistence', persistenceSection, 0);
addInfoFields('stats', statsSection, 0);
addInfoFields('replication', replicationSection, 0);
addInfoFields('cpu', cpuSection, 0);
addInfoFields('commandstats', commandstatsSection, 0);
addInfoFields('errorstats', errorstatsSection, 0);
addInfoFields('cluster', () => [['cluster_enabled', 0]], 0);
addInfoFields('keyspace', keyspaceSection, 0);

// ---- commands ----

// INFO [section [section ...]]
function info(c: Client, argv: Buffer[]): void {
  const sections = selectSections(argv.slice(1).map(str));
  c.reply.verbatim(renderInfo(c.server, sections));
}

// TIME
function time(c: Client): void {
  const ms = c.server.clock.now();
  // sub-millisecond digits from the monotonic clock
  const us = (ms % 1000) * 1000 + Math.floor((performance.now() % 1) * 1000);
  c.reply.array(2);
  c.reply.bulkStr(String(Math.floor(ms / 1000)));
  c.reply.bulkStr(String(us));
}

// LASTSAVE
function lastsave(c: Client): void {
  c.reply.int(c.server.lastSave);
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
function shutdownCommand(c: Client, argv: Buffer[]): void {
  const opts: ShutdownOptions = {};
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    if (is(argv[i], 'nosave')) opts.nosave = true;
    else if (is(argv[i], 'save')) opts.save = true;
    else if (is(argv[i], 'now')) opts.now = true;
    else if (is(argv[i], 'force')) opts.force = true;
    else if (is(argv[i], 'abort')) abort = true;
    else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const anyFlag = opts.nosave || opts.save || opts.now || opts.force;
  if ((abort && anyFlag) || (opts.nosave && opts.save)) {
    c.reply.error(E.syntax);
    return;
  }
  if (abort) {
    // nothing waits for replicas, so a shutdown is never in progress when a command can run
    c.reply.error('ERR No shutdown in progress.');
    return;
  }
  const s = c.server;
  if (prepareShutdown(s, opts) !== null) {
    c.reply.error('ERR Errors trying to SHUTDOWN. Check logs.');
    return;
  }
  // no reply on success: the connection closes as the server exits
  void finishShutdown(s);
}

// ---- DEBUG ----

/** enable-debug-command: no | yes | local (loopback and Unix socket connections only). */
function protectedAllowed(c: Client, option: string): boolean {
  let v = 'no';
  try {
    v = c.server.config.str(option).toLowerCase();
  } catch {
    // the directive is not declared yet: keep Redis's default
  }
  if (v === 'yes') return true;
  if (v !== 'local') return false;
  if (c.unix) return true;
  const ip = c.socket?.remoteAddress ?? '';
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

addGate({
  // consulted for DEBUG / MODULE only
  on: false,
  alwaysFor: Flag.Protected,
  check(c, cmd) {
    if (!(cmd.flags & Flag.Protected)) return null;
    const name = (cmd.parent ?? cmd).def.name;
    const option = `enable-${name}-command`;
    if (protectedAllowed(c, option)) return null;
    return (
      `ERR ${name.toUpperCase()} command not allowed. If the ${option} option is set to "local", ` +
      'you can run it from a local connection, otherwise you need to set this option in the ' +
      'configuration file, and then restart the server.'
    );
  },
});

/** Blocks the whole process, as DEBUG SLEEP freezes Redis. */
function sleepSync(ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) {
    Atomics.wait(cell, 0, 0, Math.min(left, 2 ** 31 - 1));
  }
}

/** RDB-style length of a value, for DEBUG OBJECT's serializedlength (approximate beyond strings). */
function serializedLength(v: Entry['value']): number {
  if (v instanceof Uint8Array) {
    const n = parseInt64(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    if (typeof n === 'number' && v.length <= 11) {
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
    const len = v.length;
    return len + (len < 64 ? 1 : len < 16384 ? 2 : 5);
  }
  // collections: no RDB encoder yet, so an estimate from the value's own size
  const m = (v as { memoryUsage?: () => number }).memoryUsage;
  return typeof m === 'function' ? m.call(v) : 0;
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

// DEBUG OBJECT key
function debugObject(c: Client, argv: Buffer[]): void {
  // like Redis, straight from the dictionary: no expiry check, no access-time update
  const e = c.db.dict.get(key(argv[2]));
  if (e === undefined) {
    c.reply.error(E.noKey);
    return;
  }
  const v = e.value;
  let enc: string;
  let refcount = 1;
  if (v instanceof Uint8Array) {
    enc = stringEncoding(v as Buffer);
    const n = enc === 'int' ? parseInt64(Buffer.from(v.buffer, v.byteOffset, v.byteLength)) : null;
    const policy = c.server.config.str('maxmemory-policy');
    const perKey = c.server.config.num('maxmemory') !== 0 && /-(lru|lfu)$/.test(policy);
    if (typeof n === 'number' && n >= 0 && n < 10000 && !perKey) refcount = 2147483647;
  } else {
    enc = (v as { encoding(): string }).encoding();
  }
  let id = objectIds.get(e);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(e, id);
  }
  const now = c.server.clock.now();
  c.reply.simple(
    `Value at:0x${(0x7f0000000000 + id * 16).toString(16)} refcount:${refcount} encoding:${enc} ` +
      `serializedlength:${serializedLength(v)} lru:${lruClock(e.lru)} ` +
      `lru_seconds_idle:${Math.max(0, Math.floor((now - e.lru) / 1000))}`,
  );
}

// DEBUG PROTOCOL <type>
function debugProtocol(c: Client, argv: Buffer[]): void {
  const r = c.reply;
  const t = str(argv[2]).toLowerCase();
  switch (t) {
    case 'string':
      r.bulkStr('Hello World');
      return;
    case 'integer':
      r.int(12345);
      return;
    case 'double':
      // biome-ignore lint/suspicious/noApproximativeNumericConstant: the sample value Redis sends
      r.double(3.141);
      return;
    case 'bignum':
      r.bigNumber('1234567999999999999999999999999999999');
      return;
    case 'null':
      r.nullBulk();
      return;
    case 'array':
    case 'set':
      if (t === 'array') r.array(3);
      else r.set(3);
      for (let i = 0; i < 3; i++) r.int(i);
      return;
    case 'map':
      r.map(3);
      for (let i = 0; i < 3; i++) {
        r.int(i);
        r.bool(i === 1);
      }
      return;
    case 'attrib':
      if (r.proto === 3) {
        r.raw('|1\r\n');
        r.bulkStr('key-popularity');
        r.array(2);
        r.bulkStr('key:123');
        r.int(90);
      }
      r.bulkStr('Some real reply following the attribute');
      return;
    case 'push':
      if (r.proto !== 3) {
        r.error('ERR RESP2 is not supported by this command');
        return;
      }
      r.push(2);
      r.bulkStr('server-cpu-usage');
      r.int(42);
      r.bulkStr('Some real reply following the push reply');
      return;
    case 'true':
    case 'false':
      r.bool(t === 'true');
      return;
    case 'verbatim':
      r.verbatim('This is a verbatim\nstring');
      return;
    default:
      r.error(
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

// DEBUG <subcommand> [argument ...]
function debug(c: Client, argv: Buffer[]): void {
  const n = argv.length;
  const sub = argv[1];
  if (n === 2 && is(sub, 'help')) {
    writeHelp(c, 'DEBUG', [
      'ERROR <string>',
      '    Reply with <string> as an error.',
      'LOG <message>',
      '    Write <message> to the server log.',
      'OBJECT <key>',
      '    Internal details of the value at <key>.',
      'PROTOCOL <type>',
      '    Reply with a sample of a RESP type: string|integer|double|bignum|null|array|set|map|',
      '    attrib|push|verbatim|true|false.',
      'SET-ACTIVE-EXPIRE <0|1>',
      '    Turn the active expiry cycle off or on (lazy expiry always applies).',
      'SLEEP <seconds>',
      '    Stop the whole server for <seconds> (may be fractional).',
    ]);
  } else if (n === 3 && is(sub, 'sleep')) {
    // as strtod: what is not a number sleeps for 0 seconds
    const secs = parseDouble(argv[2]) ?? 0;
    if (secs > 0 && Number.isFinite(secs)) sleepSync(secs * 1000);
    c.reply.ok();
  } else if (n === 3 && is(sub, 'set-active-expire')) {
    // as atoi: anything but a non-zero leading integer turns it off
    c.server.activeExpireEnabled = (Number.parseInt(str(argv[2]), 10) || 0) !== 0;
    c.reply.ok();
  } else if (n === 3 && is(sub, 'object')) {
    debugObject(c, argv);
  } else if (n === 3 && is(sub, 'error')) {
    c.reply.error(str(argv[2]));
  } else if (n === 3 && is(sub, 'log')) {
    c.server.log.warning(`DEBUG LOG: ${str(argv[2])}`);
    c.reply.ok();
  } else if (n === 3 && is(sub, 'protocol')) {
    debugProtocol(c, argv);
  } else {
    c.reply.error(
      `ERR unknown subcommand or wrong number of arguments for '${str(sub).slice(0, 128)}'. Try DEBUG HELP.`,
    );
  }
}

export const serverCommands: CommandDef[] = [
  {
    name: 'info',
    arity: -1,
    flags: 'loading stale',
    acl: '@dangerous',
    tips: 'nondeterministic_output request_policy:all_shards response_policy:special',
    handler: info,
  },
  { name: 'time', arity: 1, flags: 'loading stale fast', tips: 'nondeterministic_output', handler: time },
  {
    name: 'lastsave',
    arity: 1,
    flags: 'loading stale fast',
    acl: '@admin @dangerous',
    tips: 'nondeterministic_output',
    handler: lastsave,
  },
  {
    name: 'shutdown',
    arity: -1,
    flags: 'admin noscript loading stale no_multi sentinel allow_busy',
    handler: shutdownCommand,
  },
  { name: 'debug', arity: -2, flags: 'admin noscript loading stale protected', handler: debug },
];
