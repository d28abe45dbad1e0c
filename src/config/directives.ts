// The directive table. Each entry: name, type, default, bounds and flags; `apply` hooks push a
// new value into the running server. Defaults and bounds are Redis 7.0's (CONFIG GET and the
// range errors of CONFIG SET on redis-server 7.0.15), except bind (127.0.0.1 -::1), dir
// (./data) and client-output-buffer-limit (see security/limits.ts). Redis 7.0 directives not
// listed here are accepted from a config file with a warning naming them (redis70.ts).
//
// Deliberate differences from Redis: port and bind are immutable (Redis rebinds on CONFIG SET);
// requirepass is redacted in CONFIG GET.
//
// Other layers add their own lists: buildDirectives(server, ...extra) appends them (a name may
// be declared only once; the Config constructor refuses duplicates).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { keyspaceEventsChanged } from '../commands/pubsub';
import { applyOutputLimits, DEFAULT_OUTPUT_LIMITS } from '../security/limits';
import { isLoopback } from '../security/network';
import { digestHex, fromHex, toDigest } from '../security/secret';
import type { Server } from '../server/server';
import { memoryConfigChanged } from '../store/evict';
import {
  type ConfigValue,
  type DirectiveDef,
  formatMemory,
  INT_MAX,
  INT_MIN,
  LLONG_MAX,
  type RewriteLine,
  UINT_MAX,
  ULLONG_MAX,
} from './config';

export function buildDirectives(server: Server, ...extra: DirectiveDef[][]): DirectiveDef[] {
  return [
    ...networkDirectives(server),
    ...generalDirectives(server),
    ...persistenceDirectives(server),
    ...memoryDirectives(server),
    ...encodingDirectives(),
    ...fileOnlyDirectives(server),
    ...extra.flat(),
  ];
}

function networkDirectives(server: Server): DirectiveDef[] {
  return [
    { name: 'port', type: 'int', default: '6379', min: 0, max: 65535, immutable: true },
    { name: 'bind', type: 'list', default: '127.0.0.1 -::1', immutable: true },
    { name: 'unixsocket', type: 'string', default: '', immutable: true, emptyIsNull: true },
    { name: 'unixsocketperm', type: 'octal', default: '0', min: 0, max: 0o777, immutable: true },
    { name: 'tcp-backlog', type: 'int', default: '511', min: 0, max: INT_MAX, immutable: true },
    { name: 'maxclients', type: 'int', default: '10000', min: 1, max: UINT_MAX },
    { name: 'timeout', type: 'int', default: '0', min: 0, max: INT_MAX },
    { name: 'tcp-keepalive', type: 'int', default: '300', min: 0, max: INT_MAX },
    { name: 'protected-mode', type: 'bool', default: 'yes' },
    // The password is kept only as a SHA-256 digest (src/security/secret.ts); CONFIG REWRITE
    // writes that digest as `requirepass-sha256`, never the plaintext.
    {
      name: 'requirepass',
      type: 'string',
      default: '',
      secret: true,
      emptyIsNull: true,
      transform: (v) => toDigest(v as string),
      rewrite: () => [],
      // requirepass is the default user's password (an empty one makes it nopass)
      apply: (v) => {
        server.acl.requirepassChanged(v as string);
        return undefined;
      },
    },
    {
      name: 'requirepass-sha256',
      type: 'string',
      default: '',
      secret: true,
      emptyIsNull: true,
      parse: (args) => {
        const h = (args[0] ?? '').toLowerCase();
        if (h !== '' && !/^[0-9a-f]{64}$/.test(h))
          return 'argument must be 64 hex characters (a SHA-256 digest)';
        return { ok: h };
      },
      // the value lives in requirepass: setting this sets requirepass's digest
      apply: (v) => {
        server.config.set('requirepass', [fromHex(v as string)]);
        return undefined;
      },
      rewrite: () => {
        const d = server.config.str('requirepass');
        return d === '' ? [] : [{ args: digestHex(d), force: true }];
      },
    },
    // ACL users from a file instead of `user` lines (the two are mutually exclusive)
    { name: 'aclfile', type: 'string', default: '', immutable: true, emptyIsNull: true },
    { name: 'acllog-max-len', type: 'int', default: '128', min: 0, max: LLONG_MAX },
    {
      name: 'acl-pubsub-default',
      type: 'enum',
      default: 'resetchannels',
      values: ['allchannels', 'resetchannels'],
    },
    {
      name: 'proto-max-bulk-len',
      type: 'memory',
      default: '512mb',
      min: 1024 * 1024,
      max: LLONG_MAX,
      // connected clients' parsers enforce the new limit from their next request, as in Redis
      apply: (v) => {
        for (const c of server.clients.values()) c.parser.limits.maxBulkLen = v as number;
        return undefined;
      },
    },
    { name: 'client-query-buffer-limit', type: 'memory', default: '1gb', min: 1024 * 1024, max: LLONG_MAX },
    // yes: CONFIG SET may change protected configs (dir, dbfilename); local: only from loopback
    // or the Unix socket
    {
      name: 'enable-protected-configs',
      type: 'enum',
      default: 'no',
      values: ['no', 'yes', 'local'],
      immutable: true,
    },
    {
      name: 'enable-debug-command',
      type: 'enum',
      default: 'no',
      values: ['no', 'yes', 'local'],
      immutable: true,
    },
  ];
}

function generalDirectives(server: Server): DirectiveDef[] {
  return [
    { name: 'databases', type: 'int', default: '16', min: 1, max: INT_MAX, immutable: true },
    {
      name: 'dir',
      type: 'string',
      default: './data',
      protected: true,
      forceRewrite: true,
      // at start-up the directory is created if missing (Server.prepareDataDir); at run time it
      // must exist, as Redis's chdir() requires
      validate: (v, source) => {
        if (source === 'file') return undefined;
        return checkDir(v as string);
      },
      normalize: (v) => (v === '' ? v : path.resolve(v as string)),
    },
    { name: 'pidfile', type: 'string', default: '', immutable: true, emptyIsNull: true },
    { name: 'logfile', type: 'string', default: '', immutable: true },
    {
      name: 'loglevel',
      type: 'enum',
      default: 'notice',
      values: ['debug', 'verbose', 'notice', 'warning'],
      apply: (v) => {
        server.log.level = v as 'notice';
        return undefined;
      },
    },
    {
      name: 'hz',
      type: 'int',
      default: '10',
      min: 0,
      max: INT_MAX,
      // Redis accepts any int and clamps it
      normalize: (v) => Math.min(500, Math.max(1, v as number)),
      apply: () => restartCron(server),
    },
    {
      name: 'notify-keyspace-events',
      type: 'string',
      default: '',
      parse: (args) => {
        if (args.length !== 1) return 'wrong number of arguments';
        const flags = parseKeyspaceEvents(args[0]);
        if (flags === null) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        return { ok: formatKeyspaceEvents(flags) };
      },
      format: (v) => ((v as string).startsWith('An') ? `A${(v as string).slice(2)}` : (v as string)),
      apply: (v) => keyspaceEventsChanged(server, v as string),
    },
    {
      name: 'busy-reply-threshold',
      alias: 'lua-time-limit',
      type: 'int',
      default: '5000',
      min: 0,
      max: LLONG_MAX,
    },
    { name: 'slowlog-log-slower-than', type: 'int', default: '10000', min: -1, max: LLONG_MAX },
    { name: 'slowlog-max-len', type: 'int', default: '128', min: 0, max: LLONG_MAX },
    { name: 'latency-monitor-threshold', type: 'int', default: '0', min: 0, max: LLONG_MAX },
    { name: 'active-expire-effort', type: 'int', default: '1', min: 1, max: 10 },
    // client tracking's key table bound (0 = none); past it, keys are invalidated to make room
    { name: 'tracking-table-max-keys', type: 'int', default: '1000000', min: 0, max: LLONG_MAX },
    // accepted so that stock redis.conf files work; redoubt always runs in the foreground
    {
      name: 'daemonize',
      type: 'bool',
      default: 'no',
      immutable: true,
      warnWhen: (v) =>
        v ? "'daemonize yes' is ignored: redoubt runs in the foreground (use a service manager)" : undefined,
    },
    {
      name: 'supervised',
      type: 'enum',
      default: 'no',
      values: ['upstart', 'systemd', 'auto', 'no'],
      immutable: true,
      warnWhen: (v) =>
        v !== 'no' ? `'supervised ${v}' is ignored: redoubt does not notify a supervisor` : undefined,
    },
  ];
}

function persistenceDirectives(server: Server): DirectiveDef[] {
  return [
    {
      name: 'save',
      type: 'list',
      default: '3600 1 300 100 60 10000',
      repeatable: true,
      forceRewrite: true,
      parse: parseSave,
      rewrite: (v) => {
        const l = v as string[];
        if (l.length === 0) return [{ args: '""', force: true }];
        const out: RewriteLine[] = [];
        for (let i = 0; i + 1 < l.length; i += 2) out.push({ args: `${l[i]} ${l[i + 1]}`, force: true });
        return out;
      },
    },
    {
      name: 'dbfilename',
      type: 'string',
      default: 'dump.rdb',
      protected: true,
      validate: (v) => (isBaseName(v as string) ? undefined : "dbfilename can't be a path, just a filename"),
    },
    { name: 'rdbcompression', type: 'bool', default: 'yes' },
    { name: 'rdbchecksum', type: 'bool', default: 'yes', immutable: true },
    { name: 'stop-writes-on-bgsave-error', type: 'bool', default: 'yes' },
    {
      name: 'appendonly',
      type: 'bool',
      default: 'no',
      apply: (v) => server.appendonlyApply?.(v as boolean),
    },
    {
      name: 'appendfilename',
      type: 'string',
      default: 'appendonly.aof',
      immutable: true,
      validate: (v) =>
        isBaseName(v as string) ? undefined : "appendfilename can't be a path, just a filename",
    },
    {
      name: 'appenddirname',
      type: 'string',
      default: 'appendonlydir',
      immutable: true,
      validate: (v) =>
        isBaseName(v as string) ? undefined : "appenddirname can't be a path, just a dirname",
    },
    { name: 'appendfsync', type: 'enum', default: 'everysec', values: ['everysec', 'always', 'no'] },
    { name: 'aof-load-truncated', type: 'bool', default: 'yes' },
    { name: 'aof-use-rdb-preamble', type: 'bool', default: 'yes' },
    { name: 'aof-timestamp-enabled', type: 'bool', default: 'no' },
    { name: 'auto-aof-rewrite-percentage', type: 'int', default: '100', min: 0, max: INT_MAX },
    { name: 'auto-aof-rewrite-min-size', type: 'memory', default: '64mb', min: 0, max: LLONG_MAX },
  ];
}

/** Eviction tuning and client output buffer limits (store/evict.ts, security/limits.ts). */
function memoryDirectives(server: Server): DirectiveDef[] {
  const evict = (name: string) => () => memoryConfigChanged(server, name);
  return [
    {
      name: 'maxmemory',
      type: 'memory',
      default: '0',
      min: 0,
      max: ULLONG_MAX,
      apply: evict('maxmemory'),
    },
    {
      name: 'maxmemory-policy',
      apply: evict('maxmemory-policy'),
      type: 'enum',
      default: 'noeviction',
      values: [
        'volatile-lru',
        'volatile-lfu',
        'volatile-random',
        'volatile-ttl',
        'allkeys-lru',
        'allkeys-lfu',
        'allkeys-random',
        'noeviction',
      ],
    },
    {
      name: 'maxmemory-samples',
      type: 'int',
      default: '5',
      min: 1,
      max: 2147483647,
      apply: evict('maxmemory-samples'),
    },
    {
      name: 'maxmemory-eviction-tenacity',
      type: 'int',
      default: '10',
      min: 0,
      max: 100,
      apply: evict('maxmemory-eviction-tenacity'),
    },
    {
      name: 'lfu-log-factor',
      type: 'int',
      default: '10',
      min: 0,
      max: 2147483647,
      apply: evict('lfu-log-factor'),
    },
    {
      name: 'lfu-decay-time',
      type: 'int',
      default: '1',
      min: 0,
      max: 2147483647,
      apply: evict('lfu-decay-time'),
    },
    {
      // redoubt limits normal clients by default too (Redis: normal 0 0 0)
      name: 'client-output-buffer-limit',
      type: 'list',
      default: DEFAULT_OUTPUT_LIMITS,
      repeatable: true,
      apply: (v, prev) => applyOutputLimits(server, v as string[], prev as string[]),
      rewrite: rewriteOutputLimits,
    },
  ];
}

/** Small-encoding thresholds of the data types (7.0 names, with the ziplist aliases). */
function encodingDirectives(): DirectiveDef[] {
  return [
    {
      name: 'list-max-listpack-size',
      alias: 'list-max-ziplist-size',
      type: 'int',
      default: '-2',
      min: INT_MIN,
      max: INT_MAX,
    },
    {
      name: 'hash-max-listpack-entries',
      alias: 'hash-max-ziplist-entries',
      type: 'int',
      default: '512',
      min: 0,
      max: LLONG_MAX,
    },
    {
      name: 'hash-max-listpack-value',
      alias: 'hash-max-ziplist-value',
      type: 'memory',
      default: '64',
      min: 0,
      max: LLONG_MAX,
    },
    { name: 'set-max-intset-entries', type: 'int', default: '512', min: 0, max: LLONG_MAX },
    { name: 'hll-sparse-max-bytes', type: 'memory', default: '3000', min: 0, max: LLONG_MAX },
    { name: 'stream-node-max-bytes', type: 'memory', default: '4096', min: 0, max: LLONG_MAX },
    { name: 'stream-node-max-entries', type: 'int', default: '100', min: 0, max: LLONG_MAX },
    // Redis 7.2's listpack sets; 7.0 does not know this name
    { name: 'set-max-listpack-entries', type: 'int', default: '128', min: 0, max: LLONG_MAX },
    {
      name: 'zset-max-listpack-entries',
      alias: 'zset-max-ziplist-entries',
      type: 'int',
      default: '128',
      min: 0,
      max: LLONG_MAX,
    },
    {
      name: 'zset-max-listpack-value',
      alias: 'zset-max-ziplist-value',
      type: 'memory',
      default: '64',
      min: 0,
      max: LLONG_MAX,
    },
  ];
}

/** Directives that only make sense in a file: they act once, they have no value to show. */
function fileOnlyDirectives(server: Server): DirectiveDef[] {
  return [
    {
      name: 'rename-command',
      type: 'list',
      default: '',
      fileOnly: true,
      load: (args) => {
        if (args.length !== 2) return 'wrong number of arguments';
        return server.commands.rename(args[0], args[1]);
      },
    },
    {
      // checked now (a bad rule is a fatal error naming the line); the ACL layer creates the
      // users at start-up
      name: 'user',
      type: 'list',
      default: '',
      fileOnly: true,
      load: (args) => {
        if (args.length < 1) return 'Bad directive or wrong number of arguments';
        return server.acl.configUser(args);
      },
    },
  ];
}

/** Whether CONFIG SET may change protected configs for this connection. */
export function protectedAllowed(server: Server, local: boolean): boolean {
  const v = server.config.str('enable-protected-configs');
  return v === 'yes' || (v === 'local' && local);
}

/** Redis's notion of a local client: the Unix socket or a loopback address. */
export function isLocalPeer(unix: boolean, remoteAddress: string | undefined): boolean {
  return unix || (remoteAddress !== undefined && isLoopback(remoteAddress));
}

function restartCron(server: Server): undefined {
  if (server.listeners.length > 0) server.startCron();
  return undefined;
}

function isBaseName(s: string): boolean {
  return !s.includes('/');
}

function checkDir(dir: string): string | undefined {
  try {
    if (!fs.statSync(dir).isDirectory()) return 'Not a directory';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'No such file or directory';
    if (code === 'EACCES') return 'Permission denied';
    if (code === 'ENOTDIR') return 'Not a directory';
    return (e as Error).message;
  }
  return undefined;
}

/**
 * save: `<seconds> <changes>` pairs, seconds >= 1 and changes >= 0 (strtoll rules: an optional
 * sign, digits); a single "" means no snapshots.
 */
function parseSave(args: string[]): { ok: ConfigValue } | string {
  const a = args.length === 1 && args[0] === '' ? [] : args;
  if (a.length % 2 !== 0) return 'Invalid save parameters';
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)$/.exec(a[i]);
    let v = 0n;
    if (m === null) return 'Invalid save parameters';
    if (m[2] !== '') v = BigInt(m[2]) * (m[1] === '-' ? -1n : 1n);
    if ((i % 2 === 0 && v < 1n) || (i % 2 === 1 && v < 0n)) return 'Invalid save parameters';
    out.push(v.toString());
  }
  return { ok: out };
}

/** CONFIG REWRITE of client-output-buffer-limit: one line per class that differs from the default. */
function rewriteOutputLimits(v: ConfigValue, def: ConfigValue): RewriteLine[] {
  const cur = v as string[];
  const base = def as string[];
  const out: RewriteLine[] = [];
  for (let i = 0; i + 3 < cur.length; i += 4) {
    const cls = cur[i] === 'slave' ? 'replica' : cur[i];
    const force = cur.slice(i, i + 4).join(' ') !== base.slice(i, i + 4).join(' ');
    const hard = formatMemory(BigInt(cur[i + 1]));
    const soft = formatMemory(BigInt(cur[i + 2]));
    out.push({ args: `${cls} ${hard} ${soft} ${cur[i + 3]}`, force });
  }
  return out;
}

// ---- notify-keyspace-events ----

const EV = {
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 12,
  n: 1 << 13,
  K: 1 << 0,
  E: 1 << 1,
} as const;
/** "A": every class except key-miss and new-key events */
const EV_ALL = EV.g | EV.$ | EV.l | EV.s | EV.h | EV.z | EV.x | EV.e | EV.t | EV.d;

export function parseKeyspaceEvents(s: string): number | null {
  let flags = 0;
  for (const ch of s) {
    if (ch === 'A') flags |= EV_ALL;
    else if (Object.hasOwn(EV, ch)) flags |= EV[ch as keyof typeof EV];
    else return null;
  }
  return flags;
}

/**
 * The canonical text: classes in Redis's order, "A" when all of them are set. CONFIG GET drops
 * "n" after "A" as Redis 7.0 does (the flag stays in effect), so the stored text keeps it.
 */
export function formatKeyspaceEvents(flags: number): string {
  let out = '';
  if ((flags & EV_ALL) === EV_ALL) out += flags & EV.n ? 'An' : 'A';
  else for (const ch of 'g$lshzxetdn') if (flags & EV[ch as keyof typeof EV]) out += ch;
  if (flags & EV.K) out += 'K';
  if (flags & EV.E) out += 'E';
  if (flags & EV.m) out += 'm';
  return out;
}
