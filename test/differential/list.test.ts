import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode, RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from '../helpers/servers';
import { diffSuite, type Step } from './harness';

const big = 'x'.repeat(10000);

const LIST_COMMANDS =
  'lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset linsert lrem ltrim lpos lmove rpoplpush lmpop blpop brpop blmove brpoplpush blmpop'.split(
    ' ',
  );

/** Common preamble: a list l = [a b c d e], a string s. */
const setup: Step[] = [
  ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
  ['SET', 's', 'str'],
];

diffSuite('list', {
  push: [
    ['LPUSH', 'l', 'a'],
    ['LPUSH', 'l', 'b', 'c'],
    ['RPUSH', 'l', 'd', 'e', 'f'],
    ['LRANGE', 'l', '0', '-1'],
    ['LPUSHX', 'l', 'x'],
    ['RPUSHX', 'l', 'y', 'z'],
    ['LPUSHX', 'nokey', 'x'],
    ['RPUSHX', 'nokey', 'x'],
    ['LRANGE', 'l', '0', '-1'],
    ['DBSIZE'],
    ['LPUSH', 'l'],
    ['RPUSH'],
    ['LPUSHX', 'l'],
    ['RPUSHX', 'l'],
    ['SET', 's', 'v'],
    ['LPUSH', 's', 'a'],
    ['RPUSH', 's', 'a'],
    ['LPUSHX', 's', 'a'],
    ['RPUSHX', 's', 'a'],
    ['RPUSH', 'bin', Buffer.from([0, 255, 13, 10, 128]), '', big],
    ['LRANGE', 'bin', '0', '-1'],
    ['OBJECT', 'ENCODING', 'l'],
    { cmd: ['OBJECT', 'ENCODING', 'bin'], note: 'quicklist in 7.0 for any size' },
  ],
  pop: [
    ...setup,
    ['LPOP', 'l'],
    ['RPOP', 'l'],
    ['LPOP', 'l', '0'],
    ['LPOP', 'l', '1'],
    ['RPOP', 'l', '1'],
    ['LRANGE', 'l', '0', '-1'],
    ['RPUSH', 'l', '1', '2', '3', '4'],
    ['RPOP', 'l', '2'],
    ['LPOP', 'l', '100'],
    ['DBSIZE'],
    ['LPOP', 'l'],
    ['RPOP', 'l'],
    ['LPOP', 'l', '0'],
    ['LPOP', 'l', '5'],
    ['RPOP', 'l', '5'],
    ['LPOP', 'l', '-1'],
    ['LPOP', 'l', 'x'],
    ['LPOP', 'l', '1.5'],
    ['LPOP', 'l', '99999999999999999999'],
    ['RPOP', 'l', '-9223372036854775808'],
    ['LPOP', 'l', '1', '2'],
    ['RPOP', 'l', '1', '2'],
    ['LPOP'],
    ['LPOP', 's'],
    ['LPOP', 's', '0'],
    ['RPOP', 's', '2'],
    ['LPOP', 's', '-1'],
    ['RPUSH', 'm', 'only'],
    ['RPOP', 'm', '9223372036854775807'],
    ['DBSIZE'],
  ],
  llen_lindex: [
    ...setup,
    ['LLEN', 'l'],
    ['LLEN', 'nokey'],
    ['LLEN', 's'],
    ['LLEN'],
    ['LINDEX', 'l', '0'],
    ['LINDEX', 'l', '4'],
    ['LINDEX', 'l', '5'],
    ['LINDEX', 'l', '-1'],
    ['LINDEX', 'l', '-5'],
    ['LINDEX', 'l', '-6'],
    ['LINDEX', 'l', '9223372036854775807'],
    ['LINDEX', 'l', '-9223372036854775808'],
    ['LINDEX', 'l', 'x'],
    ['LINDEX', 'l', '1.0'],
    ['LINDEX', 'nokey', 'x'],
    ['LINDEX', 'nokey', '0'],
    ['LINDEX', 's', '0'],
    ['LINDEX', 's', 'x'],
    ['LINDEX', 'l'],
  ],
  lrange: [
    ...setup,
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'l', '1', '3'],
    ['LRANGE', 'l', '-3', '-2'],
    ['LRANGE', 'l', '-100', '100'],
    ['LRANGE', 'l', '3', '1'],
    ['LRANGE', 'l', '5', '10'],
    ['LRANGE', 'l', '-1', '-1'],
    ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'],
    ['LRANGE', 'l', '9223372036854775807', '-9223372036854775808'],
    ['LRANGE', 'l', 'a', '1'],
    ['LRANGE', 'l', '0', 'b'],
    ['LRANGE', 'nokey', '0', '-1'],
    ['LRANGE', 'nokey', 'a', '-1'],
    ['LRANGE', 's', '0', '-1'],
    ['LRANGE', 's', 'a', '-1'],
    ['LRANGE', 'l', '0'],
  ],
  lset: [
    ...setup,
    ['LSET', 'l', '0', 'A'],
    ['LSET', 'l', '-1', 'E'],
    ['LSET', 'l', '2', big],
    ['LRANGE', 'l', '0', '-1'],
    ['LSET', 'l', '5', 'x'],
    ['LSET', 'l', '-6', 'x'],
    ['LSET', 'l', 'x', 'x'],
    ['LSET', 'nokey', '0', 'x'],
    ['LSET', 'nokey', 'x', 'x'],
    ['LSET', 's', '0', 'x'],
    ['LSET', 's', 'x', 'x'],
    ['LSET', 'l', '0'],
    ['LSET', 'l', '9223372036854775807', 'x'],
  ],
  linsert: [
    ...setup,
    ['LINSERT', 'l', 'BEFORE', 'a', 'x'],
    ['LINSERT', 'l', 'after', 'e', 'y'],
    ['LINSERT', 'l', 'AFTER', 'c', 'z'],
    ['LINSERT', 'l', 'before', 'c', 'w'],
    ['LINSERT', 'l', 'BEFORE', 'nope', 'x'],
    ['LRANGE', 'l', '0', '-1'],
    ['LINSERT', 'l', 'MIDDLE', 'a', 'x'],
    ['LINSERT', 'nokey', 'BEFORE', 'a', 'x'],
    ['LINSERT', 'nokey', 'MIDDLE', 'a', 'x'],
    ['LINSERT', 's', 'BEFORE', 'a', 'x'],
    ['LINSERT', 's', 'MIDDLE', 'a', 'x'],
    ['LINSERT', 'l', 'BEFORE', 'a'],
    ['DBSIZE'],
  ],
  linsert_many: [
    ['RPUSH', 'l', ...Array.from({ length: 40 }, (_, i) => `e${i}`)],
    ['LINSERT', 'l', 'BEFORE', 'e3', 'p'],
    ['LINSERT', 'l', 'AFTER', 'e37', 'q'],
    ['LINSERT', 'l', 'AFTER', 'e20', 'r'],
    ['LINSERT', 'l', 'BEFORE', 'e0', 's'],
    ['LINSERT', 'l', 'AFTER', 'e39', 't'],
    ['LRANGE', 'l', '0', '-1'],
  ],
  lrem: [
    ['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
    ['LREM', 'l', '2', 'a'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '-1', 'a'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '0', 'b'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '0', 'zzz'],
    ['LREM', 'l', '0', 'a'],
    ['LREM', 'l', '0', 'c'],
    ['DBSIZE'],
    ['LREM', 'nokey', '0', 'a'],
    ['LREM', 'nokey', 'x', 'a'],
    ['SET', 's', 'v'],
    ['LREM', 's', '0', 'a'],
    ['LREM', 's', 'x', 'a'],
    ['LREM', 's', '0'],
    ['RPUSH', 'l', 'x', 'y', 'x'],
    ['LREM', 'l', '-9223372036854775808', 'x'],
    ['LREM', 'l', '9223372036854775807', 'y'],
    ['LRANGE', 'l', '0', '-1'],
  ],
  ltrim: [
    ...setup,
    ['LTRIM', 'l', '1', '-2'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '0', '100'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '-2', '-1'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '1', '0'],
    ['LLEN', 'l'],
    ['DBSIZE'],
    ['RPUSH', 'l', 'a', 'b'],
    ['LTRIM', 'l', '5', '10'],
    ['DBSIZE'],
    ['LTRIM', 'nokey', '0', '1'],
    ['LTRIM', 'nokey', 'x', '1'],
    ['LTRIM', 's', '0', '1'],
    ['LTRIM', 's', '0', 'y'],
    ['LTRIM', 'l', '0'],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['LTRIM', 'l', '-9223372036854775808', '9223372036854775807'],
    ['LRANGE', 'l', '0', '-1'],
  ],
  lpos: [
    ['RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c'],
    ['LPOS', 'l', 'c'],
    ['LPOS', 'l', 'c', 'RANK', '2'],
    ['LPOS', 'l', 'c', 'RANK', '-1'],
    ['LPOS', 'l', 'c', 'RANK', '-3'],
    ['LPOS', 'l', 'c', 'RANK', '4'],
    ['LPOS', 'l', 'c', 'COUNT', '0'],
    ['LPOS', 'l', 'c', 'COUNT', '2'],
    ['LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '2'],
    ['LPOS', 'l', 'c', 'COUNT', '0', 'RANK', '-1'],
    ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3'],
    ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7', 'RANK', '-1'],
    ['LPOS', 'l', 'c', 'MAXLEN', '2'],
    ['LPOS', 'l', 'zz'],
    ['LPOS', 'l', 'zz', 'COUNT', '0'],
    ['LPOS', 'l', 'c', 'RANK', '0'],
    ['LPOS', 'l', 'c', 'RANK', 'x'],
    ['LPOS', 'l', 'c', 'RANK', '-9223372036854775808'],
    ['LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '1'],
    ['LPOS', 'l', 'c', 'RANK', '-9223372036854775807', 'COUNT', '1'],
    ['LPOS', 'l', 'c', 'RANK', '9223372036854775807'],
    ['LPOS', 'l', 'c', 'COUNT', '-1'],
    ['LPOS', 'l', 'c', 'COUNT', 'x'],
    ['LPOS', 'l', 'c', 'MAXLEN', '-1'],
    ['LPOS', 'l', 'c', 'MAXLEN', 'x'],
    ['LPOS', 'l', 'c', 'COUNT'],
    ['LPOS', 'l', 'c', 'FOO', '1'],
    ['LPOS', 'l', 'c', 'RANK', '1', 'COUNT', '1', 'MAXLEN', '1', 'RANK', '-1'],
    ['LPOS', 'nokey', 'c'],
    ['LPOS', 'nokey', 'c', 'COUNT', '1'],
    ['LPOS', 'nokey', 'c', 'RANK', '0'],
    ['SET', 's', 'v'],
    ['LPOS', 's', 'c'],
    ['LPOS', 's', 'c', 'COUNT', '-1'],
    ['LPOS', 'l'],
  ],
  lmove: [
    ...setup,
    ['LMOVE', 'l', 'd', 'LEFT', 'RIGHT'],
    ['LMOVE', 'l', 'd', 'right', 'left'],
    ['LMOVE', 'l', 'd', 'LEFT', 'LEFT'],
    ['LMOVE', 'l', 'd', 'RIGHT', 'RIGHT'],
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'd', '0', '-1'],
    ['LMOVE', 'l', 'l', 'LEFT', 'RIGHT'],
    ['LMOVE', 'l', 'd', 'LEFT', 'RIGHT'],
    ['DBSIZE'],
    ['LMOVE', 'l', 'd', 'LEFT', 'RIGHT'],
    ['LMOVE', 'd', 'd', 'LEFT', 'RIGHT'],
    ['LRANGE', 'd', '0', '-1'],
    ['LMOVE', 'd', 's', 'LEFT', 'RIGHT'],
    ['LMOVE', 's', 'd', 'LEFT', 'RIGHT'],
    ['LMOVE', 'nokey', 's', 'LEFT', 'RIGHT'],
    ['LMOVE', 'd', 'x', 'UP', 'RIGHT'],
    ['LMOVE', 'd', 'x', 'LEFT', 'DOWN'],
    ['LMOVE', 's', 'x', 'UP', 'RIGHT'],
    ['LMOVE', 'd', 'x', 'LEFT'],
    ['RPUSH', 'one', 'v'],
    ['LMOVE', 'one', 'one', 'LEFT', 'LEFT'],
    ['LRANGE', 'one', '0', '-1'],
  ],
  rpoplpush: [
    ...setup,
    ['RPOPLPUSH', 'l', 'd'],
    ['RPOPLPUSH', 'l', 'd'],
    ['RPOPLPUSH', 'l', 'l'],
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'd', '0', '-1'],
    ['RPOPLPUSH', 'nokey', 'd'],
    ['RPOPLPUSH', 'l', 's'],
    ['RPOPLPUSH', 's', 'l'],
    ['RPOPLPUSH', 'l'],
    ['LRANGE', 'l', '0', '-1'],
  ],
  lmpop: [
    ...setup,
    ['RPUSH', 'l2', 'x', 'y'],
    ['LMPOP', '2', 'nokey', 'l', 'LEFT'],
    ['LMPOP', '2', 'nokey', 'l', 'RIGHT', 'COUNT', '2'],
    ['LMPOP', '1', 'l2', 'left', 'count', '10'],
    ['DBSIZE'],
    ['LMPOP', '1', 'nokey', 'LEFT'],
    ['LMPOP', '2', 'nokey', 'l2', 'LEFT'],
    ['LMPOP', '2', 's', 'l', 'LEFT'],
    ['LMPOP', '2', 'l', 's', 'LEFT'],
    ['LMPOP', '0', 'l', 'LEFT'],
    ['LMPOP', '-1', 'l', 'LEFT'],
    ['LMPOP', 'x', 'l', 'LEFT'],
    ['LMPOP', '1', 'l', 'UP'],
    ['LMPOP', '2', 'l', 'LEFT'],
    ['LMPOP', '9223372036854775807', 'l', 'LEFT'],
    ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '-1'],
    ['LMPOP', '1', 'l', 'LEFT', 'COUNT', 'x'],
    ['LMPOP', '1', 'l', 'LEFT', 'COUNT'],
    ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
    ['LMPOP', '1', 'l', 'LEFT', 'FOO'],
    ['LMPOP', '1', 'l'],
    ['LMPOP', '1', 'l', 'LEFT'],
  ],
  blocking_immediate: [
    ...setup,
    ['RPUSH', 'l2', 'x', 'y'],
    ['BLPOP', 'nokey', 'l', '0'],
    ['BRPOP', 'nokey', 'l', '0'],
    ['BLPOP', 'l2', 'l', '1'],
    ['BRPOP', 'l', '0.5'],
    ['BLMOVE', 'l', 'd', 'LEFT', 'RIGHT', '0'],
    ['BRPOPLPUSH', 'l2', 'd', '0'],
    ['LRANGE', 'd', '0', '-1'],
    ['BLMPOP', '0', '2', 'nokey', 'd', 'RIGHT', 'COUNT', '5'],
    ['BLMPOP', '0.05', '1', 'l2', 'LEFT'],
    ['DBSIZE'],
    ['BLPOP', 'nokey', 's', '0'],
    ['BLPOP', 's', 'nokey', '0'],
    ['BRPOPLPUSH', 's', 'd', '0'],
    ['RPUSH', 'l', 'z'],
    ['BRPOPLPUSH', 'l', 's', '0'],
    ['BLMOVE', 'l', 's', 'LEFT', 'LEFT', '0'],
    ['BLMPOP', '0', '2', 's', 'l', 'LEFT'],
    ['LRANGE', 'l', '0', '-1'],
  ],
  blocking_errors: [
    ['SET', 's', 'v'],
    ['BLPOP', 'k', 'abc'],
    ['BLPOP', 'k', '-1'],
    ['BLPOP', 'k', '-0.5'],
    ['BLPOP', 'k', 'inf'],
    ['BLPOP', 'k', '-inf'],
    ['BLPOP', 'k', 'nan'],
    ['BLPOP', 'k', '1e400'],
    ['BLPOP', 'k', '1e5000'],
    ['BLPOP', 'k', '1e-5000'],
    ['BLPOP', 'k', '9223372036854775807'],
    ['BLPOP', 'k', ' 1'],
    ['BLPOP', 'k', '1 '],
    ['BLPOP', 'k', ''],
    ['BLPOP', 'k', '0x'],
    ['BLPOP', 'k', '1e'],
    ['BLPOP', 's', 'abc'],
    ['BLPOP', 's', '0'],
    ['BRPOP', 'k', 'x'],
    ['BLPOP', 'k'],
    ['BRPOP'],
    ['BLMOVE', 'k', 'd', 'UP', 'LEFT', '0'],
    ['BLMOVE', 'k', 'd', 'LEFT', 'UP', 'x'],
    ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', 'x'],
    ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '-1'],
    ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'],
    ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT'],
    ['BRPOPLPUSH', 'k', 'd', 'x'],
    ['BRPOPLPUSH', 'k', 'd', '-1'],
    ['BRPOPLPUSH', 's', 'd', '0'],
    ['BRPOPLPUSH', 'k', 'd'],
    ['BLMPOP', 'x', '1', 'k', 'LEFT'],
    ['BLMPOP', '-1', '1', 'k', 'LEFT'],
    ['BLMPOP', '0', '0', 'k', 'LEFT'],
    ['BLMPOP', 'x', '0', 'k', 'LEFT'],
    ['BLMPOP', 'x', '1', 'k', 'UP'],
    ['BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '0'],
    ['BLMPOP', '0', '2', 'k', 'LEFT'],
    ['BLMPOP', '0', '1', 's', 'LEFT'],
    ['BLMPOP', '0', '1', 'k'],
  ],
  command_info: [
    ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'],
    ['COMMAND', 'GETKEYS', 'BLMPOP', '0', '3', 'a', 'b', 'c', 'RIGHT', 'COUNT', '2'],
    ['COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', '0'],
    ['COMMAND', 'GETKEYS', 'BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'],
  ],
  blocking_timeouts: [
    ['BLPOP', 'k', '0.01'],
    ['BRPOP', 'k', 'k2', '.02'],
    ['BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0.01'],
    ['BRPOPLPUSH', 'k', 'd', '0.01'],
    ['BLMPOP', '0.01', '1', 'k', 'LEFT'],
    ['BLMPOP', '1e-2', '2', 'k', 'k2', 'RIGHT', 'COUNT', '3'],
    ['BLPOP', 'k', '0x0.04'],
    ['DBSIZE'],
  ],
});

/** Keyspace events of list commands, collected from a PSUBSCRIBE on both servers. */
describe('differential: list command table and keyspace notifications', {
  skip: redisServerPath() ? false : 'no redis-server',
}, () => {
  let ours: Running;
  let ref: Running;
  const args = ['--notify-keyspace-events', 'KEA'];
  before(async () => {
    [ours, ref] = (await Promise.all([startRedoubt({ args }), startRedis(args)])) as [Running, Running];
  });
  after(async () => {
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  async function events(port: number): Promise<string[]> {
    const sub = await RawClient.connect({ port });
    const cmd = await RawClient.connect({ port });
    const blocked = await RawClient.connect({ port });
    await cmd.raw('SELECT', '9');
    await cmd.raw('FLUSHDB');
    await blocked.raw('SELECT', '9');
    await sub.raw('PSUBSCRIBE', '__key*@9__:*');
    await sub.raw('SUBSCRIBE', 'end');
    const steps: string[][] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
      ['LPUSH', 'l', 'z'],
      ['LPUSHX', 'l', 'y'],
      ['RPUSHX', 'nokey', 'y'],
      ['LPOP', 'l'],
      ['RPOP', 'l', '2'],
      ['LPOP', 'l', '0'],
      ['LSET', 'l', '0', 'Z'],
      ['LINSERT', 'l', 'BEFORE', 'b', 'x'],
      ['LINSERT', 'l', 'BEFORE', 'nope', 'x'],
      ['LREM', 'l', '0', 'x'],
      ['LREM', 'l', '0', 'nope'],
      ['LTRIM', 'l', '0', '-1'],
      ['LTRIM', 'l', '1', '-1'],
      ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'],
      ['RPOPLPUSH', 'l', 'm'],
      ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '5'],
      ['BLPOP', 'm', '0'],
      ['BLMPOP', '0', '1', 'm', 'RIGHT'],
      ['RPUSH', 'r', '1', '2'],
      ['LTRIM', 'r', '5', '6'],
      ['RPUSH', 'r', '1'],
      ['LREM', 'r', '0', '1'],
      ['RPUSH', 'r', '1'],
      ['LMOVE', 'r', 'r', 'LEFT', 'RIGHT'],
    ];
    for (const s of steps) await cmd.raw(...s);
    // a blocked BLMOVE served by a push: events of the push, then of the move
    blocked.write(encode(['BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0']));
    await new Promise((r) => setTimeout(r, 60));
    await cmd.raw('RPUSH', 'src', 'v');
    await blocked.next();
    await cmd.raw('PUBLISH', 'end', 'x');
    const got: string[] = [];
    for (;;) {
      const m = (await sub.next()).toString('latin1');
      if (m.includes('$3\r\nend\r\n')) break;
      got.push(m.replace(/\r\n/g, ' '));
    }
    for (const c of [sub, cmd, blocked]) c.close();
    return got;
  }

  it('COMMAND INFO: arity, flags, key positions, ACL categories as Redis 7.0', async () => {
    const names = LIST_COMMANDS;
    const a = await RawClient.connect({ port: ours.port });
    const b = await RawClient.connect({ port: ref.port });
    for (const n of names) {
      const [x, y] = [await a.call('COMMAND', 'INFO', n), await b.call('COMMAND', 'INFO', n)];
      // key specs (field 9) come from the shared COMMAND layer and are coarser by design
      const head = (v: RespValue) => JSON.stringify(((v as RespValue[])[0] as RespValue[]).slice(0, 8));
      assert.equal(head(x), head(y), n);
    }
    a.close();
    b.close();
  });

  it('same events in the same order', async () => {
    const a = await events(ours.port);
    const b = await events(ref.port);
    assert.deepEqual(a, b);
    assert.ok(a.length > 40, `only ${a.length} events`);
  });
});
