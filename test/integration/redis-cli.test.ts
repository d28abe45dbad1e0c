// redis-cli against redoubt: TCP and Unix socket, RESP2 and RESP3 (-3) output compared with
// real Redis, --pipe mass insertion, and inline commands typed as over telnet.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encode } from '../helpers/resp';
import { type Running, skipWithoutRedis, startRedis, startRedoubt, tmpDir } from '../helpers/servers';
import { exchange, show } from '../helpers/wire';

const hasCli = spawnSync('redis-cli', ['--version']).status === 0;

/** Runs redis-cli without blocking the event loop; resolves with stdout, stderr and exit code. */
function cli(
  args: string[],
  input?: Buffer | string,
): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-cli', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const t = setTimeout(() => p.kill('SIGKILL'), 60000);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({
        out: Buffer.concat(out).toString('latin1'),
        err: Buffer.concat(err).toString('latin1'),
        code,
      });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

describe('redis-cli', { skip: hasCli ? false : 'redis-cli not installed' }, () => {
  let rd: Running;
  let redis: Running | null = null;
  let sock: string;
  before(async () => {
    const dir = tmpDir();
    sock = path.join(dir, 's.sock');
    [rd, redis] = await Promise.all([
      startRedoubt({ dir, args: ['--unixsocket', sock, '--unixsocketperm', '700'] }),
      startRedis(),
    ]);
  });
  after(async () => {
    await Promise.all([rd?.stop(), redis?.stop()]);
  });

  test('-p: PING, SET, GET over TCP', async () => {
    const p = String(rd.port);
    assert.equal((await cli(['-p', p, 'PING'])).out, 'PONG\n');
    assert.equal((await cli(['-p', p, 'SET', 'cli:k', 'hello world'])).out, 'OK\n');
    assert.equal((await cli(['-p', p, 'GET', 'cli:k'])).out, 'hello world\n');
    assert.equal((await cli(['-h', '127.0.0.1', '-p', p, '--no-raw', 'GET', 'cli:nosuch'])).out, '(nil)\n');
  });

  test('-s: the Unix socket', async () => {
    assert.equal((await cli(['-s', sock, 'PING'])).out, 'PONG\n');
    assert.equal((await cli(['-s', sock, 'SET', 'cli:unix', 'via socket'])).out, 'OK\n');
    assert.equal((await cli(['-p', String(rd.port), 'GET', 'cli:unix'])).out, 'via socket\n');
    assert.equal((await cli(['-s', sock, '--no-raw', 'ECHO', 'x'])).out, '"x"\n');
  });

  // The same session through redis-cli against both servers (database 7, emptied first);
  // only the connection id printed by HELLO may differ.
  const SESSION = [
    'FLUSHDB',
    'SET s "hello world"',
    'GET s',
    'GET nosuch',
    'RPUSH l a b "c d" ""',
    'LRANGE l 0 -1',
    'LRANGE nosuch 0 -1',
    'INCR n',
    'INCRBYFLOAT f 1.5',
    'INCRBYFLOAT f 0.1',
    'INCR s',
    'EXISTS s nosuch',
    'ECHO "\\x00\\xff\\r\\n"',
    'SET s v NX',
    'NOSUCHCOMMAND a b',
    'HELLO 3',
    'HELLO 2',
    'DEL s l n f',
  ].join('\n');
  /** Masks the connection id HELLO prints (on the "id" line or the line after it). */
  const normalize = (s: string) => {
    const lines = s.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (/(^|\s|")id("|\s|$)/.test(lines[i])) {
        lines[i] = lines[i].replace(/\d+$/, '<id>');
        if (i + 1 < lines.length) lines[i + 1] = lines[i + 1].replace(/\d+$/, '<id>');
      }
    }
    return lines.join('\n');
  };

  for (const [label, flags] of [
    ['RESP2 formatted', ['--no-raw']],
    ['RESP3 formatted (-3)', ['-3', '--no-raw']],
    ['RESP3 raw (-3)', ['-3', '--raw']],
  ] as const) {
    test(`${label} output matches real Redis`, async (t) => {
      if (!redis) {
        skipWithoutRedis(t);
        return;
      }
      const [mine, ref] = await Promise.all([
        cli(['-p', String(rd.port), '-n', '7', ...flags], SESSION),
        cli(['-p', String(redis.port), '-n', '7', ...flags], SESSION),
      ]);
      assert.equal(mine.err, ref.err);
      assert.ok(ref.out.includes('hello world'), 'the session ran against Redis');
      assert.equal(normalize(mine.out), normalize(ref.out));
      assert.equal(mine.code, ref.code);
    });
  }

  test('-3 shows RESP3 types', async () => {
    const r = await cli(['-p', String(rd.port), '-3', '--no-raw', 'HELLO', '3']);
    assert.match(r.out, /^1# "server" => "redis"\n/);
    assert.match(r.out, /3# "proto" => \(integer\) 3\n/);
    const nil = await cli(['-p', String(rd.port), '-3', '--no-raw', 'GET', 'cli:none']);
    assert.equal(nil.out, '(nil)\n');
  });

  test('--pipe mass insertion of 100k SETs', async () => {
    const p = String(rd.port);
    assert.equal((await cli(['-p', p, '-n', '3', 'FLUSHDB'])).out, 'OK\n');
    const parts: Buffer[] = [encode(['SELECT', '3'])];
    for (let i = 0; i < 100000; i++) parts.push(encode(['SET', `mass:${i}`, `value:${i}`]));
    const r = await cli(['-p', p, '--pipe'], Buffer.concat(parts));
    assert.equal(r.code, 0, r.err + r.out);
    // the SELECT counts as one reply
    assert.match(r.out, /errors: 0, replies: 100001\n?$/);
    assert.equal((await cli(['-p', p, '-n', '3', 'DBSIZE'])).out, '100000\n');
    assert.equal((await cli(['-p', p, '-n', '3', 'GET', 'mass:99999'])).out, 'value:99999\n');
    assert.equal((await cli(['-p', p, '-n', '3', 'FLUSHDB'])).out, 'OK\n');
  });

  test('--pipe of 100k SETs into database 0 reports replies: 100000', async () => {
    // a server of its own, so DBSIZE counts only these keys
    const own = await startRedoubt();
    try {
      const parts: Buffer[] = [];
      for (let i = 0; i < 100000; i++) parts.push(encode(['SET', `k${i}`, `v${i}`]));
      const r = await cli(['-p', String(own.port), '--pipe'], Buffer.concat(parts));
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /All data transferred\. Waiting for the last reply\.\.\./);
      assert.match(r.out, /errors: 0, replies: 100000\n?$/);
      assert.equal((await cli(['-p', String(own.port), 'DBSIZE'])).out, '100000\n');
    } finally {
      await own.stop();
    }
  });

  test('--pipe counts error replies', async () => {
    const input = Buffer.concat([encode(['SET', 'pe', 'x']), encode(['INCR', 'pe']), encode(['DEL', 'pe'])]);
    const r = await cli(['-p', String(rd.port), '--pipe'], input);
    assert.match(r.err + r.out, /ERR value is not an integer or out of range/);
    assert.match(r.out, /errors: 1, replies: 3\n?$/);
  });

  test('inline commands over a raw socket, as typed in telnet', async () => {
    const r = await exchange(
      { port: rd.port },
      [
        'PING\r\n',
        'SET telnet "two words"\r\n',
        'GET telnet\r\n',
        'get telnet\n',
        '\r\n',
        "ECHO 'it\\'s'\r\n",
        'DEL telnet\r\n',
        'QUIT\r\n',
        'PING\r\n',
      ].map((s) => Buffer.from(s)),
      { gapMs: 10, untilClosed: true },
    );
    assert.equal(
      show(r.out),
      show("+PONG\r\n+OK\r\n$9\r\ntwo words\r\n$9\r\ntwo words\r\n$4\r\nit's\r\n:1\r\n+OK\r\n"),
    );
    assert.equal(r.closed, true, 'QUIT closes the connection');
  });
});
