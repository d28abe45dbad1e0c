// Client tracking: the same scenario runs against redoubt and redis-server over raw connections;
// every byte each connection receives (replies, invalidation pushes, pub/sub redirections) is
// recorded per step and the two transcripts must be equal.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { encode, RawClient, replyEnd } from '../helpers/resp';
import { type Running, skipWithoutRedis, startRedis, startRedoubt } from '../helpers/servers';

/** An argument naming connection n's client id (REDIRECT). */
interface IdOf {
  id: number;
}
/** [connection, ...command] or a pause in ms. */
type Step = [number, ...(string | IdOf)[]] | number;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function transcript(port: number, conns: number, steps: Step[]): Promise<string[]> {
  const cs: RawClient[] = [];
  const ids: string[] = [];
  for (let i = 0; i < conns; i++) {
    const c = await RawClient.connect({ port });
    cs.push(c);
    ids.push(String((await c.call('CLIENT', 'ID')) as number));
  }
  const out: string[] = [];
  // client ids in redirect fields and tracking-redir-broken pushes, as connection numbers
  const norm = (r: string, force = false) => {
    if (!force && !r.includes('redir')) return r;
    for (let i = 0; i < ids.length; i++) r = r.replaceAll(`:${ids[i]}\r\n`, `:<id ${i}>\r\n`);
    return r;
  };
  const drain = async () => {
    await sleep(40);
    for (let i = 0; i < cs.length; i++) {
      while (replyEnd(cs[i].leftover(), 0) >= 0)
        out.push(`${i}< ${JSON.stringify(norm((await cs[i].next()).toString('latin1')))}`);
    }
  };
  try {
    for (const st of steps) {
      if (typeof st === 'number') {
        await sleep(st);
        out.push(`sleep ${st}`);
        await drain();
        continue;
      }
      const [n, ...args] = st;
      const argv = args.map((a) => (typeof a === 'string' ? a : ids[a.id]));
      out.push(`${n}> ${args.map((a) => (typeof a === 'string' ? a : `<id ${a.id}>`)).join(' ')}`);
      const reply = (await cs[n].raw(...argv)).toString('latin1');
      if (args[0] === 'CLIENT' && args[1] === 'INFO') {
        // only the tracking parts of the line are comparable
        const f = / flags=(\S*) .* redir=(\S*) /.exec(reply);
        out.push(`${n}< flags=${f?.[1]} redir=${norm(`:${f?.[2]}\r\n`, true)}`);
        await drain();
        continue;
      }
      // HELLO's reply holds the connection id, which differs between the servers
      out.push(
        `${n}< ${args[0] === 'HELLO' ? reply.slice(0, 1) : JSON.stringify(norm(reply, args[1] === 'GETREDIR'))}`,
      );
      await drain();
    }
  } finally {
    for (const c of cs) c.close();
  }
  return out;
}

const SCENARIOS: Record<string, { conns: number; steps: Step[] }> = {
  'default mode: read, then a write by another client': {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [1, 'SET', 'a', '1'],
      [0, 'GET', 'a'],
      [0, 'MGET', 'b', 'c'],
      [1, 'SET', 'a', '2'],
      // forgotten after one invalidation, until read again
      [1, 'SET', 'a', '3'],
      [1, 'DEL', 'b', 'c'],
      [1, 'LPUSH', 'c', 'x'],
      [0, 'GET', 'a'],
      [0, 'SET', 'a', 'own'],
      [0, 'CLIENT', 'TRACKINGINFO'],
    ],
  },
  noloop: {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on', 'NOLOOP'],
      [0, 'GET', 'k'],
      [0, 'GET', 'j'],
      [0, 'SET', 'k', 'mine'],
      [1, 'SET', 'k', 'theirs'],
      [1, 'SET', 'j', 'theirs'],
    ],
  },
  'optin and optout with CLIENT CACHING': {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN'],
      [0, 'GET', 'x'],
      [0, 'CLIENT', 'CACHING', 'yes'],
      [0, 'CLIENT', 'TRACKINGINFO'],
      [0, 'GET', 'y'],
      [0, 'GET', 'z'],
      [1, 'MSET', 'x', '1', 'y', '1', 'z', '1'],
      [0, 'CLIENT', 'TRACKING', 'off'],
      [0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'],
      [0, 'CLIENT', 'CACHING', 'no'],
      [0, 'GET', 'x'],
      [0, 'GET', 'y'],
      [1, 'MSET', 'x', '2', 'y', '2'],
    ],
  },
  'bcast with prefixes': {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj:'],
      [1, 'SET', 'user:1', 'a'],
      [1, 'MSET', 'obj:2', 'a', 'obj:1', 'b', 'other', 'c'],
      [1, 'SET', 'other', 'd'],
      [0, 'CLIENT', 'TRACKINGINFO'],
      [0, 'CLIENT', 'TRACKING', 'off'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP'],
      [0, 'SET', 'mine', '1'],
      [1, 'SET', 'theirs', '1'],
    ],
  },
  'redirect to a RESP2 subscriber, and the redirect going away': {
    conns: 3,
    steps: [
      [1, 'SUBSCRIBE', '__redis__:invalidate'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', { id: 1 }],
      [0, 'GET', 'r'],
      [2, 'SET', 'r', '1'],
      [0, 'CLIENT', 'GETREDIR'],
      [0, 'HELLO', '3'],
      [0, 'GET', 'r'],
      [1, 'QUIT'],
      [2, 'SET', 'r', '2'],
      [0, 'CLIENT', 'TRACKINGINFO'],
      [0, 'CLIENT', 'INFO'],
      [2, 'CLIENT', 'INFO'],
      [2, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', { id: 0 }],
      [2, 'CLIENT', 'INFO'],
    ],
  },
  'flushall sends a null invalidation': {
    conns: 3,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [1, 'SUBSCRIBE', '__redis__:invalidate'],
      [2, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', { id: 1 }],
      [0, 'GET', 'f'],
      [2, 'FLUSHALL'],
      [0, 'FLUSHDB'],
      [2, 'SET', 'f', '1'],
    ],
  },
  'expiry of a tracked key': {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [1, 'SET', 'e', 'v', 'PX', '300'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [0, 'GET', 'e'],
      700,
      [0, 'GET', 'e'],
    ],
  },
  'tracking off by RESET, and RESP2 without redirect': {
    conns: 2,
    steps: [
      [0, 'CLIENT', 'TRACKING', 'on'],
      [0, 'GET', 'q'],
      [1, 'SET', 'q', '1'],
      [0, 'HELLO', '3'],
      [0, 'GET', 'q'],
      [0, 'RESET'],
      [0, 'CLIENT', 'TRACKINGINFO'],
      [1, 'SET', 'q', '2'],
    ],
  },
  'transactions, own writes after reads, HELLO keeps tracking': {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [0, 'MULTI'],
      [0, 'GET', 't1'],
      [0, 'GET', 't2'],
      [0, 'EXEC'],
      [0, 'MULTI'],
      [0, 'SET', 't1', 'x'],
      [0, 'INCR', 't2'],
      [0, 'EXEC'],
      [0, 'GET', 't1'],
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKINGINFO'],
      [1, 'SET', 't1', 'y'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', { id: 0 }],
      [0, 'GET', 't1'],
      [1, 'SET', 't1', 'z'],
      [0, 'CLIENT', 'TRACKINGINFO'],
    ],
  },
  'scripts: a read inside a script tracks the keys the caller declared': {
    conns: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [0, 'EVAL_RO', "return redis.call('get', KEYS[1])", '1', 's1'],
      [0, 'EVAL_RO', "return redis.call('get', 's3')", '1', 's2'],
      [0, 'EVAL', "redis.call('get', KEYS[1]); return 1", '1', 's4'],
      [1, 'MSET', 's1', '1', 's2', '2', 's3', '3', 's4', '4'],
    ],
  },
  'bcast: several prefixes, keys of one command sorted, noloop with another writer': {
    conns: 3,
    steps: [
      [0, 'HELLO', '3'],
      [1, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b', 'NOLOOP'],
      [1, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab'],
      [2, 'MSET', 'bz', '1', 'abc', '2', 'ba', '3', 'aa', '4'],
      [0, 'MSET', 'abd', '1', 'b1', '2'],
      [2, 'FLUSHALL'],
      [2, 'SET', 'abx', '1', 'PX', '150'],
      500,
    ],
  },
};

describe('client tracking against redis-server', () => {
  let ours: Running;
  let ref: Running | null;
  before(async () => {
    ours = await startRedoubt();
    ref = await startRedis();
  });
  after(async () => {
    await ours.stop();
    await ref?.stop();
  });

  for (const [name, sc] of Object.entries(SCENARIOS)) {
    it(name, async (t) => {
      if (ref === null) {
        skipWithoutRedis(t);
        return;
      }
      const want = await transcript(ref.port, sc.conns, sc.steps);
      const got = await transcript(ours.port, sc.conns, sc.steps);
      assert.deepEqual(got, want);
    });
  }

  it('node-redis client-side cache: hits served locally, a write elsewhere invalidates', async () => {
    const client = createClient({
      socket: { port: ours.port, host: '127.0.0.1' },
      RESP: 3,
      clientSideCache: { ttl: 0, maxEntries: 0, evictPolicy: 'LRU' },
    });
    const other = await RawClient.connect({ port: ours.port });
    await client.connect();
    try {
      await other.raw('SET', 'csc', 'one');
      assert.equal(await client.get('csc'), 'one');
      assert.equal(await client.get('csc'), 'one');
      const cache = client.clientSideCache;
      assert.ok(cache !== undefined);
      assert.equal(cache.stats().hitCount, 1);
      await other.raw('SET', 'csc', 'two');
      // the invalidation push arrives on the client's own connection
      for (let i = 0; i < 50 && cache.size() > 0; i++) await sleep(10);
      assert.equal(cache.size(), 0);
      assert.equal(await client.get('csc'), 'two');
      assert.equal(cache.stats().missCount, 2);
    } finally {
      other.close();
      await client.quit();
    }
  });

  it('tracking-table-max-keys: keys past the bound are invalidated to make room (both servers)', async (t) => {
    if (ref === null) {
      skipWithoutRedis(t);
      return;
    }
    for (const port of [ref.port, ours.port]) {
      const a = await RawClient.connect({ port });
      try {
        await a.raw('FLUSHALL');
        await a.raw('CONFIG', 'SET', 'tracking-table-max-keys', '2');
        await a.raw('HELLO', '3');
        await a.raw('CLIENT', 'TRACKING', 'on', 'NOLOOP');
        assert.equal((await a.raw('MGET', 'm1', 'm2', 'm3', 'm4')).toString(), '*4\r\n_\r\n_\r\n_\r\n_\r\n');
        // Redis trims in its cron: give both servers a few cycles
        await sleep(400);
        const pushes: string[] = [];
        while (replyEnd(a.leftover(), 0) >= 0) pushes.push((await a.next()).toString());
        assert.equal(pushes.length, 2, `port ${port}: ${pushes.join('|')}`);
        for (const p of pushes) assert.match(p, /^>2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$2\r\nm[1-4]\r\n$/);
        assert.match((await a.raw('INFO', 'stats')).toString(), /tracking_total_keys:2\r\n/);
        await a.raw('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
      } finally {
        a.close();
      }
    }
  });

  it('many BCAST prefixes are checked for overlaps without stalling', async () => {
    const a = await RawClient.connect({ port: ours.port });
    try {
      // too many arguments to spread into a call
      const send = (args: string[]) => {
        a.write(encode(['CLIENT', 'TRACKING', 'on', 'BCAST', ...args]));
        return a.next(10000);
      };
      const many: string[] = [];
      for (let i = 0; i < 50000; i++) many.push('PREFIX', `p${i}:`);
      const t0 = Date.now();
      assert.equal(
        (await send([...many, 'PREFIX', 'p49998:x'])).toString(),
        "-ERR Prefix 'p49998:' overlaps with another provided prefix 'p49998:x'. Prefixes for a single client must not overlap.\r\n",
      );
      assert.equal((await send(many)).toString(), '+OK\r\n');
      assert.equal(
        (await a.raw('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'q', 'PREFIX', 'p5')).toString(),
        "-ERR Prefix 'p5' overlaps with an existing prefix 'p5000:'. Prefixes for a single client must not overlap.\r\n",
      );
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
      assert.equal((await a.raw('CLIENT', 'TRACKING', 'off')).toString(), '+OK\r\n');
    } finally {
      a.close();
    }
  });

  it('INFO counts tracking clients, keys, items and prefixes', async () => {
    const a = await RawClient.connect({ port: ours.port });
    const b = await RawClient.connect({ port: ours.port });
    try {
      await a.raw('FLUSHALL');
      await a.raw('HELLO', '3');
      await a.raw('CLIENT', 'TRACKING', 'on');
      await a.raw('MGET', 'i1', 'i2');
      await b.raw('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p1', 'PREFIX', 'p2');
      const info = (await b.raw('INFO', 'all')).toString();
      assert.match(info, /tracking_clients:2\r\n/);
      assert.match(info, /tracking_total_keys:2\r\n/);
      assert.match(info, /tracking_total_items:2\r\n/);
      assert.match(info, /tracking_total_prefixes:2\r\n/);
    } finally {
      a.close();
      b.close();
    }
  });
});
