// Networking: listeners (port 0, Unix socket permissions, stale and foreign files at the socket
// path), connection limits and idle timeout, signals, reply batching, and hostile clients
// (huge declared lengths, slow senders).

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listeningTcpPorts, rssBytes } from '../helpers/proc';
import { encode, RawClient } from '../helpers/resp';
import { freePort, type Running, startRedis, startRedoubt, tmpDir } from '../helpers/servers';
import { connectTo, exchange, show, type Target } from '../helpers/wire';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true if a TCP connection to the port succeeds, false if it is refused. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A connection that counts 'data' events and bytes, and resolves when `bytes` have arrived. */
function collect(t: Target, input: Buffer, bytes: number): Promise<{ out: Buffer; events: number }> {
  return new Promise((resolve, reject) => {
    const s = connectTo(t);
    const parts: Buffer[] = [];
    let got = 0;
    let events = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`only ${got} of ${bytes} bytes arrived`));
    }, 10000);
    s.on('data', (d: Buffer) => {
      events++;
      parts.push(d);
      got += d.length;
      if (got >= bytes) {
        clearTimeout(timer);
        s.destroy();
        resolve({ out: Buffer.concat(parts), events });
      }
    });
    s.on('error', reject);
    s.on('connect', () => s.write(input));
  });
}

/** Leaves a Unix socket file behind, as a crashed server would (killed while listening). */
async function makeStaleSocket(p: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(p)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => child.once('exit', r));
  assert.ok(fs.lstatSync(p).isSocket(), 'a stale socket file exists');
}

describe('listeners', () => {
  test('a normal server listens on its TCP port (sanity check of the /proc inspection)', async () => {
    const rd = await startRedoubt();
    try {
      // one listening socket per bind address (the default bind is "127.0.0.1 -::1")
      assert.deepEqual([...new Set(listeningTcpPorts(rd.proc.pid as number))], [rd.port]);
    } finally {
      await rd.stop();
    }
  });

  test('the default bind serves IPv4 and IPv6 loopback', async (t) => {
    const rd = await startRedoubt();
    try {
      for (const host of ['127.0.0.1', '::1']) {
        const c = await RawClient.connect({ port: rd.port, host }).catch((e: Error) => e);
        if (c instanceof Error) {
          if (host === '::1') {
            t.skip(`no IPv6 loopback here: ${c.message}`);
            continue;
          }
          throw c;
        }
        assert.equal((await c.raw('PING')).toString(), '+PONG\r\n', host);
        c.close();
      }
    } finally {
      await rd.stop();
    }
  });

  test('a TCP port already in use makes start-up fail with exit code 1', async () => {
    const a = await startRedoubt();
    try {
      await assert.rejects(startRedoubt({ noPort: true, args: ['--port', String(a.port)] }), (e: Error) => {
        assert.match(e.message, /server exited with 1/);
        assert.match(e.message, new RegExp(`Could not create server TCP listening socket .*:${a.port}`));
        assert.match(e.message, new RegExp(`Failed listening on port ${a.port} \\(tcp\\), aborting`));
        return true;
      });
      const c = await RawClient.connect({ port: a.port });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n', 'the first server is unaffected');
      c.close();
    } finally {
      await a.stop();
    }
  });

  test('--port 0 with a unixsocket opens no TCP listener at all', async () => {
    const dir = tmpDir();
    const sock = path.join(dir, 's.sock');
    const probe = await freePort();
    const rd = await startRedoubt({ noPort: true, dir, args: ['--port', '0', '--unixsocket', sock] });
    try {
      assert.deepEqual(
        listeningTcpPorts(rd.proc.pid as number),
        [],
        'no listening TCP socket in /proc/net/tcp*',
      );
      assert.equal(await canConnect(probe), false, 'a fresh free port is not served');
      assert.doesNotMatch(rd.output(), /Listening on tcp/);
      assert.match(rd.output(), /Listening on unix:/);
      const c = await RawClient.connect({ path: sock });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      c.close();
    } finally {
      await rd.stop();
    }
  });

  for (const perm of ['700', '750', '777']) {
    test(`unixsocketperm ${perm} is applied to the socket file`, async () => {
      const dir = tmpDir();
      const sock = path.join(dir, 's.sock');
      const rd = await startRedoubt({ dir, args: ['--unixsocket', sock, '--unixsocketperm', perm] });
      try {
        const st = fs.statSync(sock);
        assert.ok(st.isSocket());
        assert.equal((st.mode & 0o777).toString(8), perm);
      } finally {
        await rd.stop();
      }
    });
  }

  test('without unixsocketperm the socket is private to the owner (umask 077)', async () => {
    const dir = tmpDir();
    const sock = path.join(dir, 's.sock');
    const rd = await startRedoubt({ dir, args: ['--unixsocket', sock] });
    try {
      assert.equal((fs.statSync(sock).mode & 0o077).toString(8), '0');
    } finally {
      await rd.stop();
    }
  });

  test('a stale socket file is replaced', async () => {
    const dir = tmpDir();
    const sock = path.join(dir, 's.sock');
    await makeStaleSocket(sock);
    await assert.rejects(
      RawClient.connect({ path: sock }),
      /ECONNREFUSED/,
      'nobody listens on the stale socket',
    );
    const rd = await startRedoubt({ dir, args: ['--unixsocket', sock, '--unixsocketperm', '700'] });
    try {
      const c = await RawClient.connect({ path: sock });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      c.close();
    } finally {
      await rd.stop();
    }
  });

  test('a regular file at the socket path is not deleted and start-up fails clearly', async () => {
    const dir = tmpDir();
    const sock = path.join(dir, 's.sock');
    fs.writeFileSync(sock, 'precious data\n');
    await assert.rejects(startRedoubt({ dir, args: ['--unixsocket', sock] }), (e: Error) => {
      assert.match(e.message, /server exited with 1/);
      assert.match(e.message, /s\.sock exists and is not a socket/);
      return true;
    });
    assert.equal(fs.readFileSync(sock, 'utf8'), 'precious data\n');
  });

  test('a symlink or a directory at the socket path is left alone too', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'target.txt');
    fs.writeFileSync(target, 'keep me');
    const link = path.join(dir, 'link.sock');
    fs.symlinkSync(target, link);
    await assert.rejects(startRedoubt({ dir, args: ['--unixsocket', link] }), /exists and is not a socket/);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep me');
    const sub = path.join(dir, 'sub.sock');
    fs.mkdirSync(sub);
    await assert.rejects(startRedoubt({ dir, args: ['--unixsocket', sub] }), /exists and is not a socket/);
    assert.ok(fs.statSync(sub).isDirectory());
  });
  test('a socket path too long for sun_path is refused, not truncated', async () => {
    const dir = tmpDir();
    const long = path.join(dir, 'd'.repeat(120 - dir.length), 's.sock');
    fs.mkdirSync(path.dirname(long));
    const len = Buffer.byteLength(long);
    await assert.rejects(
      startRedoubt({ dir, args: ['--port', '0', '--unixsocket', long] }),
      new RegExp(`unix socket path too long \\(${len}\\), must be under 108`),
    );
    // nothing was bound at a truncated path next to it
    const sockets = fs.readdirSync(dir, { recursive: true }).filter((f) => {
      return fs.lstatSync(path.join(dir, String(f))).isSocket();
    });
    assert.deepEqual(sockets, []);
  });

  test('a relative unixsocket is created in dir, like Redis, and removed at shutdown', async () => {
    const dir = tmpDir();
    const rd = await startRedoubt({ dir, args: ['--unixsocket', 'rel.sock', '--unixsocketperm', '700'] });
    const sock = path.join(dir, 'rel.sock');
    try {
      assert.ok(fs.lstatSync(sock).isSocket());
      const c = await RawClient.connect({ path: sock });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      c.close();
    } finally {
      assert.equal(await rd.stop(), 0);
    }
    assert.equal(fs.existsSync(sock), false);
  });
});

describe('connection limits', () => {
  test('maxclients: one connection too many gets the Redis error and is closed', async () => {
    const [rd, redis] = await Promise.all([
      startRedoubt({ args: ['--maxclients', '2'] }),
      startRedis(['--maxclients', '2']),
    ]);
    try {
      for (const srv of [rd, redis]) {
        if (srv === null) continue;
        const a = await RawClient.connect({ port: srv.port });
        const b = await RawClient.connect({ port: srv.port });
        assert.equal((await a.raw('PING')).toString(), '+PONG\r\n');
        assert.equal((await b.raw('PING')).toString(), '+PONG\r\n');
        const third = await exchange({ port: srv.port }, encode(['PING']), { untilClosed: true });
        assert.equal(show(third.out), show('-ERR max number of clients reached\r\n'), `port ${srv.port}`);
        assert.equal(third.closed, true);
        // a slot frees up when a client leaves
        a.close();
        await sleep(200);
        const again = await exchange({ port: srv.port }, encode(['PING']), { minBytes: 7 });
        assert.equal(show(again.out), show('+PONG\r\n'));
        b.close();
      }
    } finally {
      await Promise.all([rd.stop(), redis?.stop()]);
    }
  });

  test('timeout 1: an idle client is closed, an active one is not', async () => {
    const rd = await startRedoubt({ args: ['--timeout', '1'] });
    try {
      const idle = await RawClient.connect({ port: rd.port });
      const active = await RawClient.connect({ port: rd.port });
      const t0 = Date.now();
      let idleClosedAt = 0;
      void idle.closed.then(() => {
        idleClosedAt = Date.now() - t0;
      });
      while (Date.now() - t0 < 3000) {
        assert.equal((await active.raw('PING')).toString(), '+PONG\r\n');
        await sleep(250);
      }
      assert.ok(idleClosedAt > 0, 'the idle client was closed');
      assert.ok(idleClosedAt >= 900, `closed after ${idleClosedAt} ms, before the timeout`);
      assert.ok(idleClosedAt <= 2900, `closed after ${idleClosedAt} ms`);
      assert.equal((await active.raw('PING')).toString(), '+PONG\r\n');
      active.close();
    } finally {
      await rd.stop();
    }
  });

  test('client-query-buffer-limit: a client exceeding it is disconnected', async () => {
    const rd = await startRedoubt({ args: ['--client-query-buffer-limit', '1mb'] });
    try {
      // a bulk announced within proto-max-bulk-len but fed past the query buffer limit
      const head = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5000000\r\n');
      const body = Buffer.alloc(64 * 1024, 'x');
      const chunks = [head, ...Array.from({ length: 40 }, () => body)];
      const r = await exchange({ port: rd.port }, chunks, { gapMs: 5, untilClosed: true });
      assert.equal(r.closed, true, 'disconnected');
      assert.equal(r.out.length, 0, 'without a reply, as Redis');
      const c = await RawClient.connect({ port: rd.port });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      c.close();
    } finally {
      await rd.stop();
    }
  });
});

describe('shutdown on signals', () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    test(`${sig}: exit code 0, socket file removed, clients disconnected`, async () => {
      const dir = tmpDir();
      const sock = path.join(dir, 's.sock');
      const rd = await startRedoubt({ dir, args: ['--unixsocket', sock, '--unixsocketperm', '700'] });
      const c = await RawClient.connect({ path: sock });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      assert.ok(fs.existsSync(sock));
      rd.proc.kill(sig);
      const code = await Promise.race([rd.exited, sleep(10000).then(() => 'timeout')]);
      assert.equal(code, 0, rd.output());
      const closed = await Promise.race([c.closed.then(() => true), sleep(2000).then(() => false)]);
      assert.ok(closed, 'the connected client was disconnected');
      assert.equal(fs.existsSync(sock), false, 'socket file removed');
      assert.match(rd.output(), new RegExp(`Received ${sig} scheduling shutdown`));
      assert.equal(await canConnect(rd.port), false, 'TCP listener closed');
    });
  }
});

describe('batching and hostile clients', () => {
  let rd: Running;
  before(async () => {
    rd = await startRedoubt();
  });
  after(async () => {
    await rd?.stop();
  });

  test('1000 pipelined PINGs in one write: all answered, in far fewer writes', async () => {
    const input = Buffer.from('*1\r\n$4\r\nPING\r\n'.repeat(1000));
    const r = await collect({ port: rd.port }, input, 7 * 1000);
    assert.equal(r.out.toString(), '+PONG\r\n'.repeat(1000));
    // loopback delivers each server write as at most a few 'data' events; one per reply
    // would mean no batching
    assert.ok(r.events < 100, `${r.events} data events for 1000 replies`);
  });

  test('1000 pipelined ECHOs come back in order', async () => {
    const parts: Buffer[] = [];
    let expected = '';
    for (let i = 0; i < 1000; i++) {
      parts.push(encode(['ECHO', `msg-${i}`]));
      expected += `$${`msg-${i}`.length}\r\nmsg-${i}\r\n`;
    }
    const r = await collect({ port: rd.port }, Buffer.concat(parts), expected.length);
    assert.equal(r.out.toString(), expected);
  });

  test('1000 inline PINGs in one write', async () => {
    const r = await collect({ port: rd.port }, Buffer.from('PING\r\n'.repeat(1000)), 7000);
    assert.equal(r.out.toString(), '+PONG\r\n'.repeat(1000));
  });

  test('a 4 GB bulk length gets "invalid bulk length" and a disconnect', async () => {
    const r = await exchange({ port: rd.port }, Buffer.from('*2\r\n$3\r\nGET\r\n$4294967296\r\n'), {
      untilClosed: true,
    });
    assert.equal(show(r.out), show('-ERR Protocol error: invalid bulk length\r\n'));
    assert.equal(r.closed, true);
  });

  test('huge declared counts and lengths do not make the server allocate', async () => {
    const pid = rd.proc.pid as number;
    const warm = await RawClient.connect({ port: rd.port });
    await warm.raw('PING');
    const rss0 = rssBytes(pid);
    const socks: net.Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const s = net.connect({ port: rd.port, host: '127.0.0.1' });
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      // 1M arguments announced, and a 500 MB bulk announced, with only a few bytes behind them
      s.write(
        i % 2 === 0 ? '*1048576\r\n$3\r\nSET\r\n$1\r\n' : '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\nabc',
      );
      socks.push(s);
    }
    await sleep(300);
    assert.equal((await warm.raw('PING')).toString(), '+PONG\r\n', 'the server still answers');
    const grown = rssBytes(pid) - rss0;
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB`);
    for (const s of socks) s.destroy();
    warm.close();
  });

  test('a client that never reads its replies is cut off at the output limit; others are unaffected', async () => {
    const own = await startRedoubt({ args: ['--client-output-buffer-limit', 'normal 16mb 8mb 10'] });
    try {
      const pid = own.proc.pid as number;
      const fast = await RawClient.connect({ port: own.port });
      assert.equal((await fast.raw('SET', 'big', Buffer.alloc(100 * 1024, 'b'))).toString(), '+OK\r\n');
      const rss0 = rssBytes(pid);
      // 100 MB of replies requested; the socket's receive side is never read
      const hog = net.connect({ port: own.port, host: '127.0.0.1' });
      hog.on('error', () => {});
      const hogClosed = new Promise<void>((r) => hog.once('close', () => r()));
      await new Promise((r) => hog.once('connect', r));
      hog.pause();
      hog.write(Buffer.from('GET big\r\n'.repeat(1000)));
      let worst = 0;
      for (let i = 0; i < 20; i++) {
        const t = Date.now();
        assert.equal((await fast.raw('PING')).toString(), '+PONG\r\n');
        worst = Math.max(worst, Date.now() - t);
        await sleep(25);
      }
      const grown = rssBytes(pid) - rss0;
      // now read: the connection ends well before all 100 MB of replies arrive
      let received = 0;
      hog.on('data', (d: Buffer) => {
        received += d.length;
      });
      hog.resume();
      const closed = await Promise.race([hogClosed.then(() => true), sleep(5000).then(() => false)]);
      assert.ok(closed, 'the non-reading client was disconnected');
      assert.ok(received < 50 * 1024 * 1024, `${received} bytes of replies were still delivered`);
      assert.ok(worst < 1000, `a PING took ${worst} ms`);
      assert.ok(grown < 96 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB`);
      assert.match(
        own.output(),
        /scheduled to be closed ASAP for overcoming of output buffer limits|output buffer/i,
      );
      fast.close();
    } finally {
      await own.stop();
    }
  });

  test('a client sending one byte every 50 ms does not stall another client', async () => {
    const slowReq = encode(['SET', 'slow', 'dripped']);
    const slow = net.connect({ port: rd.port, host: '127.0.0.1' });
    slow.on('error', () => {});
    await new Promise((r) => slow.once('connect', r));
    let slowReply = '';
    slow.on('data', (d: Buffer) => {
      slowReply += d.toString();
    });
    const fast = await RawClient.connect({ port: rd.port });
    let done = false;
    const drip = (async () => {
      for (let i = 0; i < slowReq.length; i++) {
        slow.write(slowReq.subarray(i, i + 1));
        await sleep(50);
      }
      done = true;
    })();
    let worst = 0;
    let n = 0;
    while (!done) {
      const t = Date.now();
      assert.equal((await fast.raw('PING')).toString(), '+PONG\r\n');
      worst = Math.max(worst, Date.now() - t);
      n++;
      await sleep(10);
    }
    await drip;
    await sleep(100);
    assert.equal(slowReply, '+OK\r\n', 'the slow client is answered once its request is complete');
    // the drip lasts about 2 s: a server that waited on the slow client would answer no PING
    // until it ends; the bound leaves room for a loaded machine
    assert.ok(n > 20, `${n} PINGs while dripping`);
    assert.ok(worst < 1000, `a PING took ${worst} ms`);
    assert.equal((await fast.raw('GET', 'slow')).toString(), '$7\r\ndripped\r\n');
    fast.close();
    slow.destroy();
  });
});
