// BGSAVE is a point-in-time snapshot while the server keeps serving: writes of every kind
// issued while it runs (in-place edits of every type, deletes, new keys, expiries, renames,
// FLUSHDB, SWAPDB) must not show in the dump, which must hold exactly the data as of the
// BGSAVE. The dump is checked by loading it into redis-server and comparing every key with a
// copy of the data taken just before the BGSAVE.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode, RawClient } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt, tmpDir } from '../helpers/servers';
import { assertSameData, type Cmd, collect, dataCommands, run, streamCommands } from './rdbutil';

const haveRedis = redisServerPath() !== null;

/** Sends all commands in one write and reads every reply (raw). */
async function pipeline(c: RawClient, cmds: Cmd[]): Promise<Buffer[]> {
  c.write(Buffer.concat(cmds.map((x) => encode(x))));
  const out: Buffer[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.next(30000));
  return out;
}

async function infoField(c: RawClient, name: string): Promise<string> {
  const v = await c.call('INFO', 'persistence');
  const text = Buffer.isBuffer(v) ? v.toString('latin1') : (v as { verbatim: string }).verbatim;
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(text);
  assert.ok(m, `INFO has ${name}`);
  return m[1].trim();
}

async function waitSaved(c: RawClient): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await infoField(c, 'rdb_bgsave_in_progress')) === '0') return;
    await sleep(50);
  }
  throw new Error('BGSAVE did not finish');
}

/** Writes of every kind on the dataset of rdbutil (db 0, 3, 15) and the filler keys. */
function concurrentWrites(round: number): Cmd[] {
  const r = String(round);
  return [
    ['SELECT', 0],
    // strings in place and replaced
    ['APPEND', 'str:small', r],
    ['SETRANGE', 'str:long', 5, 'ZZZ'],
    ['SETBIT', 'str:words', 7, 1],
    ['BITFIELD', 'str:random', 'INCRBY', 'u8', 0, 1],
    ['INCR', 'str:i16'],
    ['INCRBYFLOAT', 'str:i8', '0.5'],
    ['DECRBY', 'str:i32', 3],
    ['GETSET', 'str:empty', `now-${r}`],
    ['SET', 'str:ttl', 'replaced', 'KEEPTTL'],
    ['GETEX', 'str:pttl', 'PERSIST'],
    ['GETDEL', 'str:notint'],
    ['MSET', 'str:negzero', 'x', `new:${r}`, 'y'],
    ['PFADD', 'hll:one', `e${r}`],
    // lists
    ['LPUSH', 'list:small', `head-${r}`],
    ['RPUSH', 'list:big', `tail-${r}`],
    ['LPOP', 'list:lpushed'],
    ['LSET', 'list:ints', 0, 'changed'],
    ['LINSERT', 'list:binary', 'BEFORE', Buffer.from([0]), 'ins'],
    ['LREM', 'list:huge-elements', 0, 'small'],
    ['LTRIM', 'list:ttl', 0, 0],
    ['LMOVE', 'list:big', 'list:small', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'list:small', 'list:new'],
    // hashes
    ['HSET', 'hash:small', 'f1', `changed-${r}`, 'added', '1'],
    ['HDEL', 'hash:big', 'field:1', 'field:2'],
    ['HINCRBY', 'hash:small', 'num', 10],
    ['HINCRBYFLOAT', 'hash:longval', 'x', '1.5'],
    ['HSETNX', 'hash:binary', 'newfield', 'v'],
    // sets
    ['SADD', 'set:i16', '77', 'notanint'],
    ['SREM', 'set:str', 'a'],
    ['SPOP', 'set:many'],
    ['SMOVE', 'set:i32', 'set:i64', '1'],
    ['SINTERSTORE', 'set:bigint', 'set:i16', 'set:i64'],
    // sorted sets
    ['ZADD', 'zset:small', '99', 'a', '5', 'new'],
    ['ZINCRBY', 'zset:big', '1000', 'member:3'],
    ['ZREM', 'zset:longmember', 'short'],
    ['ZPOPMIN', 'zset:ttl'],
    ['ZREMRANGEBYRANK', 'zset:big', 0, 5],
    ['ZUNIONSTORE', 'zset:small', 2, 'zset:small', 'zset:big'],
    // streams
    ['XADD', 'stream:plain', '*', 'f', r],
    ['XDEL', 'stream:big', '1000-0'],
    ['XTRIM', 'stream:big', 'MAXLEN', 100],
    ['XGROUP', 'CREATE', 'stream:plain', `grp${r}`, '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', 1, 'STREAMS', 'stream:groups', '>'],
    ['XACK', 'stream:groups', 'g1', '100-0'],
    ['XCLAIM', 'stream:groups', 'g1', 'dave', 0, '102-0'],
    ['XAUTOCLAIM', 'stream:groups', 'g0', 'erin', 0, '0'],
    ['XGROUP', 'DELCONSUMER', 'stream:groups', 'g2', 'idle'],
    ['XSETID', 'stream:trimmed', '999-0'],
    // generic
    ['DEL', 'str:big'],
    ['UNLINK', 'list:binary'],
    ['EXPIRE', 'hash:small', 1000],
    ['PEXPIRE', 'set:str', 5],
    ['PERSIST', 'hash:ttl'],
    ['RENAME', 'zset:longmember', `renamed:${r}`],
    ['RENAMENX', 'set:many', `renamednx:${r}`],
    ['MOVE', 'list:new', 3],
    ['COPY', 'hash:big', 'hash:copy', 'REPLACE'],
    ['SET', `brand:new:${r}`, 'v'],
    ['SELECT', 3],
    ['SWAPDB', 3, 15],
    ['SELECT', 15],
    ['FLUSHDB'],
    ['SELECT', 0],
    // the filler keys, spread over the whole walk
    ['INCR', `fill:${(round * 7919) % 4000}`],
    ['DEL', `fill:${(round * 104729) % 4000}`],
    ['RPUSH', `fl:${(round * 31) % 400}`, 'x'],
  ];
}

function fillCommands(): Cmd[] {
  const out: Cmd[] = [['SELECT', 0]];
  for (let i = 0; i < 4000; i += 500) {
    const m: Cmd = ['MSET'];
    for (let j = i; j < i + 500; j++) m.push(`fill:${j}`, String(j));
    out.push(m);
  }
  for (let i = 0; i < 400; i++) out.push(['RPUSH', `fl:${i}`, 'a', 'b', String(i)]);
  return out;
}

describe('BGSAVE snapshot consistency', { skip: !haveRedis && 'redis-server not installed' }, () => {
  let ours: Running;
  let c: RawClient;
  const others: Running[] = [];
  before(async () => {
    ours = await startRedoubt({ args: ['--save', ''] });
    c = await RawClient.connect({ port: ours.port });
    await run(c, dataCommands(3));
    await run(c, streamCommands());
    await run(c, [['PFADD', 'hll:one', 'a', 'b']]);
    await run(c, fillCommands());
  });
  after(async () => {
    c?.close();
    await ours?.stop();
    await Promise.all(others.map((r) => r.stop()));
  });

  it('saves exactly the data as of the BGSAVE while every kind of write goes on', async () => {
    const atStart = await collect(c, { streams: true });
    // BGSAVE and a first batch of writes in one packet: the writes run before the first slice
    const first: Cmd[] = [['BGSAVE']];
    for (let i = 0; i < 3; i++) first.push(...concurrentWrites(i));
    const replies = await pipeline(c, first);
    assert.equal(replies[0].toString(), '+Background saving started\r\n');
    // the first round applies cleanly (later rounds may hit keys renamed or deleted before)
    for (let i = 1; i <= concurrentWrites(0).length; i++) {
      assert.notEqual(replies[i][0], 45, `${first[i].join(' ')}: ${replies[i].toString()}`);
    }
    // more writes while the snapshot walks the keyspace
    let round = 3;
    while ((await infoField(c, 'rdb_bgsave_in_progress')) === '1' && round < 400) {
      await pipeline(c, concurrentWrites(round++));
    }
    await waitSaved(c);
    assert.equal(await infoField(c, 'rdb_last_bgsave_status'), 'ok');
    // a change the snapshot saw only afterwards (a path around its hooks) is logged
    const missed = ours
      .output()
      .split('\n')
      .filter((l) => l.includes('before-write'));
    assert.deepEqual(missed, [], 'every change reached the snapshot before it happened');
    // the live data did change
    assert.notEqual(String(await c.call('GET', 'str:small')), 'hello');
    // the dump holds the data as of the BGSAVE: compare through redis-server
    const dir = tmpDir('rdb-bgsave-');
    fs.copyFileSync(path.join(ours.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const r = (await startRedis(['--dir', dir])) as Running;
    others.push(r);
    const rc = await RawClient.connect({ port: r.port });
    try {
      const saved = await collect(rc, { streams: true });
      assertSameData(atStart, saved, { streams: true, encodings: false });
    } finally {
      rc.close();
    }
  });

  it('a second BGSAVE is refused while one runs; SAVE too; both work again afterwards', async () => {
    await waitSaved(c);
    const replies = await pipeline(c, [
      ['BGSAVE'],
      ['BGSAVE'],
      ['BGSAVE', 'SCHEDULE'],
      ['SAVE'],
      ['BGSAVE', 'x'],
    ]);
    assert.deepEqual(
      replies.map((b) => b.toString()),
      [
        '+Background saving started\r\n',
        '-ERR Background save already in progress\r\n',
        '-ERR Background save already in progress\r\n',
        '-ERR Background save already in progress\r\n',
        '-ERR syntax error\r\n',
      ],
    );
    await waitSaved(c);
    assert.equal(await c.call('SAVE'), 'OK');
    const saves = Number(await infoField(c, 'rdb_saves'));
    assert.ok(saves >= 3, `rdb_saves ${saves}`);
    assert.equal(await infoField(c, 'rdb_changes_since_last_save'), '0');
  });

  it('BGSAVE inside MULTI is scheduled and runs after EXEC', async () => {
    await waitSaved(c);
    const before = Number(await infoField(c, 'rdb_saves'));
    const replies = await pipeline(c, [['MULTI'], ['BGSAVE'], ['EXEC']]);
    assert.equal(replies[2].toString(), '*1\r\n+Background saving scheduled\r\n');
    for (let i = 0; i < 200 && Number(await infoField(c, 'rdb_saves')) === before; i++) await sleep(25);
    await waitSaved(c);
    assert.equal(Number(await infoField(c, 'rdb_saves')), before + 1);
  });
});
