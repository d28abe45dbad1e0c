// Resource limits against hostile clients, on real processes over loopback:
// client-output-buffer-limit (hard, soft, pub/sub class), client-query-buffer-limit, and
// slow/partial requests under `timeout`.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { encode, RawClient } from '../helpers/resp';
import { type Running, startRedoubt } from '../helpers/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process, in bytes. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A raw socket that sends but reads nothing until told to. */
function connectSilent(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.pause();
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Reads everything until the server closes; resolves with the byte count, or -1 on timeout. */
function drainUntilClosed(s: net.Socket, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let n = 0;
    const t = setTimeout(() => resolve(-1), ms);
    s.on('data', (d: Buffer) => {
      n += d.length;
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve(n);
    });
    s.resume();
  });
}

const LIMIT_LOG = 'scheduled to be closed ASAP for overcoming of output buffer limits';

/** How many clients the server has closed for their output buffer. */
function limitCount(srv: Running): number {
  return srv.output().split(LIMIT_LOG).length - 1;
}

describe('client-output-buffer-limit: hard limit', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({ args: ['--client-output-buffer-limit', 'normal 8mb 4mb 10'] });
  });
  after(async () => {
    await srv.stop();
  });

  it('a client pipelining GET of a 1 MB value without reading is cut off; memory stays bounded', async () => {
    const c = await RawClient.connect({ port: srv.port });
    const big = Buffer.alloc(1024 * 1024, 0x78);
    assert.equal((await c.raw('SET', 'bigkey', big)).toString(), '+OK\r\n');
    const pid = srv.proc.pid as number;
    const base = rss(pid);
    let peak = base;
    const attacker = await connectSilent(srv.port);
    // 800 × 1 MB of replies requested: unbounded, the server would need ~800 MB
    const one = encode(['GET', 'bigkey']);
    attacker.write(Buffer.concat(Array.from({ length: 800 }, () => one)));
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss(pid));
    }, 10);
    try {
      // meanwhile an ordinary client is served
      const t0 = Date.now();
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      assert.ok(Date.now() - t0 < 2000);
      await waitFor(() => limitCount(srv) > 0, 10000, 'the output limit log line');
    } finally {
      clearInterval(sampler);
    }
    const line = srv
      .output()
      .split('\n')
      .find((l) => l.includes('overcoming of output buffer'));
    assert.match(line ?? '', /Client id=\d+ addr=127\.0\.0\.1:\d+ .*omem=\d+/);
    // the attacker's connection is closed, having received far less than it asked for
    const got = await drainUntilClosed(attacker, 5000);
    assert.ok(got >= 0, 'attacker connection closed');
    assert.ok(got < 100 * 1024 * 1024, `attacker received ${got} bytes`);
    const grew = peak - base;
    assert.ok(grew < 150 * 1024 * 1024, `server RSS grew by ${grew} bytes`);
    // the ordinary client still works and gets the whole value
    const r = await c.raw('GET', 'bigkey');
    assert.equal(r.length, big.length + 12);
    assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
    c.close();
  });

  it('a client that reads its replies may receive far more than the limit in total', async () => {
    const c = await RawClient.connect({ port: srv.port });
    const one = encode(['GET', 'bigkey']);
    // 40 MB in pipelines of 4 MB: what counts is what is pending, not what was sent
    for (let round = 0; round < 10; round++) {
      c.write(Buffer.concat(Array.from({ length: 4 }, () => one)));
      for (let i = 0; i < 4; i++) {
        const r = await c.next(10000);
        assert.equal(r.length, 1024 * 1024 + 12);
      }
    }
    c.close();
  });
});

describe('client-output-buffer-limit: soft limit and pub/sub class', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({
      args: ['--client-output-buffer-limit', 'normal 0 4mb 1 pubsub 2mb 0 0'],
    });
  });
  after(async () => {
    await srv.stop();
  });

  it('output above the soft limit for longer than soft-seconds closes the client', async () => {
    const c = await RawClient.connect({ port: srv.port });
    await c.raw('SET', 'bigkey', Buffer.alloc(1024 * 1024, 0x79));
    const before = limitCount(srv);
    const attacker = await connectSilent(srv.port);
    const t0 = Date.now();
    // 40 MB: more than loopback socket buffers absorb, far under no hard limit
    const one = encode(['GET', 'bigkey']);
    attacker.write(Buffer.concat(Array.from({ length: 40 }, () => one)));
    await waitFor(() => limitCount(srv) > before, 8000, 'the soft limit to close the client');
    const dt = Date.now() - t0;
    assert.ok(dt >= 900, `closed after ${dt} ms, soft-seconds is 1`);
    assert.ok((await drainUntilClosed(attacker, 5000)) >= 0);
    assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
    c.close();
  });

  it('a subscriber that does not read is held to the pubsub class limit', async () => {
    const before = limitCount(srv);
    const sub = await connectSilent(srv.port);
    sub.write(encode(['SUBSCRIBE', 'news']));
    const pub = await RawClient.connect({ port: srv.port });
    // wait until the subscription is registered
    for (let i = 0; i < 100; i++) {
      const n = await pub.call('PUBLISH', 'news', 'x');
      if (n === 1) break;
      await sleep(20);
    }
    const msg = Buffer.alloc(100 * 1024, 0x7a);
    let receivers = 1;
    for (let i = 0; i < 200 && receivers === 1; i++) {
      receivers = (await pub.call('PUBLISH', 'news', msg)) as number;
    }
    assert.equal(receivers, 0, `the subscriber was disconnected; log:\n${srv.output()}`);
    assert.equal(limitCount(srv), before + 1, srv.output());
    assert.ok((await drainUntilClosed(sub, 5000)) >= 0);
    // a normal client receiving the same volume (as replies) is within the normal class
    assert.equal((await pub.raw('PING')).toString(), '+PONG\r\n');
    pub.close();
  });
});

describe('client-query-buffer-limit and slow clients', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({ args: ['--client-query-buffer-limit', '1mb', '--timeout', '1'] });
  });
  after(async () => {
    await srv.stop();
  });

  it('a request growing past client-query-buffer-limit closes the connection', async () => {
    const s = await connectSilent(srv.port);
    const closed = drainUntilClosed(s, 5000);
    s.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n');
    // 2 MB of the announced 100 MB value, in pieces
    const piece = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 32 && !s.destroyed; i++) {
      s.write(piece);
      await sleep(2);
    }
    assert.ok((await closed) >= 0, 'closed');
    assert.match(srv.output(), /Closing client that reached max query buffer length/);
    const c = await RawClient.connect({ port: srv.port });
    assert.equal((await c.raw('GET', 'k')).toString(), '$-1\r\n');
    c.close();
  });

  it('a request trickled a byte every 50 ms neither starves others nor outlives `timeout`', async () => {
    const slow = await connectSilent(srv.port);
    const t0 = Date.now();
    let closedAt = 0;
    slow.on('close', () => {
      closedAt = Date.now();
    });
    slow.on('error', () => {});
    slow.resume();
    const req = Buffer.from(`*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$1000\r\n${'s'.repeat(1000)}\r\n`);
    let i = 0;
    const trickle = setInterval(() => {
      if (slow.destroyed || i >= req.length) return;
      slow.write(req.subarray(i, i + 1));
      i++;
    }, 50);
    // an active client that sends a command every 300 ms is not idle, and is served promptly
    const c = await RawClient.connect({ port: srv.port });
    let worst = 0;
    try {
      while (Date.now() - t0 < 2600) {
        const s0 = Date.now();
        assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
        worst = Math.max(worst, Date.now() - s0);
        await sleep(300);
      }
    } finally {
      clearInterval(trickle);
    }
    assert.ok(worst < 250, `worst PING latency ${worst} ms`);
    assert.ok(closedAt > 0, 'the trickling client was closed');
    const lived = closedAt - t0;
    assert.ok(lived >= 900 && lived <= 2500, `trickling client lived ${lived} ms with timeout 1`);
    assert.equal((await c.raw('EXISTS', 'slow')).toString(), ':0\r\n');
    c.close();
  });
});
