// Encryption at rest end to end: SAVE with encryption-key-file writes an encrypted dump that a
// restart loads back; tampered, truncated or wrongly keyed files are refused at load naming the
// file with nothing loaded; an encrypted file without a key and a plain file with a key are
// refused; unsafe key files refuse the start; `redoubt keygen` and `redoubt rekey`; and plain
// dumps (no key) still refuse a flipped bit anywhere through the RDB CRC-64.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HEADER_LEN, isEncrypted, loadServerKey, TAG_LEN } from '../../src/persistence/crypt';
import { LoadError, loadFile, saveSync } from '../../src/persistence/save';
import { Server } from '../../src/server/server';
import { RawClient } from '../helpers/resp';
import { freePort, runToExit, startRedoubt, tmpDir } from '../helpers/servers';

const AUTH = 'failed authentication: the file was modified, truncated or encrypted with another key';

const run = runToExit;

async function keygen(file: string): Promise<void> {
  const r = await run(['keygen', file]);
  assert.equal(r.code, 0, r.out);
}

/** A server object (no listeners) on `dir`, with `keyFile` loaded when given. */
function server(dir: string, keyFile = ''): Server {
  const s = new Server();
  s.log.level = 'warning';
  s.config.set('dir', [dir]);
  if (keyFile !== '') s.config.set('encryption-key-file', [keyFile]);
  loadServerKey(s);
  return s;
}

function fill(s: Server, n: number): void {
  for (let i = 0; i < n; i++)
    s.dbs[0].set(`key:${i}`, Buffer.from(`secret-value-${i}-${'x'.repeat(i % 50)}`));
}

async function refusedWith(s: Server, file: string, text: string): Promise<void> {
  s.dbs[0].set('existing', Buffer.from('before'));
  await assert.rejects(
    loadFile(s, file),
    (e: unknown) => e instanceof LoadError && e.message.includes(file) && e.message.includes(text),
  );
  // nothing was loaded
  assert.equal(s.dbs[0].size, 1);
  assert.equal(s.dbs[0].get('existing')?.value.toString(), 'before');
}

describe('encryption at rest', () => {
  const dir = tmpDir('crypt-');
  const k1 = path.join(dir, 'k1.key');
  const k2 = path.join(dir, 'k2.key');
  const dump = path.join(dir, 'dump.rdb');

  it('keygen writes a 0600 hex key and refuses to overwrite', async () => {
    await keygen(k1);
    await keygen(k2);
    assert.equal(fs.statSync(k1).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(k1, 'latin1'), /^[0-9a-f]{64}\n$/);
    assert.notEqual(fs.readFileSync(k1, 'latin1'), fs.readFileSync(k2, 'latin1'));
    const before = fs.readFileSync(k1);
    const r = await run(['keygen', k1]);
    assert.equal(r.code, 1);
    assert.match(r.out, /already exists: refusing to overwrite/);
    assert.deepEqual(fs.readFileSync(k1), before);
  });

  it('SAVE with a key writes an encrypted file that loads back with the key', async () => {
    const s = server(dir, k1);
    fill(s, 6000); // over several 64 KiB chunks
    assert.ok(saveSync(s));
    const f = fs.readFileSync(dump);
    assert.ok(isEncrypted(f));
    assert.ok(f.length > HEADER_LEN + 2 * (65536 + TAG_LEN));
    assert.equal(f.indexOf('secret-value'), -1);
    assert.equal(f.indexOf('REDIS'), -1);
    const s2 = server(dir, k1);
    await loadFile(s2, dump);
    assert.equal(s2.dbs[0].size, 6000);
    assert.equal(s2.dbs[0].get('key:5999')?.value.toString(), s.dbs[0].get('key:5999')?.value.toString());
  });

  it('refuses tampered, truncated, swapped and wrongly keyed files, loading nothing', async () => {
    const good = fs.readFileSync(dump);
    const variants: [string, Buffer][] = [];
    for (const p of [HEADER_LEN, HEADER_LEN + 65536 + TAG_LEN, 20, good.length - 1]) {
      const b = Buffer.from(good);
      b[p] ^= 4;
      variants.push([`bit ${p}`, b]);
    }
    variants.push(['cut at chunk', good.subarray(0, HEADER_LEN + 65536 + TAG_LEN)]);
    variants.push(['cut mid-chunk', good.subarray(0, good.length - 100)]);
    const c0 = good.subarray(HEADER_LEN, HEADER_LEN + 65536 + TAG_LEN);
    const c1 = good.subarray(HEADER_LEN + 65536 + TAG_LEN, HEADER_LEN + 2 * (65536 + TAG_LEN));
    variants.push([
      'swap',
      Buffer.concat([
        good.subarray(0, HEADER_LEN),
        c1,
        c0,
        good.subarray(HEADER_LEN + 2 * (65536 + TAG_LEN)),
      ]),
    ]);
    const file = path.join(dir, 'bad.rdb');
    for (const [, b] of variants) {
      fs.writeFileSync(file, b, { mode: 0o600 });
      await refusedWith(server(dir, k1), file, AUTH);
    }
    // the right file under the other key
    await refusedWith(server(dir, k2), dump, AUTH);
    fs.rmSync(file);
  });

  it('refuses an encrypted file without a key, and a plain file with one', async () => {
    await refusedWith(server(dir), dump, 'is encrypted, but no encryption-key-file is configured');
    const pdir = tmpDir('crypt-plain-');
    const p = server(pdir);
    fill(p, 10);
    assert.ok(saveSync(p));
    const plainFile = path.join(pdir, 'dump.rdb');
    await refusedWith(server(pdir, k1), plainFile, 'is not encrypted, but encryption-key-file is set');
  });

  it('rekey rewrites under the new key: loads with it, fails with the old one', async () => {
    const r = await run(['rekey', '--old', k1, '--new', k2, dump]);
    assert.equal(r.code, 0, r.out);
    assert.equal(fs.statSync(dump).mode & 0o777, 0o600);
    await refusedWith(server(dir, k1), dump, AUTH);
    const s = server(dir, k2);
    await loadFile(s, dump);
    assert.equal(s.dbs[0].size, 6000);
    // wrong old key: refused, file unchanged
    const before = fs.readFileSync(dump);
    const bad = await run(['rekey', '--old', k1, '--new', k2, dump]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, new RegExp(AUTH));
    assert.deepEqual(fs.readFileSync(dump), before);
    // decrypt (--old only), then encrypt a plain file (--new only)
    assert.equal((await run(['rekey', '--old', k2, dump])).code, 0);
    assert.equal(fs.readFileSync(dump).subarray(0, 5).toString(), 'REDIS');
    const plainLoad = server(dir);
    await loadFile(plainLoad, dump);
    assert.equal(plainLoad.dbs[0].size, 6000);
    assert.equal((await run(['rekey', '--new', k1, dump])).code, 0);
    const s1 = server(dir, k1);
    await loadFile(s1, dump);
    assert.equal(s1.dbs[0].size, 6000);
  });

  it('a running server saves encrypted and a restart loads it; a bad file or key file refuses the start', async () => {
    const sdir = tmpDir('crypt-srv-');
    const key = path.join(sdir, 'k.key');
    await keygen(key);
    const args = ['--save', '', '--encryption-key-file', key];
    let srv = await startRedoubt({ dir: sdir, args });
    let c = await RawClient.connect({ port: srv.port });
    try {
      assert.equal(await c.call('SET', 'greeting', 'hello at rest'), 'OK');
      assert.equal(await c.call('SAVE'), 'OK');
    } finally {
      c.close();
      await srv.stop();
    }
    const file = path.join(sdir, 'dump.rdb');
    assert.ok(isEncrypted(fs.readFileSync(file)));
    srv = await startRedoubt({ dir: sdir, args });
    c = await RawClient.connect({ port: srv.port });
    try {
      assert.equal(String(await c.call('GET', 'greeting')), 'hello at rest');
    } finally {
      c.close();
      await srv.stop();
    }
    const port = String(await freePort());
    const good = fs.readFileSync(file);
    const b = Buffer.from(good);
    b[b.length - 5] ^= 1;
    fs.writeFileSync(file, b);
    let r = await run(['--port', port, '--dir', sdir, ...args]);
    assert.equal(r.code, 1);
    assert.ok(r.out.includes(`${file} ${AUTH}`), r.out);
    assert.doesNotMatch(r.out, /Ready to accept connections/);
    fs.writeFileSync(file, good);
    fs.chmodSync(key, 0o640);
    r = await run(['--port', port, '--dir', sdir, ...args]);
    assert.equal(r.code, 1);
    assert.match(r.out, /Refusing to use the encryption key file .*unsafe permissions/);
    fs.chmodSync(key, 0o600);
  });
});

describe('plain RDB tamper detection (no key)', () => {
  it('a bit flipped anywhere is refused by the CRC-64 or the parser', async () => {
    const dir = tmpDir('crypt-crc-');
    const s = server(dir);
    fill(s, 200);
    assert.ok(saveSync(s));
    const file = path.join(dir, 'dump.rdb');
    const good = fs.readFileSync(file);
    const bad = path.join(dir, 'bad.rdb');
    // the version digits, the header, key names, values, the EOF opcode, the checksum
    const n = good.length;
    for (const p of [5, 8, 12, 40, Math.floor(n / 3), Math.floor(n / 2), n - 30, n - 9, n - 8, n - 1]) {
      for (const bit of [0, 3, 7]) {
        const b = Buffer.from(good);
        b[p] ^= 1 << bit;
        fs.writeFileSync(bad, b, { mode: 0o600 });
        await refusedWith(server(dir), bad, 'Refusing to load it');
      }
    }
  });
});
