// Shared by the RDB tests: a dataset covering every type and encoding Redis 7.0 produces, and a
// per-key comparison of two servers (TYPE, value, TTL, OBJECT ENCODING).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { writeDbHeader, writeFooter, writeHeader, writeKey } from '../../src/persistence/rdb';
import { RdbWriter } from '../../src/persistence/rdbio';
import { defaultValueOptions } from '../../src/persistence/values';
import { prng } from '../helpers/random';
import { type RawClient, RespError, type RespValue } from '../helpers/resp';

export type Cmd = (string | Buffer | number)[];

function bytes(r: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Commands that build the non-stream part of the dataset (db 0, 3 and 15). */
export function dataCommands(seed = 1): Cmd[] {
  const r = prng(seed);
  const out: Cmd[] = [];
  const db = (n: number) => out.push(['SELECT', n]);
  db(0);
  // strings: every integer width, long compressible, random binary, empty, binary key
  out.push(['SET', 'str:small', 'hello']);
  out.push(['SET', 'str:i8', '-7'], ['SET', 'str:i16', '1234'], ['SET', 'str:i32', '-123456789']);
  out.push(
    ['SET', 'str:i64', '1234567890123456'],
    ['SET', 'str:notint', '007'],
    ['SET', 'str:negzero', '-0'],
  );
  out.push(['SET', 'str:long', 'abc'.repeat(400)]);
  out.push(['SET', 'str:words', 'the quick brown fox jumps over the lazy dog '.repeat(30)]);
  out.push(['SET', 'str:random', bytes(r, 700)]);
  out.push(['SET', 'str:empty', '']);
  out.push(['SET', Buffer.from([0, 255, 10, 13, 32, 1]), bytes(r, 30)]);
  out.push(['SET', 'str:ttl', 'expiring', 'EX', 5000]);
  out.push(['SET', 'str:pttl', 'expiring', 'PX', 7777777]);
  out.push(['SET', 'str:big', bytes(r, 20000)]);
  // lists: small, multi-node (many and large elements), integers of every listpack width
  out.push([
    'RPUSH',
    'list:small',
    'a',
    'b',
    'c',
    '1',
    '-1',
    '127',
    '128',
    '-4096',
    '4095',
    '70000',
    '-9000000',
  ]);
  out.push([
    'RPUSH',
    'list:ints',
    '2147483648',
    '-9223372036854775808',
    '9223372036854775807',
    '18446744073709551615',
  ]);
  const items: Cmd = ['RPUSH', 'list:big'];
  for (let i = 0; i < 3000; i++) items.push(i % 7 === 0 ? String(i * 37) : `item-${i}-${'x'.repeat(i % 50)}`);
  out.push(items);
  out.push(['RPUSH', 'list:huge-elements', 'x'.repeat(10000), 'small', bytes(r, 9000), 'y'.repeat(5000)]);
  out.push(['LPUSH', 'list:lpushed', 'c', 'b', 'a']);
  out.push(['RPUSH', 'list:ttl', 'a', 'b'], ['PEXPIRE', 'list:ttl', 123456789]);
  out.push(['RPUSH', 'list:binary', bytes(r, 10), Buffer.from([0]), bytes(r, 100)]);
  // hashes: listpack, hashtable by count, hashtable by value length
  out.push(['HSET', 'hash:small', 'f1', 'v1', 'f2', '123', 'num', '-5', 'empty', '']);
  const h: Cmd = ['HSET', 'hash:big'];
  for (let i = 0; i < 700; i++) h.push(`field:${i}`, i % 3 === 0 ? String(i) : `value-${i}`);
  out.push(h);
  out.push(['HSET', 'hash:longval', 'f', 'v'.repeat(100), 'g', 'short']);
  out.push(['HSET', 'hash:binary', bytes(r, 8), bytes(r, 16)]);
  out.push(['HSET', 'hash:ttl', 'a', '1'], ['EXPIRE', 'hash:ttl', 86400]);
  // sets: intset 16/32/64-bit, strings, big intset -> hashtable
  out.push(['SADD', 'set:i16', '1', '2', '3', '-100']);
  out.push(['SADD', 'set:i32', '1', '70000', '-70000']);
  out.push(['SADD', 'set:i64', '5', '5000000000', '-9223372036854775808']);
  out.push(['SADD', 'set:str', 'a', 'b', 'c', 'd']);
  const bigset: Cmd = ['SADD', 'set:bigint'];
  for (let i = 0; i < 600; i++) bigset.push(String(i * 3));
  out.push(bigset);
  const strset: Cmd = ['SADD', 'set:many'];
  for (let i = 0; i < 300; i++) strset.push(`m${i}`);
  out.push(strset);
  // sorted sets: listpack with every score shape, skiplist by count and by member length
  out.push(['ZADD', 'zset:small', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'd', '-inf', 'e', '0', 'f']);
  out.push(['ZADD', 'zset:small', '1e300', 'g', '0.1', 'h', '123456789012', 'i', '-0.0000001', 'j']);
  const z: Cmd = ['ZADD', 'zset:big'];
  for (let i = 0; i < 200; i++) z.push(String((i * 1.37) % 50), `member:${i}`);
  out.push(z);
  out.push(['ZADD', 'zset:longmember', '1', 'm'.repeat(100), '2', 'short']);
  out.push(['ZADD', 'zset:ttl', '1', 'a'], ['EXPIRE', 'zset:ttl', 100000]);
  db(3);
  out.push(['SET', 'db3:str', 'in db 3'], ['RPUSH', 'db3:list', '1', '2']);
  db(15);
  out.push(['HSET', 'db15:hash', 'k', 'v']);
  db(0);
  return out;
}

/** Streams (Redis only: redoubt gets them through DUMP/RESTORE or an RDB file). */
export function streamCommands(): Cmd[] {
  const out: Cmd[] = [];
  out.push(['SELECT', 0]);
  out.push(['XADD', 'stream:plain', '1-1', 'f', 'v', 'n', '1']);
  out.push(['XADD', 'stream:plain', '1-2', 'f', 'w', 'n', '2']);
  out.push(['XADD', 'stream:plain', '2-0', 'other', 'fields', 'here', '3', 'x', 'y']);
  out.push(['XADD', 'stream:plain', '5-0', 'f', 'v', 'n', '-9999999999']);
  for (let i = 0; i < 350; i++)
    out.push(['XADD', 'stream:big', `${1000 + i}-${i % 3}`, 'k', `v${i}`, 'i', String(i)]);
  for (let i = 0; i < 10; i++) out.push(['XADD', 'stream:groups', `${100 + i}-0`, 'n', String(i)]);
  out.push(['XGROUP', 'CREATE', 'stream:groups', 'g1', '0']);
  out.push(['XGROUP', 'CREATE', 'stream:groups', 'g2', '$']);
  out.push(['XGROUP', 'CREATE', 'stream:groups', 'g0', '103-0']);
  out.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 'stream:groups', '>']);
  out.push(['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 'stream:groups', '>']);
  out.push(['XACK', 'stream:groups', 'g1', '101-0']);
  out.push(['XREADGROUP', 'GROUP', 'g0', 'carol', 'COUNT', '1', 'STREAMS', 'stream:groups', '>']);
  out.push(['XGROUP', 'CREATECONSUMER', 'stream:groups', 'g2', 'idle']);
  out.push(['XDEL', 'stream:groups', '105-0']);
  out.push(['XADD', 'stream:trimmed', '1-0', 'a', '1']);
  out.push(['XADD', 'stream:trimmed', '2-0', 'a', '2']);
  out.push(['XADD', 'stream:trimmed', '3-0', 'a', '3']);
  out.push(['XTRIM', 'stream:trimmed', 'MAXLEN', '1']);
  out.push(['XADD', 'stream:empty', '7-7', 'a', '1']);
  out.push(['XDEL', 'stream:empty', '7-7']);
  out.push(['XADD', 'stream:ttl', '1-0', 'a', '1'], ['EXPIRE', 'stream:ttl', 5000]);
  return out;
}

export async function run(c: RawClient, cmds: Cmd[]): Promise<void> {
  for (const cmd of cmds) {
    const v = await c.call(...cmd);
    if (v instanceof RespError) throw new Error(`${cmd.slice(0, 3).join(' ')}: ${v.message}`);
  }
}

function hex(v: RespValue): string {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (v === null) return 'null';
  return JSON.stringify(v);
}

function flat(v: RespValue): RespValue[] {
  if (Array.isArray(v)) return v;
  throw new Error(`array expected, got ${JSON.stringify(v)}`);
}

export interface KeyInfo {
  type: string;
  value: string;
  /** PEXPIRETIME: absolute ms, -1 without expiry (kept exactly by RDB files and RESTORE ABSTTL) */
  pttl: number;
  encoding: string;
}

/** XINFO STREAM FULL minus the fields that depend on how entries are split into nodes. */
function streamView(v: RespValue): string {
  const a = flat(v);
  const out: string[] = [];
  for (let i = 0; i < a.length; i += 2) {
    const k = String(a[i]);
    if (k === 'radix-tree-keys' || k === 'radix-tree-nodes') continue;
    out.push(`${k}=${JSON.stringify(a[i + 1], (_k, x) => (Buffer.isBuffer(x) ? x.toString('latin1') : x))}`);
  }
  return out.join('\n');
}

/** Every key of every database: type, canonical value, PTTL, encoding. */
export async function collect(c: RawClient, opts: { streams: boolean }): Promise<Map<string, KeyInfo>> {
  const m = new Map<string, KeyInfo>();
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', db);
    const keys = flat(await c.call('KEYS', '*')) as Buffer[];
    for (const kb of keys) {
      const k = kb;
      const type = String(await c.call('TYPE', k));
      let value: string;
      switch (type) {
        case 'string':
          value = hex(await c.call('GET', k));
          break;
        case 'list':
          value = flat(await c.call('LRANGE', k, 0, -1))
            .map(hex)
            .join(',');
          break;
        case 'hash': {
          const a = flat(await c.call('HGETALL', k));
          const pairs: string[] = [];
          for (let i = 0; i < a.length; i += 2) pairs.push(`${hex(a[i])}=${hex(a[i + 1])}`);
          value = pairs.sort().join(',');
          break;
        }
        case 'set':
          value = flat(await c.call('SMEMBERS', k))
            .map(hex)
            .sort()
            .join(',');
          break;
        case 'zset':
          value = flat(await c.call('ZRANGE', k, 0, -1, 'WITHSCORES'))
            .map(hex)
            .join(',');
          break;
        case 'stream':
          value = opts.streams ? streamView(await c.call('XINFO', 'STREAM', k, 'FULL', 'COUNT', 0)) : '';
          break;
        default:
          throw new Error(`unexpected type ${type}`);
      }
      const pttl = Number(await c.call('PEXPIRETIME', k));
      const encoding = String(await c.call('OBJECT', 'ENCODING', k));
      m.set(`${db}:${k.toString('hex')}`, { type, value, pttl, encoding });
    }
  }
  await c.call('SELECT', 0);
  return m;
}

/** Asserts two collections hold the same keys with the same values and expiry times. */
export function assertSameData(
  a: Map<string, KeyInfo>,
  b: Map<string, KeyInfo>,
  opts: { streams: boolean; encodings: boolean },
): void {
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), 'same keys in every database');
  for (const [k, x] of a) {
    const y = b.get(k) as KeyInfo;
    const name = `${k} (${Buffer.from(k.slice(k.indexOf(':') + 1), 'hex')
      .toString('latin1')
      .slice(0, 40)})`;
    assert.equal(y.type, x.type, `type of ${name}`);
    if (x.type !== 'stream' || opts.streams) assert.equal(y.value, x.value, `value of ${name}`);
    assert.equal(y.pttl, x.pttl, `expiry time of ${name}`);
    if (opts.encodings && x.type !== 'stream') assert.equal(y.encoding, x.encoding, `encoding of ${name}`);
  }
}

/** Writes an RDB file (mode 0600) of `n` string keys `<prefix><i>` holding `value`, streamed to
 *  disk (large files for loading tests); `aofBase` marks it as an AOF base. */
export function writeStringsRdb(
  file: string,
  n: number,
  prefix: string,
  value: Buffer,
  aofBase = false,
): void {
  const fd = fs.openSync(file, 'w', 0o600);
  const w = new RdbWriter({ compress: true, sink: (c) => fs.writeSync(fd, c) });
  writeHeader(w, { redisVersion: '7.0.15', ctime: Math.floor(Date.now() / 1000), usedMem: 4242, aofBase });
  writeDbHeader(w, 0, n, 0);
  for (let i = 0; i < n; i++) {
    writeKey(
      w,
      { key: `${prefix}${i}`, value, expires: 0, lru: 0, lfu: 0 },
      defaultValueOptions,
      'none',
      0,
      () => 0,
    );
    w.maybeFlush();
  }
  fs.writeSync(fd, writeFooter(w, true));
  fs.closeSync(fd);
}
