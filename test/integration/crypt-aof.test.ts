// Encryption at rest of the append-only file, end to end with real server processes: with
// encryption-key-file and appendonly yes, the base and incr files are encrypted (no plaintext of
// a known value on disk) and a restart, also after BGREWRITEAOF, loads everything back. A bit
// flipped in the incr header, in each record or in the base, records swapped, a record spliced
// from another incr file under the same key, a wrong key, a plain AOF with a key and an
// encrypted one without: the start is refused naming the file, nothing served. A cut inside the
// last record is trimmed (aof-load-truncated yes, file cut back to its last whole record) or
// refused (no); a cut at a record boundary loads the records before it. `redoubt rekey` on the
// AOF directory moves it to a new key. SIGKILL under appendfsync always loses no acknowledged
// write.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { INCR_HEADER_LEN, RECORD_HEAD } from '../../src/persistence/aof-crypt';
import { ENC_MAGIC, KIND_AOF, KIND_AOF_INCR, TAG_LEN } from '../../src/persistence/crypt';
import { RawClient } from '../helpers/resp';
import {
  BIN,
  freePort,
  tmpDir as newTmpDir,
  type Running,
  runToExit,
  startRedoubt,
} from '../helpers/servers';
import { info, waitRewrite } from './aofutil';

const made: string[] = [];
/** A new temporary directory, removed after the tests. */
function tmpDir(prefix: string): string {
  const d = newTmpDir(prefix);
  made.push(d);
  return d;
}
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

const AUTH = 'failed authentication: the file was modified, truncated or encrypted with another key';
const MARK = 'plaintext-marker-7f3a';
const INCR = 'appendonly.aof.1.incr.aof';
const BASE = 'appendonly.aof.1.base.rdb';

const run = runToExit;

function newKey(file: string): string {
  fs.writeFileSync(file, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return file;
}

function aofArgs(key: string | null, extra: string[] = []): string[] {
  const a = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', ...extra];
  return key === null ? a : [...a, '--encryption-key-file', key];
}

async function withServer<T>(dir: string, args: string[], f: (c: RawClient) => Promise<T>): Promise<T> {
  const r = await startRedoubt({ dir, args });
  const c = await RawClient.connect({ port: r.port });
  try {
    return await f(c);
  } finally {
    c.close();
    await r.stop();
  }
}

/** [start, end) of each record of an encrypted incr file. */
function records(buf: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let pos = INCR_HEADER_LEN;
  while (pos + RECORD_HEAD <= buf.length) {
    const end = pos + RECORD_HEAD + buf.readUInt32BE(pos) + TAG_LEN;
    out.push([pos, end]);
    pos = end;
  }
  return out;
}

function copyDir(from: string, prefix: string): string {
  const to = tmpDir(prefix);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/** Starts on `dir` expecting a refusal that names `file` and says `text`. */
async function refused(dir: string, args: string[], file: string, text: string): Promise<string> {
  const port = String(await freePort());
  const r = await run(['--port', port, '--dir', dir, ...args]);
  assert.equal(r.code, 1, r.out);
  const line = r.out.split('\n').find((l) => l.includes(text));
  assert.ok(line !== undefined, `expected "${text}" in:\n${r.out}`);
  assert.ok(line.includes(file), `the error names ${file}: ${line}`);
  assert.doesNotMatch(r.out, /Ready to accept connections/);
  return r.out;
}

describe('AOF encryption at rest', () => {
  const root = tmpDir('crypt-aof-');
  const k1 = newKey(path.join(root, 'k1.key'));
  const k2 = newKey(path.join(root, 'k2.key'));
  // the pristine encrypted AOF: a base and one incr file with one record per write
  const pristine = tmpDir('crypt-aof-pristine-');
  const ad = (dir: string) => path.join(dir, 'appendonlydir');

  it('writes encrypted base and incr files that a restart loads back', async () => {
    await withServer(pristine, aofArgs(k1), async (c) => {
      assert.equal(await c.call('SET', 'k:1', `${MARK}-one`), 'OK');
      assert.equal(await c.call('RPUSH', 'list', `${MARK}-a`, `${MARK}-b`), 2);
      assert.equal(await c.call('INCR', 'ctr'), 1);
      assert.equal(await c.call('MULTI'), 'OK');
      await c.call('SET', 'k:2', `${MARK}-two`);
      await c.call('INCR', 'ctr');
      assert.deepEqual(await c.call('EXEC'), ['OK', 2]);
      assert.equal(await c.call('SET', 'k:3', `${MARK}-three`), 'OK');
    });
    for (const f of fs.readdirSync(ad(pristine))) {
      const buf = fs.readFileSync(path.join(ad(pristine), f));
      assert.equal(buf.indexOf('plaintext-marker'), -1, `${f} holds no plaintext`);
    }
    const incr = fs.readFileSync(path.join(ad(pristine), INCR));
    assert.ok(incr.subarray(0, 8).equals(ENC_MAGIC));
    assert.equal(incr[9], KIND_AOF_INCR);
    assert.equal(records(incr).length, 5, 'one record per write batch');
    assert.equal(fs.readFileSync(path.join(ad(pristine), BASE))[9], KIND_AOF);
    const dir = copyDir(pristine, 'crypt-aof-rt-');
    await withServer(dir, aofArgs(k1), async (c) => {
      assert.equal(String(await c.call('GET', 'k:1')), `${MARK}-one`);
      assert.equal(String(await c.call('GET', 'k:2')), `${MARK}-two`);
      assert.equal(String(await c.call('GET', 'k:3')), `${MARK}-three`);
      assert.equal(String(await c.call('GET', 'ctr')), '2');
      assert.equal(await c.call('LLEN', 'list'), 2);
      // appending resumes the loaded file after its last record
      assert.equal(await c.call('SET', 'k:4', `${MARK}-four`), 'OK');
    });
    await withServer(dir, aofArgs(k1), async (c) => {
      assert.equal(String(await c.call('GET', 'k:4')), `${MARK}-four`);
      assert.equal(await c.call('DBSIZE'), 6);
    });
  });

  it('BGREWRITEAOF writes an encrypted base; a restart after it loads everything', async () => {
    const dir = copyDir(pristine, 'crypt-aof-rw-');
    await withServer(dir, aofArgs(k1), async (c) => {
      assert.match(String(await c.call('BGREWRITEAOF')), /started/);
      await waitRewrite(c);
      assert.equal(await info(c, 'aof_last_bgrewrite_status'), 'ok');
      assert.equal(await c.call('SET', 'after', `${MARK}-after`), 'OK');
    });
    const names = fs.readdirSync(ad(dir)).sort();
    assert.deepEqual(names, [
      'appendonly.aof.2.base.rdb',
      'appendonly.aof.2.incr.aof',
      'appendonly.aof.manifest',
    ]);
    for (const f of names) {
      assert.equal(fs.readFileSync(path.join(ad(dir), f)).indexOf('plaintext-marker'), -1, f);
    }
    await withServer(dir, aofArgs(k1), async (c) => {
      assert.equal(String(await c.call('GET', 'k:3')), `${MARK}-three`);
      assert.equal(String(await c.call('GET', 'after')), `${MARK}-after`);
      assert.equal(await c.call('DBSIZE'), 6);
    });
  });

  it('CONFIG SET appendonly yes and aof-use-rdb-preamble no write encrypted files that load back', async () => {
    const dir = tmpDir('crypt-aof-cfg-');
    const args = ['--save', '', '--encryption-key-file', k1];
    await withServer(dir, args, async (c) => {
      assert.equal(await c.call('SET', 'before', `${MARK}-before`), 'OK');
      assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
      await waitRewrite(c);
      assert.equal(await c.call('SET', 'later', `${MARK}-later`), 'OK');
    });
    const noPreamble = [...aofArgs(k1), '--aof-use-rdb-preamble', 'no'];
    await withServer(dir, noPreamble, async (c) => {
      assert.equal(String(await c.call('GET', 'before')), `${MARK}-before`);
      assert.equal(String(await c.call('GET', 'later')), `${MARK}-later`);
      assert.equal(await c.call('RPUSH', 'l', `${MARK}-x`, `${MARK}-y`), 2);
      assert.match(String(await c.call('BGREWRITEAOF')), /started/);
      await waitRewrite(c);
      assert.equal(await info(c, 'aof_last_bgrewrite_status'), 'ok');
      assert.equal(await c.call('SET', 'last', `${MARK}-last`), 'OK');
    });
    for (const f of fs.readdirSync(ad(dir))) {
      const buf = fs.readFileSync(path.join(ad(dir), f));
      assert.equal(buf.indexOf('plaintext-marker'), -1, `${f} holds no plaintext`);
      if (f.includes('.base.')) assert.equal(buf[9], KIND_AOF, f);
    }
    await withServer(dir, noPreamble, async (c) => {
      assert.equal(String(await c.call('GET', 'before')), `${MARK}-before`);
      assert.deepEqual((await c.call('LRANGE', 'l', 0, -1)) as Buffer[], [
        Buffer.from(`${MARK}-x`),
        Buffer.from(`${MARK}-y`),
      ]);
      assert.equal(String(await c.call('GET', 'last')), `${MARK}-last`);
    });
  });

  it('a bit flipped in the incr header, in any record or in the base is refused naming the file', async () => {
    const incr = fs.readFileSync(path.join(ad(pristine), INCR));
    const spots = [12, INCR_HEADER_LEN - 3, ...records(incr).map(([s, e]) => s + Math.floor((e - s) / 2))];
    for (const at of spots) {
      const dir = copyDir(pristine, 'crypt-aof-flip-');
      const file = path.join(ad(dir), INCR);
      const b = Buffer.from(incr);
      b[at] ^= 0x10;
      fs.writeFileSync(file, b);
      const out = await refused(dir, aofArgs(k1), file, AUTH);
      // every file verifies before any is replayed: the (good) base was not loaded first
      assert.doesNotMatch(out, /DB loaded from base file|Reading RDB base file/);
    }
    const dir = copyDir(pristine, 'crypt-aof-flipbase-');
    const base = path.join(ad(dir), BASE);
    const b = fs.readFileSync(base);
    b[b.length - 20] ^= 1;
    fs.writeFileSync(base, b);
    await refused(dir, aofArgs(k1), base, AUTH);
  });

  it('swapped records, a record spliced from another incr file and a wrong key are refused', async () => {
    const incr = fs.readFileSync(path.join(ad(pristine), INCR));
    const rs = records(incr).map(([s, e]) => incr.subarray(s, e));
    const head = incr.subarray(0, INCR_HEADER_LEN);
    let dir = copyDir(pristine, 'crypt-aof-swap-');
    fs.writeFileSync(path.join(ad(dir), INCR), Buffer.concat([head, rs[1], rs[0], ...rs.slice(2)]));
    await refused(dir, aofArgs(k1), path.join(ad(dir), INCR), AUTH);
    // another AOF under the same key, same file names: its record doesn't fit this file
    const other = tmpDir('crypt-aof-other-');
    await withServer(other, aofArgs(k1), async (c) => {
      await c.call('SET', 'k:1', 'other');
      await c.call('SET', 'k:2', 'other');
    });
    const oincr = fs.readFileSync(path.join(ad(other), INCR));
    const [o0] = records(oincr).map(([s, e]) => oincr.subarray(s, e));
    dir = copyDir(pristine, 'crypt-aof-splice-');
    fs.writeFileSync(path.join(ad(dir), INCR), Buffer.concat([head, rs[0], o0, ...rs.slice(2)]));
    await refused(dir, aofArgs(k1), path.join(ad(dir), INCR), AUTH);
    dir = copyDir(pristine, 'crypt-aof-wrongkey-');
    await refused(dir, aofArgs(k2), path.join(ad(dir), BASE), AUTH);
  });

  it('a cut inside the last record is trimmed or refused per aof-load-truncated; at a boundary it loads', async () => {
    const incr = fs.readFileSync(path.join(ad(pristine), INCR));
    const rs = records(incr);
    const [lastStart, lastEnd] = rs[rs.length - 1];
    // aof-load-truncated no: refused
    let dir = copyDir(pristine, 'crypt-aof-torn-no-');
    fs.writeFileSync(path.join(ad(dir), INCR), incr.subarray(0, lastEnd - 5));
    await refused(
      dir,
      aofArgs(k1, ['--aof-load-truncated', 'no']),
      path.join(ad(dir), INCR),
      'ends with an incomplete record',
    );
    // yes (the default): trimmed back to the last whole record, the rest loads, appends go on
    dir = copyDir(pristine, 'crypt-aof-torn-yes-');
    fs.writeFileSync(path.join(ad(dir), INCR), incr.subarray(0, lastEnd - 5));
    const r = await startRedoubt({ dir, args: aofArgs(k1) });
    try {
      assert.match(r.output(), /Truncating the AOF .*appendonly\.aof\.1\.incr\.aof/);
      const c = await RawClient.connect({ port: r.port });
      assert.equal(await c.call('GET', 'k:3'), null, 'the torn record (SET k:3) is gone');
      assert.equal(String(await c.call('GET', 'k:2')), `${MARK}-two`);
      assert.equal(await c.call('SET', 'k:5', 'five'), 'OK');
      c.close();
    } finally {
      await r.stop();
    }
    await withServer(dir, aofArgs(k1), async (c) => {
      assert.equal(String(await c.call('GET', 'k:5')), 'five');
      assert.equal(await c.call('GET', 'k:3'), null);
    });
    // at a record boundary: indistinguishable from a crash before the last write
    dir = copyDir(pristine, 'crypt-aof-boundary-');
    fs.writeFileSync(path.join(ad(dir), INCR), incr.subarray(0, lastStart));
    await withServer(dir, aofArgs(k1), async (c) => {
      assert.equal(await c.call('GET', 'k:3'), null);
      assert.equal(String(await c.call('GET', 'ctr')), '2');
    });
  });

  it('a plain AOF with a key, and an encrypted one without, are refused', async () => {
    const plain = tmpDir('crypt-aof-plain-');
    await withServer(plain, aofArgs(null), async (c) => {
      await c.call('SET', 'p', 'plain');
    });
    await refused(
      plain,
      aofArgs(k1),
      path.join(ad(plain), BASE),
      'is not encrypted, but encryption-key-file is set',
    );
    const dir = copyDir(pristine, 'crypt-aof-nokey-');
    await refused(dir, aofArgs(null), path.join(ad(dir), BASE), 'is encrypted, but no encryption-key-file');
  });

  it('rekey on the AOF directory: the new key loads it, the old one is refused; --new encrypts a plain one', async () => {
    const dir = copyDir(pristine, 'crypt-aof-rekey-');
    let r = await run(['rekey', '--old', k1, '--new', k2, ad(dir)]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /appendonly\.aof\.1\.incr\.aof: encrypted with the new key/);
    await withServer(dir, aofArgs(k2), async (c) => {
      assert.equal(String(await c.call('GET', 'k:3')), `${MARK}-three`);
      assert.equal(await c.call('DBSIZE'), 5);
      await c.call('SET', 'k:6', 'six');
    });
    await refused(dir, aofArgs(k1), path.join(ad(dir), BASE), AUTH);
    // run again (as after an interruption): refused, saying the file is under the new key already
    r = await run(['rekey', '--old', k1, '--new', k2, ad(dir)]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /failed authentication.*encrypted with the new key already.*nothing was rewritten/);
    // a plain AOF directory encrypted with --new, decrypted back with --old
    const plain = tmpDir('crypt-aof-rekey-plain-');
    await withServer(plain, aofArgs(null), async (c) => {
      await c.call('SET', 'p', `${MARK}-plain`);
    });
    assert.equal((await run(['rekey', '--new', k1, ad(plain)])).code, 0);
    for (const f of fs.readdirSync(ad(plain))) {
      assert.equal(fs.readFileSync(path.join(ad(plain), f)).indexOf('plaintext-marker'), -1, f);
    }
    await withServer(plain, aofArgs(k1), async (c) => {
      assert.equal(String(await c.call('GET', 'p')), `${MARK}-plain`);
      await c.call('SET', 'q', 'more');
    });
    assert.equal((await run(['rekey', '--old', k1, ad(plain)])).code, 0);
    await withServer(plain, aofArgs(null), async (c) => {
      assert.equal(String(await c.call('GET', 'q')), 'more');
    });
    // a plain incr file with a torn last command is not sealed (it could not be trimmed then)
    const tornPlain = tmpDir('crypt-aof-rekey-torn-');
    await withServer(tornPlain, aofArgs(null), async (c) => {
      await c.call('SET', 'p', 'plain');
    });
    const pincr = path.join(ad(tornPlain), INCR);
    fs.writeFileSync(pincr, fs.readFileSync(pincr).subarray(0, -4));
    r = await run(['rekey', '--new', k1, ad(tornPlain)]);
    assert.equal(r.code, 1);
    assert.match(r.out, /ends with an incomplete command.*nothing was rewritten/);
    // a tampered file: nothing at all is rewritten
    const bad = copyDir(pristine, 'crypt-aof-rekey-bad-');
    const incr = path.join(ad(bad), INCR);
    const b = fs.readFileSync(incr);
    b[b.length - 3] ^= 1;
    fs.writeFileSync(incr, b);
    const before = fs.readFileSync(path.join(ad(bad), BASE));
    r = await run(['rekey', '--old', k1, '--new', k2, ad(bad)]);
    assert.equal(r.code, 1);
    assert.match(r.out, /failed authentication.*nothing was rewritten/);
    assert.ok(fs.readFileSync(path.join(ad(bad), BASE)).equals(before));
  });

  for (const encrypted of [false, true]) {
    it(`a write cut short (file size limit) is cut back and retried whole (${encrypted ? 'encrypted' : 'plain'})`, async (t) => {
      if (!fs.existsSync('/usr/bin/prlimit')) {
        // CI installs util-linux (.ci/run): there, a missing prlimit is a failure, not a skip
        if (process.env.REQUIRE_REDIS === '1') throw new Error('prlimit (util-linux) is required in CI');
        t.skip('prlimit (util-linux) is not installed');
        return;
      }
      const dir = tmpDir('crypt-aof-efbig-');
      const port = await freePort();
      const args = aofArgs(encrypted ? k1 : null);
      // SIGXFSZ ignored, so a write past RLIMIT_FSIZE fails with EFBIG after a partial write
      const cmd = `trap '' XFSZ; exec "${process.execPath}" "${BIN}" --port ${port} --dir "${dir}" ${args.map((a) => `'${a}'`).join(' ')}`;
      const proc = spawn('/bin/sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const exited = new Promise((r) => proc.once('exit', r));
      try {
        for (let i = 0; i < 200 && !/Ready to accept/.test(out); i++)
          await new Promise((r) => setTimeout(r, 25));
        const c = await RawClient.connect({ port });
        assert.equal(await c.call('SET', 'small', 'v1'), 'OK');
        const incr = path.join(ad(dir), INCR);
        const size = fs.statSync(incr).size;
        const limit = size + 100;
        const prl = (v: string) =>
          new Promise<number | null>((r) =>
            spawn('/usr/bin/prlimit', ['--pid', String(proc.pid), `--fsize=${v}`]).once('exit', r),
          );
        assert.equal(await prl(`${limit}:unlimited`), 0);
        let reply: unknown = null;
        const pending = c.call('SET', 'big', `${MARK}-${'y'.repeat(300)}`).then((v) => {
          reply = v;
        });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(reply, null, 'not acknowledged while it is not on disk');
        assert.ok(fs.statSync(incr).size <= limit);
        assert.equal(await prl('unlimited:unlimited'), 0);
        await pending;
        assert.equal(reply, 'OK');
        assert.equal(await c.call('SET', 'after', 'a'), 'OK');
        c.close();
      } finally {
        proc.kill('SIGTERM');
        await exited;
      }
      const buf = fs.readFileSync(path.join(ad(dir), INCR));
      if (!encrypted) {
        // exactly one copy of the command: nothing of the failed attempt was left in the file
        assert.equal(buf.toString('latin1').split('$3\r\nbig\r\n').length, 2, buf.toString('latin1'));
      }
      await withServer(dir, args, async (c2) => {
        assert.equal(String(await c2.call('GET', 'big')), `${MARK}-${'y'.repeat(300)}`);
        assert.equal(String(await c2.call('GET', 'after')), 'a');
        assert.equal(await c2.call('DBSIZE'), 3);
      });
    });
  }

  it('SIGKILL under appendfsync always (with auto-rewrites) loses no acknowledged write', async () => {
    const dir = tmpDir('crypt-aof-crash-');
    const args = aofArgs(k1, ['--auto-aof-rewrite-min-size', '16kb', '--auto-aof-rewrite-percentage', '50']);
    let r: Running | null = await startRedoubt({ dir, args });
    const acked = [0, 0, 0];
    const stop = { v: false };
    const port = r.port;
    const writer = async (id: number) => {
      const c = await RawClient.connect({ port });
      try {
        while (!stop.v) {
          const n = acked[id] + 1;
          const v = await c.call('RPUSH', `l:${id}`, `${MARK}-${n}-${'x'.repeat(40)}`);
          assert.equal(v, n);
          acked[id] = n;
        }
      } catch (e) {
        if (!(e instanceof Error) || !/closed|ECONNRESET|EPIPE/.test(e.message)) throw e;
      } finally {
        c.close();
      }
    };
    try {
      const loops = [0, 1, 2].map((i) => writer(i));
      await new Promise((res) => setTimeout(res, 900));
      r.proc.kill('SIGKILL');
      await r.exited;
      stop.v = true;
      await Promise.all(loops);
      r = await startRedoubt({ dir, args });
      const c = await RawClient.connect({ port: r.port });
      for (let i = 0; i < 3; i++) {
        const len = Number(await c.call('LLEN', `l:${i}`));
        assert.ok(acked[i] > 0, 'writes were acknowledged');
        assert.ok(len >= acked[i] && len <= acked[i] + 1, `l:${i}: ${len} vs ${acked[i]} acknowledged`);
      }
      c.close();
    } finally {
      if (r !== null) await r.stop('SIGKILL');
    }
    for (const f of fs.readdirSync(ad(dir))) {
      assert.equal(fs.readFileSync(path.join(ad(dir), f)).indexOf('plaintext-marker'), -1, f);
    }
  });
});
