import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { decode, RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from '../helpers/servers';
import { keyspaceEvents } from './events';
import { compare, diffSuite, type Step } from './harness';

const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const BIN = Buffer.from([0, 1, 2, 0xff, 0x80, 13, 10, 0x7f]);
const BIN2 = Buffer.from([0xff, 0, 0xfe]);

function range(n: number, prefix = ''): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

const setup: Step[] = [
  ['SADD', 'i', '3', '1', '2', '10', '-5'],
  ['SADD', 'w', 'a', 'b', 'c', '1', '2'],
  ['SET', 'str', 'x'],
];

/** Unordered replies of hashtable sets are compared as multisets. */
function sorted(...cmd: string[]): Step {
  return { cmd, mode: 'sorted' };
}

diffSuite('set', {
  basics: [
    ['SADD', 's', 'a', 'b', 'c'],
    ['SADD', 's', 'a', 'd', 'd'],
    ['SADD', 's', 'a'],
    ['SCARD', 's'],
    ['SCARD', 'nokey'],
    ['SISMEMBER', 's', 'a'],
    ['SISMEMBER', 's', 'x'],
    ['SISMEMBER', 'nokey', 'x'],
    ['SMISMEMBER', 's', 'a', 'x', 'd', 'a'],
    ['SMISMEMBER', 'nokey', 'a', 'b'],
    sorted('SMEMBERS', 's'),
    ['SMEMBERS', 'nokey'],
    ['SREM', 's', 'a', 'x', 'a'],
    ['SREM', 'nokey', 'a'],
    sorted('SMEMBERS', 's'),
    ['SREM', 's', 'b', 'c', 'd'],
    ['EXISTS', 's'],
    ['SADD', 's', ''],
    ['SISMEMBER', 's', ''],
    ['SMEMBERS', 's'],
    ['TYPE', 's'],
    ['OBJECT', 'ENCODING', 's'],
  ],
  'intset: numeric order, canonical integers only': [
    ['SADD', 'i', '5', '-3', '100', I64_MIN, I64_MAX, '0', '42'],
    ['SMEMBERS', 'i'],
    ['OBJECT', 'ENCODING', 'i'],
    ['SSCAN', 'i', '0'],
    ['SSCAN', 'i', '0', 'MATCH', '*0*'],
    ['SISMEMBER', 'i', '05'],
    ['SISMEMBER', 'i', '+5'],
    ['SISMEMBER', 'i', '5'],
    ['SMISMEMBER', 'i', '-3', '-03', '100'],
    ['SREM', 'i', '100', '0100'],
    ['SMEMBERS', 'i'],
    ['SADD', 'j', '9223372036854775808'],
    ['OBJECT', 'ENCODING', 'j'],
    ['SADD', 'k', '-9223372036854775809'],
    ['OBJECT', 'ENCODING', 'k'],
    ['SADD', 'l', '01'],
    ['OBJECT', 'ENCODING', 'l'],
    ['SADD', 'm', '-0'],
    ['OBJECT', 'ENCODING', 'm'],
    ['SADD', 'n', '+1'],
    ['OBJECT', 'ENCODING', 'n'],
    ['SADD', 'o', ' 1'],
    ['OBJECT', 'ENCODING', 'o'],
    ['SADD', 'p', '1.0'],
    ['OBJECT', 'ENCODING', 'p'],
    ['SADD', 'q', '1', 'x'],
    ['OBJECT', 'ENCODING', 'q'],
    ['SREM', 'q', 'x'],
    ['OBJECT', 'ENCODING', 'q'],
    ['SADD', 'r', 'x', '1'],
    ['SREM', 'r', 'x'],
    ['OBJECT', 'ENCODING', 'r'],
  ],
  'encoding: intset up to 512 members, then hashtable for good': [
    ['SADD', 'i', ...range(512)],
    ['OBJECT', 'ENCODING', 'i'],
    ['SCARD', 'i'],
    ['SADD', 'i', '511'],
    ['OBJECT', 'ENCODING', 'i'],
    ['SADD', 'i', '512'],
    ['OBJECT', 'ENCODING', 'i'],
    ['SREM', 'i', '512', '511'],
    ['OBJECT', 'ENCODING', 'i'],
    sorted('SMEMBERS', 'i'),
    ['SADD', 'big', ...range(600)],
    ['OBJECT', 'ENCODING', 'big'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
    ['SADD', 'c', '1', '2', '3'],
    ['OBJECT', 'ENCODING', 'c'],
    ['SADD', 'c', '4'],
    ['OBJECT', 'ENCODING', 'c'],
    ['SADD', 'd', '1', '2', '3', '4'],
    ['OBJECT', 'ENCODING', 'd'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '0'],
    ['SADD', 'e', '1'],
    ['OBJECT', 'ENCODING', 'e'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ['COPY', 'big', 'big2'],
    ['OBJECT', 'ENCODING', 'big2'],
    ['SADD', 'small', '3', '1'],
    ['COPY', 'small', 'small2'],
    ['OBJECT', 'ENCODING', 'small2'],
    ['SMEMBERS', 'small2'],
  ],
  'binary members': [
    ['SADD', 'b', BIN, BIN2, 'x'],
    ['SISMEMBER', 'b', BIN],
    ['SMISMEMBER', 'b', BIN2, Buffer.from([0xff])],
    { cmd: ['SMEMBERS', 'b'], mode: 'sorted' },
    { cmd: ['SSCAN', 'b', '0'], mode: 'sorted' },
    ['SMOVE', 'b', 'b2', BIN],
    ['SMEMBERS', 'b2'],
    ['SREM', 'b', BIN2],
    ['SMEMBERS', 'b'],
  ],
  'arity and syntax errors': [
    ['SADD', 's'],
    ['SREM', 's'],
    ['SCARD'],
    ['SCARD', 's', 'x'],
    ['SISMEMBER', 's'],
    ['SISMEMBER', 's', 'a', 'b'],
    ['SMISMEMBER', 's'],
    ['SMEMBERS'],
    ['SMEMBERS', 's', 'x'],
    ['SPOP'],
    ['SPOP', 's', '1', '2'],
    ['SRANDMEMBER'],
    ['SRANDMEMBER', 's', '1', '2'],
    ['SMOVE', 'a', 'b'],
    ['SMOVE', 'a', 'b', 'c', 'd'],
    ['SINTER'],
    ['SINTERCARD', '1'],
    ['SINTERSTORE', 'd'],
    ['SUNION'],
    ['SUNIONSTORE', 'd'],
    ['SDIFF'],
    ['SDIFFSTORE', 'd'],
    ['SSCAN', 's'],
  ],
  wrongtype: [
    ...setup,
    ['SADD', 'str', 'a'],
    ['SREM', 'str', 'a'],
    ['SCARD', 'str'],
    ['SISMEMBER', 'str', 'a'],
    ['SMISMEMBER', 'str', 'a'],
    ['SMEMBERS', 'str'],
    ['SPOP', 'str'],
    ['SPOP', 'str', '2'],
    ['SPOP', 'str', '-2'],
    ['SRANDMEMBER', 'str'],
    ['SRANDMEMBER', 'str', '2'],
    ['SRANDMEMBER', 'str', 'x'],
    ['SMOVE', 'str', 'i', '1'],
    ['SMOVE', 'i', 'str', '1'],
    ['SMOVE', 'nokey', 'str', '1'],
    ['SMOVE', 'i', 'str', 'nope'],
    ['SINTER', 'i', 'str'],
    ['SINTER', 'nokey', 'str'],
    ['SINTER', 'str', 'nokey'],
    ['SINTERCARD', '2', 'i', 'str'],
    ['SINTERSTORE', 'd', 'i', 'str'],
    ['SUNION', 'i', 'str'],
    ['SUNIONSTORE', 'd', 'str'],
    ['SDIFF', 'i', 'str'],
    ['SDIFF', 'nokey', 'str'],
    ['SDIFFSTORE', 'd', 'str', 'i'],
    ['SSCAN', 'str', '0'],
    ['SSCAN', 'str', 'x'],
    ['EXISTS', 'd'],
    ['SMEMBERS', 'i'],
    ['HSET', 'i', 'a', '1'],
    ['LPUSH', 'i', 'a'],
  ],
  smove: [
    ...setup,
    ['SMOVE', 'i', 'dst', '3'],
    ['SMEMBERS', 'dst'],
    ['OBJECT', 'ENCODING', 'dst'],
    ['SMOVE', 'i', 'dst', 'nope'],
    ['SMOVE', 'nokey', 'dst', '3'],
    ['SMOVE', 'w', 'dst', 'a'],
    ['OBJECT', 'ENCODING', 'dst'],
    sorted('SMEMBERS', 'dst'),
    ['SMOVE', 'w', 'dst2', 'b'],
    ['OBJECT', 'ENCODING', 'dst2'],
    ['SMOVE', 'i', 'i', '1'],
    ['SMOVE', 'i', 'i', 'nope'],
    ['SMEMBERS', 'i'],
    ['SADD', 'dst', '1'],
    ['SMOVE', 'i', 'dst', '1'],
    ['SMEMBERS', 'i'],
    sorted('SMEMBERS', 'dst'),
    ['SADD', 'one', 'x'],
    ['SMOVE', 'one', 'dst', 'x'],
    ['EXISTS', 'one'],
    sorted('SMEMBERS', 'dst'),
  ],
  'sinter, sintercard, sinterstore': [
    ...setup,
    ['SADD', 'i2', '1', '2', '3', '4'],
    ['SADD', 'w2', 'a', 'c', 'z', '2'],
    ['SINTER', 'i', 'i2'],
    ['SINTER', 'i2', 'i'],
    ['SINTER', 'i'],
    ['SINTER', 'i', 'i'],
    sorted('SINTER', 'w', 'w2'),
    sorted('SINTER', 'w', 'i'),
    ['SINTER', 'i', 'w', 'i2'],
    ['SINTER', 'i', 'nokey'],
    ['SINTER', 'nokey'],
    ['SINTERCARD', '1', 'i'],
    ['SINTERCARD', '2', 'i', 'i2'],
    ['SINTERCARD', '2', 'w', 'w2'],
    ['SINTERCARD', '2', 'i', 'nokey'],
    ['SINTERCARD', '2', 'i', 'i2', 'LIMIT', '1'],
    ['SINTERCARD', '2', 'i', 'i2', 'limit', '0'],
    ['SINTERCARD', '2', 'i', 'i2', 'LIMIT', '100'],
    ['SINTERCARD', '1', 'i', 'LIMIT', '2', 'LIMIT', '3'],
    ['SINTERCARD', '0', 'i'],
    ['SINTERCARD', '-1', 'i'],
    ['SINTERCARD', 'x', 'i'],
    ['SINTERCARD', '3', 'i', 'i2'],
    ['SINTERCARD', '1', 'i', 'LIMIT'],
    ['SINTERCARD', '1', 'i', 'LIMIT', '-1'],
    ['SINTERCARD', '1', 'i', 'LIMIT', 'x'],
    ['SINTERCARD', '1', 'i', 'FOO', '1'],
    ['SINTERCARD', I64_MAX, 'i'],
    ['SINTERCARD', '99999999999999999999', 'i'],
    ['SINTERSTORE', 'd', 'i', 'i2'],
    ['SMEMBERS', 'd'],
    ['OBJECT', 'ENCODING', 'd'],
    ['SINTERSTORE', 'd', 'w', 'w2'],
    sorted('SMEMBERS', 'd'),
    ['OBJECT', 'ENCODING', 'd'],
    ['SINTERSTORE', 'd', 'i', 'nokey'],
    ['EXISTS', 'd'],
    ['SINTERSTORE', 'd', 'i', 'nokey'],
    ['SET', 'd', 'string'],
    ['EXPIRE', 'd', '100'],
    ['SINTERSTORE', 'd', 'i', 'i2'],
    ['TTL', 'd'],
    ['TYPE', 'd'],
    ['SINTERSTORE', 'i', 'i', 'i2'],
    ['SMEMBERS', 'i'],
    ['SINTERSTORE', 'e', 'i', 'w'],
    ['SINTERSTORE', 'e', 'i2', 'w2'],
    ['SMEMBERS', 'e'],
    ['SINTERSTORE', 'e', 'w', 'str'],
    ['SMEMBERS', 'e'],
  ],
  'sunion, sunionstore, sdiff, sdiffstore': [
    ...setup,
    ['SADD', 'i2', '1', '2', '3', '4', '99'],
    ['SADD', 'w2', 'a', 'c', 'z', '2'],
    ['SUNION', 'i', 'i2'],
    ['SUNION', 'i', 'nokey', 'i2'],
    ['SUNION', 'nokey'],
    sorted('SUNION', 'i', 'w'),
    sorted('SUNION', 'w', 'w2', 'nokey'),
    ['SDIFF', 'i', 'i2'],
    ['SDIFF', 'i2', 'i'],
    ['SDIFF', 'i', 'nokey'],
    ['SDIFF', 'nokey', 'i'],
    ['SDIFF', 'i', 'i'],
    ['SDIFF', 'i', 'i2', 'i'],
    sorted('SDIFF', 'w', 'w2'),
    ['SDIFF', 'w', 'w2', 'i'],
    ['SDIFF', 'i', 'w'],
    ['SUNIONSTORE', 'u', 'i', 'i2'],
    ['SMEMBERS', 'u'],
    ['OBJECT', 'ENCODING', 'u'],
    ['SUNIONSTORE', 'u', 'w', 'w2'],
    ['OBJECT', 'ENCODING', 'u'],
    sorted('SMEMBERS', 'u'),
    ['SUNIONSTORE', 'u', 'nokey'],
    ['EXISTS', 'u'],
    ['SDIFFSTORE', 'df', 'i', 'i2'],
    ['SMEMBERS', 'df'],
    ['OBJECT', 'ENCODING', 'df'],
    ['SDIFFSTORE', 'df', 'w', 'i'],
    ['OBJECT', 'ENCODING', 'df'],
    sorted('SMEMBERS', 'df'),
    ['SDIFFSTORE', 'df', 'i', 'i'],
    ['EXISTS', 'df'],
    ['SDIFFSTORE', 'i', 'i', 'i2'],
    ['SMEMBERS', 'i'],
    ['SUNIONSTORE', 'str', 'i'],
    ['TYPE', 'str'],
    ['SMEMBERS', 'str'],
    ['SADD', 'big', ...range(600)],
    ['SADD', 'big2', ...range(300)],
    ['SDIFFSTORE', 'd600', 'big', 'big2'],
    ['SCARD', 'd600'],
    ['OBJECT', 'ENCODING', 'd600'],
    ['SUNIONSTORE', 'u600', 'big2', 'i'],
    ['OBJECT', 'ENCODING', 'u600'],
    ['SUNIONSTORE', 'u600', 'big', 'i'],
    ['OBJECT', 'ENCODING', 'u600'],
    ['SINTERCARD', '2', 'big', 'big2'],
    ['SINTERCARD', '2', 'big', 'big2', 'LIMIT', '10'],
  ],
  'spop and srandmember: errors and deterministic shapes': [
    ['SADD', 'one', 'x'],
    ['SADD', 'i', '3', '1', '2'],
    ['SPOP', 'nokey'],
    ['SPOP', 'nokey', '3'],
    ['SPOP', 'nokey', '0'],
    ['SPOP', 'i', '0'],
    ['SPOP', 'i', '-1'],
    ['SPOP', 'i', 'x'],
    ['SPOP', 'i', '1.5'],
    ['SPOP', 'i', '-0'],
    ['SPOP', 'i', I64_MIN],
    ['SRANDMEMBER', 'nokey'],
    ['SRANDMEMBER', 'nokey', '5'],
    ['SRANDMEMBER', 'nokey', '-5'],
    ['SRANDMEMBER', 'one'],
    ['SRANDMEMBER', 'one', '1'],
    ['SRANDMEMBER', 'one', '-3'],
    ['SRANDMEMBER', 'one', '3'],
    ['SRANDMEMBER', 'i', '0'],
    ['SRANDMEMBER', 'i', '3'],
    ['SRANDMEMBER', 'i', I64_MAX],
    ['SRANDMEMBER', 'i', 'x'],
    ['SRANDMEMBER', 'i', '-0'],
    ['SRANDMEMBER', 'i', I64_MIN],
    ['SRANDMEMBER', 'i', '99999999999999999999'],
    ['SPOP', 'one'],
    ['EXISTS', 'one'],
    ['SADD', 'one', 'y'],
    ['SPOP', 'one', '1'],
    ['EXISTS', 'one'],
    ['SPOP', 'i', '10'],
    ['EXISTS', 'i'],
    ['SADD', 'i', '3', '1', '2'],
    ['SPOP', 'i', I64_MAX],
    ['EXISTS', 'i'],
    ['SADD', 'w', 'a', 'b', 'c'],
    sorted('SPOP', 'w', '3'),
    ['EXISTS', 'w'],
    { cmd: ['SADD', 'w', 'a', 'b', 'c'], mode: 'exact' },
    { cmd: ['SPOP', 'w'], mode: 'type' },
    { cmd: ['SPOP', 'w', '1'], mode: 'type' },
    { cmd: ['SRANDMEMBER', 'w', '-5'], mode: 'type' },
    ['SCARD', 'w'],
  ],
  'sscan: small sets in one step, options, errors': [
    ['SADD', 'w', 'alpha', 'beta', 'gamma', ''],
    ['SADD', 'i', '1', '22', '333'],
    sorted('SSCAN', 'w', '0'),
    ['SSCAN', 'i', '0'],
    ['SSCAN', 'i', '99'],
    ['SSCAN', 'i', '0', 'COUNT', '1'],
    ['SSCAN', 'i', '0', 'MATCH', '2*'],
    ['SSCAN', 'i', '0', 'match', '*3', 'count', '100'],
    sorted('SSCAN', 'w', '0', 'MATCH', '*'),
    sorted('SSCAN', 'w', '0', 'MATCH', '**'),
    ['SSCAN', 'nokey', '0'],
    ['SSCAN', 'nokey', '0', 'GARBAGE'],
    ['SSCAN', 'nokey', 'x'],
    ['SSCAN', 'i', 'x'],
    ['SSCAN', 'i', '-1'],
    ['SSCAN', 'i', '0', 'COUNT', '0'],
    ['SSCAN', 'i', '0', 'COUNT', 'x'],
    ['SSCAN', 'i', '0', 'COUNT'],
    ['SSCAN', 'i', '0', 'TYPE', 'set'],
  ],
  'emptied set is deleted; MULTI': [
    ['SADD', 's', 'a'],
    ['MULTI'],
    ['SREM', 's', 'a'],
    ['EXISTS', 's'],
    ['SADD', 's', 'b'],
    ['SMEMBERS', 's'],
    ['EXEC'],
    ['SPOP', 's'],
    ['EXISTS', 's'],
  ],
});

// ---- random replies, whole-iteration SSCAN, command table, notifications ----

async function fullScan(c: RawClient, k: string, extra: string[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  let steps = 0;
  do {
    const r = (await c.call('SSCAN', k, cursor, ...extra)) as [Buffer, Buffer[]];
    cursor = r[0].toString('latin1');
    for (const x of r[1]) seen.push(x.toString('latin1'));
    assert.ok(++steps < 100000, 'scan does not terminate');
  } while (cursor !== '0');
  return [...new Set(seen)].sort();
}

/** Members of an array or RESP3 set reply. */
function strs(v: RespValue): string[] {
  const items = Array.isArray(v) ? v : (v as { set: RespValue[] }).set;
  return (items as Buffer[]).map((b) => b.toString('latin1'));
}

describe('differential: set randomness, scans and keyspace notifications', {
  skip: redisServerPath() ? false : 'no redis-server',
}, () => {
  let ours: Running;
  let ref: Running;
  const args = ['--notify-keyspace-events', 'KEA'];
  let a: RawClient;
  let b: RawClient;
  before(async () => {
    [ours, ref] = (await Promise.all([startRedoubt({ args }), startRedis(args)])) as [Running, Running];
    a = await RawClient.connect({ port: ours.port });
    b = await RawClient.connect({ port: ref.port });
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  it('SSCAN over a hashtable: the same members after a full iteration', async () => {
    for (const c of [a, b]) {
      await c.call('FLUSHALL');
      await c.call('SADD', 'big', ...range(1000, 'm'), BIN, '');
      await c.call('SADD', 'ints', ...range(2000));
    }
    assert.equal(String(await a.call('OBJECT', 'ENCODING', 'big')), 'hashtable');
    assert.equal(String(await a.call('OBJECT', 'ENCODING', 'ints')), 'hashtable');
    for (const k of ['big', 'ints']) {
      for (const extra of [
        [],
        ['COUNT', '7'],
        ['COUNT', '5000'],
        ['MATCH', '*9'],
        ['MATCH', 'm1*', 'COUNT', '3'],
      ]) {
        assert.deepEqual(
          await fullScan(a, k, extra),
          await fullScan(b, k, extra),
          `SSCAN ${k} ${extra.join(' ')}`,
        );
      }
    }
  });

  it('SSCAN guarantee: members present throughout are returned while others come and go', async () => {
    await a.call('FLUSHALL');
    await a.call('SADD', 's', ...range(500, 'stay'), ...range(500, 'churn'));
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const r = (await a.call('SSCAN', 's', cursor, 'COUNT', '15')) as [Buffer, Buffer[]];
      cursor = r[0].toString('latin1');
      for (const m of r[1]) seen.add(m.toString('latin1'));
      await a.call('SREM', 's', `churn${round}`, `churn${499 - round}`);
      await a.call('SPOP', 's', '0');
      await a.call('SADD', 's', `new${round}`, `new${round + 1000}`);
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 500; i++) assert.ok(seen.has(`stay${i}`), `stay${i} missed`);
  });

  it('SPOP / SRANDMEMBER with a count: sizes, uniqueness, membership and reply types as Redis', async () => {
    for (const [k, members] of [
      ['ints', range(20)],
      ['words', range(300, 'w')],
    ] as const) {
      for (const c of [a, b]) {
        await c.call('FLUSHALL');
        await c.call('SADD', k, ...members);
      }
      const all = new Set<string>(members);
      for (const n of [1, 2, 5, 15, 19]) {
        for (const c of [a, b]) {
          const u = strs(await c.call('SRANDMEMBER', k, String(n)));
          assert.equal(u.length, n);
          assert.equal(new Set(u).size, n, 'SRANDMEMBER positive count: distinct members');
          for (const m of u) assert.ok(all.has(m));
          const r = strs(await c.call('SRANDMEMBER', k, String(-n * 3)));
          assert.equal(r.length, n * 3);
          for (const m of r) assert.ok(all.has(m));
        }
        // the reply types (array for SRANDMEMBER, set for SPOP in RESP3) come from the raw bytes
        for (const proto of ['2', '3']) {
          const [x, y] = await Promise.all([a.raw('HELLO', proto), b.raw('HELLO', proto)]);
          assert.ok(x.length > 0 && y.length > 0);
          const [ra, rb] = [
            await a.raw('SRANDMEMBER', k, String(n)),
            await b.raw('SRANDMEMBER', k, String(n)),
          ];
          assert.equal(ra[0], rb[0], 'SRANDMEMBER reply type');
        }
      }
      // SPOP with a count removes exactly what it returns
      for (const c of [a, b]) {
        await c.call('HELLO', '3');
        const popped = await c.raw('SPOP', k, '7');
        assert.equal(String.fromCharCode(popped[0]), '~');
        const p = strs(decode(popped, 0)[0]);
        assert.equal(new Set(p).size, 7);
        const left = strs(await c.call('SMEMBERS', k));
        assert.equal(left.length, members.length - 7);
        for (const m of p) assert.ok(!left.includes(m) && all.has(m));
        const pop1 = strs(await c.call('SPOP', k, String(members.length - 8)));
        assert.equal(pop1.length, members.length - 8);
        assert.equal(Number(await c.call('SCARD', k)), 1);
        await c.call('HELLO', '2');
      }
    }
  });

  it('SRANDMEMBER covers every member, roughly uniformly', async () => {
    await a.call('FLUSHALL');
    await a.call('SADD', 's', ...range(10, 'x'));
    const counts = new Map<string, number>();
    for (const m of strs(await a.call('SRANDMEMBER', 's', '-5000'))) counts.set(m, (counts.get(m) ?? 0) + 1);
    assert.equal(counts.size, 10);
    for (const [, n] of counts) assert.ok(n > 350 && n < 650, `frequency ${n} of 5000 for 1 in 10`);
  });

  it('a huge negative count is refused instead of exhausting memory', async () => {
    await a.call('FLUSHALL');
    await a.call('SADD', 's', 'a', 'b');
    await a.call('HSET', 'h', 'a', '1');
    const r1 = await a.raw('SRANDMEMBER', 's', '-9223372036854775807');
    assert.match(r1.toString(), /^-ERR count is too large/);
    const r2 = await a.raw('HRANDFIELD', 'h', '-4611686018427387903', 'WITHVALUES');
    assert.match(r2.toString(), /^-ERR count is too large/);
    assert.equal(String(await a.call('PING')), 'PONG');
  });

  it('random command sequences: the same replies and encodings as Redis (property)', async () => {
    const k = fc.constantFrom('s1', 's2', 's3', 'str');
    const m = fc.constantFrom('1', '2', '3', '10', '-7', 'a', 'b', '', '01');
    const ms = fc.array(m, { minLength: 1, maxLength: 4 });
    const cmd: fc.Arbitrary<string[]> = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(k, ms).map(([x, y]) => ['SADD', x, ...y]) },
      { weight: 3, arbitrary: fc.tuple(k, ms).map(([x, y]) => ['SREM', x, ...y]) },
      { weight: 2, arbitrary: fc.tuple(k, k, m).map(([x, y, z]) => ['SMOVE', x, y, z]) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'),
            k,
            fc.array(k, { minLength: 1, maxLength: 3 }),
          )
          .map(([c, d, ks]) => [c, d, ...ks]),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), fc.array(k, { minLength: 1, maxLength: 3 }))
          .map(([c, ks]) => [c, ...ks]),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(k, { minLength: 1, maxLength: 3 })
          .map((ks) => ['SINTERCARD', String(ks.length), ...ks]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('SMEMBERS', 'SCARD', 'EXISTS', 'TYPE'), k)
          .map(([c, x]) => [c, x]),
      },
      { weight: 2, arbitrary: fc.tuple(k, ms).map(([x, y]) => ['SMISMEMBER', x, ...y]) },
      { weight: 2, arbitrary: k.map((x) => ['OBJECT', 'ENCODING', x]) },
      { weight: 1, arbitrary: k.map((x) => ['SSCAN', x, '0', 'COUNT', '100']) },
    );
    const pair = { redoubt: a, redis: b };
    for (const c of [a, b]) await c.call('CONFIG', 'SET', 'set-max-intset-entries', '4');
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(cmd, { maxLength: 40 }), async (cmds) => {
          for (const c of [a, b]) await c.call('FLUSHALL');
          await compare(pair, ['SET', 'str', 'x']);
          for (const c of cmds) await compare(pair, c, 'sorted');
        }),
        { numRuns: 40 },
      );
    } finally {
      for (const c of [a, b]) await c.call('CONFIG', 'SET', 'set-max-intset-entries', '512');
    }
  });

  function events(port: number): Promise<string[]> {
    return keyspaceEvents(port, [
      ['SADD', 's', 'a', 'b', 'c', 'd'],
      ['SADD', 's', 'a'],
      ['SREM', 's', 'nope'],
      ['SREM', 's', 'a'],
      ['SMOVE', 's', 't', 'b'],
      ['SMOVE', 's', 't', 'nope'],
      ['SMOVE', 's', 's', 'c'],
      ['SADD', 'u', 'c'],
      ['SMOVE', 's', 'u', 'c'],
      ['SMOVE', 's', 'u', 'd'],
      ['SADD', 'x', '1', '2', '3'],
      ['SADD', 'y', '2', '3', '4'],
      ['SINTERSTORE', 'i', 'x', 'y'],
      ['SINTERSTORE', 'i', 'x', 'nokey'],
      ['SINTERSTORE', 'i', 'x', 'nokey'],
      ['SUNIONSTORE', 'un', 'x', 'y'],
      ['SUNIONSTORE', 'un', 'nokey'],
      ['SDIFFSTORE', 'df', 'x', 'y'],
      ['SDIFFSTORE', 'df', 'x', 'x'],
      ['SPOP', 'x', '0'],
      ['SPOP', 'x', '1'],
      ['SPOP', 'x', '5'],
      ['SADD', 'z', '1'],
      ['SPOP', 'z'],
      ['SPOP', 'y', '10'],
      ['SINTER', 'u', 't'],
      ['DEL', 'u'],
    ]);
  }

  it('keyspace notifications: same events in the same order', async () => {
    const x = await events(ours.port);
    const y = await events(ref.port);
    assert.deepEqual(x, y);
    assert.ok(x.length > 30, `only ${x.length} events`);
  });
});
