// maxmemory on a real process: eviction policies keep the dataset bounded and evict the right
// class of keys; noeviction answers Redis's exact OOM error while reads and DEL still work.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTRY_OVERHEAD } from '../../src/store/memory';
import { encode, RawClient } from '../helpers/resp';
import { type Running, skipWithoutRedis, startRedis, startRedoubt } from '../helpers/servers';

const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
const VALUE = Buffer.alloc(1000, 0x76);
const MAX = 2 * 1024 * 1024;

function key(prefix: string, i: number): string {
  return `${prefix}:${String(i).padStart(5, '0')}`;
}

/** Bytes a key of this test counts for (see store/memory.ts). */
function cost(k: string): number {
  return ENTRY_OVERHEAD + k.length + VALUE.length;
}

/** Sends many commands as one pipeline and returns the raw replies. */
async function pipeline(c: RawClient, cmds: (string | Buffer)[][]): Promise<Buffer[]> {
  c.write(Buffer.concat(cmds.map((a) => encode(a))));
  const out: Buffer[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.next(20000));
  return out;
}

/** Which of the keys exist. */
async function existing(c: RawClient, keys: string[]): Promise<Set<string>> {
  const r = await pipeline(
    c,
    keys.map((k) => ['EXISTS', k]),
  );
  const out = new Set<string>();
  r.forEach((b, i) => {
    if (b.toString() === ':1\r\n') out.add(keys[i]);
  });
  return out;
}

async function setMany(c: RawClient, keys: string[], extra: string[] = []): Promise<Buffer[]> {
  return pipeline(
    c,
    keys.map((k) => ['SET', k, VALUE, ...extra]),
  );
}

/** Stops a server; if it had died on its own, prints what it logged (for diagnosis). */
async function stopReporting(srv: Running): Promise<void> {
  if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) {
    console.log(`server exited by itself (${srv.proc.exitCode ?? srv.proc.signalCode}):\n${srv.output()}`);
  }
  await srv.stop();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('maxmemory allkeys-lru', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({ args: ['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru'] });
  });
  after(async () => {
    await stopReporting(srv);
  });

  it('writing 5x maxmemory keeps the dataset bounded and every SET succeeds', async () => {
    const c = await RawClient.connect({ port: srv.port });
    const keys = Array.from({ length: 8000 }, (_, i) => key('fill', i));
    const r = await setMany(c, keys);
    assert.ok(
      r.every((b) => b.toString() === '+OK\r\n'),
      'no OOM while keys can be evicted',
    );
    const n = (await c.call('DBSIZE')) as number;
    assert.ok(n * cost(keys[0]) <= MAX, `${n} keys exceed maxmemory`);
    assert.ok(n * cost(keys[0]) > MAX * 0.9, `only ${n} keys kept`);
    await c.raw('FLUSHALL');
    c.close();
  });

  it('recently read keys survive more often than untouched ones (approximate LRU)', async () => {
    const c = await RawClient.connect({ port: srv.port });
    const old = Array.from({ length: 1400 }, (_, i) => key('old', i));
    await setMany(c, old);
    await sleep(50);
    const hot = old.filter((_, i) => i % 2 === 0);
    const cold = old.filter((_, i) => i % 2 === 1);
    await pipeline(
      c,
      hot.map((k) => ['GET', k]),
    );
    await sleep(50);
    // about 800 new keys push out about 800 old ones
    await setMany(
      c,
      Array.from({ length: 800 }, (_, i) => key('new', i)),
    );
    const hotKept = (await existing(c, hot)).size;
    const coldKept = (await existing(c, cold)).size;
    assert.ok(hotKept > coldKept + 300, `kept ${hotKept}/700 read keys and ${coldKept}/700 untouched keys`);
    await c.raw('FLUSHALL');
    c.close();
  });
});

describe('maxmemory volatile-* policies', () => {
  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it(`${policy} evicts only keys with a TTL, then refuses writes`, async () => {
      const srv = await startRedoubt({
        args: ['--maxmemory', '2mb', '--maxmemory-policy', policy],
      });
      try {
        const c = await RawClient.connect({ port: srv.port });
        const persistent = Array.from({ length: 500 }, (_, i) => key('p', i));
        await setMany(c, persistent);
        const vol = Array.from({ length: 3000 }, (_, i) => key('v', i));
        const r = await setMany(c, vol, ['EX', '1000']);
        assert.ok(r.every((b) => b.toString() === '+OK\r\n'));
        assert.equal((await existing(c, persistent)).size, 500, 'persistent keys all kept');
        const n = (await c.call('DBSIZE')) as number;
        assert.ok(n * cost(vol[0]) <= MAX, `${n} keys`);
        // once volatile keys are exhausted, persistent writes get the OOM error
        const more = await setMany(
          c,
          Array.from({ length: 2000 }, (_, i) => key('q', i)),
        );
        assert.ok(
          more.some((b) => b.toString() === OOM),
          'OOM once nothing volatile is left',
        );
        assert.equal((await existing(c, persistent)).size, 500);
        c.close();
      } finally {
        await srv.stop();
      }
    });
  }

  it('volatile-ttl evicts the nearest expiries first', async () => {
    const srv = await startRedoubt({
      args: ['--maxmemory', '2mb', '--maxmemory-policy', 'volatile-ttl'],
    });
    try {
      const c = await RawClient.connect({ port: srv.port });
      // 1500 keys fit; TTLs 10000+i seconds in shuffled order, then 600 more long-lived keys
      const ids = Array.from({ length: 1500 }, (_, i) => i);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [ids[i], ids[j]] = [ids[j], ids[i]];
      }
      await pipeline(
        c,
        ids.map((i) => ['SET', key('t', i), VALUE, 'EX', String(10000 + i)]),
      );
      await setMany(
        c,
        Array.from({ length: 600 }, (_, i) => key('late', i)),
        ['EX', '100000'],
      );
      const shortest = Array.from({ length: 500 }, (_, i) => key('t', i));
      const longest = Array.from({ length: 500 }, (_, i) => key('t', 1000 + i));
      const shortKept = (await existing(c, shortest)).size;
      const longKept = (await existing(c, longest)).size;
      assert.ok(
        longKept > 450 && shortKept < longKept - 200,
        `kept ${shortKept}/500 shortest TTLs, ${longKept}/500 longest`,
      );
      c.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('maxmemory noeviction', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({ args: ['--maxmemory', '1mb'] });
  });
  after(async () => {
    await stopReporting(srv);
  });

  it('refuses writes with the exact OOM error; reads, DEL and non-denyoom commands work', async () => {
    const c = await RawClient.connect({ port: srv.port });
    const keys = Array.from({ length: 1500 }, (_, i) => key('n', i));
    const r = await setMany(c, keys);
    const firstOom = r.findIndex((b) => b.toString() === OOM);
    assert.ok(firstOom > 0, 'writes eventually refused');
    assert.ok(
      r.slice(firstOom).every((b) => b.toString() === OOM),
      'every later write refused',
    );
    assert.ok(firstOom * cost(keys[0]) <= 1024 * 1024 + cost(keys[0]));
    assert.equal((await c.raw('GET', keys[0])).toString(), `$1000\r\n${VALUE.toString()}\r\n`);
    assert.equal((await c.raw('APPEND', keys[0], 'x')).toString(), OOM);
    assert.equal((await c.raw('EXPIRE', keys[1], '100')).toString(), ':1\r\n');
    assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
    // freeing memory lets writes through again
    const del = await pipeline(
      c,
      keys.slice(0, 100).map((k) => ['DEL', k]),
    );
    assert.ok(del.every((b) => b.toString() === ':1\r\n'));
    assert.equal((await c.raw('SET', 'again', 'v')).toString(), '+OK\r\n');
    c.close();
  });

  it('the OOM error is byte-identical to redis-server 7.0', async () => {
    const ref = await startRedis(['--maxmemory', '1']);
    assert.ok(ref, 'redis-server is installed');
    try {
      const a = await RawClient.connect({ port: ref.port });
      const b = await RawClient.connect({ port: srv.port });
      // fill redoubt up to its limit again (the previous test freed some room)
      await setMany(
        b,
        Array.from({ length: 300 }, (_, i) => key('refill', i)),
      );
      const mine = await b.raw('SET', 'one-more', 'v');
      assert.equal(mine.toString(), OOM);
      assert.deepEqual(await a.raw('SET', 'one-more', 'v'), mine);
      assert.deepEqual(await a.raw('GET', 'one-more'), await b.raw('GET', 'one-more'));
      a.close();
      b.close();
    } finally {
      await ref.stop();
    }
  });
});

/** SET, then maxmemory 1 by CONFIG SET (writes refused, reads served), then 0 again. */
async function runtimeLimit(port: number): Promise<string[]> {
  const c = await RawClient.connect({ port });
  const out: string[] = [];
  for (const cmd of [
    ['SET', 'a', 'b'],
    ['CONFIG', 'SET', 'maxmemory', '1'],
    ['SET', 'a', 'c'],
    ['GET', 'a'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['SET', 'a', 'd'],
  ]) {
    out.push((await c.raw(...cmd)).toString());
  }
  c.close();
  return out;
}

describe('maxmemory set at run time', () => {
  it('a server started without maxmemory refuses writes once CONFIG SET gives one, and accepts them again at 0', async (t) => {
    // the memory gate is skipped until some maxmemory is set (dispatch.ts Gate.on)
    const srv = await startRedoubt();
    try {
      const ours = await runtimeLimit(srv.port);
      assert.deepEqual(ours, ['+OK\r\n', '+OK\r\n', OOM, '$1\r\nb\r\n', '+OK\r\n', '+OK\r\n']);
      const ref = await startRedis();
      if (ref === null) return skipWithoutRedis(t);
      try {
        assert.deepEqual(ours, await runtimeLimit(ref.port), 'redoubt vs redis-server');
      } finally {
        await ref.stop();
      }
    } finally {
      await stopReporting(srv);
    }
  });
});
