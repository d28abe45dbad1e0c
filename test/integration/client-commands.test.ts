// CLIENT subcommands on a live server with several raw connections: LIST/INFO line format,
// KILL filters, PAUSE (WRITE and ALL, timeouts, merging), REPLY OFF/SKIP/ON, UNBLOCK, SETINFO.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode, encode, RawClient, RespError, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt, tmpDir } from '../helpers/servers';

/** Redis 7.0's CLIENT LIST fields, in order, with the shape of each value. */
const LINE_FIELDS: [string, RegExp][] = [
  ['id', /^\d+$/],
  ['addr', /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]|\/.+):\d+$/],
  ['laddr', /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]|\/.+):\d+$/],
  ['fd', /^-?\d+$/],
  ['name', /^[!-~]*$/],
  ['age', /^\d+$/],
  ['idle', /^\d+$/],
  ['flags', /^[NPxbtRBdcuAUre]+$/],
  ['db', /^\d+$/],
  ['sub', /^\d+$/],
  ['psub', /^\d+$/],
  ['ssub', /^\d+$/],
  ['multi', /^-1|\d+$/],
  ['qbuf', /^\d+$/],
  ['qbuf-free', /^\d+$/],
  ['argv-mem', /^\d+$/],
  ['multi-mem', /^\d+$/],
  ['rbs', /^\d+$/],
  ['rbp', /^\d+$/],
  ['obl', /^\d+$/],
  ['oll', /^\d+$/],
  ['omem', /^\d+$/],
  ['tot-mem', /^\d+$/],
  ['events', /^r?w?$/],
  ['cmd', /^[a-z_|-]+$|^NULL$/],
  ['user', /^\S+$/],
  ['redir', /^-?\d+$/],
  ['resp', /^[23]$/],
];

function text(v: RespValue): string {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  // RESP3 verbatim strings carry a "txt:" format prefix
  if (v !== null && typeof v === 'object' && 'verbatim' in v) return v.verbatim.slice(4);
  throw new Error(`not text: ${JSON.stringify(v)}`);
}

/** Parses a CLIENT LIST/INFO line, checking every field's name, order and shape. */
function parseLine(line: string): Map<string, string> {
  const parts = line.split(' ');
  assert.equal(parts.length, LINE_FIELDS.length, `field count in: ${line}`);
  const m = new Map<string, string>();
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    const [name, re] = LINE_FIELDS[i];
    assert.equal(p.slice(0, eq), name, `field ${i} in: ${line}`);
    assert.match(p.slice(eq + 1), re, `${name} in: ${line}`);
    m.set(name, p.slice(eq + 1));
  });
  return m;
}

async function clientList(c: RawClient, ...args: string[]): Promise<Map<string, string>[]> {
  const t = text(await c.call('CLIENT', 'LIST', ...args));
  assert.ok(t === '' || t.endsWith('\n'), 'lines end with \\n');
  return t
    .split('\n')
    .filter((l) => l.length > 0)
    .map(parseLine);
}

/** The error text of a reply (fails when it is not an error). */
async function err(c: RawClient, ...args: string[]): Promise<string> {
  const v = await c.call(...args);
  assert.ok(v instanceof RespError, `expected an error, got ${JSON.stringify(v)}`);
  return v.message;
}

async function myId(c: RawClient): Promise<number> {
  return (await c.call('CLIENT', 'ID')) as number;
}

/** Asserts nothing arrived on `c` for `ms` (the client is held). */
async function quiet(c: RawClient, ms: number): Promise<void> {
  await sleep(ms);
  assert.equal(
    c.leftover().length,
    0,
    `expected no reply yet, got ${JSON.stringify(c.leftover().toString())}`,
  );
}

describe('CLIENT commands', () => {
  let rd: Running;
  let sock: string;
  const open: RawClient[] = [];
  const connect = async (): Promise<RawClient> => {
    const c = await RawClient.connect({ port: rd.port });
    open.push(c);
    return c;
  };

  before(async () => {
    const dir = tmpDir();
    sock = path.join(dir, 'redoubt.sock');
    rd = await startRedoubt({ dir, args: ['--unixsocket', sock, '--unixsocketperm', '700'] });
  });
  after(async () => {
    for (const c of open) c.close();
    await rd.stop();
  });

  it('CLIENT LIST and INFO: Redis 7.0 line format, per-client state', async () => {
    const a = await connect();
    const b = await connect();
    assert.equal(await a.call('CLIENT', 'SETNAME', 'alpha'), 'OK');
    assert.equal(await a.call('SELECT', '3'), 'OK');
    await b.call('HELLO', '3');
    const idA = await myId(a);
    const idB = await myId(b);
    const lines = await clientList(b);
    const la = lines.find((l) => l.get('id') === String(idA));
    const lb = lines.find((l) => l.get('id') === String(idB));
    assert.ok(la && lb);
    assert.equal(la.get('name'), 'alpha');
    assert.equal(la.get('db'), '3');
    assert.equal(la.get('cmd'), 'client|id');
    assert.equal(la.get('resp'), '2');
    assert.equal(la.get('flags'), 'N');
    assert.equal(la.get('multi'), '-1');
    assert.equal(la.get('user'), 'default');
    assert.match(la.get('addr') ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(la.get('laddr'), `127.0.0.1:${rd.port}`);
    // the caller sees its own command, and its arguments counted
    assert.equal(lb.get('cmd'), 'client|list');
    assert.equal(lb.get('argv-mem'), String('client'.length + 'list'.length));
    assert.equal(lb.get('resp'), '3');
    // CLIENT INFO is the caller's own line
    const info = parseLine(text(await a.call('CLIENT', 'INFO')).replace(/\n$/, ''));
    assert.equal(info.get('id'), String(idA));
    assert.equal(info.get('cmd'), 'client|info');
    // MULTI shows as x with the queue length
    await a.call('MULTI');
    await a.call('SET', 'k', 'v');
    const [inMulti] = await clientList(b, 'ID', String(idA));
    assert.equal(inMulti.get('flags'), 'x');
    assert.equal(inMulti.get('multi'), '1');
    assert.ok(Number(inMulti.get('multi-mem')) >= 'setkv'.length);
    await a.call('DISCARD');
    // NO-EVICT shows as e
    await a.call('CLIENT', 'NO-EVICT', 'on');
    assert.equal((await clientList(b, 'ID', String(idA)))[0].get('flags'), 'e');
    await a.call('CLIENT', 'NO-EVICT', 'off');
  });

  it('CLIENT LIST TYPE and ID filters', async () => {
    const a = await connect();
    const sub = await connect();
    const idA = await myId(a);
    const idSub = await myId(sub);
    await sub.raw('SUBSCRIBE', 'news');
    const pubsub = await clientList(a, 'TYPE', 'pubsub');
    assert.deepEqual(
      pubsub.map((l) => l.get('id')),
      [String(idSub)],
    );
    assert.equal(pubsub[0].get('flags'), 'P');
    assert.equal(pubsub[0].get('sub'), '1');
    const normal = await clientList(a, 'TYPE', 'NORMAL');
    assert.ok(normal.some((l) => l.get('id') === String(idA)));
    assert.ok(!normal.some((l) => l.get('id') === String(idSub)));
    assert.deepEqual(await clientList(a, 'TYPE', 'replica'), []);
    // ID keeps the order given, repeats included, unknown ids skipped
    const byId = await clientList(a, 'ID', String(idSub), '999999', String(idA), String(idSub));
    assert.deepEqual(
      byId.map((l) => l.get('id')),
      [String(idSub), String(idA), String(idSub)],
    );
    sub.close();
  });

  it('Unix socket clients: flags U, addr is the socket path', async () => {
    const u = await RawClient.connect({ path: sock });
    open.push(u);
    const line = parseLine(text(await u.call('CLIENT', 'INFO')).replace(/\n$/, ''));
    assert.equal(line.get('flags'), 'U');
    assert.equal(line.get('addr'), `${sock}:0`);
    assert.equal(line.get('laddr'), `${sock}:0`);
    u.close();
    await u.closed;
  });

  it('CLIENT LIST has the same fields, in the same order, as Redis', {
    skip: redisServerPath() === null,
  }, async () => {
    const ref = await startRedis();
    if (ref === null) return;
    try {
      const r = await RawClient.connect({ port: ref.port });
      const ours = await connect();
      const theirs = text(await r.call('CLIENT', 'INFO')).trim();
      const mine = text(await ours.call('CLIENT', 'INFO')).trim();
      const names = (l: string) => l.split(' ').map((p) => p.slice(0, p.indexOf('=')));
      assert.deepEqual(names(mine), names(theirs));
      // values that depend only on the connection's state agree
      const pick = (l: string) => {
        const m = new Map(l.split(' ').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
        return ['name', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'cmd', 'user', 'redir', 'resp'].map(
          (k) => `${k}=${m.get(k)}`,
        );
      };
      assert.deepEqual(pick(mine), pick(theirs));
      r.close();
    } finally {
      await ref.stop();
    }
  });

  it('CLIENT KILL: by ID, by address (old form), by filters, and itself', async () => {
    const killer = await connect();
    const v1 = await connect();
    const v2 = await connect();
    const v3 = await connect();
    const u = await RawClient.connect({ path: sock });
    open.push(u);
    const id1 = await myId(v1);
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(id1)), 1);
    await v1.closed;
    // old form: OK, then the connection is gone
    const addr2 = parseLine(text(await v2.call('CLIENT', 'INFO')).trim()).get('addr') as string;
    assert.equal(await killer.call('CLIENT', 'KILL', addr2), 'OK');
    await v2.closed;
    assert.equal(await err(killer, 'CLIENT', 'KILL', addr2), 'ERR No such client');
    // LADDR: the Unix socket connection only
    // (the Unix client of an earlier test may still be on its way out)
    assert.ok(((await killer.call('CLIENT', 'KILL', 'LADDR', `${sock}:0`)) as number) >= 1);
    await u.closed;
    // filters are ANDed
    const id3 = await myId(v3);
    assert.equal(
      await err(killer, 'CLIENT', 'KILL', 'ID', String(id3), 'USER', 'nobody-else'),
      "ERR No such user 'nobody-else'",
    );
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(id3), 'TYPE', 'pubsub'), 0);
    // MAXAGE (Redis 7.4): only connections older than the age
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(id3), 'MAXAGE', '1000'), 0);
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(id3), 'USER', 'default'), 1);
    await v3.closed;
    // SKIPME no: the reply is sent, then the connection closes
    const self = await myId(killer);
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(self), 'SKIPME', 'no'), 1);
    await killer.closed;
  });

  it('CLIENT KILL TYPE normal spares the caller by default', async () => {
    const killer = await connect();
    const others = [await connect(), await connect()];
    // a reply proves the server has accepted the connection (connect() resolves earlier)
    for (const o of [killer, ...others]) await o.call('PING');
    const before = (await clientList(killer, 'TYPE', 'normal')).length;
    const n = (await killer.call('CLIENT', 'KILL', 'TYPE', 'normal')) as number;
    // connections of earlier tests may still be closing: the count can only have shrunk since
    assert.ok(n >= others.length && n <= before - 1, `killed ${n}, listed ${before} including the caller`);
    for (const o of others) await o.closed;
    assert.equal(await killer.call('PING'), 'PONG');
  });

  it('CLIENT PAUSE WRITE holds writes (and EXEC with writes), not reads; UNPAUSE releases', async () => {
    const p = await connect();
    const w = await connect();
    const r = await connect();
    const tx = await connect();
    assert.equal(await r.call('SET', 'pk', 'before'), 'OK');
    assert.equal(await p.call('CLIENT', 'PAUSE', '10000', 'WRITE'), 'OK');
    // a pipelined write, then a read behind it on the same connection: both held, in order
    w.write(Buffer.concat([encode(['SET', 'pk', 'after']), encode(['GET', 'pk'])]));
    assert.deepEqual(await r.call('GET', 'pk'), Buffer.from('before'));
    assert.equal(await r.call('PING'), 'PONG');
    // MULTI/queueing proceeds, EXEC of a write waits
    assert.equal(await tx.call('MULTI'), 'OK');
    assert.equal(await tx.call('INCR', 'ctr'), 'QUEUED');
    tx.write(encode(['EXEC']));
    // a read-only transaction is not held
    const ro = await connect();
    await ro.call('MULTI');
    await ro.call('GET', 'pk');
    assert.deepEqual(await ro.call('EXEC'), [Buffer.from('before')]);
    await quiet(w, 200);
    assert.equal(tx.leftover().length, 0);
    assert.equal(await p.call('CLIENT', 'UNPAUSE'), 'OK');
    assert.equal(decode(await w.next(), 0)[0], 'OK');
    assert.deepEqual(decode(await w.next(), 0)[0], Buffer.from('after'));
    assert.deepEqual(decode(await tx.next(), 0)[0], [1]);
  });

  it('CLIENT PAUSE ALL holds every command until the timeout', async () => {
    const p = await connect();
    const r = await connect();
    const t0 = Date.now();
    assert.equal(await p.call('CLIENT', 'PAUSE', '400'), 'OK');
    r.write(encode(['PING']));
    await quiet(r, 150);
    assert.equal(decode(await r.next(), 0)[0], 'PONG');
    assert.ok(Date.now() - t0 >= 350, `held ${Date.now() - t0} ms`);
  });

  it('CLIENT PAUSE keeps the later end and the stronger mode', async () => {
    const p = await connect();
    const r = await connect();
    const ctl = await connect();
    const t0 = Date.now();
    assert.equal(await p.call('CLIENT', 'PAUSE', '1500', 'WRITE'), 'OK');
    // shorter, but ALL: reads are held too, until the 1.5 s end
    assert.equal(await p.call('CLIENT', 'PAUSE', '50', 'ALL'), 'OK');
    await sleep(150);
    r.write(encode(['GET', 'x']));
    // under ALL even CLIENT UNPAUSE waits, as in Redis
    ctl.write(encode(['CLIENT', 'UNPAUSE']));
    // a held client that disconnects is simply dropped
    const gone = await connect();
    gone.write(encode(['PING']));
    await quiet(r, 200);
    gone.close();
    await quiet(ctl, 50);
    assert.equal(decode(await r.next(3000), 0)[0], null);
    assert.equal(decode(await ctl.next(3000), 0)[0], 'OK');
    assert.ok(Date.now() - t0 >= 1400, `held ${Date.now() - t0} ms`);
  });

  it('CLIENT REPLY OFF / SKIP / ON, including rejected commands', async () => {
    const c = await connect();
    const seq = [
      ['CLIENT', 'REPLY', 'OFF'],
      ['NOSUCH'],
      ['GET'],
      ['PING'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['NOSUCH'],
      ['PING', 'a'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['PING', 'b'],
      ['PING', 'c'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['CLIENT', 'REPLY', 'ON'],
      ['PING', 'd'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['CLIENT', 'REPLY', 'SKIP'],
      ['PING', 'e'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'REPLY', 'x'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['CLIENT', 'REPLY', 'x'],
      ['HELLO', '3'],
      ['CLIENT', 'REPLY', 'ON'],
      ['PING', 'f'],
    ];
    // recorded from Redis 7.0.15
    const expected =
      '+OK\r\n$1\r\na\r\n$1\r\nc\r\n+OK\r\n$1\r\nd\r\n+OK\r\n-ERR syntax error\r\n+OK\r\n$1\r\nf\r\n';
    const run = async (cl: RawClient): Promise<string> => {
      cl.write(Buffer.concat(seq.map((a) => encode(a))));
      await sleep(300);
      return cl.leftover().toString('latin1');
    };
    assert.equal(await run(c), expected);
    if (redisServerPath() !== null) {
      const ref = await startRedis();
      if (ref !== null) {
        try {
          const r = await RawClient.connect({ port: ref.port });
          assert.equal(await run(r), expected);
          r.close();
        } finally {
          await ref.stop();
        }
      }
    }
  });

  it('CLIENT UNBLOCK wakes a blocked BLPOP with the timeout reply or an error', async () => {
    const a = await connect();
    const b = await connect();
    const idB = await myId(b);
    assert.equal(await a.call('CLIENT', 'UNBLOCK', String(idB)), 0);
    b.write(encode(['BLPOP', 'nolist', '0']));
    await sleep(100);
    const [lb] = await clientList(a, 'ID', String(idB));
    assert.equal(lb.get('flags'), 'b');
    assert.equal(lb.get('cmd'), 'blpop');
    assert.equal(await a.call('CLIENT', 'UNBLOCK', String(idB)), 1);
    assert.equal((await b.next()).toString(), '*-1\r\n');
    b.write(encode(['BLPOP', 'nolist', '0']));
    await sleep(100);
    assert.equal(await a.call('CLIENT', 'UNBLOCK', String(idB), 'ERROR'), 1);
    assert.equal((await b.next()).toString(), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    assert.equal(await b.call('PING'), 'PONG');
  });

  it('CLIENT SETINFO (Redis 7.2) accepts lib-name and lib-ver', async () => {
    const c = await connect();
    assert.equal(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis'), 'OK');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'lib-ver', '5.3.2'), 'OK');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'lib-ver', ''), 'OK');
    assert.equal(
      await err(c, 'CLIENT', 'SETINFO', 'lib-name', 'a b'),
      'ERR lib-name cannot contain spaces, newlines or special characters.',
    );
    assert.equal(await err(c, 'CLIENT', 'SETINFO', 'foo', 'x'), "ERR Unrecognized option 'foo'");
    assert.equal(
      await err(c, 'CLIENT', 'SETINFO', 'lib-name'),
      "ERR wrong number of arguments for 'client|setinfo' command",
    );
  });
});
