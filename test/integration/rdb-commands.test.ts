// DUMP/RESTORE, SAVE/BGSAVE/LASTSAVE, SHUTDOWN saving and the persistence configuration, each
// compared with redis-server where Redis has an observable answer (raw replies byte for byte):
// RESTORE's error paths, -MISCONF after a failed background save, SHUTDOWN refusing to exit when
// the final save fails; and redoubt's own behaviour for save policies, rdbchecksum,
// rdbcompression, dbfilename.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Crc64 } from '../../src/persistence/crc64';
import { RawClient } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt, tmpDir } from '../helpers/servers';

const haveRedis = redisServerPath() !== null;

async function infoField(c: RawClient, name: string): Promise<string> {
  const text = String(await c.call('INFO', 'persistence'));
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(text);
  assert.ok(m, `INFO has ${name}`);
  return m[1].trim();
}

async function waitFor(what: string, f: () => Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A payload with a valid footer (version, CRC) around `body`. */
function payload(body: Buffer, version = 10): Buffer {
  const out = Buffer.alloc(body.length + 10);
  body.copy(out);
  out.writeUInt16LE(version, body.length);
  new Crc64()
    .update(out, 0, body.length + 2)
    .bytesLE()
    .copy(out, body.length + 2);
  return out;
}

describe('DUMP/RESTORE and persistence commands against redis-server', {
  skip: !haveRedis && 'redis-server not installed',
}, () => {
  let ours: Running;
  let ref: Running;
  let a: RawClient;
  let b: RawClient;
  before(async () => {
    [ours, ref] = (await Promise.all([startRedoubt({ args: ['--save', ''] }), startRedis()])) as [
      Running,
      Running,
    ];
    a = await RawClient.connect({ port: ours.port });
    b = await RawClient.connect({ port: ref.port });
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([ours?.stop(), ref?.stop()]);
  });

  /** Runs the same command on both and asserts identical raw replies; returns ours. */
  async function same(...cmd: (string | Buffer | number)[]): Promise<Buffer> {
    const [x, y] = await Promise.all([a.raw(...cmd), b.raw(...cmd)]);
    assert.equal(x.toString('latin1'), y.toString('latin1'), `${cmd.map(String).join(' ').slice(0, 80)}`);
    return x;
  }

  it('RESTORE error paths and options reply as Redis', async () => {
    await same('FLUSHALL');
    await same('SET', 'src', 'hello world');
    await same('HSET', 'h', 'f', 'v');
    const p = (await b.call('DUMP', 'src')) as Buffer;
    const hp = (await b.call('DUMP', 'h')) as Buffer;
    assert.deepEqual(await a.call('DUMP', 'src'), p, 'same DUMP bytes');
    await same('DUMP', 'nosuchkey');
    await same('RESTORE', 'k');
    await same('RESTORE', 'k', 0);
    await same('RESTORE', 'k', 0, 'garbage');
    await same('RESTORE', 'k', 0, '');
    await same('RESTORE', 'k', 0, p);
    await same('RESTORE', 'k', 0, p); // BUSYKEY
    await same('RESTORE', 'k', -1, p); // BUSYKEY comes first
    await same('RESTORE', 'k', -1, p, 'REPLACE');
    await same('RESTORE', 'k', 'abc', p, 'REPLACE');
    await same('RESTORE', 'k', '1.5', p, 'REPLACE');
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'IDLETIME', -1);
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'IDLETIME', 'x');
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'FREQ', 256);
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'FREQ', -1);
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'IDLETIME', 1, 'FREQ', 1);
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'FREQ', 1, 'IDLETIME', 1);
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'IDLETIME');
    await same('RESTORE', 'k', 0, p, 'REPLACE', 'BOGUS');
    await same('RESTORE', 'k', 0, p, 'replace', 'absttl');
    await same('GET', 'k');
    // a newer RDB version in the footer, a flipped CRC byte, a valid footer around bad data
    await same('RESTORE', 'v11', 0, payload(p.subarray(0, p.length - 10), 11));
    const flipped = Buffer.from(p);
    flipped[flipped.length - 1] ^= 1;
    await same('RESTORE', 'crc', 0, flipped);
    await same('RESTORE', 'bad', 0, payload(Buffer.from([0, 0x40 | 1, 0])));
    await same('RESTORE', 'bad', 0, payload(Buffer.from([42, 1, 2, 3])));
    await same('RESTORE', 'bad', 0, payload(Buffer.from([2, 0]))); // empty set
    await same('RESTORE', 'bad', 0, payload(Buffer.concat([p.subarray(0, p.length - 10), Buffer.from('x')])));
    await same('RESTORE', 'bad', 0, payload(Buffer.from([7, 1, 2, 3]))); // module value
    await same('EXISTS', 'v11', 'crc', 'bad');
    // TTLs: relative, absolute, already expired (with REPLACE: the old key is deleted)
    await same('RESTORE', 'ttl', 100000, p);
    const [pa, pb] = [Number(await a.call('PTTL', 'ttl')), Number(await b.call('PTTL', 'ttl'))];
    assert.ok(Math.abs(pa - pb) < 1000 && pa > 98000, `${pa} ${pb}`);
    await same('RESTORE', 'abs', Date.now() + 500000, p, 'ABSTTL');
    assert.ok(Number(await a.call('PTTL', 'abs')) > 490000);
    await same('RESTORE', 'past', 1000, p, 'ABSTTL');
    await same('EXISTS', 'past');
    await same('RESTORE', 'k', 1000, p, 'ABSTTL', 'REPLACE');
    await same('EXISTS', 'k');
    await same('RESTORE', 'h2', 0, hp);
    await same('HGETALL', 'h2');
    await same('OBJECT', 'ENCODING', 'h2');
    await same('RESTORE', 'h2', 0, p, 'REPLACE');
    await same('TYPE', 'h2');
    // IDLETIME applies under an LRU policy, FREQ under an LFU one
    await same('RESTORE', 'idle', 0, p, 'IDLETIME', 1000);
    const [ia, ib] = [
      Number(await a.call('OBJECT', 'IDLETIME', 'idle')),
      Number(await b.call('OBJECT', 'IDLETIME', 'idle')),
    ];
    assert.ok(ia >= 1000 && ia <= 1002 && Math.abs(ia - ib) <= 1, `${ia} ${ib}`);
    await same('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    await same('RESTORE', 'freq', 0, p, 'FREQ', 100);
    await same('OBJECT', 'FREQ', 'freq');
    await same('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  });

  it('SAVE, LASTSAVE, BGSAVE argument errors and INFO fields as Redis', async () => {
    const before = Number(await a.call('LASTSAVE'));
    await same('SET', 'x', '1');
    await same('SAVE');
    assert.ok(Number(await a.call('LASTSAVE')) >= before);
    await same('SAVE', 'extra');
    await same('BGSAVE', 'SCHEDULE', 'x');
    await same('BGSAVE', 'NOW');
    await same('LASTSAVE', 'x');
    await same('DUMP');
    await same('DUMP', 'a', 'b');
    await same('MULTI');
    await same('SAVE');
    await same('EXEC');
    assert.equal(await infoField(a, 'rdb_changes_since_last_save'), '0');
    assert.equal(await infoField(a, 'rdb_last_bgsave_status'), 'ok');
    for (const f of ['rdb_bgsave_in_progress', 'rdb_last_save_time', 'rdb_saves', 'rdb_last_cow_size']) {
      await infoField(a, f);
    }
  });
});

describe('failed saves: -MISCONF and SHUTDOWN as Redis', {
  skip: !haveRedis && 'redis-server not installed',
}, () => {
  it('a failed BGSAVE stops writes with the same error; SAVE and SHUTDOWN fail alike', async () => {
    const dirs = [tmpDir('misconf-ours-'), tmpDir('misconf-ref-')];
    const ours = await startRedoubt({ dir: dirs[0], args: ['--save', '900', '1'] });
    const ref = (await startRedis(['--dir', dirs[1], '--save', '900', '1'])) as Running;
    const a = await RawClient.connect({ port: ours.port });
    const b = await RawClient.connect({ port: ref.port });
    const same = async (...cmd: (string | number)[]) => {
      const [x, y] = await Promise.all([a.raw(...cmd), b.raw(...cmd)]);
      assert.equal(x.toString('latin1'), y.toString('latin1'), cmd.join(' '));
      return x.toString('latin1');
    };
    try {
      await same('SET', 'k', 'v');
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      assert.equal(await same('BGSAVE'), '+Background saving started\r\n');
      await waitFor('failed BGSAVE', async () => (await infoField(a, 'rdb_last_bgsave_status')) === 'err');
      await waitFor(
        'failed BGSAVE (redis)',
        async () => (await infoField(b, 'rdb_last_bgsave_status')) === 'err',
      );
      const err = await same('SET', 'k', 'v2');
      assert.match(err, /^-MISCONF /);
      await same('PING');
      await same('GET', 'k');
      await same('DEL', 'k');
      await same('MULTI');
      await same('SET', 'k', 'v3');
      await same('EXEC');
      await same('SAVE');
      await same('SHUTDOWN');
      await same('PING');
      await same('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no');
      await same('SET', 'k', 'v4');
      await same('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes');
      await same('CONFIG', 'SET', 'save', '');
      await same('SET', 'k', 'v5');
      assert.equal(await infoField(a, 'rdb_last_bgsave_status'), 'err');
      // no reply: the server exits
      a.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
      b.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
      await Promise.all([ours.exited, ref.exited]);
      assert.match(ours.output(), /Background saving error/);
      assert.match(ours.output(), /Error trying to save the DB, can't exit\./);
    } finally {
      a.close();
      b.close();
      await Promise.all([ours.stop(), ref.stop()]);
    }
  });

  it('writes are allowed again once a BGSAVE succeeds', async () => {
    const dir = tmpDir('misconf-recover-');
    const ours = await startRedoubt({ dir, args: ['--save', '900', '1'] });
    const a = await RawClient.connect({ port: ours.port });
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      await a.call('BGSAVE');
      await waitFor('failed BGSAVE', async () => (await infoField(a, 'rdb_last_bgsave_status')) === 'err');
      assert.match(String((await a.raw('SET', 'k', 'v')).toString()), /^-MISCONF/);
      fs.mkdirSync(dir, { mode: 0o700 });
      assert.equal(await a.call('BGSAVE'), 'Background saving started');
      await waitFor('BGSAVE', async () => (await infoField(a, 'rdb_last_bgsave_status')) === 'ok');
      assert.equal(await a.call('SET', 'k', 'v'), 'OK');
    } finally {
      a.close();
      await ours.stop();
    }
  });
});

describe('persistence configuration', () => {
  it('save points trigger a background save from the cron', async () => {
    const r = await startRedoubt({ args: ['--save', '1', '2'] });
    const c = await RawClient.connect({ port: r.port });
    try {
      await c.call('SET', 'a', '1');
      await c.call('SET', 'b', '2');
      assert.equal(await infoField(c, 'rdb_changes_since_last_save'), '2');
      await waitFor('policy save', async () => (await infoField(c, 'rdb_changes_since_last_save')) === '0');
      await waitFor('save end', async () => (await infoField(c, 'rdb_bgsave_in_progress')) === '0');
      assert.match(r.output(), /2 changes in 1 seconds\. Saving\.\.\./);
      assert.ok(fs.existsSync(path.join(r.dir, 'dump.rdb')));
      assert.equal((fs.statSync(path.join(r.dir, 'dump.rdb')).mode & 0o777).toString(8), '600');
      // no temp files left behind
      assert.deepEqual(fs.readdirSync(r.dir), ['dump.rdb']);
    } finally {
      c.close();
      await r.stop();
    }
  });

  it('SHUTDOWN saves with save points, SHUTDOWN NOSAVE does not, SHUTDOWN SAVE always does', async () => {
    const r1 = await startRedoubt({ args: ['--save', '3600', '1'] });
    let c = await RawClient.connect({ port: r1.port });
    await c.call('SET', 'k', 'saved-on-shutdown');
    c.write('*1\r\n$8\r\nSHUTDOWN\r\n');
    assert.equal(await r1.exited, 0);
    c.close();
    const again = await startRedoubt({ dir: r1.dir, args: ['--save', ''] });
    c = await RawClient.connect({ port: again.port });
    assert.equal(String(await c.call('GET', 'k')), 'saved-on-shutdown');
    await c.call('SET', 'k', 'changed');
    c.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    await again.exited;
    c.close();
    const third = await startRedoubt({ dir: r1.dir, args: ['--save', ''] });
    c = await RawClient.connect({ port: third.port });
    assert.equal(String(await c.call('GET', 'k')), 'saved-on-shutdown');
    await c.call('SET', 'k', 'explicit');
    c.write('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    await third.exited;
    c.close();
    const fourth = await startRedoubt({ dir: r1.dir, args: ['--save', ''] });
    c = await RawClient.connect({ port: fourth.port });
    assert.equal(String(await c.call('GET', 'k')), 'explicit');
    c.close();
    // SIGTERM saves too (save points configured)
    await fourth.stop();
  });

  it('rdbchecksum no writes a zero checksum that Redis and redoubt load; rdbcompression; dbfilename', async () => {
    const r = await startRedoubt({
      args: [
        '--save',
        '',
        '--rdbchecksum',
        'no',
        '--rdbcompression',
        'no',
        '--enable-protected-configs',
        'yes',
      ],
    });
    const c = await RawClient.connect({ port: r.port });
    const long = 'compress me '.repeat(50);
    try {
      await c.call('SET', 'long', long);
      assert.equal(await c.call('SAVE'), 'OK');
      let f = fs.readFileSync(path.join(r.dir, 'dump.rdb'));
      assert.ok(f.subarray(f.length - 8).equals(Buffer.alloc(8)), 'zero checksum');
      assert.ok(f.includes(Buffer.from(long)), 'stored uncompressed');
      assert.equal(await c.call('CONFIG', 'SET', 'rdbcompression', 'yes'), 'OK');
      assert.equal(await c.call('CONFIG', 'SET', 'dbfilename', 'other.rdb'), 'OK');
      assert.equal(await c.call('SAVE'), 'OK');
      f = fs.readFileSync(path.join(r.dir, 'other.rdb'));
      assert.ok(!f.includes(Buffer.from(long)), 'compressed');
      if (haveRedis) {
        const dir = tmpDir('rdb-nocrc-');
        fs.copyFileSync(path.join(r.dir, 'other.rdb'), path.join(dir, 'dump.rdb'));
        const ref = (await startRedis(['--dir', dir])) as Running;
        const rc = await RawClient.connect({ port: ref.port });
        assert.equal(String(await rc.call('GET', 'long')), long);
        rc.close();
        await ref.stop();
      }
    } finally {
      c.close();
      await r.stop();
    }
    // and redoubt itself loads a zero-checksum file even with rdbchecksum yes
    const again = await startRedoubt({ dir: r.dir, args: ['--save', '', '--dbfilename', 'other.rdb'] });
    const c2 = await RawClient.connect({ port: again.port });
    assert.equal(String(await c2.call('GET', 'long')), long);
    assert.match(again.output(), /checksum disabled: no check performed/);
    c2.close();
    await again.stop();
  });
});
