// CONFIG GET / SET / RESETSTAT / REWRITE / HELP against redis-server 7.0: defaults, every value
// type, Redis's value formatting, and every error path. Each case restores what it changed.
// Not compared by design: port, bind, dir, save (the servers start with different values),
// client-output-buffer-limit's default (redoubt limits normal clients), requirepass when set
// (redacted), set-max-listpack-entries (a 7.2 name), and patterns that match directives only
// one side has (e.g. maxmemory* would include Redis's maxmemory-clients).

import { REDIS70_DIRECTIVES } from '../../src/config/redis70';
import { Server } from '../../src/server/server';
import { diffSuite, type Step } from './harness';

const NOT_COMPARED = new Set(['port', 'bind', 'dir', 'save', 'client-output-buffer-limit']);

/** Directives both servers implement, by canonical name and alias. */
function sharedNames(): string[] {
  const redis = new Set(REDIS70_DIRECTIVES);
  const out: string[] = [];
  for (const d of new Server().config.table) {
    for (const n of d.alias ? [d.name, d.alias] : [d.name]) {
      if (redis.has(n) && !NOT_COMPARED.has(n)) out.push(n);
    }
  }
  return out;
}

/** Sets each value and reads it back, then restores `restore`. */
function setGet(name: string, values: string[], restore: string): Step[] {
  const steps: Step[] = [];
  for (const v of values) steps.push(['CONFIG', 'SET', name, v], ['CONFIG', 'GET', name]);
  steps.push(['CONFIG', 'SET', name, restore], ['CONFIG', 'GET', name]);
  return steps;
}

const INT_BAD = ['abc', '', '01', '+1', '-0', '1k', '1.5', '99999999999999999999', '-99999999999'];
const MEM_BAD = ['abc', '1.5mb', '+1', '-1', '-0', ' 1', '1 mb', '0x10', '1e3', '1tb'];

function badValues(name: string, values: string[]): Step[] {
  const steps: Step[] = values.map((v) => ['CONFIG', 'SET', name, v]);
  steps.push(['CONFIG', 'GET', name]);
  return steps;
}

const cases: Record<string, Step[]> = {
  'defaults of every shared directive, one at a time': sharedNames().map((n) => ['CONFIG', 'GET', n]),
  'defaults, several patterns (order-free)': [
    { cmd: ['CONFIG', 'GET', 'hash-max-*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'zset-max-*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'list-max-*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'lfu-*', 'slowlog*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'app*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'TCP-*', 'timeout', 'active-expire-*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'maxmemory-[ps]*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', 'lua-time-limit', 'busy-reply-threshold', 'lua*'], mode: 'sorted' },
    { cmd: ['CONFIG', 'GET', '*-max-listpack-?????'], mode: 'sorted' },
  ],
  'exact names echo the spelling asked for; duplicates collapse': [
    ['CONFIG', 'GET', 'MAXCLIENTS'],
    ['CONFIG', 'GET', 'maxclients', 'MAXCLIENTS'],
    ['CONFIG', 'GET', 'MaxClients', 'maxc*'],
    ['CONFIG', 'GET', 'maxclients', 'maxc*', 'maxclients'],
    ['CONFIG', 'GET', 'Hash-Max-Ziplist-Entries'],
    ['CONFIG', 'GET', 'nomatch'],
    ['CONFIG', 'GET', 'nomatch*'],
    ['CONFIG', 'GET', '\\maxclients'],
    ['CONFIG', 'GET', 'maxclient[s]'],
    ['CONFIG', 'GET', 'requirepass'],
    ['CONFIG', 'GET', 'rename-command'],
    ['CONFIG', 'GET', 'include'],
  ],
  'integers: values, bounds, clamping': [
    ...setGet('timeout', ['3600', '2147483647', '0'], '0'),
    ...badValues('timeout', [...INT_BAD, '2147483648', '-1']),
    ...setGet('tcp-keepalive', ['60', '0'], '300'),
    ...setGet('maxclients', ['5000', '4294967295'], '10000'),
    ...badValues('maxclients', ['0', '4294967296', ...INT_BAD]),
    ...setGet('hz', ['1000', '0', '15', '500', '2147483647'], '10'),
    ...badValues('hz', ['-1', '2147483648', 'x']),
    ...setGet('slowlog-log-slower-than', ['-1', '9223372036854775807', '0'], '10000'),
    ...badValues('slowlog-log-slower-than', ['-2', '9223372036854775808', ...INT_BAD]),
    ...setGet('slowlog-max-len', ['0', '9223372036854775807'], '128'),
    ...setGet('latency-monitor-threshold', ['100'], '0'),
    ...setGet('busy-reply-threshold', ['100'], '5000'),
    ['CONFIG', 'GET', 'lua-time-limit'],
    ...setGet('lua-time-limit', ['200'], '5000'),
    ['CONFIG', 'GET', 'busy-reply-threshold'],
    ...setGet('active-expire-effort', ['10', '1'], '1'),
    ...badValues('active-expire-effort', ['0', '11']),
    ...setGet('list-max-listpack-size', ['-5', '-2147483648', '2147483647', '100'], '-2'),
    ...badValues('list-max-listpack-size', ['-2147483649', '2147483648']),
    ...setGet('list-max-ziplist-size', ['-1'], '-2'),
    ...setGet('hash-max-listpack-entries', ['100', '9223372036854775807'], '512'),
    ...setGet('hash-max-ziplist-entries', ['7'], '512'),
    ...badValues('hash-max-listpack-entries', ['-1', '9223372036854775808']),
    ...setGet('set-max-intset-entries', ['1'], '512'),
    ...setGet('zset-max-listpack-entries', ['0'], '128'),
    ...setGet('zset-max-ziplist-entries', ['5'], '128'),
    ...setGet('maxmemory-samples', ['10', '2147483647'], '5'),
    ...badValues('maxmemory-samples', ['0']),
    ...setGet('maxmemory-eviction-tenacity', ['0', '100'], '10'),
    ...badValues('maxmemory-eviction-tenacity', ['101', '-1']),
    ...setGet('lfu-log-factor', ['0', '100'], '10'),
    ...setGet('lfu-decay-time', ['0', '5'], '1'),
  ],
  'memory values: units, 64-bit range, formatting': [
    ...setGet(
      'maxmemory',
      [
        '1',
        '1K',
        '1Kb',
        '1kB',
        '1m',
        '1mb',
        '2g',
        '1GB',
        '01',
        '007k',
        '',
        'k',
        '1b',
        '1B',
        '18446744073709551615',
        '18446744073709551616',
        '99999999999gb',
        '9223372036854775808',
      ],
      '0',
    ),
    ...badValues('maxmemory', MEM_BAD),
    ...setGet('proto-max-bulk-len', ['3mb', '1048576', '9223372036854775807'], '512mb'),
    ...badValues('proto-max-bulk-len', ['1', '1k', '1048575', '9223372036854775808', ...MEM_BAD]),
    ...setGet('client-query-buffer-limit', ['1048577', '2gb'], '1gb'),
    ...badValues('client-query-buffer-limit', ['1mb1', '1000000']),
    ...setGet('hash-max-listpack-value', ['2kb', '0', '9223372036854775807'], '64'),
    ...badValues('hash-max-listpack-value', ['9223372036854775808', '18446744073709551615', ...MEM_BAD]),
    ...setGet('hash-max-ziplist-value', ['1k'], '64'),
    ...setGet('zset-max-listpack-value', ['128'], '64'),
    ...setGet('zset-max-ziplist-value', ['1mb'], '64'),
  ],
  'booleans and enums': [
    ...setGet('rdbcompression', ['no', 'YES', 'No'], 'yes'),
    ...badValues('rdbcompression', ['maybe', '1', '', 'yes no']),
    ...setGet('stop-writes-on-bgsave-error', ['no'], 'yes'),
    ...setGet('protected-mode', ['no'], 'yes'),
    ...setGet('loglevel', ['WARNING', 'debug', 'Verbose'], 'notice'),
    ...badValues('loglevel', ['nothing', 'x', '']),
    ...setGet('appendfsync', ['ALWAYS', 'no'], 'everysec'),
    ...badValues('appendfsync', ['sometimes']),
    ...setGet('maxmemory-policy', ['allkeys-lru', 'VOLATILE-TTL', 'allkeys-lfu'], 'noeviction'),
    ...badValues('maxmemory-policy', ['lru', 'allkeys-lru extra']),
  ],
  'notify-keyspace-events': [
    ...setGet(
      'notify-keyspace-events',
      [
        'KEA',
        'Ex',
        'AKE',
        'gK',
        '$lshzxetdK',
        'A',
        'mn',
        'Kg$lshzxetd',
        'An',
        'Anm',
        'KEA$',
        'E',
        'K',
        'n',
        'd',
        '',
      ],
      '',
    ),
    ...badValues('notify-keyspace-events', ['Q', 'K E', 'a', 'KEA!']),
  ],
  'save: pairs, signs, empty, errors': [
    ['CONFIG', 'SET', 'save', '100 2 10 1'],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', '+5 +0'],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', ''],
    ['CONFIG', 'GET', 'save'],
    ...badValues('save', ['-1 1', '0 0', '5 -1', ' 5 1', '5a 1', '5  1', '10 1 20', '10', 'x y']),
  ],
  'client-output-buffer-limit': [
    [
      'CONFIG',
      'SET',
      'client-output-buffer-limit',
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 32mb 8mb 60',
    ],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1k 2kb 3'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 1g 3 PUBSUB 1 1 1'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 0 0 0'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
  ],
  'CONFIG SET: several pairs, atomic': [
    ['CONFIG', 'SET', 'timeout', '100', 'maxclients', '2000', 'hz', '20'],
    { cmd: ['CONFIG', 'GET', 'timeout', 'maxclients', 'hz'], mode: 'sorted' },
    ['CONFIG', 'SET', 'timeout', '200', 'maxclients', 'abc'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'timeout', '300', 'maxmemory', '1x', 'hz', '30'],
    { cmd: ['CONFIG', 'GET', 'timeout', 'hz'], mode: 'sorted' },
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru', 'maxmemory-samples', '0'],
    ['CONFIG', 'GET', 'maxmemory-policy'],
    ['CONFIG', 'SET', 'timeout', '0', 'maxclients', '10000', 'hz', '10'],
    { cmd: ['CONFIG', 'GET', 'timeout', 'maxclients', 'hz'], mode: 'sorted' },
  ],
  'CONFIG SET: name errors (unknown, syntax, duplicate, immutable, protected)': [
    ['CONFIG', 'SET', 'foo', '1'],
    ['CONFIG', 'SET', 'FOO', '1'],
    ['CONFIG', 'SET', 'timeout', '5', 'foo', '1'],
    ['CONFIG', 'SET', 'TIMEOUT', '5', 'foo', '1', 'daemonize', 'yes'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'a', 'b', 'c'],
    ['CONFIG', 'SET', 'timeout', '1', 'maxclients'],
    ['CONFIG', 'SET', 'timeout', '1', 'timeout', '2'],
    ['CONFIG', 'SET', 'hz', '15', 'HZ', '16'],
    ['CONFIG', 'SET', 'hash-max-ziplist-entries', '1', 'hash-max-listpack-entries', '2'],
    ['CONFIG', 'SET', 'lua-time-limit', '1', 'busy-reply-threshold', '2'],
    ['CONFIG', 'SET', 'timeout', '7', 'maxclients', 'abc', 'daemonize', 'yes'],
    ['CONFIG', 'SET', 'daemonize', 'yes', 'maxclients', 'abc'],
    ['CONFIG', 'SET', 'MaxClients', 'abc'],
    ['CONFIG', 'GET', 'timeout'],
    ...[
      'daemonize',
      'DAEMONIZE',
      'databases',
      'logfile',
      'pidfile',
      'unixsocket',
      'unixsocketperm',
      'tcp-backlog',
      'rdbchecksum',
      'appendfilename',
      'appenddirname',
      'enable-debug-command',
      'enable-protected-configs',
      'supervised',
    ].map((n): Step => ['CONFIG', 'SET', n, 'yes']),
    ['CONFIG', 'SET', 'dir', '/tmp'],
    ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
    ['CONFIG', 'SET', 'timeout', '1', 'dir', '/tmp'],
    ['CONFIG', 'SET', 'dir', '/tmp', 'daemonize', 'yes'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'rename-command', 'get x'],
    ['CONFIG', 'SET', 'include', '/x'],
  ],
  'arity and subcommands': [
    ['CONFIG'],
    ['CONFIG', 'SET'],
    ['CONFIG', 'SET', 'timeout'],
    ['CONFIG', 'GET'],
    ['CONFIG', 'RESETSTAT', 'x'],
    ['CONFIG', 'REWRITE', 'x'],
    ['CONFIG', 'HELP', 'x'],
    ['CONFIG', 'foo'],
    ['CONFIG', 'foo', 'bar'],
    ['config', 'help'],
    ['CONFIG', 'HELP'],
    ['CONFIG', 'RESETSTAT'],
    ['CONFIG', 'REWRITE'],
  ],
};

diffSuite('config', cases);

// enable-protected-configs yes: dir and dbfilename may change; their errors
diffSuite(
  'config (protected configs enabled)',
  {
    'dir and dbfilename': [
      ['CONFIG', 'SET', 'dir', '/nonexistent/x'],
      ['CONFIG', 'SET', 'dir', '/etc/passwd'],
      ['CONFIG', 'SET', 'dir', ''],
      ['CONFIG', 'SET', 'dbfilename', 'a/b'],
      ['CONFIG', 'SET', 'dbfilename', '/abs.rdb'],
      ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
      ['CONFIG', 'GET', 'dbfilename'],
      ['CONFIG', 'SET', 'dbfilename', ''],
      ['CONFIG', 'GET', 'dbfilename'],
      ['CONFIG', 'SET', 'dbfilename', 'dump.rdb', 'timeout', 'x'],
      ['CONFIG', 'GET', 'dbfilename'],
      ['CONFIG', 'SET', 'dbfilename', 'dump.rdb'],
      ['CONFIG', 'GET', 'dbfilename'],
      ['CONFIG', 'GET', 'enable-protected-configs'],
    ],
  },
  { redoubtArgs: ['--enable-protected-configs', 'yes'], redisArgs: ['--enable-protected-configs', 'yes'] },
);

// enable-protected-configs local: allowed from loopback, where the tests connect from
diffSuite(
  'config (protected configs local)',
  {
    'dbfilename from loopback': [
      ['CONFIG', 'SET', 'dbfilename', 'y.rdb'],
      ['CONFIG', 'GET', 'dbfilename'],
      ['CONFIG', 'SET', 'dbfilename', 'dump.rdb'],
      ['CONFIG', 'GET', 'enable-protected-configs'],
    ],
  },
  {
    redoubtArgs: ['--enable-protected-configs', 'local'],
    redisArgs: ['--enable-protected-configs', 'local'],
  },
);
