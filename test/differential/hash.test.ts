import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from '../helpers/servers';
import { keyspaceEvents } from './events';
import { compare, diffSuite, type Step } from './harness';

const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const BIN = Buffer.from([0, 1, 2, 0xff, 0x80, 13, 10, 0x7f]);
const BIN2 = Buffer.from([0xff, 0, 0xfe]);

/** `n` field/value pairs f0 v0 f1 v1 ... */
function pairs(n: number, prefix = 'f'): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}${i}`, `v${i}`);
  return out;
}

/** HINCRBYFLOAT: start value (null: missing field) and the increments applied in turn. */
const floatCases: [string | null, string[]][] = [
  [null, ['0.1', '0.2']],
  ['10.50', ['0.1']],
  ['5.0e3', ['2.0e2']],
  ['0', ['1000.1']],
  ['1000.1', ['-1000']],
  ['-0', ['-0']],
  ['3', ['-3.0000000000000001']],
  ['0', ['1e400']],
  ['0', ['1e-4940']],
  ['1.18e4932', ['1.18e4932']],
  ['0', ['0x10', '0x1.8p3']],
  ['0', ['+5', '.5', '5.', '5e+2', '5E-2']],
  [I64_MAX, ['1']],
  [I64_MIN, ['-1.5']],
  ['inf', ['1']],
  ['-inf', ['1']],
  ['nan', ['1']],
  [' 1', ['1']],
  ['1 ', ['1']],
  ['', ['1']],
  ['abc', ['1']],
  ['1', ['inf']],
  ['1', ['-inf']],
  ['1', ['+inf']],
  ['1', ['nan']],
  ['1', ['']],
  ['1', [' 1']],
  ['1', ['1e']],
  ['1', ['1.2.3']],
];

const floatSteps: Step[] = [];
floatCases.forEach(([start, incs], i) => {
  const k = `f${i}`;
  if (start !== null) floatSteps.push(['HSET', 'hf', k, start]);
  for (const inc of incs) floatSteps.push(['HINCRBYFLOAT', 'hf', k, inc]);
  floatSteps.push(['HGET', 'hf', k]);
});

const setup: Step[] = [
  ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
  ['SET', 's', 'str'],
];

diffSuite('hash', {
  basics: [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HSET', 'h', 'a', '3', 'c', '4'],
    ['HSET', 'h', 'c', '4'],
    ['HGET', 'h', 'a'],
    ['HGET', 'h', 'x'],
    ['HGET', 'nokey', 'a'],
    ['HMGET', 'h', 'a', 'x', 'c', 'a'],
    ['HMGET', 'nokey', 'a', 'b'],
    ['HLEN', 'h'],
    ['HLEN', 'nokey'],
    ['HSTRLEN', 'h', 'a'],
    ['HSTRLEN', 'h', 'x'],
    ['HSTRLEN', 'nokey', 'x'],
    ['HEXISTS', 'h', 'a'],
    ['HEXISTS', 'h', 'x'],
    ['HEXISTS', 'nokey', 'x'],
    ['HKEYS', 'h'],
    ['HVALS', 'h'],
    ['HGETALL', 'h'],
    ['HGETALL', 'nokey'],
    ['HKEYS', 'nokey'],
    ['HVALS', 'nokey'],
    ['HMSET', 'h', 'd', '5', 'e', '6'],
    ['HSETNX', 'h', 'd', '6'],
    ['HSETNX', 'h', 'f', '7'],
    ['HSETNX', 'new', 'f', '7'],
    ['HGETALL', 'h'],
    ['HGETALL', 'new'],
    ['OBJECT', 'ENCODING', 'h'],
    ['TYPE', 'h'],
    ['HSET', 'h', 'e', ''],
    ['HSTRLEN', 'h', 'e'],
    ['HSET', 'h', '', 'empty-field'],
    ['HGET', 'h', ''],
    ['HGETALL', 'h'],
  ],
  'listpack order: updates in place, deletes close the gap': [
    ['HSET', 'h', 'z', '1', 'y', '2', 'x', '3', 'w', '4'],
    ['HSET', 'h', 'y', 'changed'],
    ['HDEL', 'h', 'x'],
    ['HSET', 'h', 'x', 'back'],
    ['HGETALL', 'h'],
    ['HKEYS', 'h'],
    ['HVALS', 'h'],
    ['HSCAN', 'h', '0'],
  ],
  hdel: [
    ...setup,
    ['HDEL', 'h', 'a'],
    ['HDEL', 'h', 'a'],
    ['HDEL', 'h', 'x', 'b', 'b', 'y'],
    ['HDEL', 'nokey', 'a'],
    ['HGETALL', 'h'],
    ['HDEL', 'h', 'c', 'zz'],
    ['EXISTS', 'h'],
    ['HLEN', 'h'],
    ['HSET', 'h2', 'a', '1', 'b', '2'],
    ['HDEL', 'h2', 'a', 'b', 'a'],
    ['EXISTS', 'h2'],
    ['DBSIZE'],
  ],
  'binary fields and values': [
    ['HSET', 'bin', BIN, BIN2, BIN2, BIN],
    ['HGET', 'bin', BIN],
    ['HGET', 'bin', BIN2],
    ['HMGET', 'bin', BIN2, BIN, 'x'],
    ['HGETALL', 'bin'],
    ['HSTRLEN', 'bin', BIN],
    ['HEXISTS', 'bin', BIN2],
    ['HSCAN', 'bin', '0'],
    ['HINCRBY', 'bin', Buffer.from([0xc3, 0x28]), '5'],
    ['HGETALL', 'bin'],
    ['HDEL', 'bin', BIN],
    ['HKEYS', 'bin'],
  ],
  'arity and syntax errors': [
    ['HSET', 'h'],
    ['HSET', 'h', 'a'],
    ['HSET', 'h', 'a', '1', 'b'],
    ['HMSET', 'h', 'a'],
    ['HMSET', 'h', 'a', '1', 'b'],
    ['HSETNX', 'h', 'a'],
    ['HSETNX', 'h', 'a', '1', '2'],
    ['HGET', 'h'],
    ['HGET', 'h', 'a', 'b'],
    ['HMGET', 'h'],
    ['HDEL', 'h'],
    ['HLEN'],
    ['HLEN', 'h', 'x'],
    ['HSTRLEN', 'h'],
    ['HEXISTS', 'h'],
    ['HKEYS'],
    ['HVALS', 'a', 'b'],
    ['HGETALL'],
    ['HINCRBY', 'h', 'f'],
    ['HINCRBYFLOAT', 'h', 'f'],
    ['HRANDFIELD'],
    ['HSCAN', 'h'],
    ['EXISTS', 'h'],
  ],
  wrongtype: [
    ...setup,
    ['HSET', 's', 'a', '1'],
    ['HMSET', 's', 'a', '1'],
    ['HSETNX', 's', 'a', '1'],
    ['HGET', 's', 'a'],
    ['HMGET', 's', 'a'],
    ['HDEL', 's', 'a'],
    ['HLEN', 's'],
    ['HSTRLEN', 's', 'a'],
    ['HEXISTS', 's', 'a'],
    ['HKEYS', 's'],
    ['HVALS', 's'],
    ['HGETALL', 's'],
    ['HINCRBY', 's', 'a', '1'],
    ['HINCRBY', 's', 'a', 'x'],
    ['HINCRBYFLOAT', 's', 'a', '1'],
    ['HINCRBYFLOAT', 's', 'a', 'x'],
    ['HINCRBYFLOAT', 's', 'a', 'inf'],
    ['HRANDFIELD', 's'],
    ['HRANDFIELD', 's', '2'],
    ['HRANDFIELD', 's', '-2', 'WITHVALUES'],
    ['HRANDFIELD', 's', 'x'],
    ['HSCAN', 's', '0'],
    ['HSCAN', 's', 'x'],
    ['HSCAN', 's', '0', 'BADOPT'],
    ['LPUSH', 'h', 'x'],
    ['SADD', 'h', 'x'],
    ['GET', 'h'],
    ['GET', 's'],
  ],
  hincrby: [
    ['HINCRBY', 'h', 'n', '5'],
    ['HINCRBY', 'h', 'n', '-12'],
    ['HINCRBY', 'h', 'n', '0'],
    ['HGET', 'h', 'n'],
    ['HSET', 'h', 'max', I64_MAX, 'min', I64_MIN, 'str', 'abc', 'float', '1.5', 'sp', ' 1', 'lead', '01'],
    ['HINCRBY', 'h', 'max', '1'],
    ['HINCRBY', 'h', 'max', '-1'],
    ['HINCRBY', 'h', 'max', '1'],
    ['HINCRBY', 'h', 'min', '-1'],
    ['HINCRBY', 'h', 'min', I64_MAX],
    ['HINCRBY', 'h', 'min', '0'],
    ['HINCRBY', 'h', 'str', '1'],
    ['HINCRBY', 'h', 'float', '1'],
    ['HINCRBY', 'h', 'sp', '1'],
    ['HINCRBY', 'h', 'lead', '1'],
    ['HINCRBY', 'h', 'n', '1.5'],
    ['HINCRBY', 'h', 'n', ' 1'],
    ['HINCRBY', 'h', 'n', '+1'],
    ['HINCRBY', 'h', 'n', '99999999999999999999'],
    ['HINCRBY', 'h', 'n', I64_MIN],
    ['HINCRBY', 'h', 'big', '4503599627370496'],
    ['HINCRBY', 'h', 'big', '4503599627370496'],
    ['HINCRBY', 'h', 'big', '-9007199254740993'],
    ['HINCRBY', 'nokey', 'f', 'x'],
    ['EXISTS', 'nokey'],
    ['HGETALL', 'h'],
    ['HINCRBYFLOAT', 'h', 'n', '0.5'],
    ['HINCRBY', 'h', 'n', '1'],
  ],
  hincrbyfloat: floatSteps,
  'hincrbyfloat missing key and errors': [
    ['HINCRBYFLOAT', 'nokey', 'f', 'inf'],
    ['HINCRBYFLOAT', 'nokey', 'f', 'abc'],
    ['EXISTS', 'nokey'],
    ['HINCRBYFLOAT', 'nokey', 'f', '1.5'],
    ['HGETALL', 'nokey'],
  ],
  'encoding: listpack up to 128 fields of at most 64 bytes, then hashtable for good': [
    ['HSET', 'h', ...pairs(128)],
    ['OBJECT', 'ENCODING', 'h'],
    ['HSET', 'h', 'f0', 'again'],
    ['OBJECT', 'ENCODING', 'h'],
    ['HSET', 'h', 'f128', 'v'],
    ['OBJECT', 'ENCODING', 'h'],
    ['HDEL', 'h', 'f128', 'f127', 'f126'],
    ['OBJECT', 'ENCODING', 'h'],
    ['HLEN', 'h'],
    { cmd: ['HGETALL', 'h'], mode: 'sorted' },
    ['HSET', 'v64', 'f', 'x'.repeat(64)],
    ['OBJECT', 'ENCODING', 'v64'],
    ['HSET', 'v65', 'f', 'x'.repeat(65)],
    ['OBJECT', 'ENCODING', 'v65'],
    ['HSET', 'f65', 'y'.repeat(65), 'x'],
    ['OBJECT', 'ENCODING', 'f65'],
    ['HSETNX', 'nx65', 'f', 'x'.repeat(65)],
    ['OBJECT', 'ENCODING', 'nx65'],
    ['HINCRBY', 'i65', 'y'.repeat(65), '1'],
    ['OBJECT', 'ENCODING', 'i65'],
    ['HINCRBYFLOAT', 'fl65', 'y'.repeat(65), '1.5'],
    ['OBJECT', 'ENCODING', 'fl65'],
    ['HSET', 'grow', 'f', 'short'],
    ['HSET', 'grow', 'f', 'x'.repeat(100)],
    ['OBJECT', 'ENCODING', 'grow'],
    ['HSET', 'grow', 'f', 'short'],
    ['OBJECT', 'ENCODING', 'grow'],
    ['HSET', 'many', ...pairs(200)],
    ['OBJECT', 'ENCODING', 'many'],
    { cmd: ['HKEYS', 'many'], mode: 'sorted' },
    { cmd: ['HVALS', 'many'], mode: 'sorted' },
    ['COPY', 'many', 'many2'],
    ['OBJECT', 'ENCODING', 'many2'],
    ['COPY', 'v64', 'v64b'],
    ['OBJECT', 'ENCODING', 'v64b'],
    ['HGETALL', 'v64b'],
  ],
  'encoding follows CONFIG SET': [
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '3'],
    ['HSET', 'a', 'f1', 'v1', 'f2', 'v2'],
    ['OBJECT', 'ENCODING', 'a'],
    ['HSET', 'a', 'f3', 'v3'],
    ['OBJECT', 'ENCODING', 'a'],
    ['HSET', 'b', 'f', 'abc'],
    ['OBJECT', 'ENCODING', 'b'],
    ['HSET', 'b', 'f', 'abcd'],
    ['OBJECT', 'ENCODING', 'b'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
    ['HSET', 'c', 'f', 'v'],
    ['OBJECT', 'ENCODING', 'c'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
  ],
  'hrandfield: errors and deterministic shapes': [
    ['HSET', 'one', 'f', 'v'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HRANDFIELD', 'nokey'],
    ['HRANDFIELD', 'nokey', '3'],
    ['HRANDFIELD', 'nokey', '-3', 'WITHVALUES'],
    ['HRANDFIELD', 'one'],
    ['HRANDFIELD', 'one', '1'],
    ['HRANDFIELD', 'one', '-1'],
    ['HRANDFIELD', 'one', '-4'],
    ['HRANDFIELD', 'one', '-4', 'WITHVALUES'],
    ['HRANDFIELD', 'one', '1', 'withvalues'],
    ['HRANDFIELD', 'one', '5', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '0'],
    ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '3'],
    ['HRANDFIELD', 'h', '100', 'WITHVALUES'],
    ['HRANDFIELD', 'h', I64_MAX],
    ['HRANDFIELD', 'h', 'abc'],
    ['HRANDFIELD', 'h', '1.5'],
    ['HRANDFIELD', 'h', '-0'],
    ['HRANDFIELD', 'h', I64_MIN],
    ['HRANDFIELD', 'h', '99999999999999999999'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUE'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
    ['HRANDFIELD', 'h', 'abc', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '-4611686018427387903', 'FOO'],
    ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'nokey', '-4611686018427387904', 'WITHVALUES'],
    { cmd: ['HRANDFIELD', 'h', '-5'], mode: 'type' },
    { cmd: ['HRANDFIELD', 'h', '2', 'WITHVALUES'], mode: 'type' },
  ],
  'hscan: small hashes in one step, options, errors': [
    ['HSET', 'h', 'alpha', '1', 'beta', '2', 'gamma', '3', '', 'empty'],
    ['HSCAN', 'h', '0'],
    ['HSCAN', 'h', '123'],
    ['HSCAN', 'h', '0', 'COUNT', '1'],
    ['HSCAN', 'h', '0', 'MATCH', '*a'],
    ['HSCAN', 'h', '0', 'match', 'b*', 'count', '100'],
    ['HSCAN', 'h', '0', 'MATCH', '*'],
    ['HSCAN', 'h', '0', 'MATCH', '**'],
    ['HSCAN', 'h', '0', 'MATCH', 'nothing'],
    ['HSCAN', 'h', '0', 'MATCH', 'x', 'MATCH', 'a*'],
    ['HSCAN', 'nokey', '0'],
    ['HSCAN', 'nokey', '0', 'GARBAGE'],
    ['HSCAN', 'nokey', 'x'],
    ['HSCAN', 'h', 'x'],
    ['HSCAN', 'h', '-1'],
    ['HSCAN', 'h', ' 0'],
    ['HSCAN', 'h', '18446744073709551616'],
    ['HSCAN', 'h', '0', 'COUNT', '0'],
    ['HSCAN', 'h', '0', 'COUNT', '-1'],
    ['HSCAN', 'h', '0', 'COUNT', 'x'],
    ['HSCAN', 'h', '0', 'COUNT'],
    ['HSCAN', 'h', '0', 'MATCH'],
    ['HSCAN', 'h', '0', 'TYPE', 'string'],
    ['HSCAN', 'h', '0', 'NOVALUES'],
    ['HSCAN', 'h', '0', 'COUNT', '1', 'BOGUS', 'x'],
  ],
  'emptied hash is deleted; MULTI': [
    ['HSET', 'h', 'a', '1'],
    ['MULTI'],
    ['HDEL', 'h', 'a'],
    ['HSET', 'h', 'b', '2'],
    ['HGETALL', 'h'],
    ['EXEC'],
    ['HSET', 'h', 'c', '3', 'd'],
    ['HGETALL', 'h'],
  ],
});

// ---- whole-iteration HSCAN, command table, notifications ----

async function fullScan(c: RawClient, cmd: string, k: string, extra: string[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  let steps = 0;
  do {
    const r = (await c.call(cmd, k, cursor, ...extra)) as [Buffer, Buffer[]];
    cursor = r[0].toString('latin1');
    for (const x of r[1]) seen.push(x.toString('latin1'));
    assert.ok(++steps < 100000, 'scan does not terminate');
  } while (cursor !== '0');
  return seen;
}

/** HSCAN replies flattened into field=value strings, sorted. */
function fieldValues(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
  return out.sort();
}

describe('differential: hash scans and keyspace notifications', {
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

  it('HSCAN over a hashtable: the same field/value pairs after a full iteration', async () => {
    for (const c of [a, b]) {
      await c.call('FLUSHALL');
      for (let i = 0; i < 1000; i += 100) await c.call('HSET', 'big', ...pairs(100, `k${i}_`));
      await c.call('HSET', 'big', BIN, BIN2, '', 'e');
    }
    assert.equal(String(await a.call('OBJECT', 'ENCODING', 'big')), 'hashtable');
    for (const extra of [
      [],
      ['COUNT', '7'],
      ['COUNT', '1000'],
      ['MATCH', 'k1*'],
      ['MATCH', '*_9', 'COUNT', '3'],
    ]) {
      const x = fieldValues(await fullScan(a, 'HSCAN', 'big', extra));
      const y = fieldValues(await fullScan(b, 'HSCAN', 'big', extra));
      // Redis may return an element twice (rehashing); compare the distinct pairs
      assert.deepEqual([...new Set(x)], [...new Set(y)], `HSCAN ${extra.join(' ')}`);
    }
  });

  it('HSCAN guarantee: fields present throughout are returned while others come and go', async () => {
    await a.call('FLUSHALL');
    await a.call('HSET', 'h', ...pairs(500, 'stay'));
    await a.call('HSET', 'h', ...pairs(500, 'churn'));
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const r = (await a.call('HSCAN', 'h', cursor, 'COUNT', '20')) as [Buffer, Buffer[]];
      cursor = r[0].toString('latin1');
      for (let i = 0; i < r[1].length; i += 2) seen.add(r[1][i].toString('latin1'));
      // delete some churn fields, add new ones, and rewrite a staying one
      await a.call('HDEL', 'h', `churn${round}`, `churn${499 - round}`);
      await a.call('HSET', 'h', `new${round}`, 'x', `stay${round % 500}`, 'rewritten');
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 500; i++) assert.ok(seen.has(`stay${i}`), `stay${i} missed`);
  });

  it('random command sequences: the same replies and encodings as Redis (property)', async () => {
    const k = fc.constantFrom('h1', 'h2', 'str');
    const f = fc.constantFrom('a', 'b', 'c', 'd', 'e', '', 'long-field-name');
    const v = fc.constantFrom('1', '-5', '2.5', 'x', '', '9223372036854775807', 'twelve-bytes');
    const fv = fc.array(fc.tuple(f, v), { minLength: 1, maxLength: 3 }).map((x) => x.flat());
    const cmd: fc.Arbitrary<string[]> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.tuple(fc.constantFrom('HSET', 'HMSET'), k, fv).map(([c, x, y]) => [c, x, ...y]),
      },
      { weight: 2, arbitrary: fc.tuple(k, f, v).map(([x, y, z]) => ['HSETNX', x, y, z]) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(k, fc.array(f, { minLength: 1, maxLength: 3 }))
          .map(([x, y]) => ['HDEL', x, ...y]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(k, f, fc.constantFrom('1', '-3', '100', 'x'))
          .map(([x, y, z]) => ['HINCRBY', x, y, z]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(k, f, fc.constantFrom('0.1', '-2.5', '1e3', 'inf'))
          .map(([x, y, z]) => ['HINCRBYFLOAT', x, y, z]),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom('HGETALL', 'HKEYS', 'HVALS', 'HLEN', 'EXISTS', 'TYPE'), k)
          .map(([c, x]) => [c, x]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(k, fc.array(f, { minLength: 1, maxLength: 3 }))
          .map(([x, y]) => ['HMGET', x, ...y]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('HGET', 'HSTRLEN', 'HEXISTS'), k, f)
          .map(([c, x, y]) => [c, x, y]),
      },
      { weight: 2, arbitrary: k.map((x) => ['OBJECT', 'ENCODING', x]) },
      { weight: 1, arbitrary: k.map((x) => ['HSCAN', x, '0', 'COUNT', '100']) },
      { weight: 1, arbitrary: k.map((x) => ['HRANDFIELD', x, '100', 'WITHVALUES']) },
    );
    const pair = { redoubt: a, redis: b };
    for (const c of [a, b]) {
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '4');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '12');
    }
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
      for (const c of [a, b]) {
        await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '128');
        await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '64');
      }
    }
  });

  it('HRANDFIELD with a count: sizes, uniqueness, pairs and reply shapes as Redis', async () => {
    for (const n of [20, 300]) {
      const want = new Map<string, string>();
      for (let i = 0; i < n; i++) want.set(`f${i}`, `v${i}`);
      for (const c of [a, b]) {
        await c.call('FLUSHALL');
        await c.call('HSET', 'h', ...pairs(n));
      }
      for (const count of [1, 2, 5, 15, 19]) {
        for (const proto of ['2', '3']) {
          for (const c of [a, b]) {
            await c.call('HELLO', proto);
            const u = (await c.call('HRANDFIELD', 'h', String(count))) as Buffer[];
            assert.equal(u.length, count);
            assert.equal(new Set(u.map(String)).size, count, 'positive count: distinct fields');
            for (const f of u) assert.ok(want.has(String(f)));
            // pairs: flat in RESP2, [field, value] arrays in RESP3
            for (const cnt of [String(count), String(-count * 3)]) {
              const r = (await c.call('HRANDFIELD', 'h', cnt, 'WITHVALUES')) as RespValue[];
              const flat: string[] = [];
              if (proto === '2') for (const x of r) flat.push(String(x));
              else
                for (const p of r) {
                  assert.ok(Array.isArray(p) && p.length === 2, 'RESP3 pairs');
                  flat.push(String(p[0]), String(p[1]));
                }
              assert.equal(flat.length, Math.abs(Number(cnt)) * 2);
              for (let i = 0; i < flat.length; i += 2) assert.equal(want.get(flat[i]), flat[i + 1]);
              if (Number(cnt) > 0) assert.equal(new Set(flat.filter((_, i) => i % 2 === 0)).size, count);
            }
          }
          const [x, y] = [
            await a.raw('HRANDFIELD', 'h', String(count), 'WITHVALUES'),
            await b.raw('HRANDFIELD', 'h', String(count), 'WITHVALUES'),
          ];
          // the array header and the type of its first element
          const head = (r: Buffer) => r.toString('latin1').slice(0, r.indexOf('\r\n') + 3);
          assert.equal(head(x), head(y), 'reply header');
        }
      }
      await a.call('HELLO', '2');
      await b.call('HELLO', '2');
    }
  });

  function events(port: number): Promise<string[]> {
    return keyspaceEvents(port, [
      ['HSET', 'h', 'a', '1', 'b', '2'],
      ['HSET', 'h', 'a', '1'],
      ['HMSET', 'h', 'c', '3'],
      ['HSETNX', 'h', 'c', '4'],
      ['HSETNX', 'h', 'd', '4'],
      ['HDEL', 'h', 'nope'],
      ['HDEL', 'h', 'a'],
      ['HINCRBY', 'h', 'n', '1'],
      ['HINCRBY', 'h', 'a', 'x'],
      ['HINCRBYFLOAT', 'h', 'n', '1.5'],
      ['HINCRBYFLOAT', 'h', 'b', 'inf'],
      ['HGET', 'h', 'b'],
      ['HDEL', 'h', 'b', 'c', 'd', 'n'],
      ['HINCRBY', 'h2', 'x', '1'],
      ['HINCRBYFLOAT', 'h3', 'x', '1'],
      ['HSETNX', 'h4', 'x', '1'],
      ['DEL', 'h2'],
    ]);
  }

  it('keyspace notifications: same events in the same order', async () => {
    const x = await events(ours.port);
    const y = await events(ref.port);
    assert.deepEqual(x, y);
    assert.ok(x.length > 20, `only ${x.length} events`);
  });
});
