// aof-use-rdb-preamble no: the AOF base is `<appendfilename>.<n>.base.aof`, the commands that
// rebuild the data (SELECT, SET, RPUSH/SADD/ZADD/HMSET in batches of 64, XADD/XSETID/XGROUP/
// XCLAIM for streams, PEXPIREAT), written by BGREWRITEAOF, at start-up and by CONFIG SET
// appendonly yes. Every type survives a rewrite and a restart; redis-server 7.0 loads such a
// directory written by redoubt, and redoubt loads one written by redis-server.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseAt } from '../../src/persistence/aof-format';
import type { RawClient } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt, tmpDir } from '../helpers/servers';
import { aofServers, manifest, waitRewrite } from './aofutil';
import {
  assertSameData,
  type Cmd,
  collect as collectAll,
  dataCommands,
  type KeyInfo,
  run,
  streamCommands,
} from './rdbutil';

const haveRedis = redisServerPath() !== null;
const AOF = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', 'no'];
const { open, redoubt } = aofServers(AOF);

function aofDir(dir: string): string {
  return path.join(dir, 'appendonlydir');
}

/** The base file named by the manifest. */
function baseOf(dir: string): string {
  const m = /^file (\S+) seq \d+ type b$/m.exec(manifest(dir));
  assert.ok(m !== null, `a base in the manifest:\n${manifest(dir)}`);
  return m[1];
}

/** The commands of an AOF file, parsed (fails on anything but complete commands). */
function commandsOf(file: string): string[][] {
  const buf = fs.readFileSync(file);
  const out: string[][] = [];
  let pos = 0;
  for (;;) {
    const p = parseAt(buf, pos);
    if (p.kind === 'eof') break;
    if (p.kind === 'annotation') {
      pos = p.end;
      continue;
    }
    assert.equal(p.kind, 'command', `complete command at offset ${pos} of ${file}`);
    if (p.kind !== 'command') break;
    out.push(p.argv.map((a) => a.toString('latin1')));
    pos = p.end;
  }
  return out;
}

/**
 * A base's commands grouped by database and key, comparable across servers: the order of keys
 * differs (hash tables), and so does the order of set members, hash fields and sorted set members
 * (compared sorted, with the batch sizes); XCLAIM's delivery TIME and PEXPIREAT's time are each
 * server's (the restart tests check them exactly).
 */
function byKey(cmds: string[][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let db = '0';
  const pending = new Map<string, string[][]>();
  for (const a of cmds) {
    if (a[0] === 'SELECT') {
      db = a[1];
      continue;
    }
    const key = a[0] === 'XGROUP' ? a[2] : a[1];
    const id = `${db}:${key}`;
    let l = pending.get(id);
    if (l === undefined) {
      l = [];
      pending.set(id, l);
    }
    const b = [...a];
    if (b[0] === 'XCLAIM') b[7] = 'T';
    if (b[0] === 'PEXPIREAT') b[2] = 'T'; // relative TTLs were set at different times
    l.push(b);
  }
  for (const [id, l] of pending) {
    // Redis walks a hash-table set, hash or sorted set (skiplist: its dict) in hash order
    const unordered = l[0][0] === 'SADD' || l[0][0] === 'HMSET' || l[0][0] === 'ZADD';
    if (!unordered) {
      out.set(
        id,
        l.map((a) => a.join(' ')),
      );
      continue;
    }
    const width = l[0][0] === 'SADD' ? 1 : 2;
    const items: string[] = [];
    const rest: string[] = [];
    for (const a of l) {
      if (a[0] !== l[0][0]) {
        rest.push(a.join(' '));
        continue;
      }
      rest.push(`${a[0]} x${(a.length - 2) / width}`);
      for (let i = 2; i < a.length; i += width) items.push(a.slice(i, i + width).join('='));
    }
    out.set(id, [...rest, items.sort().join(',')]);
  }
  return out;
}

function copyDir(from: string): string {
  const to = tmpDir('aof-pre-copy-');
  fs.cpSync(aofDir(from), aofDir(to), { recursive: true });
  for (const f of fs.readdirSync(aofDir(to))) fs.chmodSync(path.join(aofDir(to), f), 0o600);
  fs.chmodSync(aofDir(to), 0o700);
  return to;
}

/**
 * Every key, with stream consumer seen times masked: an AOF (Redis's too) rebuilds consumers
 * with XCLAIM / XGROUP CREATECONSUMER, so their seen time is the load's. Delivery times are
 * kept (XCLAIM ... TIME).
 */
async function collect(c: RawClient): Promise<Map<string, KeyInfo>> {
  const m = await collectAll(c, { streams: true });
  for (const v of m.values()) {
    if (v.type !== 'stream') continue;
    // "seen-time" (its bytes, as the view prints buffers) followed by the time
    v.value = v.value.replace(/(\[115,101,101,110,45,116,105,109,101\]\},)\d+/g, '$1T');
  }
  return m;
}

/** Values the shared data set lacks: big batches, a long TTL'd string, an intset, a big stream PEL. */
function extraCommands(): Cmd[] {
  const out: Cmd[] = [['SELECT', 0]];
  const l: Cmd = ['RPUSH', 'x:list130'];
  for (let i = 0; i < 130; i++) l.push(`e${i}`);
  out.push(l);
  const z: Cmd = ['ZADD', 'x:zset130'];
  for (let i = 0; i < 130; i++) z.push(String(i / 7), `m${i}`);
  out.push(z);
  const h: Cmd = ['HSET', 'x:hash65'];
  for (let i = 0; i < 65; i++) h.push(`f${i}`, String(i));
  out.push(h);
  out.push(['SADD', 'x:intset', '1', '2', '3', '-9']);
  out.push(['SET', 'x:bigttl', 'v'.repeat(100000), 'PX', 86400000]);
  for (let i = 1; i <= 80; i++) out.push(['XADD', 'x:pel', `${i}-1`, 'f', String(i)]);
  out.push(['XGROUP', 'CREATE', 'x:pel', 'grp', '0']);
  out.push(['XREADGROUP', 'GROUP', 'grp', 'reader', 'COUNT', '70', 'STREAMS', 'x:pel', '>']);
  out.push(['XCLAIM', 'x:pel', 'grp', 'other', '0', '5-1', '6-1', 'RETRYCOUNT', '7']);
  out.push(['XGROUP', 'CREATECONSUMER', 'x:pel', 'grp', 'lazy']);
  out.push(['XGROUP', 'CREATE', 'x:pel', 'unread', '$', 'ENTRIESREAD', '80']);
  out.push(['XDEL', 'x:pel', '80-1']);
  // empty streams: made by MKSTREAM (last ID 0-0, a group), and emptied by XDEL
  out.push(['XGROUP', 'CREATE', 'x:mk', 'g', '$', 'MKSTREAM']);
  out.push(['XADD', 'x:emptied', '9-9', 'a', '1'], ['XDEL', 'x:emptied', '9-9']);
  return out;
}

async function fill(c: RawClient, seed: number): Promise<void> {
  await run(c, dataCommands(seed));
  await run(c, streamCommands());
  await run(c, extraCommands());
}

describe('AOF base as commands (aof-use-rdb-preamble no)', () => {
  it('start-up creates an empty .base.aof; BGREWRITEAOF writes every type as commands; a restart reloads it exactly', async () => {
    const dir = tmpDir('aof-pre-');
    const [r, c] = await redoubt(dir);
    assert.equal(baseOf(dir), 'appendonly.aof.1.base.aof');
    assert.equal(fs.statSync(path.join(aofDir(dir), 'appendonly.aof.1.base.aof')).size, 0);
    await fill(c, 41);
    assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
    await waitRewrite(c);
    assert.equal(baseOf(dir), 'appendonly.aof.2.base.aof');
    assert.match(manifest(dir), /^file appendonly\.aof\.2\.base\.aof seq 2 type b$/m);
    const baseFile = path.join(aofDir(dir), 'appendonly.aof.2.base.aof');
    assert.ok(!fs.readFileSync(baseFile).subarray(0, 5).equals(Buffer.from('REDIS')), 'no RDB preamble');
    assert.deepEqual(
      fs.readdirSync(aofDir(dir)).sort(),
      ['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest'],
      'old files removed',
    );
    const cmds = commandsOf(baseFile);
    assert.deepEqual(cmds[0], ['SELECT', '0']);
    const names = new Set(cmds.map((a) => a[0]));
    for (const n of [
      'SELECT',
      'SET',
      'RPUSH',
      'SADD',
      'ZADD',
      'HMSET',
      'XADD',
      'XSETID',
      'XGROUP',
      'XCLAIM',
      'PEXPIREAT',
    ]) {
      assert.ok(names.has(n), `${n} in the base`);
    }
    // batches of at most 64 items
    const list = cmds.filter((a) => a[0] === 'RPUSH' && a[1] === 'x:list130');
    assert.deepEqual(
      list.map((a) => a.length - 2),
      [64, 64, 2],
    );
    const zset = cmds.filter((a) => a[0] === 'ZADD' && a[1] === 'x:zset130');
    assert.deepEqual(
      zset.map((a) => (a.length - 2) / 2),
      [64, 64, 2],
    );
    const hash = cmds.filter((a) => a[0] === 'HMSET' && a[1] === 'x:hash65');
    assert.deepEqual(
      hash.map((a) => (a.length - 2) / 2),
      [64, 1],
    );
    // stream: consumers as Redis writes them
    assert.ok(cmds.some((a) => a.join(' ') === 'XGROUP CREATECONSUMER x:pel grp lazy'));
    assert.ok(
      cmds.some(
        (a) => a[0] === 'XCLAIM' && a[1] === 'x:pel' && a[3] === 'other' && a[5] === '5-1' && a[9] === '7',
      ),
    );
    assert.ok(cmds.some((a) => a.join(' ') === 'XGROUP CREATE x:pel unread 80-1 ENTRIESREAD 80'));
    assert.ok(
      cmds.some(
        (a) =>
          a[0] === 'XSETID' &&
          a[1] === 'x:pel' &&
          a.slice(2).join(' ') === '80-1 ENTRIESADDED 80 MAXDELETEDID 80-1',
      ),
    );
    // writes after the rewrite go to the incr file
    await c.call('SET', 'after', 'rewrite');
    await c.call('RPUSH', 'list:small', 'tail');
    const mine = await collect(c);
    await r.stop();
    const [, c2] = await redoubt(dir);
    assertSameData(mine, await collect(c2), { streams: true, encodings: true });
  });

  it('CONFIG SET appendonly yes writes a .base.aof of the current data (after a #TS: annotation)', async () => {
    const dir = tmpDir('aof-pre-cfg-');
    const r = await startRedoubt({
      dir,
      args: ['--save', '', '--aof-use-rdb-preamble', 'no', '--aof-timestamp-enabled', 'yes'],
    });
    const c = await open(r);
    await run(c, dataCommands(5));
    await run(c, streamCommands());
    assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
    await waitRewrite(c);
    assert.equal(baseOf(dir), 'appendonly.aof.1.base.aof');
    const base = path.join(aofDir(dir), 'appendonly.aof.1.base.aof');
    assert.match(fs.readFileSync(base, 'latin1'), /^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n/);
    assert.ok(commandsOf(base).length > 10);
    const mine = await collect(c);
    await r.stop();
    const [, c2] = await redoubt(dir);
    assertSameData(mine, await collect(c2), { streams: true, encodings: true });
  });
});

describe('preamble-less AOF compatibility with redis-server 7.0', {
  skip: !haveRedis && 'redis-server not installed',
}, () => {
  it('writes the same commands per key as redis-server 7.0 for the same data', async () => {
    const dir = tmpDir('aof-pre-same-');
    const [r, c] = await redoubt(dir);
    const redis = (await startRedis(['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'])) as Running;
    const rc = await open(redis);
    for (const x of [c, rc]) {
      await fill(x, 71);
      assert.match(String(await x.call('BGREWRITEAOF')), /rewriting started/);
      await waitRewrite(x);
    }
    await r.stop();
    await redis.stop();
    const mine = byKey(commandsOf(path.join(aofDir(dir), baseOf(dir))));
    const theirs = byKey(commandsOf(path.join(aofDir(redis.dir), baseOf(redis.dir))));
    assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort(), 'the same keys');
    for (const [k, cmds] of theirs) assert.deepEqual(mine.get(k), cmds, `commands of ${k}`);
  });

  it('redis-server loads the preamble-less appendonlydir redoubt wrote', async () => {
    const dir = tmpDir('aof-pre-x-');
    const [r, c] = await redoubt(dir);
    await fill(c, 51);
    assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
    await waitRewrite(c);
    await run(c, dataCommands(52));
    const mine = await collect(c);
    await r.stop();
    assert.match(baseOf(dir), /\.base\.aof$/);
    const redis = (await startRedis(['--appendonly', 'yes', '--dir', copyDir(dir)])) as Running;
    const rc = await open(redis);
    assertSameData(mine, await collect(rc), { streams: true, encodings: false });
  });

  it("redoubt loads redis-server's preamble-less appendonlydir", async () => {
    const redis = (await startRedis([
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--aof-use-rdb-preamble',
      'no',
    ])) as Running;
    const rc = await open(redis);
    await fill(rc, 61);
    assert.match(String(await rc.call('BGREWRITEAOF')), /rewriting started/);
    await waitRewrite(rc);
    await run(rc, dataCommands(62));
    const theirs = await collect(rc);
    await redis.stop();
    assert.match(baseOf(redis.dir), /\.base\.aof$/);
    const [, c] = await redoubt(copyDir(redis.dir));
    assertSameData(theirs, await collect(c), { streams: true, encodings: false });
  });
});
