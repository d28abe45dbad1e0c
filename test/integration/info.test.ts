// INFO on a live server (fields clients depend on, statistics that move with commands, no
// secrets), the INFO section registry, TIME/LASTSAVE, SHUTDOWN ending the process, and DEBUG.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { addInfoFields, renderInfo, sectionFields, selectSections } from '../../src/server/info';
import type { Server } from '../../src/server/server';
import { decode, encode, RawClient, type RespValue } from '../helpers/resp';
import {
  type Running,
  redisServerPath,
  skipWithoutRedis,
  startRedis,
  startRedoubt,
} from '../helpers/servers';

function infoText(v: RespValue): string {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (v !== null && typeof v === 'object' && 'verbatim' in v) return v.verbatim.slice(4);
  throw new Error(`not INFO text: ${JSON.stringify(v)}`);
}

async function info(c: RawClient, ...sections: string[]): Promise<Map<string, string>> {
  const t = infoText(await c.call('INFO', ...sections));
  const m = new Map<string, string>();
  for (const line of t.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

function num(m: Map<string, string>, k: string): number {
  const v = m.get(k);
  assert.ok(v !== undefined, `INFO has ${k}`);
  return Number(v);
}

describe('INFO', () => {
  let rd: Running;
  const open: RawClient[] = [];
  const connect = async () => {
    const c = await RawClient.connect({ port: rd.port });
    open.push(c);
    return c;
  };
  before(async () => {
    rd = await startRedoubt({ args: ['--requirepass', 'hunter2-secret'] });
  });
  after(async () => {
    for (const c of open) c.close();
    await rd.stop();
  });

  async function authed(): Promise<RawClient> {
    const c = await connect();
    assert.equal(await c.call('AUTH', 'hunter2-secret'), 'OK');
    return c;
  }

  it('answers what clients read at connect time', async () => {
    const c = await authed();
    const m = await info(c);
    assert.equal(m.get('redis_version'), '7.0.15');
    assert.match(m.get('redoubt_version') ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(m.get('loading'), '0');
    assert.equal(m.get('maxmemory_policy'), 'noeviction');
    assert.equal(m.get('redis_mode'), 'standalone');
    assert.equal(m.get('role'), 'master');
    assert.equal(num(m, 'tcp_port'), rd.port);
    assert.equal(num(m, 'process_id'), rd.proc.pid);
    assert.match(m.get('run_id') ?? '', /^[0-9a-f]{40}$/);
    assert.ok(num(m, 'connected_clients') >= 1);
    assert.equal(m.get('cluster_enabled'), '0');
  });

  it('is a bulk string in RESP2 and a verbatim txt string in RESP3, with \\r\\n lines', async () => {
    const c = await authed();
    const r2 = await c.raw('INFO', 'server');
    assert.match(r2.toString('latin1'), /^\$\d+\r\n# Server\r\nredis_version:7\.0\.15\r\n/);
    await c.call('HELLO', '3');
    const r3 = await c.raw('INFO', 'server');
    assert.match(r3.toString('latin1'), /^=\d+\r\ntxt:# Server\r\nredis_version:7\.0\.15\r\n/);
    const empty = await c.raw('INFO', 'nosuch');
    assert.equal(empty.toString('latin1'), '=4\r\ntxt:\r\n');
  });

  it('counts commands, hits and misses, errors, per-command stats', async () => {
    const c = await authed();
    const before = await info(c, 'stats');
    await c.call('SET', 'a', '1');
    await c.call('GET', 'a');
    await c.call('GET', 'missing');
    await c.call('GET'); // arity: rejected
    await c.call('NOSUCH');
    await c.call('LPUSH', 'a', 'x'); // WRONGTYPE: failed
    const after = await info(c, 'stats');
    assert.ok(num(after, 'total_commands_processed') >= num(before, 'total_commands_processed') + 4);
    assert.equal(num(after, 'keyspace_hits') - num(before, 'keyspace_hits'), 1);
    assert.equal(num(after, 'keyspace_misses') - num(before, 'keyspace_misses'), 1);
    assert.equal(num(after, 'total_error_replies') - num(before, 'total_error_replies'), 3);
    assert.ok(num(after, 'total_net_input_bytes') > num(before, 'total_net_input_bytes'));
    assert.ok(num(after, 'total_net_output_bytes') > num(before, 'total_net_output_bytes'));
    assert.match(after.get('instantaneous_input_kbps') ?? '', /^\d+\.\d\d$/);
    const cs = await info(c, 'commandstats');
    const stat = /^calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),rejected_calls=(\d+),failed_calls=(\d+)$/;
    for (const [k, v] of cs) {
      assert.match(k, /^cmdstat_[a-z_-]+(\|[a-z_-]+)?$/);
      assert.match(v, stat, k);
    }
    const get = stat.exec(cs.get('cmdstat_get') ?? '');
    assert.ok(get);
    assert.equal(get[1], '2');
    assert.equal(get[4], '1');
    const lpush = stat.exec(cs.get('cmdstat_lpush') ?? '');
    assert.ok(lpush);
    assert.equal(lpush[5], '1');
    // subcommands by full name
    await c.call('CLIENT', 'ID');
    assert.ok((await info(c, 'commandstats')).has('cmdstat_client|id'));
    const es = await info(c, 'errorstats');
    assert.match(es.get('errorstat_ERR') ?? '', /^count=\d+$/);
    assert.equal(es.get('errorstat_WRONGTYPE'), 'count=1');
    await c.call('DEL', 'a');
  });

  it('commandstats counts every call of a pipelined run of one command, and its time', async () => {
    const c = await authed();
    await c.call('CONFIG', 'RESETSTAT');
    // one write: 500 SETs, 300 GETs, then INFO in the same batch, which must see them all
    const n = 500;
    const reqs: Buffer[] = [];
    for (let i = 0; i < n; i++) reqs.push(encode(['SET', `run:${i}`, 'v']));
    for (let i = 0; i < 300; i++) reqs.push(encode(['GET', `run:${i}`]));
    reqs.push(encode(['INFO', 'commandstats']));
    c.write(Buffer.concat(reqs));
    for (let i = 0; i < n + 300; i++) await c.next();
    const text = infoText(decode(await c.next(), 0)[0]);
    const set = /cmdstat_set:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(text);
    const get = /cmdstat_get:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(text);
    assert.ok(set && get, text);
    assert.equal(set[1], String(n));
    assert.equal(get[1], '300');
    // the runs were timed as a whole: their time is there, not lost
    assert.ok(Number(set[2]) > 0 && Number(get[2]) > 0, text);
    for (let i = 0; i < n; i++) await c.call('DEL', `run:${i}`);
  });

  it('keyspace: keys, expires and average TTL per database', async () => {
    const c = await authed();
    await c.call('SELECT', '5');
    await c.call('SET', 'k1', 'v');
    await c.call('SET', 'k2', 'v', 'EX', '100');
    const ks = await info(c, 'keyspace');
    const m = /^keys=2,expires=1,avg_ttl=(\d+)$/.exec(ks.get('db5') ?? '');
    assert.ok(m, `db5:${ks.get('db5')}`);
    assert.ok(Number(m[1]) > 90000 && Number(m[1]) <= 100000);
    await c.call('FLUSHDB');
    assert.equal((await info(c, 'keyspace')).has('db5'), false);
  });

  it('clients and pub/sub figures', async () => {
    const c = await authed();
    const b = await authed();
    const s = await authed();
    b.write(encode(['BLPOP', 'q', '0']));
    await s.call('SUBSCRIBE', 'ch1', 'ch2');
    await sleep(50);
    const m = await info(c, 'clients', 'stats');
    assert.equal(num(m, 'blocked_clients'), 1);
    assert.equal(num(m, 'clients_in_timeout_table'), 0);
    assert.equal(num(m, 'pubsub_channels'), 2);
    await c.call('LPUSH', 'q', 'x');
    assert.deepEqual(decode(await b.next(), 0)[0], [Buffer.from('q'), Buffer.from('x')]);
    assert.equal(num(await info(c, 'clients'), 'blocked_clients'), 0);
  });

  it('never shows a password, in INFO or CLIENT LIST', async () => {
    const c = await authed();
    await c.call('CLIENT', 'SETNAME', 'app');
    const all = infoText(await c.call('INFO', 'everything'));
    assert.ok(!all.includes('hunter2'), 'INFO everything has no password');
    const list = infoText(await c.call('CLIENT', 'LIST'));
    assert.ok(!list.includes('hunter2'), 'CLIENT LIST has no password');
    // and the unauthenticated get nothing
    const anon = await connect();
    assert.deepEqual(
      await anon.call('INFO'),
      decode(Buffer.from('-NOAUTH Authentication required.\r\n'), 0)[0],
    );
  });
});

describe('INFO section registry', () => {
  const fake = { tag: 'fake' } as unknown as Server;

  it('merges providers: later fields replace earlier ones in place, new ones append', () => {
    addInfoFields(
      'modules',
      () => [
        ['test_a', 1],
        ['test_b', 'x'],
      ],
      0,
    );
    addInfoFields('modules', () => [
      ['test_b', 'y'],
      ['test_c', 3],
    ]);
    assert.deepEqual(sectionFields(fake, 'modules'), [
      ['test_a', 1],
      ['test_b', 'y'],
      ['test_c', 3],
    ]);
    assert.equal(renderInfo(fake, new Set(['modules'])), '# Modules\r\ntest_a:1\r\ntest_b:y\r\ntest_c:3\r\n');
    assert.throws(() => addInfoFields('nosuch', () => []));
  });

  it('selects sections as Redis does', () => {
    assert.deepEqual([...selectSections(['Server', 'CPU', 'nosuch'])], ['server', 'cpu', 'nosuch']);
    const all = selectSections(['all']);
    assert.ok(all.has('commandstats') && all.has('keyspace'));
    assert.ok(!selectSections([]).has('commandstats'));
    assert.ok(selectSections(['default', 'commandstats']).has('commandstats'));
  });
});

describe('TIME, LASTSAVE, SHUTDOWN', () => {
  it('TIME is the wall clock in seconds and microseconds; LASTSAVE the start time', async () => {
    const rd = await startRedoubt();
    try {
      const c = await RawClient.connect({ port: rd.port });
      const [sec, usec] = (await c.call('TIME')) as Buffer[];
      assert.ok(Math.abs(Number(sec.toString()) - Date.now() / 1000) < 5);
      assert.ok(Number(usec.toString()) >= 0 && Number(usec.toString()) < 1e6);
      const ls = (await c.call('LASTSAVE')) as number;
      assert.ok(Math.abs(ls - Date.now() / 1000) < 60);
      c.close();
    } finally {
      await rd.stop();
    }
  });

  for (const args of [[], ['NOSAVE'], ['SAVE', 'NOW', 'FORCE']]) {
    it(`SHUTDOWN ${args.join(' ')} ends the process with status 0`, async () => {
      const rd = await startRedoubt();
      try {
        const c = await RawClient.connect({ port: rd.port });
        const other = await RawClient.connect({ port: rd.port });
        // refused inside MULTI, and a bad combination is a syntax error
        assert.equal(await c.call('MULTI'), 'OK');
        assert.match(
          String((await c.raw('SHUTDOWN')).toString()),
          /^-ERR Command not allowed inside a transaction/,
        );
        await c.call('DISCARD');
        assert.match((await c.raw('SHUTDOWN', 'ABORT', 'NOW')).toString(), /^-ERR syntax error/);
        c.write(encode(['SHUTDOWN', ...args]));
        assert.equal(await rd.exited, 0);
        await c.closed;
        await other.closed;
        assert.match(rd.output(), /User requested shutdown/);
        assert.match(rd.output(), /ready to exit, bye bye/);
      } finally {
        await rd.stop();
      }
    });
  }
});

describe('DEBUG', () => {
  let rd: Running | null = null;
  let ref: Running | null = null;
  before(async () => {
    rd = await startRedoubt({ args: ['--enable-debug-command', 'local'] });
    if (redisServerPath() !== null) ref = await startRedis(['--enable-debug-command', 'yes']);
  });
  after(async () => {
    await Promise.all([rd?.stop(), ref?.stop()]);
  });

  it('is refused by default with Redis 7.0 error text', async () => {
    const plain = await startRedoubt();
    try {
      const c = await RawClient.connect({ port: plain.port });
      const e = (await c.raw('DEBUG', 'SLEEP', '0')).toString();
      assert.equal(
        e,
        '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n',
      );
      c.close();
    } finally {
      await plain.stop();
    }
  });

  it('PROTOCOL, OBJECT, ERROR replies match Redis (local connection allowed)', async (t) => {
    assert.ok(rd !== null);
    if (ref === null) return skipWithoutRedis(t);
    for (const proto of [2, 3]) {
      const a = await RawClient.connect({ port: rd.port });
      const b = await RawClient.connect({ port: ref.port });
      if (proto === 3) await Promise.all([a.raw('HELLO', '3'), b.raw('HELLO', '3')]);
      const cmds = [
        ...['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'verbatim'].map(
          (x) => ['DEBUG', 'PROTOCOL', x],
        ),
        ['DEBUG', 'PROTOCOL', 'true'],
        ['DEBUG', 'PROTOCOL', 'false'],
        ['DEBUG', 'PROTOCOL', 'nosuch'],
        ['DEBUG', 'ERROR', 'foo bar'],
        ['DEBUG', 'OBJECT', 'nokey'],
        ['DEBUG', 'OBJECT'],
        ['DEBUG', 'SLEEP'],
        ['DEBUG', 'nosuch'],
        ['DEBUG', 'SLEEP', '0'],
        ['DEBUG', 'LOG', 'hello'],
        // an error in RESP2; in RESP3 a push message, then a normal reply
        ['DEBUG', 'PROTOCOL', 'push'],
      ];
      for (const cmd of cmds) {
        a.write(encode(cmd));
        b.write(encode(cmd));
        const [x, y] = await Promise.all([a.next(), b.next()]);
        assert.equal(x.toString('latin1'), y.toString('latin1'), `${cmd.join(' ')} (RESP${proto})`);
      }
      // the push reply is followed by a normal one
      if (proto === 3) {
        const [x, y] = await Promise.all([a.next(), b.next()]);
        assert.equal(x.toString('latin1'), y.toString('latin1'));
      }
      for (const c of [a, b]) {
        await c.call('SET', 'n', '12');
        await c.call('SET', 's', 'hello');
      }
      for (const k of ['n', 's']) {
        const [x, y] = await Promise.all([a.call('DEBUG', 'OBJECT', k), b.call('DEBUG', 'OBJECT', k)]);
        const strip = (v: RespValue) =>
          String(v)
            .replace(/Value at:\S+ /, '')
            .replace(/lru:\d+ lru_seconds_idle:\d+/, '');
        assert.equal(strip(x), strip(y), `DEBUG OBJECT ${k}`);
      }
      a.close();
      b.close();
    }
  });

  it('SLEEP stops the server; SET-ACTIVE-EXPIRE 0 leaves expired keys to lazy expiry', async () => {
    assert.ok(rd !== null);
    const a = await RawClient.connect({ port: rd.port });
    const b = await RawClient.connect({ port: rd.port });
    const t0 = Date.now();
    a.write(encode(['DEBUG', 'SLEEP', '0.3']));
    await sleep(20);
    assert.equal(await b.call('PING'), 'PONG');
    assert.ok(Date.now() - t0 >= 250, 'PING waited for the sleep');
    assert.equal(decode(await a.next(), 0)[0], 'OK');
    await a.call('SELECT', '2');
    assert.equal(await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
    await a.call('SET', 'e', 'v', 'PX', '30');
    await sleep(300);
    assert.equal(await a.call('DBSIZE'), 1);
    assert.equal(await a.call('GET', 'e'), null);
    assert.equal(await a.call('DBSIZE'), 0);
    assert.equal(await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), 'OK');
    await a.call('SET', 'e', 'v', 'PX', '30');
    await sleep(500);
    assert.equal(await a.call('DBSIZE'), 0);
    a.close();
    b.close();
  });
});
