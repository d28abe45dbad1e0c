import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode, RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from '../helpers/servers';
import { type Arg, diffSuite, type Step } from './harness';

const sorted = (...cmd: Arg[]): Step => ({ cmd, mode: 'sorted' });
/**
 * A pause long enough for PX 1 keys to expire on both servers: redis-server blocks on BLPOP with
 * a timeout, and the harness waits for both replies (redoubt may answer at once).
 */
const wait = (ms: number): Step => ({ cmd: ['BLPOP', 'no-such-list', String(ms / 1000)], mode: 'ignore' });

/** Keys with glob-special and high bytes, for pattern tests. */
const GLOB_KEYS = [
  'hello',
  'hallo',
  'hxllo',
  'hllo',
  'heeello',
  'Hello',
  'h*llo',
  'h?llo',
  'h[e]llo',
  'h\\llo',
  'a-b',
  ']',
  '[',
  '^',
  '-',
  '\\',
  'user:1:name',
  'user:22:name',
  'user::name',
  'x\xe9y',
  '\xff',
  '\x01',
  '',
];

const GLOB_PATTERNS = [
  '*',
  '**',
  '',
  'h?llo',
  'h*llo',
  'h[ae]llo',
  'h[^e]llo',
  'h[a-b]llo',
  'h[b-a]llo',
  'h\\*llo',
  'h\\?llo',
  'h[\\e]llo',
  'h\\\\llo',
  '[\\]]',
  '[]]',
  '[',
  '[^',
  '[^]',
  '[a-]',
  '[a-]]',
  '[\\\\]',
  '\\',
  '*\\',
  'user:*:name',
  'user:?:name',
  'user:??:name',
  '*:*',
  '[a-\xff]',
  '[\x01-\xff]',
  '[\x80-\xff]',
  'x[\xe0-\xef]y',
  '?',
  '*?',
  '?*',
  'H*',
  '[H]*',
  'h*l*o',
  'a*b*c*d*e*f*g*h*z',
];

diffSuite('keys', {
  flush: [
    ['SET', 'a', '1'],
    ['SET', 'b', '2'],
    ['DBSIZE'],
    ['FLUSHDB'],
    ['DBSIZE'],
    ['SET', 'a', '1'],
    ['FLUSHDB', 'ASYNC'],
    ['FLUSHDB', 'sync'],
    ['FLUSHDB', 'x'],
    ['FLUSHDB', 'sync', 'async'],
    ['SET', 'a', '1'],
    ['SELECT', '3'],
    ['SET', 'b', '1'],
    ['FLUSHALL', 'ASYNC'],
    ['DBSIZE'],
    ['SELECT', '9'],
    ['DBSIZE'],
    ['FLUSHALL', 'SYNC'],
    ['FLUSHALL', 'bad'],
    ['FLUSHALL', 'sync', 'x'],
    ['DBSIZE', 'x'],
  ],
  swapdb: [
    ['SET', 'a', 'in9'],
    ['SELECT', '8'],
    ['SET', 'b', 'in8'],
    ['SWAPDB', '8', '9'],
    ['GET', 'a'],
    ['GET', 'b'],
    ['SELECT', '9'],
    ['GET', 'b'],
    ['SWAPDB', '9', '9'],
    ['GET', 'b'],
    ['SWAPDB', '0', '16'],
    ['SWAPDB', '-1', '0'],
    ['SWAPDB', 'x', '0'],
    ['SWAPDB', '0', 'y'],
    ['SWAPDB', 'x', 'y'],
    ['SWAPDB', '2147483648', '0'],
    ['SWAPDB', '0'],
    ['SWAPDB', '0', '1', '2'],
    ['SELECT', '8'],
    ['FLUSHDB'],
    ['SELECT', '9'],
  ],
  keys: [
    ['MSET', 'one', '1', 'two', '2', 'three', '3', 'four', '4'],
    sorted('KEYS', '*'),
    sorted('KEYS', '*o*'),
    sorted('KEYS', 't??'),
    sorted('KEYS', 'one'),
    sorted('KEYS', 'missing'),
    ['KEYS'],
    ['KEYS', 'a', 'b'],
    ['SET', 'tmp', 'x', 'PX', '1'],
    wait(20),
    sorted('KEYS', '*'),
    sorted('KEYS', 'tmp'),
  ],
  glob: [
    ...GLOB_KEYS.map((k): Step => ['SET', k, 'v']),
    ...GLOB_PATTERNS.map((p) => sorted('KEYS', p)),
    ...GLOB_PATTERNS.map((p) => sorted('SCAN', '0', 'MATCH', p, 'COUNT', '1000')),
  ],
  'glob nesting limit': [
    ['SET', 'a'.repeat(3000), 'v'],
    sorted('KEYS', '*a'.repeat(1000)),
    sorted('KEYS', '*a'.repeat(1001)),
    sorted('KEYS', `${'*a'.repeat(1001)}*`),
    sorted('KEYS', '*a*a*a*a*a*a*a*a*a*a*a*a*b'),
  ],
  'scan errors': [
    ['SET', 'k', 'v'],
    ['SCAN'],
    ['SCAN', 'x'],
    ['SCAN', ' 0'],
    ['SCAN', '0 '],
    ['SCAN', '0x1'],
    ['SCAN', '-'],
    ['SCAN', '+'],
    ['SCAN', '18446744073709551616'],
    ['SCAN', '99999999999999999999999'],
    ['SCAN', '0', 'COUNT', '0'],
    ['SCAN', '0', 'COUNT', '-1'],
    ['SCAN', '0', 'COUNT', 'x'],
    ['SCAN', '0', 'COUNT', '9223372036854775808'],
    ['SCAN', '0', 'COUNT'],
    ['SCAN', '0', 'MATCH'],
    ['SCAN', '0', 'TYPE'],
    ['SCAN', '0', 'FOO', 'bar'],
    ['SCAN', '0', 'COUNT', '10', 'MATCH'],
    // cursors that are valid for strtoul; past the end of our sequence they finish the scan
    sorted('SCAN', '0', 'COUNT', '100'),
    sorted('SCAN', '', 'COUNT', '100'),
    sorted('SCAN', '+0', 'COUNT', '100'),
    sorted('SCAN', '-0', 'COUNT', '100'),
    { cmd: ['SCAN', '-1'], mode: 'type' },
    { cmd: ['SCAN', '18446744073709551615'], mode: 'type' },
    { cmd: ['SCAN', '-18446744073709551615'], mode: 'type' },
  ],
  'scan type': [
    ['SET', 's1', 'v'],
    ['SET', 's2', 'v'],
    ['SET', 'n', '12'],
    sorted('SCAN', '0', 'TYPE', 'string', 'COUNT', '100'),
    sorted('SCAN', '0', 'TYPE', 'STRING', 'COUNT', '100'),
    sorted('SCAN', '0', 'TYPE', 'list', 'COUNT', '100'),
    sorted('SCAN', '0', 'TYPE', 'nosuchtype', 'COUNT', '100'),
    sorted('SCAN', '0', 'TYPE', 'string', 'MATCH', 's*', 'COUNT', '100'),
    sorted('SCAN', '0', 'MATCH', 'x*', 'MATCH', 's*', 'COUNT', '100'),
    ['SET', 'gone', 'v', 'PX', '1'],
    wait(20),
    sorted('SCAN', '0', 'COUNT', '100'),
    ['DBSIZE'],
  ],
  randomkey: [
    ['RANDOMKEY'],
    ['SET', 'only', 'v'],
    ['RANDOMKEY'],
    ['RANDOMKEY', 'x'],
    ['SET', 'tmp', 'v', 'PX', '1'],
    ['DEL', 'only'],
    wait(20),
    ['RANDOMKEY'],
    ['DBSIZE'],
  ],
  'exists del unlink': [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'],
    ['EXISTS', 'a'],
    ['EXISTS', 'a', 'a', 'b', 'nope'],
    ['EXISTS'],
    ['DEL', 'a', 'a', 'nope'],
    ['DEL', 'a'],
    ['DEL'],
    ['UNLINK', 'b', 'c', 'zz'],
    ['UNLINK'],
    ['EXISTS', 'a', 'b', 'c'],
    ['SET', 'tmp', 'v', 'PX', '1'],
    wait(20),
    ['EXISTS', 'tmp'],
    ['DEL', 'tmp'],
  ],
  type: [['SET', 's', 'v'], ['TYPE', 's'], ['TYPE', 'nope'], ['TYPE'], ['TYPE', 'a', 'b']],
  rename: [
    ['SET', 'a', '1'],
    ['RENAME', 'a', 'b'],
    ['GET', 'a'],
    ['GET', 'b'],
    ['RENAME', 'a', 'b'],
    ['RENAME', 'b', 'b'],
    ['RENAME', 'nope', 'nope'],
    ['SET', 'c', '3'],
    ['RENAME', 'b', 'c'],
    ['GET', 'c'],
    ['EXISTS', 'b'],
    ['PEXPIRE', 'c', '100000'],
    ['RENAME', 'c', 'd'],
    { cmd: ['PTTL', 'd'], mode: 'type' },
    ['TTL', 'd'],
    ['RENAME', 'd'],
    ['RENAME', 'd', 'e', 'f'],
    ['RENAMENX', 'd', 'e'],
    ['SET', 'f', 'x'],
    ['RENAMENX', 'e', 'f'],
    ['RENAMENX', 'e', 'e'],
    ['RENAMENX', 'nope', 'x'],
    ['RENAMENX', 'nope', 'nope'],
    ['RENAMENX', 'e'],
    ['GET', 'e'],
    ['GET', 'f'],
  ],
  move: [
    ['SET', 'a', 'v'],
    ['PEXPIRE', 'a', '100000'],
    ['MOVE', 'a', '8'],
    ['EXISTS', 'a'],
    ['MOVE', 'a', '8'],
    ['SELECT', '8'],
    ['GET', 'a'],
    ['TTL', 'a'],
    ['SET', 'b', 'in8'],
    ['SELECT', '9'],
    ['SET', 'b', 'in9'],
    ['MOVE', 'b', '8'],
    ['GET', 'b'],
    ['MOVE', 'b', '9'],
    ['MOVE', 'b', '16'],
    ['MOVE', 'b', '-1'],
    ['MOVE', 'b', 'x'],
    ['MOVE', 'b', '2147483648'],
    ['MOVE', 'b', '-2147483649'],
    ['MOVE', 'b', '99999999999999999999'],
    ['MOVE', 'nope', '9'],
    ['MOVE', 'nope', '8'],
    ['MOVE', 'b'],
    ['SELECT', '8'],
    ['FLUSHDB'],
    ['SELECT', '9'],
  ],
  copy: [
    ['SET', 'a', 'hello'],
    ['COPY', 'a', 'b'],
    ['GET', 'b'],
    ['COPY', 'a', 'b'],
    ['SET', 'a', 'world'],
    ['COPY', 'a', 'b', 'REPLACE'],
    ['GET', 'b'],
    ['COPY', 'a', 'a'],
    ['COPY', 'nope', 'a'],
    ['COPY', 'nope', 'nope'],
    ['PEXPIRE', 'a', '100000'],
    ['COPY', 'a', 'c'],
    ['TTL', 'c'],
    ['COPY', 'a', 'a', 'DB', '8'],
    ['COPY', 'a', 'a', 'DB', '9'],
    ['COPY', 'a', 'a', 'DB', '8'],
    ['COPY', 'a', 'a', 'DB', '8', 'REPLACE'],
    ['COPY', 'a', 'x', 'DB', '16'],
    ['COPY', 'a', 'x', 'DB', '-1'],
    ['COPY', 'a', 'x', 'DB', 'y'],
    ['COPY', 'a', 'x', 'DB', '2147483648'],
    ['COPY', 'a', 'x', 'DB', '1.5'],
    ['COPY', 'a', 'x', 'DB'],
    ['COPY', 'a', 'x', 'FOO'],
    ['COPY', 'a', 'x', 'replace', 'replace'],
    ['COPY', 'a', 'x', 'DB', '8', 'DB', '7'],
    ['COPY', 'a'],
    ['SELECT', '8'],
    ['GET', 'a'],
    ['TTL', 'a'],
    ['FLUSHDB'],
    ['SELECT', '7'],
    ['GET', 'x'],
    ['FLUSHDB'],
    ['SELECT', '9'],
    ['SET', 'n', '123'],
    ['COPY', 'n', 'm'],
    ['OBJECT', 'ENCODING', 'm'],
    ['INCR', 'm'],
    ['GET', 'n'],
  ],
  expire: [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '100'],
    ['TTL', 'k'],
    ['PEXPIRE', 'k', '200000'],
    ['TTL', 'k'],
    ['EXPIRE', 'nope', '100'],
    ['EXPIRE', 'k'],
    ['EXPIRE', 'k', 'x'],
    ['EXPIRE', 'k', '1.5'],
    ['EXPIRE', 'k', ''],
    ['EXPIRE', 'k', '100', 'FOO'],
    ['EXPIRE', 'k', 'x', 'FOO'],
    ['EXPIRE', 'k', '100', 'NX', 'XX'],
    ['EXPIRE', 'k', '100', 'NX', 'GT'],
    ['EXPIRE', 'k', '100', 'nx', 'lt'],
    ['EXPIRE', 'k', '100', 'GT', 'LT'],
    ['EXPIRE', 'k', '100', 'XX', 'GT', 'LT'],
    ['EXPIRE', 'k', 'x', 'GT', 'LT'],
    ['EXPIRE', 'k', '9223372036854775807'],
    ['EXPIRE', 'k', '9223372036854775'],
    ['EXPIRE', 'k', '-9223372036854775808'],
    ['EXPIRE', 'k', '-9223372036854776'],
    ['PEXPIRE', 'k', '9223372036854775807'],
    ['PEXPIRE', 'k', '9223372036854775808'],
    ['EXPIREAT', 'k', '9223372036854775808'],
    ['EXPIREAT', 'k', '9223372036854776'],
    ['TTL', 'k'],
    ['EXPIREAT', 'k', '9223372036854775'],
    ['EXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '9223372036854775807'],
    ['PEXPIRETIME', 'k'],
    ['EXPIRETIME', 'k'],
    ['PERSIST', 'k'],
    ['PERSIST', 'k'],
    ['TTL', 'k'],
    ['PTTL', 'k'],
    ['EXPIRETIME', 'k'],
    ['PEXPIRETIME', 'k'],
    ['TTL', 'nope'],
    ['PTTL', 'nope'],
    ['EXPIRETIME', 'nope'],
    ['PEXPIRETIME', 'nope'],
    ['TTL'],
    ['PTTL', 'a', 'b'],
    ['EXPIRETIME'],
    ['PEXPIRETIME', 'a', 'b'],
    ['PERSIST'],
    ['PERSIST', 'nope'],
    ['EXPIREAT', 'k', '4102444800'],
    ['EXPIRETIME', 'k'],
    ['PEXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800123'],
    ['PEXPIRETIME', 'k'],
    ['EXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800499'],
    ['EXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800500'],
    ['EXPIRETIME', 'k'],
  ],
  'expire in the past deletes': [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '0'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-5'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['PEXPIRE', 'k', '-1'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIREAT', 'k', '1'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['PEXPIREAT', 'k', '0'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-9223372036854775'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['PEXPIRE', 'k', '-9223372036854775808'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-1', 'LT'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-1', 'GT'],
    ['EXISTS', 'k'],
  ],
  'expire options': [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '100', 'XX'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '100', 'GT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '100', 'LT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '200', 'NX'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '200', 'LT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '50', 'LT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '40', 'GT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '300', 'GT'],
    ['TTL', 'k'],
    // (repeating 300 GT would depend on whether the millisecond clock moved in between)
    ['EXPIRE', 'k', '299', 'GT'],
    ['EXPIRE', 'k', '300', 'LT'],
    ['EXPIRE', 'k', '400', 'XX', 'GT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '100', 'XX', 'LT'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '100', 'xx', 'xx'],
    ['EXPIRE', 'k', '100', 'NX', 'NX'],
    ['PERSIST', 'k'],
    ['EXPIRE', 'k', '100', 'NX'],
    ['TTL', 'k'],
    ['PEXPIRE', 'nope', '100', 'NX'],
    ['EXPIREAT', 'nope', '100', 'XX'],
  ],
  touch: [['MSET', 'a', '1', 'b', '2'], ['TOUCH', 'a', 'b', 'c', 'a'], ['TOUCH'], ['TOUCH', 'nope']],
  object: [
    ['SET', 'n', '12345'],
    ['SET', 'small', '12'],
    ['SET', 'neg', '-5'],
    ['SET', 'big', '9223372036854775807'],
    ['SET', 'toobig', '9223372036854775808'],
    ['SET', 'lead0', '012'],
    ['SET', 's', 'hello'],
    ['SET', 's44', 'x'.repeat(44)],
    ['SET', 's45', 'x'.repeat(45)],
    ['OBJECT', 'ENCODING', 'n'],
    ['OBJECT', 'ENCODING', 'small'],
    ['OBJECT', 'ENCODING', 'neg'],
    ['OBJECT', 'ENCODING', 'big'],
    ['OBJECT', 'ENCODING', 'toobig'],
    ['OBJECT', 'ENCODING', 'lead0'],
    ['OBJECT', 'ENCODING', 's'],
    ['OBJECT', 'ENCODING', 's44'],
    ['OBJECT', 'ENCODING', 's45'],
    ['OBJECT', 'ENCODING', 'nope'],
    ['OBJECT', 'encoding', 's'],
    ['OBJECT', 'REFCOUNT', 's'],
    ['OBJECT', 'REFCOUNT', 'small'],
    ['OBJECT', 'REFCOUNT', 'n'],
    ['OBJECT', 'REFCOUNT', 'neg'],
    ['OBJECT', 'REFCOUNT', 'nope'],
    // idle seconds depend on when the clock's second ticks: compare the reply type only
    { cmd: ['OBJECT', 'IDLETIME', 's'], mode: 'type' },
    ['OBJECT', 'IDLETIME', 'nope'],
    ['OBJECT', 'FREQ', 's'],
    ['OBJECT', 'FREQ', 'nope'],
    ['OBJECT', 'HELP'],
    ['OBJECT', 'help'],
    ['OBJECT', 'HELP', 'x'],
    ['OBJECT'],
    ['OBJECT', 'ENCODING'],
    ['OBJECT', 'ENCODING', 'a', 'b'],
    ['OBJECT', 'NOSUCH'],
    ['OBJECT', 'NOSUCH', 'k'],
  ],
  'generic commands on other types': [
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['TYPE', 'l'],
    ['OBJECT', 'ENCODING', 'l'],
    ['OBJECT', 'REFCOUNT', 'l'],
    ['COPY', 'l', 'l2'],
    ['RPUSH', 'l2', 'd'],
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'l2', '0', '-1'],
    ['RENAME', 'l2', 'l3'],
    ['GET', 'l3'],
    ['TYPE', 'l3'],
    ['MOVE', 'l3', '8'],
    ['COPY', 'l', 'l', 'DB', '8'],
    ['SELECT', '8'],
    ['LRANGE', 'l3', '0', '-1'],
    ['LRANGE', 'l', '0', '-1'],
    ['FLUSHDB'],
    ['SELECT', '9'],
    ['SET', 's', 'x'],
    sorted('SCAN', '0', 'TYPE', 'list', 'COUNT', '100'),
    sorted('SCAN', '0', 'TYPE', 'string', 'COUNT', '100'),
    sorted('KEYS', '*'),
    ['EXPIRE', 'l', '100'],
    ['TTL', 'l'],
    ['PERSIST', 'l'],
    ['EXISTS', 'l', 's', 'l3'],
    ['DEL', 'l', 's'],
    ['DBSIZE'],
  ],
  'expired keys are gone for every command': [
    ['SET', 'a', 'v', 'PX', '1'],
    ['SET', 'b', 'v', 'PX', '1'],
    ['SET', 'c', 'v', 'PX', '1'],
    ['SET', 'd', 'v', 'PX', '1'],
    ['SET', 'e', 'v', 'PX', '1'],
    ['SET', 'dst', 'v'],
    wait(30),
    ['COPY', 'a', 'x'],
    ['MOVE', 'b', '8'],
    ['RENAME', 'c', 'y'],
    ['RENAMENX', 'd', 'y'],
    ['EXPIRE', 'e', '100'],
    ['TTL', 'a'],
    ['PERSIST', 'b'],
    ['TYPE', 'c'],
    ['OBJECT', 'ENCODING', 'd'],
    ['TOUCH', 'a', 'b', 'c', 'd', 'e'],
    ['SET', 'f', 'v', 'PX', '1'],
    wait(30),
    ['COPY', 'dst', 'f'],
    ['GET', 'f'],
    ['SET', 'g', 'v', 'PX', '1'],
    wait(30),
    ['RENAME', 'dst', 'g'],
    ['GET', 'g'],
    sorted('KEYS', '*'),
  ],
  arity: [
    ['DEL'],
    ['UNLINK'],
    ['EXISTS'],
    ['RENAME', 'a'],
    ['MOVE', 'a'],
    ['COPY', 'a'],
    ['EXPIRE', 'a'],
    ['PEXPIRE', 'a'],
    ['EXPIREAT', 'a'],
    ['PEXPIREAT', 'a'],
    ['TTL'],
    ['PERSIST', 'a', 'b'],
    ['DBSIZE', 'a'],
    ['RANDOMKEY', 'a'],
    ['SCAN'],
    ['KEYS'],
    ['SWAPDB', '1'],
  ],
});

// OBJECT FREQ / IDLETIME under an LFU policy (both servers started with it).
diffSuite(
  'keys under allkeys-lfu',
  {
    'object freq': [
      ['SET', 'k', 'v'],
      ['OBJECT', 'FREQ', 'k'],
      ['GET', 'k'],
      ['OBJECT', 'FREQ', 'k'],
      ['OBJECT', 'FREQ', 'nope'],
      ['OBJECT', 'IDLETIME', 'k'],
      ['OBJECT', 'IDLETIME', 'nope'],
      ['OBJECT', 'REFCOUNT', 'k'],
      ['SET', 'n', '5'],
      ['OBJECT', 'REFCOUNT', 'n'],
      ['OBJECT', 'ENCODING', 'n'],
    ],
  },
  {
    redoubtArgs: ['--maxmemory', '1gb', '--maxmemory-policy', 'allkeys-lfu'],
    redisArgs: ['--maxmemory', '1gb', '--maxmemory-policy', 'allkeys-lfu'],
  },
);

// SCAN cursors differ by design (insertion order vs Redis's reverse-binary cursor), so a full
// iteration is compared as a set, on both servers.
describe('differential: full SCAN iterations', {
  skip: redisServerPath() === null ? 'no redis-server' : false,
}, () => {
  let ours: Running;
  let ref: Running | null;
  let a: RawClient;
  let b: RawClient;
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
    a = await RawClient.connect({ port: ours.port });
    b = await RawClient.connect({ port: (ref as Running).port });
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  async function fullScan(cl: RawClient, extra: string[]): Promise<string[]> {
    const seen = new Set<string>();
    let cursor = '0';
    let rounds = 0;
    do {
      const r = (await cl.call('SCAN', cursor, ...extra)) as RespValue[];
      cursor = (r[0] as Buffer).toString('latin1');
      for (const k of r[1] as Buffer[]) seen.add(k.toString('latin1'));
      assert.ok(++rounds < 100000, 'SCAN did not terminate');
    } while (cursor !== '0');
    return [...seen].sort();
  }

  it('same key set for MATCH/COUNT/TYPE combinations', async () => {
    for (const cl of [a, b]) {
      await cl.call('SELECT', '9');
      await cl.call('FLUSHALL');
      for (let i = 0; i < 500; i += 50) {
        const args: string[] = [];
        for (let j = i; j < i + 50; j++) args.push(`key:${j}`, String(j));
        await cl.call('MSET', ...args);
      }
      await cl.call('SET', 'other', 'x');
    }
    for (const extra of [
      [],
      ['COUNT', '1'],
      ['COUNT', '7'],
      ['COUNT', '1000'],
      ['MATCH', 'key:1*'],
      ['MATCH', 'key:1*', 'COUNT', '3'],
      ['MATCH', 'o*'],
      ['TYPE', 'string', 'COUNT', '13'],
      ['TYPE', 'hash'],
    ]) {
      const [x, y] = await Promise.all([fullScan(a, extra), fullScan(b, extra)]);
      assert.deepEqual(x, y, `SCAN ${extra.join(' ')}`);
    }
  });

  it('a key present for the whole iteration is returned even with deletions during the scan', async () => {
    await a.call('FLUSHALL');
    const n = 3000;
    for (let i = 0; i < n; i += 100) {
      const args: string[] = [];
      for (let j = i; j < i + 100; j++) args.push(`k${j}`, 'v');
      await a.call('MSET', ...args);
    }
    // odd keys are deleted (and new keys added) while the scan runs; even keys must all be seen
    const seen = new Set<string>();
    let cursor = '0';
    let step = 0;
    do {
      const r = (await a.call('SCAN', cursor, 'COUNT', '25')) as RespValue[];
      cursor = (r[0] as Buffer).toString('latin1');
      for (const k of r[1] as Buffer[]) seen.add(k.toString('latin1'));
      const dels: string[] = [];
      for (let j = 0; j < 40; j++) {
        const i = (step * 40 + j) * 2 + 1;
        if (i < n) dels.push(`k${n - i}`);
      }
      if (dels.length > 0) await a.call('DEL', ...dels);
      await a.call('SET', `new${step}`, 'v');
      step++;
    } while (cursor !== '0');
    for (let i = 0; i < n; i += 2) assert.ok(seen.has(`k${i}`), `k${i} missing`);
    assert.ok(step > 10);
  });
});

// Keyspace notifications emitted by the generic commands, compared message for message.
describe('differential: keyspace notifications of generic commands', {
  skip: redisServerPath() === null ? 'no redis-server' : false,
}, () => {
  const args = ['--notify-keyspace-events', 'KEA'];
  let ours: Running;
  let ref: Running | null;
  const cl: { cmd: RawClient; sub: RawClient }[] = [];
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt({ args }), startRedis(args)]);
    for (const port of [ours.port, (ref as Running).port]) {
      const cmd = await RawClient.connect({ port });
      const sub = await RawClient.connect({ port });
      await cmd.call('SELECT', '9');
      await cmd.call('FLUSHALL');
      await sub.call('PSUBSCRIBE', '__key*__:*');
      cl.push({ cmd, sub });
    }
  });
  after(async () => {
    for (const c of cl) {
      c.cmd.close();
      c.sub.close();
    }
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  it('same events for DEL RENAME MOVE COPY EXPIRE PERSIST and expiry', async () => {
    const script: string[][] = [
      ['SET', 'a', '1'],
      ['DEL', 'a', 'nope'],
      ['SET', 'b', '1'],
      ['UNLINK', 'b'],
      ['SET', 'c', '1'],
      ['RENAME', 'c', 'd'],
      ['RENAMENX', 'd', 'e'],
      ['MOVE', 'e', '8'],
      ['SET', 'f', '1'],
      ['COPY', 'f', 'g'],
      ['COPY', 'f', 'g', 'DB', '7', 'REPLACE'],
      ['EXPIRE', 'f', '100'],
      ['PERSIST', 'f'],
      ['PERSIST', 'f'],
      ['EXPIRE', 'f', '-1'],
      ['SET', 'h', '1', 'PX', '1'],
      ['BLPOP', 'no-such-list', '0.05'],
      ['GET', 'h'],
      ['FLUSHALL'],
      ['SET', 'end', '1'],
    ];
    const events: string[][] = [];
    for (const { cmd, sub } of cl) {
      for (const s of script) await cmd.raw(...s);
      const got: string[] = [];
      for (;;) {
        const m = decode(await sub.next(), 0)[0];
        const parts = (Array.isArray(m) ? m : (m as { push: RespValue[] }).push) as Buffer[];
        const line = parts.slice(2).map((p) => p.toString('latin1'));
        got.push(line.join(' '));
        if (line[0] === '__keyevent@9__:set' && line[1] === 'end') break;
      }
      events.push(got);
    }
    assert.deepEqual(events[0], events[1]);
  });
});

// Command metadata as COMMAND INFO reports it (name, arity, flags, key positions, categories).
describe('differential: COMMAND INFO of keyspace commands', {
  skip: redisServerPath() === null ? 'no redis-server' : false,
}, () => {
  const NAMES = [
    'dbsize',
    'flushdb',
    'flushall',
    'swapdb',
    'keys',
    'scan',
    'randomkey',
    'exists',
    'del',
    'unlink',
    'type',
    'rename',
    'renamenx',
    'move',
    'copy',
    'expire',
    'pexpire',
    'expireat',
    'pexpireat',
    'ttl',
    'pttl',
    'expiretime',
    'pexpiretime',
    'persist',
    'touch',
    'object',
  ];
  let ours: Running;
  let ref: Running | null;
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
  });
  after(async () => {
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  it('same arity, flags, key positions and ACL categories (subcommands too)', async () => {
    const a = await RawClient.connect({ port: ours.port });
    const b = await RawClient.connect({ port: (ref as Running).port });
    // key specs, tips and subcommand order come from the shared COMMAND layer
    const head = (v: RespValue): string => JSON.stringify((v as RespValue[]).slice(0, 7));
    for (const n of NAMES) {
      const x = ((await a.call('COMMAND', 'INFO', n)) as RespValue[])[0] as RespValue[];
      const y = ((await b.call('COMMAND', 'INFO', n)) as RespValue[])[0] as RespValue[];
      assert.equal(head(x), head(y), n);
      const subs = (v: RespValue[]) => ((v[9] ?? []) as RespValue[]).map(head).sort();
      assert.deepEqual(subs(x), subs(y), `${n} subcommands`);
    }
    a.close();
    b.close();
  });
});
