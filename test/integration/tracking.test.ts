// Client tracking: the same scenario runs against redoubt and redis-server over raw connections;
// every byte each connection receives (replies, invalidation pushes, pub/sub redirections) is
// recorded per step and the two transcripts must be equal.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient, replyEnd } from '../helpers/resp';
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
      [1, 'SET', 'e', 'v', 'PX', '100'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [0, 'GET', 'e'],
      400,
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
