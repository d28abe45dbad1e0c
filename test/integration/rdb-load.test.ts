// Loading RDB files at start-up: corrupted files (bad checksum, truncated, unknown type, module
// values) are refused with an error naming the file and nothing is loaded; a dump writable by
// group or others is refused (permission-check); clients get -LOADING while a large file loads;
// files in the encodings of older Redis versions (ziplist, zipmap, quicklist 1, string scores,
// second-resolution expiries, version-1 streams) load; module AUX data and functions are skipped.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListpackBuilder } from '../../src/persistence/listpack';
import { writeDbHeader, writeFooter, writeHeader, writeKey } from '../../src/persistence/rdb';
import { OP, RdbWriter, T } from '../../src/persistence/rdbio';
import { LoadError, loadFile } from '../../src/persistence/save';
import { defaultValueOptions } from '../../src/persistence/values';
import { Server } from '../../src/server/server';
import { RawClient } from '../helpers/resp';
import { BIN, freePort, runToExit, startRedoubt, tmpDir } from '../helpers/servers';
import { writeStringsRdb } from './rdbutil';

/** An RDB file built with the writer primitives; `body` writes what comes after the header. */
function rdbFile(body: (w: RdbWriter) => void, opts: { version?: number; checksum?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  const w = new RdbWriter({ compress: true, sink: (c) => chunks.push(Buffer.from(c)) });
  if (opts.version !== undefined) {
    w.rawLatin1(`REDIS${String(opts.version).padStart(4, '0')}`);
  } else {
    writeHeader(w, { redisVersion: '7.0.15', ctime: Math.floor(Date.now() / 1000), usedMem: 1000 });
  }
  body(w);
  chunks.push(writeFooter(w, opts.checksum ?? true));
  return Buffer.concat(chunks);
}

function simpleDump(n = 10): Buffer {
  return rdbFile((w) => {
    writeDbHeader(w, 0, n, 0);
    for (let i = 0; i < n; i++) {
      writeKey(
        w,
        { key: `k${i}`, value: Buffer.from(`v${i}`), expires: 0, lru: 0, lfu: 0 },
        defaultValueOptions,
        'none',
        0,
        () => 0,
      );
    }
  });
}

function dirWith(file: Buffer, mode = 0o600): string {
  const dir = tmpDir('rdb-load-');
  fs.writeFileSync(path.join(dir, 'dump.rdb'), file, { mode });
  fs.chmodSync(path.join(dir, 'dump.rdb'), mode);
  return dir;
}

/** Starts redoubt on `dir` and waits for it to exit (for files it must refuse). */
async function runOn(dir: string, args: string[] = []): Promise<{ code: number | null; out: string }> {
  return runToExit(['--port', String(await freePort()), '--dir', dir, '--save', '', ...args]);
}

describe('RDB loading', () => {
  it('refuses a file with a wrong checksum, naming it, and exits', async () => {
    const f = simpleDump();
    f[f.length - 1] ^= 0xff;
    const dir = dirWith(f);
    const { code, out } = await runOn(dir);
    assert.equal(code, 1);
    assert.match(
      out,
      new RegExp(`Bad RDB file ${path.join(dir, 'dump.rdb').replace(/[/.]/g, '\\$&')}: wrong RDB checksum`),
    );
    assert.doesNotMatch(out, /Ready to accept connections/);
  });

  it('refuses truncated files and unknown types', async () => {
    const f = simpleDump();
    const cut = dirWith(f.subarray(0, f.length - 20));
    const r1 = await runOn(cut);
    assert.equal(r1.code, 1);
    assert.match(r1.out, /Bad RDB file .*dump\.rdb: unexpected end of data/);
    const bad = rdbFile((w) => {
      writeDbHeader(w, 0, 1, 0);
      w.byte(42); // no such value type or opcode
      w.string('k');
    });
    const r2 = await runOn(dirWith(bad));
    assert.equal(r2.code, 1);
    assert.match(r2.out, /Bad RDB file .*dump\.rdb: unknown RDB type or opcode 42/);
    const mod = rdbFile((w) => {
      writeDbHeader(w, 0, 1, 0);
      w.byte(T.MODULE_2);
      w.string('k');
      w.len(12345);
    });
    const r3 = await runOn(dirWith(mod));
    assert.equal(r3.code, 1);
    assert.match(r3.out, /module value type, which redoubt does not support/);
    const newer = Buffer.concat([Buffer.from('REDIS0011'), simpleDump().subarray(9)]);
    const r4 = await runOn(dirWith(newer));
    assert.equal(r4.code, 1);
    assert.match(r4.out, /can't handle RDB format version 0011/);
  });

  it('never half-loads: a file failing at its end leaves the databases untouched', async () => {
    const s = new Server();
    const dir = tmpDir('rdb-half-');
    s.config.set('dir', [dir]);
    s.dbs[0].set('existing', Buffer.from('before'));
    const f = simpleDump(500);
    f[f.length - 3] ^= 1; // checksum wrong: every key parsed fine before the check
    const file = path.join(dir, 'dump.rdb');
    fs.writeFileSync(file, f, { mode: 0o600 });
    await assert.rejects(
      loadFile(s, file),
      (e: unknown) => e instanceof LoadError && e.message.includes(file),
    );
    assert.equal(s.dbs[0].size, 1);
    assert.equal(s.dbs[0].get('existing')?.value.toString(), 'before');
    // the intact file loads and replaces the contents
    fs.writeFileSync(file, simpleDump(500), { mode: 0o600 });
    await loadFile(s, file);
    assert.equal(s.dbs[0].size, 500);
    assert.equal(s.dbs[0].get('existing'), undefined);
  });

  it('refuses a dump writable by group or others (permission-check yes), loads it with warn', async () => {
    const dir = dirWith(simpleDump(), 0o666);
    const { code, out } = await runOn(dir);
    assert.equal(code, 1);
    assert.match(out, /dump\.rdb is writable by group or others \(mode 0666\)/);
    assert.match(out, /Refusing to load .*dump\.rdb: unsafe permissions/);
    const ok = await startRedoubt({ dir, args: ['--save', '', '--permission-check', 'warn'] });
    try {
      const c = await RawClient.connect({ port: ok.port });
      assert.equal(String(await c.call('GET', 'k3')), 'v3');
      c.close();
      assert.match(ok.output(), /writable by group or others/);
    } finally {
      await ok.stop();
    }
  });

  it('answers -LOADING while a large file loads, with loading fields in INFO', async () => {
    const n = 1000000;
    const dir = tmpDir('rdb-big-');
    const file = path.join(dir, 'dump.rdb');
    writeStringsRdb(file, n, 'key:', Buffer.from('value'));
    const port = await freePort();
    const proc = spawn(process.execPath, [BIN, '--port', String(port), '--dir', dir, '--save', ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      let c: RawClient | null = null;
      for (let i = 0; i < 2000 && c === null; i++) {
        c = await RawClient.connect({ port }).catch(() => null);
        if (c === null) await sleep(5);
      }
      assert.ok(c !== null, 'connected');
      const first = (await c.raw('GET', 'key:1')).toString();
      assert.equal(first, '-LOADING Redis is loading the dataset in memory\r\n');
      const info = String(await c.call('INFO', 'persistence'));
      assert.match(info, /loading:1\r\n/);
      assert.match(info, /loading_total_bytes:\d+\r\n/);
      assert.match(info, /loading_loaded_perc:\d+\.\d\d\r\n/);
      assert.match(info, /loading_eta_seconds:\d+\r\n/);
      assert.match(info, /loading_rdb_used_mem:(0|123456)\r\n/);
      // once loaded, everything is there
      let v1 = '';
      for (let i = 0; i < 3000 && !v1.startsWith('$'); i++) {
        v1 = (await c.raw('GET', 'key:1')).toString();
        if (!v1.startsWith('$')) await sleep(10);
      }
      assert.equal(v1, '$5\r\nvalue\r\n');
      assert.equal(await c.call('DBSIZE'), n);
      assert.match(String(await c.call('INFO', 'persistence')), /rdb_last_load_keys_loaded:1000000\r\n/);
      assert.match(out, /Done loading RDB, keys loaded: 1000000, keys expired: 0\./);
      c.close();
    } finally {
      proc.kill('SIGKILL');
      await exited;
    }
  });

  it('loads the encodings of older versions and skips module AUX data and functions', async () => {
    const zl = ziplist;
    const past = Date.now() - 100000;
    const f = rdbFile(
      (w) => {
        w.byte(OP.AUX);
        w.string('redis-ver');
        w.string('5.0.0');
        // module AUX: id, when-opcode 2, when, typed fields, EOF
        w.byte(OP.MODULE_AUX);
        w.len(123456789n);
        w.len(2);
        w.len(2);
        w.len(2);
        w.len(77);
        w.len(5);
        w.string('module data');
        w.len(0);
        w.byte(OP.FUNCTION2);
        w.string('#!lua name=lib\nredis.register_function("f", function() return 1 end)');
        w.byte(OP.SELECTDB);
        w.len(0);
        // type 1 list, type 3 zset with string scores
        w.byte(T.LIST);
        w.string('old:list');
        w.len(3);
        for (const x of ['a', '12', 'ccc']) w.string(x);
        w.byte(T.ZSET);
        w.string('old:zset');
        w.len(3);
        w.string('m1');
        w.byte(3);
        w.rawLatin1('1.5');
        w.string('m2');
        w.byte(254); // +inf
        w.string('m3');
        w.byte(255); // -inf
        // ziplist-encoded list, hash, zset
        w.byte(T.LIST_ZIPLIST);
        w.string('zl:list');
        w.string(zl(['x', 5, -300, 70000, 'y'.repeat(70), 2 ** 40, 12]));
        w.byte(T.HASH_ZIPLIST);
        w.string('zl:hash');
        w.string(zl(['f1', 'v1', 'f2', 2]));
        w.byte(T.ZSET_ZIPLIST);
        w.string('zl:zset');
        w.string(zl(['a', 1, 'b', '2.5']));
        // quicklist (v1): ziplist nodes
        w.byte(T.LIST_QUICKLIST);
        w.string('ql:list');
        w.len(2);
        w.string(zl(['n1', 'n2']));
        w.string(zl([3, 'n4']));
        // zipmap hash
        w.byte(T.HASH_ZIPMAP);
        w.string('zm:hash');
        w.string(
          zipmap([
            ['name', 'redis'],
            ['ver', '2.4'],
          ]),
        );
        // expiry in seconds (EXPIRETIME), in the past: dropped and counted
        w.byte(OP.EXPIRETIME);
        w.u32le(Math.floor(past / 1000));
        w.byte(T.STRING);
        w.string('expired');
        w.string('gone');
        w.byte(OP.EXPIRETIME_MS);
        w.msTime(Date.now() + 3600000);
        w.byte(T.STRING);
        w.string('volatile');
        w.string('here');
        // a version-1 stream (type 15): one node, no consumer groups
        w.byte(T.STREAM_LISTPACKS);
        w.string('old:stream');
        writeStreamV1(w);
      },
      { version: 9 },
    );
    const dir = dirWith(f);
    const r = await startRedoubt({ dir, args: ['--save', ''] });
    const c = await RawClient.connect({ port: r.port });
    try {
      const s = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x)) : String(v));
      assert.deepEqual(s(await c.call('LRANGE', 'old:list', 0, -1)), ['a', '12', 'ccc']);
      assert.deepEqual(s(await c.call('ZRANGE', 'old:zset', 0, -1, 'WITHSCORES')), [
        'm3',
        '-inf',
        'm1',
        '1.5',
        'm2',
        'inf',
      ]);
      assert.deepEqual(s(await c.call('LRANGE', 'zl:list', 0, -1)), [
        'x',
        '5',
        '-300',
        '70000',
        'y'.repeat(70),
        String(2 ** 40),
        '12',
      ]);
      assert.deepEqual(s(await c.call('HGETALL', 'zl:hash')), ['f1', 'v1', 'f2', '2']);
      assert.equal(String(await c.call('OBJECT', 'ENCODING', 'zl:hash')), 'listpack');
      assert.deepEqual(s(await c.call('ZRANGE', 'zl:zset', 0, -1, 'WITHSCORES')), ['a', '1', 'b', '2.5']);
      assert.deepEqual(s(await c.call('LRANGE', 'ql:list', 0, -1)), ['n1', 'n2', '3', 'n4']);
      assert.deepEqual(s(await c.call('HGETALL', 'zm:hash')), ['name', 'redis', 'ver', '2.4']);
      assert.equal(await c.call('EXISTS', 'expired'), 0);
      assert.equal(String(await c.call('GET', 'volatile')), 'here');
      const ttl = Number(await c.call('TTL', 'volatile'));
      assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`);
      assert.equal(String(await c.call('TYPE', 'old:stream')), 'stream');
      assert.equal(await c.call('XLEN', 'old:stream'), 2);
      const range = (await c.call('XRANGE', 'old:stream', '-', '+')) as unknown[][];
      assert.equal(String(range[1][0]), '10-5');
      assert.deepEqual(s(range[1][1]), ['f', 'b', 'g', 'x']);
      const out = r.output();
      assert.match(out, /module AUX data: skipped/);
      assert.match(out, /function library: skipped/);
      assert.match(out, /keys loaded: 9, keys expired: 1\./);
    } finally {
      c.close();
      await r.stop();
    }
  });

  it('starts empty when there is no dump, and with an empty one', async () => {
    const r = await startRedoubt({ args: ['--save', ''] });
    const c = await RawClient.connect({ port: r.port });
    assert.equal(await c.call('DBSIZE'), 0);
    c.close();
    await r.stop();
    const e = await startRedoubt({ dir: dirWith(rdbFile(() => {})), args: ['--save', ''] });
    const c2 = await RawClient.connect({ port: e.port });
    assert.equal(await c2.call('DBSIZE'), 0);
    c2.close();
    await e.stop();
  });
});

// ---- encoders for the old formats (test-only) ----

/** A ziplist of strings and integers (string numbers stay strings unless given as numbers). */
function ziplist(items: (string | number)[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  for (const it of items) {
    const pl = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([254]), u32le(prev)]);
    let body: Buffer;
    if (typeof it === 'number') {
      if (it >= 0 && it <= 12) body = Buffer.from([0xf1 + it]);
      else if (it >= -128 && it <= 127) body = Buffer.from([0xfe, it & 0xff]);
      else if (it >= -32768 && it <= 32767) {
        body = Buffer.alloc(3);
        body[0] = 0xc0;
        body.writeInt16LE(it, 1);
      } else if (it >= -8388608 && it <= 8388607) {
        body = Buffer.alloc(4);
        body[0] = 0xf0;
        body.writeIntLE(it, 1, 3);
      } else if (it >= -2147483648 && it <= 2147483647) {
        body = Buffer.alloc(5);
        body[0] = 0xd0;
        body.writeInt32LE(it, 1);
      } else {
        body = Buffer.alloc(9);
        body[0] = 0xe0;
        body.writeBigInt64LE(BigInt(it), 1);
      }
    } else {
      const s = Buffer.from(it, 'latin1');
      if (s.length < 64) body = Buffer.concat([Buffer.from([s.length]), s]);
      else if (s.length < 16384)
        body = Buffer.concat([Buffer.from([0x40 | (s.length >> 8), s.length & 0xff]), s]);
      else {
        const h = Buffer.alloc(5);
        h[0] = 0x80;
        h.writeUInt32BE(s.length, 1);
        body = Buffer.concat([h, s]);
      }
    }
    const e = Buffer.concat([pl, body]);
    entries.push(e);
    prev = e.length;
  }
  const data = Buffer.concat(entries);
  const total = 10 + data.length + 1;
  const head = Buffer.alloc(10);
  head.writeUInt32LE(total, 0);
  head.writeUInt32LE(entries.length > 0 ? total - 1 - entries[entries.length - 1].length : 10, 4);
  head.writeUInt16LE(items.length, 8);
  return Buffer.concat([head, data, Buffer.from([0xff])]);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

function zipmap(pairs: [string, string][]): Buffer {
  const parts: Buffer[] = [Buffer.from([pairs.length])];
  for (const [k, v] of pairs) {
    parts.push(Buffer.from([k.length]), Buffer.from(k, 'latin1'));
    parts.push(Buffer.from([v.length, 1]), Buffer.from(v, 'latin1'), Buffer.from([0]));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** A type-15 stream: entries 10-1 {f:a, g:1} and 10-5 {f:b, g:x}, last ID 10-5, no groups. */
function writeStreamV1(w: RdbWriter): void {
  const lp = new ListpackBuilder();
  // master entry [count, deleted, n, fields..., 0], then two SAMEFIELDS entries
  // [flags, ms-diff, seq-diff, values..., lp-count]
  const items: (string | number)[] = [2, 0, 2, 'f', 'g', 0, 2, 0, 1, 'a', '1', 5, 2, 0, 5, 'b', 'x', 5];
  for (const x of items) {
    if (typeof x === 'number') lp.appendInt(x);
    else lp.append(x);
  }
  w.len(1);
  const key = Buffer.alloc(16);
  key.writeBigUInt64BE(10n, 0);
  key.writeBigUInt64BE(0n, 8);
  w.string(key);
  w.string(lp.finish());
  w.len(2);
  w.len(10);
  w.len(5);
  w.len(0);
}
