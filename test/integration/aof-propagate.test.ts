// What reaches the AOF for commands whose effect is not a function of their arguments (stream
// consumer groups, approximate trimming, floating point, blocking pops served later, scripts):
// an AOF-level differential against redis-server 7.0 (the same script on both servers, the records
// each command appended compared after normalising absolute times), and restart tests showing the
// reloaded state is the one clients saw.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { decode, encode, RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt, tmpDir } from '../helpers/servers';

const haveRedis = redisServerPath() !== null;
const AOF = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--aof-timestamp-enabled', 'no'];

const running: Running[] = [];
const clients: RawClient[] = [];

after(async () => {
  for (const c of clients) c.sock.destroy();
  await Promise.all(running.map((r) => r.stop()));
});

async function connect(r: Running): Promise<RawClient> {
  const c = await RawClient.connect({ port: r.port });
  clients.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the records appended to a server's incr file since the last call. */
class AofTail {
  private off = 0;
  constructor(private readonly dir: string) {}

  private file(): string {
    const d = path.join(this.dir, 'appendonlydir');
    const m = fs.readFileSync(path.join(d, 'appendonly.aof.manifest'), 'latin1');
    const incr = m
      .split('\n')
      .filter((l) => / type i\b/.test(l))
      .map((l) => l.split(' ')[1]);
    return path.join(d, incr[incr.length - 1]);
  }

  /** Skips what is there now. */
  mark(): void {
    this.off = fs.statSync(this.file()).size;
  }

  read(): string[][] {
    const buf = fs.readFileSync(this.file());
    const out: string[][] = [];
    let pos = this.off;
    while (pos < buf.length) {
      const [v, end] = decode(buf, pos);
      assert.ok(Array.isArray(v), `AOF record at ${pos} is not an array`);
      out.push((v as Buffer[]).map((b) => Buffer.from(b).toString('latin1')));
      pos = end;
    }
    this.off = pos;
    return out;
  }
}

type Args = (string | number)[];
/**
 * A script step: a command; a blocking command sent on the second connection whose reply comes
 * later ({ block }); a command on the first connection that serves it ({ wake }).
 */
type Step =
  | Args
  | { block: Args }
  | { wake: Args; dev?: Dev[] }
  | { sleep: number }
  | { cmd: Args; dev: Dev[] };

/**
 * Where redoubt writes more than Redis 7.0 on purpose, so that a reload keeps what clients saw:
 * - setid: XGROUP SETID … ENTRIESREAD after a read that moved the group's last ID (7.0 writes it
 *   only for NOACK and loses entries-read on reload; later Redis writes it always, redis#12898);
 * - history: an XCLAIM per entry an XREADGROUP with an explicit ID served again (its new delivery
 *   time and count; 7.0 writes nothing);
 * - consumer: XGROUP CREATECONSUMER for a consumer a read created without any XCLAIM (7.0 loses
 *   it on reload; later Redis writes it too, redis#14963).
 */
type Dev = 'setid' | 'history' | 'consumer';

interface Recorded {
  step: string;
  records: string[][];
  dev: Dev[];
}

async function runScript(r: Running, steps: Step[]): Promise<Recorded[]> {
  const a = await connect(r);
  const b = await connect(r);
  const tail = new AofTail(r.dir);
  await a.call('SELECT', 9);
  await b.call('SELECT', 9);
  await a.call('FLUSHALL');
  tail.mark();
  const out: Recorded[] = [];
  let pending: Promise<Buffer> | null = null;
  for (const st of steps) {
    if (!Array.isArray(st) && 'sleep' in st) {
      await sleep(st.sleep);
      continue;
    }
    // a distinct millisecond per step, so equal times in the AOF mean "the same moment" on both
    await sleep(3);
    if (Array.isArray(st) || 'cmd' in st) {
      const cmd = Array.isArray(st) ? st : st.cmd;
      await a.raw(...cmd);
      out.push({ step: cmd.join(' '), records: tail.read(), dev: Array.isArray(st) ? [] : st.dev });
    } else if ('block' in st) {
      b.sock.write(encode(st.block));
      await sleep(50);
      pending = b.next();
      out.push({ step: `(block) ${st.block.join(' ')}`, records: tail.read(), dev: [] });
    } else {
      await a.raw(...st.wake);
      if (pending !== null) await pending;
      pending = null;
      await sleep(20);
      out.push({ step: `(wake) ${st.wake.join(' ')}`, records: tail.read(), dev: st.dev ?? [] });
    }
  }
  return out;
}

function isDev(argv: string[], dev: Dev[]): boolean {
  const w = (i: number) => (argv[i] ?? '').toUpperCase();
  if (dev.includes('setid') && w(0) === 'XGROUP' && w(1) === 'SETID') return true;
  if (dev.includes('consumer') && w(0) === 'XGROUP' && w(1) === 'CREATECONSUMER') return true;
  return dev.includes('history') && w(0) === 'XCLAIM';
}

/**
 * A step's records without its deliberate extras (returned apart); a transaction left with one
 * command or none is unwrapped, as Redis writes those.
 */
function stripDev(r: Recorded): { kept: string[][]; extra: string[][] } {
  if (r.dev.length === 0) return { kept: r.records, extra: [] };
  const extra = r.records.filter((a) => isDev(a, r.dev));
  const rest = r.records.filter((a) => !isDev(a, r.dev));
  const kept: string[][] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i][0] === 'MULTI') {
      let j = i + 1;
      while (j < rest.length && rest[j][0] !== 'EXEC') j++;
      if (j - i - 1 <= 1) {
        kept.push(...rest.slice(i + 1, j));
        i = j;
        continue;
      }
    }
    kept.push(rest[i]);
  }
  return { kept, extra };
}

/** Absolute ms times (this decade and the next) become T1, T2... in order of first appearance. */
function normaliseTimes(rec: Recorded[], t0: number): { text: string[]; times: number[] } {
  const seen = new Map<string, string>();
  const times: number[] = [];
  const lo = t0 - 60_000;
  const hi = t0 + 10 * 365 * 86_400_000;
  const text = rec.map((r) => {
    const lines = stripDev(r).kept.map((argv) =>
      argv
        .map((w) =>
          w.replace(/\b\d{13}\b/g, (n) => {
            const v = Number(n);
            if (v < lo || v > hi) return n;
            let p = seen.get(n);
            if (p === undefined) {
              p = `T${seen.size + 1}`;
              seen.set(n, p);
              times.push(v);
            }
            return p;
          }),
        )
        .join(' '),
    );
    return `${r.step}\n${lines.map((l) => `    ${l}`).join('\n')}`;
  });
  return { text, times };
}

const script: Step[] = [
  ['XADD', 's', '1-1', 'a', '1'],
  ['XADD', 's', '2-1', 'b', '2'],
  ['XADD', 's', '3-1', 'c', '3'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 2, 'STREAMS', 's', '>'], dev: ['setid'] },
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'], dev: ['history'] },
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'carol'],
  ['XCLAIM', 's', 'g', 'carol', 0, '1-1', '2-1'],
  ['XCLAIM', 's', 'g', 'dave', 0, '1-1', 'JUSTID'],
  ['XDEL', 's', '2-1'],
  ['XCLAIM', 's', 'g', 'dave', 0, '2-1'],
  ['XAUTOCLAIM', 's', 'g', 'erin', 0, 0],
  ['HSET', 'h', 'f', '1.5'],
  ['HINCRBYFLOAT', 'h', 'f', '0.1'],
  ['HINCRBYFLOAT', 'h', 'g', '1e3'],
  ['XCLAIM', 's', 'g', 'frank', 0, '9-9', 'LASTID', '5-0'],
  ['XCLAIM', 's', 'g', 'frank', 0, '9-9', 'LASTID', '4-0', 'JUSTID'],
  ['XADD', 's', '6-1', 'd', '4'],
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'gina', 'STREAMS', 's', '0'], dev: ['consumer'] },
  // alice's entries were all claimed by others: nothing served again, nothing written
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
  ['XGROUP', 'SETID', 's', 'g', '0'],
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'hank', 'COUNT', 1, 'STREAMS', 's', '>'], dev: ['setid'] },
  ['XGROUP', 'CREATE', 's', 'g2', '$'],
  ['XREADGROUP', 'GROUP', 'g2', 'ivan', 'STREAMS', 's', '>'],
  ['XADD', 's2', '1-1', 'a', '1'],
  ['XGROUP', 'CREATE', 's2', 'g', '0'],
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', 's2', '>', '>'], dev: ['setid'] },
  ['MULTI'],
  ['XADD', 's2', '2-1', 'a', '1'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's2', '>'],
  { cmd: ['EXEC'], dev: ['setid'] },
  {
    cmd: [
      'EVAL',
      "redis.call('xadd','s2','3-1','a','1'); return redis.call('xreadgroup','group','g','jo','streams','s2','>')",
      0,
    ],
    dev: ['setid'],
  },
  ['EVAL', "redis.call('set','str','1'); return redis.call('incrbyfloat','str','1.5')", 0],
  ['EVAL', "return redis.call('hincrbyfloat','h','f','1.5')", 0],
  { block: ['XREADGROUP', 'GROUP', 'g', 'kim', 'BLOCK', 0, 'STREAMS', 's2', '>'] },
  { wake: ['XADD', 's2', '4-1', 'a', '1'], dev: ['setid'] },
  { block: ['XREADGROUP', 'GROUP', 'g', 'kim', 'NOACK', 'BLOCK', 0, 'STREAMS', 's2', '>'] },
  { wake: ['XADD', 's2', '5-1', 'a', '1'] },
  ['EVAL', "for i=1,250 do redis.call('xadd','t',i..'-1','f','v') end", 0],
  ['XTRIM', 't', 'MAXLEN', '~', 10],
  ['XADD', 't', 'MAXLEN', '~', 5, '300-1', 'f', 'v'],
  ['XTRIM', 't', 'MINID', '~', 250],
  ['XTRIM', 't', 'MAXLEN', '~', 10000],
  ['XTRIM', 't', 'MAXLEN', '~', 10, 'LIMIT', 100],
  ['XDEL', 't', '201-1'],
  ['XADD', 't', 'MINID', '~', 0, '301-1', 'f', 'v'],
  ['XADD', 't', 'MINID', '~', 1000, '400-1', 'f', 'v'],
  ['XADD', 't', 'MAXLEN', '~', 1000, 'LIMIT', 10, '401-1', 'f', 'v'],
  ['XADD', 't', 'NOMKSTREAM', 'MAXLEN', '~', 1000, '402-*', 'f', 'v'],
  ['XTRIM', 't', 'MAXLEN', '=', 1],
  ['RPUSH', 'l', 'a', 'b', 'c', 'd'],
  ['BLPOP', 'l', 0],
  ['BRPOP', 'l', 0],
  ['BLMOVE', 'l', 'l2', 'LEFT', 'RIGHT', 0],
  ['BRPOPLPUSH', 'l', 'l2', 0],
  ['RPUSH', 'l', 'a', 'b', 'c', 'd'],
  ['LMPOP', 1, 'l', 'LEFT', 'COUNT', 2],
  ['BLMPOP', 0, 1, 'l', 'RIGHT'],
  { block: ['BLMPOP', 0, 1, 'l', 'LEFT', 'COUNT', 5] },
  { wake: ['RPUSH', 'l', 'x', 'y'] },
  { block: ['BLPOP', 'l', 0] },
  { wake: ['RPUSH', 'l', 'x', 'y'] },
  { block: ['BLMOVE', 'l3', 'l', 'LEFT', 'RIGHT', 0] },
  { wake: ['RPUSH', 'l3', 'z'] },
  ['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd'],
  ['ZMPOP', 1, 'z', 'MIN', 'COUNT', 2],
  ['ZADD', 'z2', 1, 'a'],
  ['ZMPOP', 1, 'z2', 'MIN', 'COUNT', 10],
  ['RPUSH', 'l4', 'a'],
  ['LMPOP', 1, 'l4', 'RIGHT', 'COUNT', 10],
  ['BZMPOP', 0, 1, 'z', 'MAX'],
  ['BZPOPMIN', 'z', 0],
  { block: ['BZPOPMAX', 'z', 0] },
  { wake: ['ZADD', 'z', 5, 'e'] },
  { block: ['BZMPOP', 0, 1, 'z', 'MIN', 'COUNT', 3] },
  { wake: ['ZADD', 'z', 5, 'e', 6, 'f'] },
  ['SET', 'k', 'v'],
  ['GETDEL', 'k'],
  ['SET', 'k', 'v'],
  ['GETEX', 'k', 'EX', 100],
  ['GETEX', 'k', 'PERSIST'],
  ['GETEX', 'k', 'PERSIST'],
  ['GETEX', 'k'],
  ['GETEX', 'k', 'PXAT', 1],
  ['PFADD', 'hll', 'a', 'b', 'c'],
  ['PFCOUNT', 'hll'],
  ['PFCOUNT', 'hll'],
  ['PFADD', 'hll2', 'x'],
  ['PFCOUNT', 'hll', 'hll2'],
  ['PFMERGE', 'hll3', 'hll', 'hll2'],
  ['RPUSH', 'sl', 3, 1, 2],
  ['SORT', 'sl', 'STORE', 'sorted'],
  ['COPY', 'sorted', 'copied'],
  ['MOVE', 'copied', 10],
  ['SWAPDB', 9, 10],
  ['SWAPDB', 9, 10],
  ['SET', 'e', 'v', 'PX', 30],
  { sleep: 100 },
  ['GET', 'e'],
  ['SET', 'e', 'v', 'PX', 30],
  { sleep: 100 },
  ['EXISTS', 'e'],
  ['SADD', 'st', 'a'],
  ['SPOP', 'st'],
  ['SADD', 'st', 'a', 'b'],
  ['SPOP', 'st', 5],
  ['SADD', 'st', 'a'],
  ['SMOVE', 'st', 'st2', 'a'],
  ['SET', 'x', '1'],
  ['EXPIRE', 'x', -1],
  ['SET', 'x', '1'],
  ['PEXPIREAT', 'x', 1000],
  ['SET', 'x', '1', 'EXAT', 4102444800],
  ['SADD', 'rs', 'a'],
  ['EVAL', "redis.call('spop','rs'); return redis.call('scard','rs')", 0],
  ['EVAL', "redis.call('set','ev','1'); return redis.call('expire','ev','100')", 0],
  ['EVAL', "redis.call('set','ev2','1'); return redis.call('nosuchcommand')", 0],
  ['EVAL', "return redis.call('get','ev')", 0],
  [
    'EVAL',
    "redis.call('set','a','1'); redis.set_repl(redis.REPL_NONE); redis.call('set','b','2'); redis.set_repl(redis.REPL_ALL); redis.call('set','c','3')",
    0,
  ],
  [
    'EVAL',
    "redis.set_repl(redis.REPL_REPLICA); redis.call('set','d','1'); redis.set_repl(redis.REPL_AOF); redis.call('set','e','1')",
    0,
  ],
  ['EVAL', "redis.set_repl(redis.REPL_NONE); redis.call('set','f','1')", 0],
  ['SCRIPT', 'LOAD', "return redis.call('set','sl','1')"],
  ['EVALSHA', '91709449f86a5b0b0611b8bf31bc95b4607eba1a', 0],
  [
    'FUNCTION',
    'LOAD',
    "#!lua name=plib\nredis.register_function('pf', function(keys, args) redis.call('set', keys[1], args[1]); return redis.call('incrbyfloat', keys[1], '0.5') end)",
  ],
  ['FCALL', 'pf', 1, 'fk', '1.5'],
  ['FUNCTION', 'DELETE', 'plib'],
  ['XADD', 'x1', '1-1', 'a', '1'],
  ['XADD', 'x1', '2-1', 'a', '1'],
  ['XADD', 'x1', '3-1', 'a', '1'],
  ['XGROUP', 'CREATE', 'x1', 'g', '$'],
  ['XGROUP', 'SETID', 'x1', 'g', '0'],
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'x1', '>'], dev: ['setid'] },
  ['XACK', 'x1', 'g', '1-1'],
  ['XCLAIM', 'x1', 'g', 'c2', 0, '2-1', 'IDLE', 5000],
  ['XCLAIM', 'x1', 'g', 'c2', 0, '3-1', 'RETRYCOUNT', 7, 'JUSTID'],
  ['XCLAIM', 'x1', 'g', 'c2', 0, '1-1'],
  ['XCLAIM', 'x1', 'g', 'c3', 0, '1-1', 'FORCE'],
  ['XCLAIM', 'x1', 'g', 'c3', 100000, '2-1'],
  ['XAUTOCLAIM', 'x1', 'g', 'c4', 0, '0', 'COUNT', 1, 'JUSTID'],
  ['XGROUP', 'DELCONSUMER', 'x1', 'g', 'c1'],
  ['XSETID', 'x1', '10-1', 'ENTRIESADDED', 12, 'MAXDELETEDID', '0-1'],
  ['XDEL', 'x1', '3-1'],
  ['XGROUP', 'DESTROY', 'x1', 'g'],
  ['XADD', 'x1', 'MAXLEN', '~', 0, 'NOMKSTREAM', '11-1', 'a', '1'],
  ['XADD', 'x1', 'LIMIT', 5, 'MAXLEN', '~', 0, '*', 'a', '1'],
  ['ZADD', 'zf', 1.5, 'm'],
  ['ZINCRBY', 'zf', '0.1', 'm'],
  ['SET', 'ir', '1.5'],
  ['INCRBYFLOAT', 'ir', '1e-3'],
  ['APPEND', 'ir', 'x'],
  ['SETRANGE', 'ir', 1, 'yy'],
  ['FLUSHDB', 'ASYNC'],
  ['FLUSHALL', 'ASYNC'],
];

/** Sanity of the times behind placeholders: each within a few seconds of the other server's. */
function assertTimesClose(a: number[], b: number[]): void {
  assert.equal(a.length, b.length, 'as many distinct times');
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) < 5000, `T${i + 1}: ${a[i]} vs ${b[i]}`);
  }
}

describe('AOF propagation: differential against redis-server 7.0', {
  skip: !haveRedis && 'redis-server not installed',
}, () => {
  it('each command appends the records Redis appends (times as placeholders)', async () => {
    const [me, them] = await Promise.all([
      startRedoubt({ dir: tmpDir('aofp-'), args: AOF }),
      startRedis(AOF) as Promise<Running>,
    ]);
    running.push(me, them);
    const t0 = Date.now();
    // run side by side, so absolute times are close
    const [mine, theirs] = await Promise.all([runScript(me, script), runScript(them, script)]);
    assert.equal(mine.length, theirs.length);
    const a = normaliseTimes(mine, t0);
    const b = normaliseTimes(theirs, t0);
    for (let i = 0; i < a.text.length; i++) assert.equal(a.text[i], b.text[i], `step ${i + 1}`);
    assertTimesClose(a.times, b.times);
    // the deliberate extras are there
    for (const r of mine) {
      if (r.dev.length === 0) continue;
      const { extra } = stripDev(r);
      assert.ok(extra.length > 0, `no extra record for ${r.step}`);
    }
  });
});

/** XINFO STREAM … FULL without the consumers' seen-times (a reload sets those to its own now). */
async function fullInfo(c: RawClient, k: string): Promise<string> {
  const v = await c.call('XINFO', 'STREAM', k, 'FULL');
  const strip = (x: RespValue): RespValue => {
    if (!Array.isArray(x)) return x;
    const out: RespValue[] = [];
    for (let i = 0; i < x.length; i++) {
      if (String(x[i]) === 'seen-time') {
        i++;
        continue;
      }
      out.push(strip(x[i]));
    }
    return out;
  };
  return JSON.stringify(strip(v), (_k, val) => (Buffer.isBuffer(val) ? val.toString('latin1') : val));
}

/** The state a reload must reproduce. */
async function groupState(c: RawClient): Promise<string[]> {
  return [
    await fullInfo(c, 's'),
    JSON.stringify(await c.call('XINFO', 'GROUPS', 's'), (_k, v) => (Buffer.isBuffer(v) ? v.toString() : v)),
    String(await c.call('HGET', 'h', 'f')),
    String(await c.call('XLEN', 't')),
    JSON.stringify(await c.call('XRANGE', 't', '-', '+', 'COUNT', 1), (_k, v) =>
      Buffer.isBuffer(v) ? v.toString() : v,
    ),
  ];
}

describe('AOF propagation: a reload keeps what clients saw', () => {
  it('consumer groups: delivery times and counts, consumers, last ID, entries-read', async () => {
    const dir = tmpDir('aofp-restart-');
    const r1 = await startRedoubt({ dir, args: AOF });
    running.push(r1);
    const c = await connect(r1);
    const b = await connect(r1);
    for (let i = 1; i <= 6; i++) await c.call('XADD', 's', `${i}-1`, 'f', `v${i}`);
    await c.call('XGROUP', 'CREATE', 's', 'g', '0');
    await c.call('XGROUP', 'CREATE', 's', 'g2', '0');
    await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 2, 'STREAMS', 's', '>');
    await sleep(30);
    await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'); // delivered again
    await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', 1, 'STREAMS', 's', '>');
    await sleep(30);
    await c.call('XCLAIM', 's', 'g', 'carol', 0, '2-1');
    await c.call('XREADGROUP', 'GROUP', 'g', 'dave', 'STREAMS', 's', '0'); // nothing pending: only created
    await c.call('XAUTOCLAIM', 's', 'g2', 'erin', 0, '0');
    await c.call('XREADGROUP', 'GROUP', 'g2', 'erin', 'COUNT', 3, 'STREAMS', 's', '>');
    // a blocked read served later
    b.sock.write(encode(['XREADGROUP', 'GROUP', 'g2', 'fay', 'BLOCK', 0, 'STREAMS', 's', '>']));
    await c.call('XREADGROUP', 'GROUP', 'g2', 'erin', 'STREAMS', 's', '>');
    await sleep(50);
    await c.call('XADD', 's', '7-1', 'f', 'v7');
    const served = decode(await b.next(), 0)[0] as RespValue[][];
    assert.equal(String(served[0][0]), 's');
    await c.call('HSET', 'h', 'f', '0.1');
    for (let i = 0; i < 7; i++) await c.call('HINCRBYFLOAT', 'h', 'f', '0.1');
    await c.call('CONFIG', 'SET', 'stream-node-max-entries', 10);
    for (let i = 1; i <= 95; i++) await c.call('XADD', 't', `${i}-0`, 'f', 'v');
    await c.call('CONFIG', 'SET', 'stream-node-max-entries', 100);
    await c.call('XTRIM', 't', 'MAXLEN', '~', 42, 'LIMIT', 1000); // written `= 45 LIMIT 1000`
    await c.call('XADD', 't', 'MINID', '~', '50', '96-0', 'f', 'v');
    const before = await groupState(c);
    const pending = (await c.call('XPENDING', 's', 'g', '-', '+', 10)) as RespValue[][];
    await sleep(100);
    const idle = (await c.call('XPENDING', 's', 'g', 'IDLE', 100, '-', '+', 10)) as RespValue[];
    assert.equal(idle.length, pending.length);
    await r1.stop();

    const r2 = await startRedoubt({ dir, args: AOF });
    running.push(r2);
    const c2 = await connect(r2);
    const after = await groupState(c2);
    assert.deepEqual(after, before);
    // idle times continue from the original deliveries (not reset by the reload)
    const pending2 = (await c2.call('XPENDING', 's', 'g', '-', '+', 10)) as RespValue[][];
    assert.equal(pending2.length, pending.length);
    for (let i = 0; i < pending.length; i++) {
      assert.equal(String(pending2[i][0]), String(pending[i][0]));
      assert.equal(String(pending2[i][1]), String(pending[i][1]));
      assert.equal(pending2[i][3], pending[i][3], 'delivery count');
      assert.ok(Number(pending2[i][2]) >= Number(pending[i][2]) + 100, 'idle kept growing');
    }
    // and IDLE filters as before the reload (a replay-time delivery would be too recent)
    assert.equal(
      ((await c2.call('XPENDING', 's', 'g', 'IDLE', 100, '-', '+', 10)) as RespValue[]).length,
      idle.length,
    );
    const consumers = (await c2.call('XINFO', 'CONSUMERS', 's', 'g')) as RespValue[][];
    assert.deepEqual(
      consumers.map((x) => String(x[1])),
      ['alice', 'bob', 'carol', 'dave'],
    );
    await r2.stop();
    if (!haveRedis) return;
    // redis-server 7.0 replays the same records to the same state
    const copy = tmpDir('aofp-redis-');
    fs.cpSync(path.join(dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
    const redis = (await startRedis(['--appendonly', 'yes', '--dir', copy])) as Running;
    running.push(redis);
    assert.deepEqual(await groupState(await connect(redis)), before);
  });
});
