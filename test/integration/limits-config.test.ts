// Limits at runtime through CONFIG SET / CONFIG GET / INFO, compared with redis-server 7.0
// where the behaviour is meant to be the same.

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decode, encode, RawClient } from '../helpers/resp';
import { type Running, startRedis, startRedoubt } from '../helpers/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function infoField(info: Buffer, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}:([^\\r]*)\\r\\n`).exec(info.toString('latin1'));
  return m?.[1];
}

describe('CONFIG SET/GET client-output-buffer-limit against redis-server', () => {
  let mine: Running;
  let ref: Running | null;
  before(async () => {
    mine = await startRedoubt();
    // the same starting point (our default differs from Redis's on purpose)
    ref = await startRedis(['--client-output-buffer-limit', 'normal 256mb 64mb 60']);
  });
  after(async () => {
    await mine.stop();
    await ref?.stop();
  });

  it('same replies for valid and invalid values', async () => {
    assert.ok(ref, 'redis-server is installed');
    const a = await RawClient.connect({ port: mine.port });
    const b = await RawClient.connect({ port: ref.port });
    const cases = [
      ['normal 1 2'],
      ['foo 1 2 3'],
      ['master 1 2 3'],
      ['normal x 2 3'],
      ['normal 1 2 -3'],
      ['normal 1mb 1mb 1 pubsub 1 2'],
      ['NORMAL 1mb 2k 3 replica 5mb 1mb 7 pubsub 0 0 0'],
      ['slave 1gb 512mb 120'],
      [''],
    ];
    for (const [v] of cases) {
      const x = await a.raw('CONFIG', 'SET', 'client-output-buffer-limit', v);
      const y = await b.raw('CONFIG', 'SET', 'client-output-buffer-limit', v);
      assert.equal(x.toString(), y.toString(), `CONFIG SET client-output-buffer-limit '${v}'`);
      const gx = await a.raw('CONFIG', 'GET', 'client-output-buffer-limit');
      const gy = await b.raw('CONFIG', 'GET', 'client-output-buffer-limit');
      assert.equal(gx.toString(), gy.toString(), `CONFIG GET after '${v}'`);
    }
    a.close();
    b.close();
  });
});

describe('limits changed at runtime', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt();
  });
  after(async () => {
    await srv.stop();
  });

  it('the default limits normal clients; CONFIG GET shows it', async () => {
    const c = await RawClient.connect({ port: srv.port });
    assert.equal(
      (await c.raw('CONFIG', 'GET', 'client-output-buffer-limit')).toString(),
      '*2\r\n$26\r\nclient-output-buffer-limit\r\n$83\r\n' +
        'normal 268435456 67108864 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n',
    );
    c.close();
  });

  it('a lowered limit applies to connected clients and is counted in INFO stats', async () => {
    const c = await RawClient.connect({ port: srv.port });
    await c.raw('SET', 'bigkey', Buffer.alloc(1024 * 1024, 0x61));
    const attacker = await new Promise<net.Socket>((resolve) => {
      const s = net.connect({ port: srv.port, host: '127.0.0.1' }, () => resolve(s));
    });
    attacker.on('error', () => {});
    let closed = false;
    attacker.on('close', () => {
      closed = true;
    });
    assert.equal(
      (await c.raw('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 4mb 0 0')).toString(),
      '+OK\r\n',
    );
    attacker.pause();
    attacker.write(Buffer.concat(Array.from({ length: 100 }, () => encode(['GET', 'bigkey']))));
    for (let i = 0; i < 250 && !srv.output().includes('overcoming of output buffer limits'); i++) {
      await sleep(20);
    }
    attacker.resume();
    for (let i = 0; i < 250 && !closed; i++) await sleep(20);
    assert.ok(closed, 'attacker disconnected');
    const info = await c.raw('INFO', 'stats');
    assert.equal(infoField(info, 'client_output_buffer_limit_disconnections'), '1');
    await c.raw('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 256mb 64mb 60');
    await c.raw('DEL', 'bigkey');
    c.close();
  });

  it('CONFIG SET maxmemory below the dataset evicts at once, with `evicted` notifications', async () => {
    const c = await RawClient.connect({ port: srv.port });
    const sub = await RawClient.connect({ port: srv.port });
    await c.raw('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
    await sub.raw('SUBSCRIBE', '__keyevent@0__:evicted');
    await c.raw('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
    const v = Buffer.alloc(1000, 0x62);
    c.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => encode(['SET', `m:${i}`, v]))));
    for (let i = 0; i < 1000; i++) await c.next();
    let info = await c.raw('INFO', 'memory');
    const used = Number(infoField(info, 'used_memory'));
    assert.ok(used > 1000 * 1000 && used < 1000 * 2000, `used_memory ${used}`);
    assert.equal(infoField(info, 'maxmemory'), '0');
    assert.equal(infoField(info, 'maxmemory_policy'), 'allkeys-random');
    assert.equal((await c.raw('CONFIG', 'SET', 'maxmemory', '500kb')).toString(), '+OK\r\n');
    // eviction runs in time slices (maxmemory-eviction-tenacity): it completes shortly after
    for (let i = 0; i < 100; i++) {
      info = await c.raw('INFO', 'memory');
      if (Number(infoField(info, 'used_memory')) <= 500 * 1024) break;
      await sleep(20);
    }
    assert.ok(Number(infoField(info, 'used_memory')) <= 500 * 1024);
    assert.equal(infoField(info, 'maxmemory'), '512000');
    assert.equal(infoField(info, 'maxmemory_human'), '500.00K');
    const n = (await c.call('DBSIZE')) as number;
    const evicted = Number(infoField(await c.raw('INFO', 'stats'), 'evicted_keys'));
    assert.equal(evicted, 1000 - n);
    // the subscriber got one message per evicted key
    const keys = new Set<string>();
    for (let i = 0; i < evicted; i++) {
      const m = decode(await sub.next(), 0)[0];
      assert.ok(Array.isArray(m) && m.length === 3);
      const [kind, channel, k] = m.map((x) => String(x));
      assert.equal(kind, 'message');
      assert.equal(channel, '__keyevent@0__:evicted');
      keys.add(k);
    }
    assert.equal(keys.size, evicted);
    for (const k of [...keys].slice(0, 20)) {
      assert.equal((await c.raw('EXISTS', k)).toString(), ':0\r\n');
    }
    await c.raw('CONFIG', 'SET', 'maxmemory', '0');
    await c.raw('FLUSHALL');
    sub.close();
    c.close();
  });
});
