// Plain sockets read into one buffer that every read reuses (server/connection.ts): anything
// kept from a request after its read (stored values, MULTI queues, held or blocked commands,
// AOF records, a request split across reads) must have been copied. These tests send random
// pipelines from several clients at once, cut into random pieces and interleaved, so that
// reads of other clients overwrite the buffer between the pieces, and compare every reply
// byte for byte with redis-server 7.0. Then redoubt restarts from its AOF and the data read
// back must be unchanged. FUZZ_SEED reproduces a run; FUZZ_RUNS=N runs more rounds.

import * as assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { prng } from '../helpers/random';
import { encode, RawClient } from '../helpers/resp';
import {
  type Running,
  redisServerPath,
  skipWithoutRedis,
  startRedis,
  startRedoubt,
  tmpDir,
} from '../helpers/servers';
import { show } from '../helpers/wire';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const ROUNDS = Number(process.env.FUZZ_RUNS ?? '') || 2;
const CLIENTS = 4;
const COMMANDS = 250;

type Arg = string | Buffer;

/** Random requests on one client's own keys (so its replies don't depend on the others). */
class Script {
  readonly cmds: Arg[][] = [];
  private streamId = 0;
  private readonly fields = new Set<string>();

  constructor(
    private readonly rnd: () => number,
    private readonly p: string,
  ) {}

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  /** Mostly short values, with bytes that look like protocol; sometimes big enough to span reads. */
  value(): Buffer {
    const r = this.rnd();
    const len = r < 0.7 ? this.int(40) : r < 0.93 ? 100 + this.int(3000) : 20000 + this.int(90000);
    const b = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) {
      const x = this.rnd();
      b[i] = x < 0.05 ? 13 : x < 0.1 ? 10 : x < 0.15 ? 42 : x < 0.2 ? 36 : this.int(256);
    }
    return b;
  }

  private readonly used: Buffer[] = [];
  private readonly setMembers: Buffer[] = [];

  /** A value already written (so removals and lookups hit), or a new one. */
  member(): Buffer {
    if (this.used.length > 0 && this.rnd() < 0.5) return this.used[this.int(this.used.length)];
    const v = this.value();
    if (v.length < 200) this.used.push(v);
    return v;
  }

  /** Set members, read back at the end (SMEMBERS's order and SORT ALPHA's NUL handling differ). */
  private remember(...members: Buffer[]): Buffer[] {
    this.setMembers.push(...members);
    return members;
  }

  private field(): string {
    const f = `f${this.int(12)}`;
    this.fields.add(f);
    return f;
  }

  private write(): Arg[] {
    const p = this.p;
    const k = `${p}s${this.int(6)}`;
    switch (this.int(20)) {
      case 0:
        return ['SET', k, this.value()];
      case 1:
        return ['SET', k, this.value(), 'GET'];
      case 2:
        return ['MSET', `${p}s${this.int(6)}`, this.value(), `${p}s${this.int(6)}`, this.value()];
      case 3:
        return ['APPEND', k, this.value()];
      case 4:
        return ['SETRANGE', k, String(this.int(50)), this.value()];
      case 5:
        return ['GETSET', k, this.value()];
      case 6:
        return ['RPUSH', `${p}l`, this.value(), this.member()];
      case 7:
        return ['LPUSH', `${p}l`, this.member()];
      case 8:
        return ['HSET', `${p}h`, this.field(), this.value(), this.field(), this.value()];
      case 9:
        return ['SADD', `${p}set`, ...this.remember(this.member(), this.member())];
      case 10:
        return ['ZADD', `${p}z`, String(this.int(1000) / 8), this.member()];
      case 11:
        this.streamId += 1 + this.int(3);
        return ['XADD', `${p}x`, `${this.streamId}-1`, this.field(), this.value()];
      case 12:
        return [
          'EVAL',
          "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('STRLEN', KEYS[1])",
          '1',
          k,
          this.value(),
        ];
      case 13:
        return ['SETEX', k, '1000', this.value()];
      case 14:
        return ['ECHO', this.value()];
      case 15:
        return ['INCRBY', `${p}n`, String(this.int(1000) - 500)];
      case 16:
        return ['PING', this.value()];
      default:
        return this.other();
    }
  }

  /** The rest of the commands that may read their arguments in place (borrowsArgs). */
  private other(): Arg[] {
    const p = this.p;
    const k = `${p}s${this.int(6)}`;
    const count = String(this.int(4));
    const ops: (() => Arg[])[] = [
      () => ['SETNX', k, this.member()],
      () => ['PSETEX', k, '100000', this.value()],
      () => ['MSETNX', `${p}s${this.int(6)}`, this.value(), `${p}t`, this.value()],
      () => ['GETDEL', k],
      () => ['GETEX', k, 'PERSIST'],
      () => ['STRLEN', k],
      () => ['GETRANGE', k, String(this.int(20)), String(this.int(60) - 10)],
      () => ['MGET', k, `${p}s${this.int(6)}`, `${p}t`],
      () => ['INCR', `${p}n`],
      () => ['DECRBY', `${p}n`, String(this.int(50))],
      () => ['EXISTS', k, `${p}l`, `${p}t`],
      () => ['TYPE', [k, `${p}l`, `${p}h`, `${p}z`][this.int(4)]],
      () => ['EXPIRE', k, '100000'],
      () => ['PEXPIRE', `${p}l`, '100000000'],
      () => ['PERSIST', [k, `${p}l`][this.int(2)]],
      () => ['TOUCH', k, `${p}h`],
      () => [this.rnd() < 0.5 ? 'DEL' : 'UNLINK', k],
      () => [this.rnd() < 0.5 ? 'LPUSHX' : 'RPUSHX', `${p}l`, this.member()],
      () => [this.rnd() < 0.5 ? 'LPOP' : 'RPOP', `${p}l`],
      () => [this.rnd() < 0.5 ? 'LPOP' : 'RPOP', `${p}l`, count],
      () => ['LLEN', `${p}l`],
      () => ['LINDEX', `${p}l`, String(this.int(10) - 5)],
      () => ['HSETNX', `${p}h`, this.field(), this.member()],
      () => ['HMSET', `${p}h`, this.field(), this.member()],
      () => ['HGET', `${p}h`, this.field()],
      () => ['HEXISTS', `${p}h`, this.field()],
      () => ['HDEL', `${p}h`, this.field(), this.field()],
      () => ['HLEN', `${p}h`],
      () => ['HINCRBY', `${p}h`, 'counter', String(this.int(100))],
      () => ['SREM', `${p}set`, this.member(), this.member()],
      () => ['SISMEMBER', `${p}set`, this.member()],
      () => ['SCARD', `${p}set`],
      () => ['ZINCRBY', `${p}z`, String(this.int(10)), this.member()],
      () => ['ZADD', `${p}z`, 'GT', 'CH', String(this.int(100)), this.member(), '3.5', this.member()],
      () => ['ZREM', `${p}z`, this.member()],
      () => ['ZSCORE', `${p}z`, this.member()],
      () => ['ZCARD', `${p}z`],
      () => [this.rnd() < 0.5 ? 'ZPOPMIN' : 'ZPOPMAX', `${p}z`, count],
      () => ['PING'],
    ];
    return ops[this.int(ops.length)]();
  }

  build(n: number): Arg[][] {
    for (let i = 0; i < n; i++) {
      const r = this.rnd();
      if (r < 0.08) {
        // a transaction: its queued requests are kept until EXEC, reads later
        this.cmds.push(['MULTI']);
        const m = 1 + this.int(4);
        for (let j = 0; j < m; j++) this.cmds.push(this.write());
        this.cmds.push(['EXEC']);
      } else if (r < 0.8) {
        this.cmds.push(this.write());
      } else {
        this.cmds.push(...this.reads());
      }
    }
    this.cmds.push(...this.reads());
    return this.cmds;
  }

  /** Reads every key this client writes, in forms whose order both servers agree on. */
  reads(): Arg[][] {
    const p = this.p;
    const out: Arg[][] = [];
    for (let i = 0; i < 6; i++) out.push(['GET', `${p}s${i}`]);
    out.push(['LRANGE', `${p}l`, '0', '-1']);
    out.push(['HMGET', `${p}h`, ...[...this.fields].sort(), 'missing']);
    out.push(['SCARD', `${p}set`], ['SMISMEMBER', `${p}set`, 'missing', ...this.setMembers]);
    out.push(['ZRANGE', `${p}z`, '0', '-1', 'WITHSCORES']);
    out.push(['XRANGE', `${p}x`, '-', '+']);
    out.push(['GET', `${p}n`], ['GET', `${p}t`], ['HGET', `${p}h`, 'counter']);
    return out;
  }
}

/** Cuts bytes into random pieces: a byte, a few, or tens of KiB. */
function pieces(rnd: () => number, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const r = rnd();
    const n =
      r < 0.2
        ? 1 + Math.floor(rnd() * 8)
        : r < 0.7
          ? 1 + Math.floor(rnd() * 2000)
          : 1 + Math.floor(rnd() * 70000);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Sends each client's pieces, taking turns between clients, and collects all replies. */
async function play(port: number, scripts: Arg[][][], cuts: Buffer[][]): Promise<Buffer[][]> {
  const clients = await Promise.all(scripts.map(() => RawClient.connect({ port })));
  const replies = scripts.map((sc, i) => Promise.all(sc.map(() => clients[i].next(30000))));
  const left = cuts.map((c) => [...c]);
  for (let busy = true; busy; ) {
    busy = false;
    for (let i = 0; i < clients.length; i++) {
      const piece = left[i].shift();
      if (piece === undefined) continue;
      busy = true;
      clients[i].write(piece);
    }
    // let the server read between turns, so pieces of different clients reach it apart
    await new Promise((r) => setImmediate(r));
  }
  const out = await Promise.all(replies);
  for (const c of clients) c.close();
  return out;
}

let redoubt: Running;
/** Every client's script of the rounds run, for reading all keys back after the restart. */
const built: Script[] = [];
let redis: Running | null = null;
const dir = tmpDir();

before(async () => {
  redoubt = await startRedoubt({ dir, args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  redis = await startRedis();
});

after(async () => {
  await redoubt?.stop();
  await redis?.stop();
});

for (let round = 0; round < ROUNDS; round++) {
  test(`interleaved random pipelines, cut anywhere: replies match redis-server (seed ${SEED}, round ${round})`, async (t) => {
    if (redis === null || redisServerPath() === null) return skipWithoutRedis(t);
    const rnd = prng(SEED + round);
    const scripts: Arg[][][] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const sc = new Script(rnd, `r${round}c${i}:`);
      built.push(sc);
      scripts.push(sc.build(COMMANDS));
    }
    const bytes = scripts.map((sc) => Buffer.concat(sc.map((cmd) => encode(cmd))));
    const cuts = bytes.map((b) => pieces(rnd, b));
    const [ours, theirs] = await Promise.all([
      play(redoubt.port, scripts, cuts),
      play(redis.port, scripts, cuts),
    ]);
    for (let i = 0; i < CLIENTS; i++) {
      for (let j = 0; j < scripts[i].length; j++) {
        if (!ours[i][j].equals(theirs[i][j])) {
          const cmd = scripts[i][j].map((a) => (typeof a === 'string' ? a : `<${a.length} bytes>`)).join(' ');
          assert.fail(
            `seed ${SEED} round ${round} client ${i} request ${j} (${cmd}):\n  redoubt ${show(ours[i][j]).slice(0, 300)}\n  redis   ${show(theirs[i][j]).slice(0, 300)}`,
          );
        }
      }
    }
  });
}

test('after a restart from the AOF written meanwhile, every key reads back the same', async (t) => {
  if (redis === null || redisServerPath() === null) return skipWithoutRedis(t);
  assert.ok(built.length > 0, 'the rounds above ran');
  const reads = built.flatMap((sc) => sc.reads());
  const [before] = await play(redoubt.port, [reads], [[Buffer.concat(reads.map((r) => encode(r)))]]);
  const [reference] = await play(redis.port, [reads], [[Buffer.concat(reads.map((r) => encode(r)))]]);
  for (let j = 0; j < reads.length; j++)
    assert.equal(show(before[j]), show(reference[j]), `before restart: ${reads[j][0]} ${reads[j][1]}`);
  await redoubt.stop();
  redoubt = await startRedoubt({ dir, args: ['--appendonly', 'yes'] });
  const [afterRestart] = await play(redoubt.port, [reads], [[Buffer.concat(reads.map((r) => encode(r)))]]);
  for (let j = 0; j < reads.length; j++)
    assert.equal(show(afterRestart[j]), show(before[j]), `after restart: ${reads[j][0]} ${reads[j][1]}`);
});

/** A pattern of bytes unlike any other request's, so a reused buffer would show. */
function fill(len: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed * 7) & 255;
  return b;
}

/** Requests a client leaves waiting (blocked on a key, held by CLIENT PAUSE) while others read. */
async function waitingScenario(port: number): Promise<string[]> {
  const [a, b, ctl] = await Promise.all([0, 1, 2].map(() => RawClient.connect({ port })));
  const out: string[] = [];
  // A blocks; the requests pipelined behind its BLPOP wait in its query buffer
  a.write(
    Buffer.concat([
      encode(['BLPOP', 'w:q', '0']),
      encode(['SET', 'w:a', fill(3000, 1)]),
      encode(['RPUSH', 'w:l', fill(50, 2), fill(70000, 3)]),
      // and a request cut in the middle of its value
      encode(['SET', 'w:c', fill(100, 4)]).subarray(0, 40),
    ]),
  );
  await new Promise((r) => setTimeout(r, 100));
  // B's reads overwrite whatever a shared buffer held of A's bytes
  for (let i = 0; i < 20; i++) b.write(encode(['ECHO', fill(60000, 10 + i)]));
  for (let i = 0; i < 20; i++) out.push(show(await b.next()).length.toString());
  a.write(encode(['SET', 'w:c', fill(100, 4)]).subarray(40));
  out.push(show(await b.raw('LPUSH', 'w:q', 'x')));
  for (let i = 0; i < 4; i++) out.push(show(await a.next()));
  // CLIENT PAUSE WRITE holds A's write while B's reads go on
  out.push(show(await ctl.raw('CLIENT', 'PAUSE', '5000', 'WRITE')));
  a.write(
    Buffer.concat([
      encode(['SET', 'w:p', fill(500, 5)]),
      encode(['MULTI']),
      encode(['SET', 'w:m', fill(900, 6)]),
    ]),
  );
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 10; i++) b.write(encode(['ECHO', fill(60000, 40 + i)]));
  for (let i = 0; i < 10; i++) await b.next();
  out.push(show(await ctl.raw('CLIENT', 'UNPAUSE')));
  for (let i = 0; i < 3; i++) out.push(show(await a.next()));
  out.push(show(await a.raw('EXEC')));
  for (const k of ['w:a', 'w:c', 'w:p', 'w:m']) out.push(show(await a.raw('GET', k)));
  out.push(show(await a.raw('LRANGE', 'w:l', '0', '-1')));
  for (const c of [a, b, ctl]) c.close();
  return out;
}

test('blocked and paused requests keep their bytes while other clients are read', async (t) => {
  if (redis === null || redisServerPath() === null) return skipWithoutRedis(t);
  const ours = await waitingScenario(redoubt.port);
  const theirs = await waitingScenario(redis.port);
  assert.equal(ours.length, theirs.length);
  for (let i = 0; i < ours.length; i++) assert.equal(ours[i], theirs[i], `step ${i}`);
});
