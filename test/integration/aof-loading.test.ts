// Loading a large AOF at start-up: the listeners are up while it loads, clients get -LOADING
// (INFO still answers, with the loading fields over the bytes of every AOF file), the log shows
// the progress about once a second, then the data is served. A corrupted AOF still ends the
// process with the file and offset named, before anything is served.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawClient } from '../helpers/resp';
import { BIN, freePort, startRedoubt, tmpDir } from '../helpers/servers';
import { writeStringsRdb } from './rdbutil';

const BASE_KEYS = 400000;
const INCR_CMDS = 600000;

/** appendonlydir with an RDB base of BASE_KEYS keys and an incr file of INCR_CMDS SETs. */
function bigAof(): string {
  const dir = tmpDir('aof-big-');
  const ad = path.join(dir, 'appendonlydir');
  fs.mkdirSync(ad, { mode: 0o700 });
  writeStringsRdb(path.join(ad, 'appendonly.aof.1.base.rdb'), BASE_KEYS, 'b:', Buffer.from('base'), true);
  const parts: string[] = ['*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'];
  const ifd = fs.openSync(path.join(ad, 'appendonly.aof.1.incr.aof'), 'w', 0o600);
  for (let i = 0; i < INCR_CMDS; i++) {
    const k = `i:${i}`;
    const val = `v${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${val.length}\r\n${val}\r\n`);
    if (parts.length >= 10000) {
      fs.writeSync(ifd, parts.join(''));
      parts.length = 0;
    }
  }
  // a later command overrides a base key: the incr file replays on top of the base
  parts.push('*3\r\n$3\r\nSET\r\n$3\r\nb:7\r\n$7\r\nchanged\r\n');
  fs.writeSync(ifd, parts.join(''));
  fs.closeSync(ifd);
  fs.writeFileSync(
    path.join(ad, 'appendonly.aof.manifest'),
    'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    { mode: 0o600 },
  );
  return dir;
}

function spawnServer(dir: string, port: number, extra: string[] = []) {
  const proc = spawn(
    process.execPath,
    [BIN, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited, output: () => out };
}

function field(info: string, name: string): string | null {
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info);
  return m === null ? null : m[1];
}

describe('AOF loading at start-up', () => {
  it('answers -LOADING while a large AOF loads, with the loading fields in INFO and progress in the log', async () => {
    const dir = bigAof();
    const port = await freePort();
    const t0 = Date.now();
    const srv = spawnServer(dir, port);
    try {
      let c: RawClient | null = null;
      for (let i = 0; i < 2000 && c === null; i++) {
        c = await RawClient.connect({ port }).catch(() => null);
        if (c === null) await sleep(5);
      }
      assert.ok(c !== null, 'connected while loading');
      assert.equal(
        (await c.raw('GET', 'b:1')).toString(),
        '-LOADING Redis is loading the dataset in memory\r\n',
      );
      assert.equal(
        (await c.raw('SET', 'x', 'y')).toString(),
        '-LOADING Redis is loading the dataset in memory\r\n',
      );
      const info = String(await c.call('INFO', 'persistence'));
      assert.equal(field(info, 'loading'), '1');
      assert.equal(field(info, 'async_loading'), '0');
      const total = Number(field(info, 'loading_total_bytes'));
      const files = fs.readdirSync(path.join(dir, 'appendonlydir')).filter((f) => !f.endsWith('.manifest'));
      const onDisk = files.reduce((n, f) => n + fs.statSync(path.join(dir, 'appendonlydir', f)).size, 0);
      assert.equal(total, onDisk, 'progress is over the bytes of every AOF file');
      const start = Number(field(info, 'loading_start_time'));
      assert.ok(Math.abs(start - t0 / 1000) < 30, `loading_start_time ${start}`);
      const loaded = Number(field(info, 'loading_loaded_bytes'));
      assert.ok(loaded >= 0 && loaded <= total);
      assert.match(field(info, 'loading_loaded_perc') ?? '', /^\d+\.\d\d$/);
      assert.match(field(info, 'loading_eta_seconds') ?? '', /^\d+$/);
      assert.match(field(info, 'loading_rdb_used_mem') ?? '', /^(0|4242)$/);
      // progress while loading: the loaded bytes grow
      let later = loaded;
      for (let i = 0; i < 400 && later === loaded; i++) {
        await sleep(10);
        const again = String(await c.call('INFO', 'persistence'));
        if (field(again, 'loading') !== '1') {
          later = total; // it ended meanwhile: everything was loaded
          break;
        }
        later = Number(field(again, 'loading_loaded_bytes'));
      }
      assert.ok(later > loaded, 'loading_loaded_bytes advances');
      // once loaded, every key is served, the incr file replayed over the base
      let v = '';
      for (let i = 0; i < 6000 && !v.startsWith('$'); i++) {
        v = (await c.raw('GET', 'i:5')).toString();
        if (!v.startsWith('$')) await sleep(10);
      }
      assert.equal(v, '$2\r\nv5\r\n');
      assert.equal(await c.call('DBSIZE'), BASE_KEYS + INCR_CMDS);
      assert.equal(String(await c.call('GET', 'b:7')), 'changed');
      assert.equal(String(await c.call('GET', `i:${INCR_CMDS - 1}`)), `v${INCR_CMDS - 1}`);
      const done = String(await c.call('INFO', 'persistence'));
      assert.equal(field(done, 'loading'), '0');
      assert.equal(field(done, 'loading_total_bytes'), null);
      // the AOF is open again: a write is appended and survives
      assert.equal(String(await c.call('SET', 'after', 'load')), 'OK');
      assert.equal(field(done, 'aof_enabled'), '1');
      c.close();
      const out = srv.output();
      assert.match(out, /Loading AOF: \d+\.\d% \(\d+ keys, \d+ keys\/s, ETA \d+ s\)/);
      assert.match(out, new RegExp(`Done loading AOF, keys loaded: ${BASE_KEYS + INCR_CMDS}`));
      assert.match(out, /DB loaded from append only file/);
    } finally {
      srv.proc.kill('SIGKILL');
      await srv.exited;
    }
  });

  it('CONFIG SET appendonly no while the AOF loads: the data is served, the AOF stays closed', async () => {
    const dir = bigAof();
    const port = await freePort();
    const srv = spawnServer(dir, port);
    try {
      let c: RawClient | null = null;
      for (let i = 0; i < 2000 && c === null; i++) {
        c = await RawClient.connect({ port }).catch(() => null);
        if (c === null) await sleep(5);
      }
      assert.ok(c !== null, 'connected while loading');
      assert.equal((await c.raw('DBSIZE')).toString(), '-LOADING Redis is loading the dataset in memory\r\n');
      assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
      assert.equal(field(String(await c.call('INFO', 'persistence')), 'loading'), '1', 'still loading');
      let n: unknown = null;
      for (let i = 0; i < 6000 && typeof n !== 'number'; i++) {
        n = await c.call('DBSIZE').catch(() => null);
        if (typeof n !== 'number') await sleep(10);
      }
      assert.equal(n, BASE_KEYS + INCR_CMDS + 0);
      const info = String(await c.call('INFO', 'persistence'));
      assert.equal(field(info, 'aof_enabled'), '0');
      assert.equal(String(await c.call('GET', 'b:7')), 'changed');
      c.close();
    } finally {
      srv.proc.kill('SIGKILL');
      await srv.exited;
    }
  });

  it('the AOF takes precedence over dump.rdb, which is not loaded even without an AOF (as Redis 7.0)', async () => {
    const dir = tmpDir('aof-prec-');
    const r1 = await startRedoubt({ dir, args: ['--save', ''] });
    const c1 = await RawClient.connect({ port: r1.port });
    await c1.call('SET', 'from-rdb', '1');
    assert.equal(await c1.call('SAVE'), 'OK');
    c1.close();
    await r1.stop();
    // no AOF yet: started empty, the base is created from that
    const r2 = await startRedoubt({ dir, args: ['--save', '', '--appendonly', 'yes'] });
    const c2 = await RawClient.connect({ port: r2.port });
    try {
      assert.equal(await c2.call('DBSIZE'), 0);
      await c2.call('SET', 'from-aof', '1');
    } finally {
      c2.close();
      await r2.stop();
    }
    assert.match(r2.output(), /Creating AOF base file and incr file on server start/);
    const r3 = await startRedoubt({ dir, args: ['--save', '', '--appendonly', 'yes'] });
    const c3 = await RawClient.connect({ port: r3.port });
    try {
      assert.equal(await c3.call('DBSIZE'), 1);
      assert.equal(String(await c3.call('GET', 'from-aof')), '1');
    } finally {
      c3.close();
      await r3.stop();
    }
  });

  it('refuses a corrupted AOF: the process exits naming the file and offset, nothing is served', async () => {
    const dir = tmpDir('aof-bad-');
    const ad = path.join(dir, 'appendonlydir');
    fs.mkdirSync(ad, { mode: 0o700 });
    const GOOD = 200000;
    const good = '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n';
    fs.writeFileSync(path.join(ad, 'appendonly.aof.1.incr.aof'), `${good.repeat(GOOD)}garbage!${good}`, {
      mode: 0o600,
    });
    fs.writeFileSync(
      path.join(ad, 'appendonly.aof.manifest'),
      'file appendonly.aof.1.incr.aof seq 1 type i\n',
      {
        mode: 0o600,
      },
    );
    const port = await freePort();
    const srv = spawnServer(dir, port);
    const replies: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const c = await RawClient.connect({ port }).catch(() => null);
        if (c === null) {
          await sleep(2);
          continue;
        }
        try {
          for (;;) replies.push((await c.raw('GET', 'a')).toString());
        } catch {
          // the server went away
        }
        c.close();
      }
    })();
    const code = await srv.exited;
    polling = false;
    await poll;
    assert.equal(code, 1);
    const offset = good.length * GOOD;
    assert.match(
      srv.output(),
      new RegExp(
        `Bad file format reading the append only file .*appendonly\\.aof\\.1\\.incr\\.aof \\(offset ${offset}`,
      ),
    );
    assert.ok(replies.length > 0, 'a client was answered while the AOF loaded');
    for (const r of replies) assert.equal(r, '-LOADING Redis is loading the dataset in memory\r\n');
  });
});
