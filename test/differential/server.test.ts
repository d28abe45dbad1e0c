// Differential tests for the server/admin commands: INFO, TIME, LASTSAVE, SHUTDOWN (error paths
// only), DEBUG (disabled), CLIENT and COMMAND; and a table audit comparing COMMAND INFO's name,
// arity, flags, key positions and ACL categories with Redis for every command redoubt has.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode, RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from '../helpers/servers';
import { compare, diffSuite, type Pair } from './harness';

const DEBUG_DENIED = { mode: 'error' as const };

diffSuite('server', {
  info_unknown_section: [
    ['INFO', 'nosuch'],
    ['INFO', 'nosuch', 'other'],
  ],
  info_keyspace: [
    ['INFO', 'keyspace'],
    ['SET', 'k', 'v'],
    ['SET', 'k2', 'v'],
    ['INFO', 'keyspace'],
    ['INFO', 'KEYSPACE'],
    ['INFO', 'keyspace', 'nosuch'],
    ['INFO', 'keyspace', 'keyspace'],
    ['EXPIRE', 'k', '1000'],
    { cmd: ['INFO', 'keyspace'], mode: 'type', note: 'avg_ttl moves with the clock' },
    ['DEL', 'k', 'k2'],
    ['INFO', 'keyspace'],
  ],
  info_cluster: [
    ['INFO', 'cluster'],
    ['INFO', 'modules'],
    ['INFO', 'modules', 'cluster'],
  ],
  info_types: [
    { cmd: ['INFO'], mode: 'type' },
    { cmd: ['INFO', 'all'], mode: 'type' },
    { cmd: ['INFO', 'everything'], mode: 'type' },
    { cmd: ['INFO', 'default'], mode: 'type' },
    { cmd: ['INFO', 'server', 'clients'], mode: 'type' },
    { cmd: ['INFO', 'commandstats'], mode: 'type' },
    { cmd: ['INFO', 'errorstats'], mode: 'type' },
  ],
  time: [{ cmd: ['TIME'], mode: 'type' }, ['TIME', 'x']],
  lastsave: [{ cmd: ['LASTSAVE'], mode: 'type' }, ['LASTSAVE', 'x']],
  shutdown_errors: [
    ['SHUTDOWN', 'ABORT'],
    ['SHUTDOWN', 'abort'],
    ['SHUTDOWN', 'NOSAVE', 'SAVE'],
    ['SHUTDOWN', 'save', 'nosave', 'now'],
    ['SHUTDOWN', 'x'],
    ['SHUTDOWN', 'NOW', 'x'],
    ['SHUTDOWN', 'ABORT', 'NOW'],
    ['SHUTDOWN', 'FORCE', 'ABORT'],
    ['MULTI'],
    ['SHUTDOWN'],
    ['SHUTDOWN', 'NOSAVE'],
    ['EXEC'],
  ],
  debug_disabled: [
    ['DEBUG'],
    { cmd: ['DEBUG', 'SLEEP', '0'], ...DEBUG_DENIED },
    { cmd: ['DEBUG', 'help'], ...DEBUG_DENIED },
    { cmd: ['DEBUG', 'OBJECT', 'k'], ...DEBUG_DENIED },
    { cmd: ['debug', 'nosuch'], ...DEBUG_DENIED },
    ['MULTI'],
    { cmd: ['DEBUG', 'SLEEP', '0'], ...DEBUG_DENIED },
    ['EXEC'],
  ],
  client_errors: [
    ['CLIENT'],
    ['CLIENT', 'nosuch'],
    ['CLIENT', 'NOSUCH', 'a', 'b'],
    { cmd: ['CLIENT', 'HELP'], mode: 'type' },
    ['CLIENT', 'HELP', 'x'],
    ['CLIENT', 'ID', 'x'],
    ['CLIENT', 'INFO', 'x'],
    ['CLIENT', 'GETNAME', 'x'],
    ['CLIENT', 'SETNAME'],
    ['CLIENT', 'SETNAME', 'a', 'b'],
    ['CLIENT', 'REPLY'],
    ['CLIENT', 'REPLY', 'x'],
    ['CLIENT', 'REPLY', 'on', 'x'],
    ['CLIENT', 'UNPAUSE', 'x'],
  ],
  client_id: [{ cmd: ['CLIENT', 'ID'], mode: 'type' }],
  client_names: [
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', 'worker-1'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', 'has space'],
    ['CLIENT', 'SETNAME', 'nl\n'],
    ['CLIENT', 'SETNAME', Buffer.from([0xc3, 0xa9])],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', ''],
    ['CLIENT', 'GETNAME'],
  ],
  client_list_errors: [
    ['CLIENT', 'LIST', 'TYPE', 'foo'],
    ['CLIENT', 'LIST', 'TYPE'],
    ['CLIENT', 'LIST', 'TYPE', 'normal', 'x'],
    ['CLIENT', 'LIST', 'ID'],
    ['CLIENT', 'LIST', 'ID', '1', 'x'],
    ['CLIENT', 'LIST', 'ID', '99999999999999999999'],
    ['CLIENT', 'LIST', 'x'],
    ['CLIENT', 'LIST', 'ID', '0'],
    ['CLIENT', 'LIST', 'ID', '-1', '999999'],
    ['CLIENT', 'LIST', 'TYPE', 'master'],
    ['CLIENT', 'LIST', 'TYPE', 'replica'],
    ['CLIENT', 'LIST', 'TYPE', 'SLAVE'],
    ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
    { cmd: ['CLIENT', 'LIST'], mode: 'type' },
    { cmd: ['CLIENT', 'LIST', 'TYPE', 'normal'], mode: 'type' },
    { cmd: ['CLIENT', 'INFO'], mode: 'type' },
  ],
  client_kill_errors: [
    ['CLIENT', 'KILL'],
    ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'x'],
    ['CLIENT', 'KILL', 'ID'],
    ['CLIENT', 'KILL', 'ID', 'x'],
    ['CLIENT', 'KILL', 'ID', '0'],
    ['CLIENT', 'KILL', 'ID', '-5'],
    ['CLIENT', 'KILL', 'ID', '999999'],
    ['CLIENT', 'KILL', 'ID', '1', 'ID'],
    ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'TYPE', 'foo'],
    ['CLIENT', 'KILL', 'TYPE', 'master'],
    ['CLIENT', 'KILL', 'TYPE', 'slave'],
    ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
    ['CLIENT', 'KILL', 'USER', 'nouser'],
    ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
    ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'SKIPME', 'yes'],
    ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'SKIPME', 'NO'],
    ['CLIENT', 'KILL', 'USER', 'default', 'ADDR', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'foo', 'bar'],
  ],
  client_no_evict: [
    ['CLIENT', 'NO-EVICT', 'x'],
    ['CLIENT', 'NO-EVICT', 'on'],
    ['CLIENT', 'NO-EVICT', 'OFF'],
    ['CLIENT', 'NO-EVICT'],
  ],
  client_pause_errors: [
    ['CLIENT', 'PAUSE'],
    ['CLIENT', 'PAUSE', 'x'],
    ['CLIENT', 'PAUSE', '-1'],
    ['CLIENT', 'PAUSE', '1.5'],
    ['CLIENT', 'PAUSE', '99999999999999999999'],
    ['CLIENT', 'PAUSE', '0', 'x'],
    ['CLIENT', 'PAUSE', 'x', 'x'],
    ['CLIENT', 'PAUSE', '-1', 'x'],
    ['CLIENT', 'PAUSE', 'x', 'write'],
    ['CLIENT', 'PAUSE', '10', 'all', 'x'],
    ['CLIENT', 'PAUSE', '0'],
    ['CLIENT', 'PAUSE', '0', 'WRITE'],
    ['CLIENT', 'UNPAUSE'],
  ],
  client_unblock: [
    ['CLIENT', 'UNBLOCK'],
    ['CLIENT', 'UNBLOCK', 'x'],
    ['CLIENT', 'UNBLOCK', 'x', 'y'],
    ['CLIENT', 'UNBLOCK', '5', 'y'],
    ['CLIENT', 'UNBLOCK', '999999'],
    ['CLIENT', 'UNBLOCK', '999999', 'ERROR'],
    ['CLIENT', 'UNBLOCK', '999999', 'timeout'],
    ['CLIENT', 'UNBLOCK', '1', '2', '3'],
  ],
  command_errors: [
    ['COMMAND', 'nosuch'],
    ['COMMAND', 'COUNT', 'x'],
    ['COMMAND', 'HELP', 'x'],
    { cmd: ['COMMAND', 'HELP'], mode: 'type' },
    { cmd: ['COMMAND', 'COUNT'], mode: 'type' },
    ['COMMAND', 'INFO', 'nosuch'],
    ['COMMAND', 'INFO', 'get|x'],
    ['COMMAND', 'INFO', 'a|b|c'],
    ['COMMAND', 'INFO', 'get'],
    ['COMMAND', 'INFO', 'GET', 'nosuch', 'get'],
    ['COMMAND', 'DOCS', 'nosuch'],
    ['COMMAND', 'DOCS', 'client|nosuch'],
  ],
  command_getkeys: [
    ['COMMAND', 'GETKEYS'],
    ['COMMAND', 'GETKEYS', 'get'],
    ['COMMAND', 'GETKEYS', 'nosuch', 'a'],
    ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'ping', 'x'],
    ['COMMAND', 'GETKEYS', 'get', 'a'],
    ['COMMAND', 'GETKEYS', 'GET', 'a'],
    ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'],
    ['COMMAND', 'GETKEYS', 'set', 'a'],
    ['COMMAND', 'GETKEYS', 'del', 'a', 'b', 'c'],
    ['COMMAND', 'GETKEYS', 'client', 'list'],
    ['COMMAND', 'GETKEYS', 'client', 'nosuch'],
    ['COMMAND', 'GETKEYS', 'client|list', 'x'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'a'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'nosuch', 'a'],
  ],
  command_list: [
    ['COMMAND', 'LIST', 'x'],
    ['COMMAND', 'LIST', 'FILTERBY'],
    ['COMMAND', 'LIST', 'FILTERBY', 'x', 'y'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'b'],
    ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'xx*'],
    ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'],
    ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', '@read'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'lastsave'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'LAST*'],
    { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client*'], mode: 'type' },
  ],
});

// ---- custom comparisons: decoded replies, compared field by field ----

type Info = Map<string, string[]>;

/** Parses INFO text into section title → field names, in order. */
function parseInfo(v: RespValue): Info {
  const text = Buffer.isBuffer(v) ? v.toString('latin1') : (v as { verbatim: string }).verbatim;
  const out: Info = new Map();
  let cur: string[] | null = null;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) {
      cur = [];
      out.set(line.slice(2), cur);
    } else if (line.length > 0 && cur !== null) {
      cur.push(line.slice(0, line.indexOf(':')));
    }
  }
  return out;
}

interface CmdInfo {
  name: string;
  arity: number;
  flags: string[];
  first: number;
  last: number;
  step: number;
  cats: string[];
  tips: string[];
  subs: CmdInfo[];
}

function asList(v: RespValue): RespValue[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && 'set' in v) return v.set;
  throw new Error(`not a list: ${JSON.stringify(v)}`);
}

function cmdInfo(v: RespValue): CmdInfo {
  const e = asList(v);
  return {
    name: String(e[0]),
    arity: e[1] as number,
    flags: asList(e[2]).map(String),
    first: e[3] as number,
    last: e[4] as number,
    step: e[5] as number,
    cats: asList(e[6]).map(String),
    tips: asList(e[7]).map(String),
    subs: asList(e[9]).map(cmdInfo),
  };
}

function flatten(list: CmdInfo[]): Map<string, CmdInfo> {
  const m = new Map<string, CmdInfo>();
  for (const c of list) {
    m.set(c.name, c);
    for (const s of c.subs) m.set(s.name, s);
  }
  return m;
}

/** redoubt commands Redis 7.0 lacks, on purpose. */
const EXTRA_COMMANDS: Record<string, string> = {
  'client|setinfo': 'Redis 7.2 command that client libraries send on connect',
};

/** Redis 7.0 INFO fields redoubt does not report, per section (nothing to measure in Node). */
const MISSING_FIELDS: Record<string, string[]> = {
  Server: ['atomicvar_api'],
  Stats: ['total_reads_processed', 'total_writes_processed', 'reply_buffer_shrinks', 'reply_buffer_expands'],
};
/** Fields redoubt adds. */
const EXTRA_FIELDS: Record<string, string[]> = {
  Server: ['redoubt_version', 'node_version'],
  Stats: [
    'client_query_buffer_limit_disconnections',
    'client_output_buffer_limit_disconnections',
    'auth_failures',
    'auth_lockouts',
    'locked_out_sources',
    'rejected_connections_by_allowlist',
    'rejected_connections_by_protected_mode',
    'rejected_connections_locked_out',
    'tls_handshake_failures',
  ],
  // copy-on-write snapshots (BGSAVE without fork): writes the snapshot had to save first
  Persistence: ['rdb_snapshot_unsignalled_writes'],
};

const have = redisServerPath() !== null;

describe('differential: server (decoded)', { skip: have ? false : 'redis-server not installed' }, () => {
  let ours: Running;
  let ref: Running | null;
  const pairs: Record<number, Pair> = {};
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
    for (const proto of [2, 3]) {
      const p: Pair = {
        redoubt: await RawClient.connect({ port: ours.port }),
        redis: await RawClient.connect({ port: (ref as Running).port }),
      };
      if (proto === 3) await compare(p, ['HELLO', '3'], 'ignore');
      pairs[proto] = p;
    }
  });
  after(async () => {
    for (const p of Object.values(pairs)) {
      p.redoubt.close();
      p.redis.close();
    }
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  async function both(proto: number, ...cmd: string[]): Promise<[RespValue, RespValue]> {
    const p = pairs[proto];
    const [a, b] = await Promise.all([p.redoubt.raw(...cmd), p.redis.raw(...cmd)]);
    return [decode(a, 0)[0], decode(b, 0)[0]];
  }

  for (const proto of [2, 3]) {
    it(`INFO selects the same sections (RESP${proto})`, async () => {
      const selections = [
        [],
        ['all'],
        ['everything'],
        ['default'],
        ['DEFAULT', 'commandstats'],
        ['server', 'clients'],
        ['clients', 'server', 'Server'],
        ['SERVER'],
        ['memory', 'keyspace'],
        ['persistence', 'stats', 'replication', 'cpu'],
        ['errorstats', 'commandstats'],
        ['nosuch', 'cpu'],
      ];
      for (const sel of selections) {
        const [a, b] = await both(proto, 'INFO', ...sel);
        // latency percentiles are not tracked (no Latencystats section)
        const want = [...parseInfo(b).keys()].filter((t) => t !== 'Latencystats');
        assert.deepEqual([...parseInfo(a).keys()], want, `INFO ${sel.join(' ')}`);
      }
    });

    it(`INFO fields match Redis's, with the documented differences (RESP${proto})`, async () => {
      await both(proto, 'SET', 'info-k', 'v');
      const [a, b] = await both(proto, 'INFO', 'everything');
      const ia = parseInfo(a);
      const ib = parseInfo(b);
      for (const section of ['Server', 'Clients', 'Persistence', 'Stats', 'Replication', 'CPU', 'Cluster']) {
        const missing = MISSING_FIELDS[section] ?? [];
        const extra = EXTRA_FIELDS[section] ?? [];
        const want = (ib.get(section) ?? []).filter((f) => !missing.includes(f));
        const got = (ia.get(section) ?? []).filter((f) => !extra.includes(f));
        assert.deepEqual(got, want, `fields of # ${section}`);
      }
      // memory: the fields clients read are there
      for (const f of ['used_memory', 'used_memory_human', 'maxmemory', 'maxmemory_policy']) {
        assert.ok(ia.get('Memory')?.includes(f), `# Memory has ${f}`);
      }
      await both(proto, 'DEL', 'info-k');
    });

    it(`COMMAND INFO of our own commands matches Redis (RESP${proto})`, async () => {
      const names = ['info', 'time', 'lastsave', 'shutdown', 'debug', 'client', 'command'];
      const [a, b] = await both(proto, 'COMMAND', 'INFO', ...names);
      const ours = flatten(asList(a).map(cmdInfo));
      const theirs = flatten(asList(b).map(cmdInfo));
      for (const [name, x] of ours) {
        if (name in EXTRA_COMMANDS) continue;
        const y = theirs.get(name);
        assert.ok(y !== undefined, `${name} exists in Redis`);
        assert.deepEqual({ ...x, subs: [] }, { ...y, subs: [] }, name);
      }
      // every subcommand Redis has, except client tracking's (another layer's)
      const tracking = ['client|tracking', 'client|caching', 'client|getredir', 'client|trackinginfo'];
      for (const name of theirs.keys()) {
        if (tracking.includes(name)) continue;
        assert.ok(ours.has(name), `redoubt has ${name}`);
      }
    });
  }

  it('COMMAND DOCS: same commands, fields, since and group as Redis', async () => {
    const [a, b] = await both(3, 'COMMAND', 'DOCS');
    type Doc = Map<string, RespValue>;
    const docs = (v: RespValue): Map<string, Doc> => {
      const out = new Map<string, Doc>();
      const walk = (m: RespValue) => {
        for (const [k, d] of (m as { map: [RespValue, RespValue][] }).map) {
          const fields = new Map(
            (d as { map: [RespValue, RespValue][] }).map.map(([x, y]) => [String(x), y]),
          );
          out.set(String(k), fields);
          const subs = fields.get('subcommands');
          if (subs !== undefined) walk(subs);
        }
      };
      walk(v);
      return out;
    };
    const ours = docs(a);
    const theirs = docs(b);
    const bad: string[] = [];
    for (const [name, d] of ours) {
      if (name in EXTRA_COMMANDS) continue;
      const r = theirs.get(name);
      if (r === undefined) {
        bad.push(`${name}: not in Redis`);
        continue;
      }
      for (const k of ['since', 'group']) {
        if (String(d.get(k)) !== String(r.get(k))) bad.push(`${name}: ${k} ${d.get(k)} (redis ${r.get(k)})`);
      }
      for (const k of d.keys()) if (!r.has(k)) bad.push(`${name}: field ${k} not in Redis's docs`);
      for (const k of ['summary', 'since', 'group']) if (!d.has(k)) bad.push(`${name}: no ${k}`);
    }
    assert.deepEqual(bad, []);
  });

  it('COMMAND table audit: name, arity, flags, keys, ACL categories and tips of every command', async () => {
    const [a, b] = await both(2, 'COMMAND');
    const ours = flatten(asList(a).map(cmdInfo));
    const theirs = flatten(asList(b).map(cmdInfo));
    const mismatches: string[] = [];
    for (const [name, x] of ours) {
      if (name in EXTRA_COMMANDS) continue;
      const y = theirs.get(name);
      if (y === undefined) {
        mismatches.push(`${name}: not a Redis 7.0 command`);
        continue;
      }
      const diff: string[] = [];
      for (const k of ['arity', 'first', 'last', 'step'] as const) {
        if (x[k] !== y[k]) diff.push(`${k} ${x[k]} (redis ${y[k]})`);
      }
      for (const k of ['flags', 'cats', 'tips'] as const) {
        if (x[k].join(' ') !== y[k].join(' '))
          diff.push(`${k} [${x[k].join(' ')}] (redis [${y[k].join(' ')}])`);
      }
      if (diff.length > 0) mismatches.push(`${name}: ${diff.join('; ')}`);
    }
    assert.deepEqual(mismatches, [], `command table differs from Redis 7.0:\n${mismatches.join('\n')}`);
  });
});
