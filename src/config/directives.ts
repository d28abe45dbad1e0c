// The directive table. Each entry: name, type, default, bounds and flags; `apply` hooks push a
// new value into the running server. Directives Redis has that we do not implement yet are
// listed as unsupported: accepted from a file with a warning naming them.

import { applyOutputLimits, DEFAULT_OUTPUT_LIMITS } from '../security/limits';
import type { Server } from '../server/server';
import { memoryConfigChanged } from '../store/evict';
import type { DirectiveDef } from './config';

export function buildDirectives(server: Server): DirectiveDef[] {
  return [
    { name: 'port', type: 'int', default: '6379', min: 0, max: 65535, immutable: true },
    { name: 'bind', type: 'list', default: '127.0.0.1 -::1', immutable: true },
    { name: 'unixsocket', type: 'string', default: '', immutable: true, protected: true },
    { name: 'unixsocketperm', type: 'octal', default: '0', immutable: true },
    { name: 'tcp-backlog', type: 'int', default: '511', min: 0, max: 2147483647, immutable: true },
    { name: 'maxclients', type: 'int', default: '10000', min: 1, max: 2147483647 },
    { name: 'timeout', type: 'int', default: '0', min: 0, max: 2147483647 },
    { name: 'tcp-keepalive', type: 'int', default: '300', min: 0, max: 2147483647 },
    {
      name: 'databases',
      type: 'int',
      default: '16',
      min: 1,
      max: 2147483647,
      immutable: true,
    },
    { name: 'dir', type: 'string', default: './data', immutable: false, protected: true },
    { name: 'dbfilename', type: 'string', default: 'dump.rdb', protected: true },
    { name: 'pidfile', type: 'string', default: '', immutable: true },
    {
      name: 'logfile',
      type: 'string',
      default: '',
      immutable: true,
    },
    {
      name: 'loglevel',
      type: 'enum',
      default: 'notice',
      values: ['debug', 'verbose', 'notice', 'warning', 'nothing'],
      apply: (v) => {
        server.log.level = v as 'notice';
        return undefined;
      },
    },
    { name: 'requirepass', type: 'string', default: '', secret: true },
    { name: 'hz', type: 'int', default: '10', min: 1, max: 500, apply: () => restartCron(server) },
    {
      name: 'proto-max-bulk-len',
      type: 'memory',
      default: '512mb',
      min: 1024 * 1024,
      max: Number.MAX_SAFE_INTEGER,
      // connected clients' parsers enforce the new limit from their next request, as in Redis
      apply: (v) => {
        for (const c of server.clients.values()) c.parser.limits.maxBulkLen = v as number;
        return undefined;
      },
    },
    {
      name: 'client-query-buffer-limit',
      type: 'memory',
      default: '1gb',
      min: 1024 * 1024,
      max: Number.MAX_SAFE_INTEGER,
    },
    { name: 'protected-mode', type: 'bool', default: 'yes' },
    { name: 'save', type: 'list', default: '3600 1 300 100 60 10000', repeatable: true },
    { name: 'appendonly', type: 'bool', default: 'no' },
    {
      name: 'maxmemory',
      type: 'memory',
      default: '0',
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      apply: () => memoryConfigChanged(server, 'maxmemory'),
    },
    {
      name: 'maxmemory-policy',
      apply: () => memoryConfigChanged(server, 'maxmemory-policy'),
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
    ...memoryDirectives(server),
    { name: 'daemonize', type: 'bool', default: 'no', immutable: true, unsupported: true },
  ];
}

function restartCron(server: Server): undefined {
  if (server.listeners.length > 0) server.startCron();
  return undefined;
}

/** Eviction tuning and client output buffer limits (store/evict.ts, security/limits.ts). */
function memoryDirectives(server: Server): DirectiveDef[] {
  const evict = (name: string) => () => memoryConfigChanged(server, name);
  return [
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
    },
  ];
}
