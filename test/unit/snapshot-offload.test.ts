// A background save hands checksum, encryption and file writes to a worker thread
// (persistence/write-worker.ts). Its output must be the same bytes as the synchronous path's
// (SAVE, AOF rewrite), with and without rdbchecksum, encrypted or not, also when keys are
// written ahead of the walk (copy-on-write) and into databases not reached yet; an aborted
// save leaves no file, and a write error reaches the snapshot.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { decrypt, isEncrypted, loadServerKey } from '../../src/persistence/crypt';
import { RdbLoader } from '../../src/persistence/rdb';
import { loadFile, persistState, startBgsave } from '../../src/persistence/save';
import { Snapshot } from '../../src/persistence/snapshot';
import { defaultValueOptions } from '../../src/persistence/values';
import { OffloadedFile } from '../../src/persistence/write-worker';
import { Server } from '../../src/server/server';
import { Db } from '../../src/store/db';
import { tmpDir } from '../helpers/servers';

const NOW = 1_700_000_000_000;
const clock = { now: () => NOW };

function dataset(): Db[] {
  const dbs: Db[] = [];
  for (let i = 0; i < 16; i++) dbs.push(new Db(i, clock, { expired() {} }));
  // db 0: enough for many chunks; integers, short, compressible and incompressible values
  for (let i = 0; i < 60000; i++) {
    const v =
      i % 5 === 0
        ? String(i)
        : i % 5 === 1
          ? 'v'.repeat(i % 400)
          : i % 5 === 2
            ? Buffer.from(Array.from({ length: 40 }, (_, j) => (i * 31 + j * 7) & 0xff))
            : `value-${i}`;
    const e = dbs[0].set(`key:${i}`, Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1'));
    if (i % 7 === 0) dbs[0].setExpire(e, NOW + 1_000_000 + i);
  }
  for (let i = 0; i < 3000; i++) dbs[3].set(`other:${i}`, Buffer.from(`x${i}`));
  return dbs;
}

function snapshot(
  dbs: Db[],
  dir: string,
  file: string,
  o: { offload: boolean; checksum: boolean; key?: Buffer },
) {
  return new Snapshot(dbs, {
    dir,
    filename: file,
    compress: true,
    checksum: o.checksum,
    values: defaultValueOptions,
    eviction: 'lru',
    header: { redisVersion: '7.0.15', ctime: 1, usedMem: 1 },
    lfuOf: () => 0,
    now: () => NOW,
    encryptKey: o.key ?? null,
    offload: o.offload,
  });
}

function commit(s: Snapshot): Promise<void> {
  return new Promise((resolve, reject) => s.commit((e) => (e ? reject(e) : resolve())));
}

/** Runs a snapshot in small slices; `between` runs after each slice (writes during the save). */
async function runInSlices(s: Snapshot, between: (n: number) => void = () => {}): Promise<void> {
  let n = 0;
  for (;;) {
    const done = s.step(0.05);
    if (done) break;
    between(n++);
    await new Promise<void>((r) => (s.congested ? s.whenWritable(r) : setImmediate(r)));
  }
  s.writeEnd();
  await commit(s);
}

describe('background save through the writer thread', () => {
  const dir = tmpDir('offload-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const checksum of [true, false]) {
    it(`writes the same bytes as the synchronous path (rdbchecksum ${checksum ? 'yes' : 'no'})`, async () => {
      const dbs = dataset();
      const a = snapshot(dbs, dir, 'sync.rdb', { offload: false, checksum });
      a.step(Number.POSITIVE_INFINITY);
      a.writeEnd();
      a.commitSync();
      const b = snapshot(dbs, dir, 'offload.rdb', { offload: true, checksum });
      await runInSlices(b);
      const want = fs.readFileSync(path.join(dir, 'sync.rdb'));
      const got = fs.readFileSync(path.join(dir, 'offload.rdb'));
      assert.ok(want.length > 1_000_000, `a multi-chunk file (${want.length} bytes)`);
      assert.ok(got.equals(want), 'identical files');
      assert.equal(fs.statSync(path.join(dir, 'offload.rdb')).mode & 0o777, 0o600);
    });
  }

  it('is a point-in-time snapshot while keys change (the records of a save taken at the start)', async () => {
    const dbs = dataset();
    const a = snapshot(dbs, dir, 'start.rdb', { offload: false, checksum: true });
    a.step(Number.POSITIVE_INFINITY);
    a.writeEnd();
    a.commitSync();
    const b = snapshot(dbs, dir, 'during.rdb', { offload: true, checksum: true });
    b.hook();
    await runInSlices(b, (n) => {
      // overwrite keys ahead of the walk and behind it, delete some, add new ones, and touch
      // the database whose section has not started (its records are buffered)
      for (let i = 0; i < 50; i++) {
        const k = `key:${(n * 997 + i * 1201) % 60000}`;
        dbs[0].get(k);
        dbs[0].set(k, Buffer.from(`changed-${n}`));
      }
      const gone = dbs[0].get(`key:${(n * 13) % 60000}`);
      if (gone !== undefined) dbs[0].remove(gone);
      dbs[0].set(`new:${n}`, Buffer.from('new'));
      dbs[3].get(`other:${n % 3000}`);
      dbs[3].set(`other:${n % 3000}`, Buffer.from('changed'));
    });
    assert.equal(b.violations, 0);
    // the same records, in another order (keys written early come first)
    const want = fs.readFileSync(path.join(dir, 'start.rdb'));
    const got = fs.readFileSync(path.join(dir, 'during.rdb'));
    assert.equal(got.length, want.length);
    assert.deepEqual(contents(got), contents(want));
  });

  it('encrypted: the plaintext is the same as the synchronous path', async () => {
    const key = Buffer.alloc(32, 9);
    const dbs = dataset();
    const a = snapshot(dbs, dir, 'enc-sync.rdb', { offload: false, checksum: true, key });
    a.step(Number.POSITIVE_INFINITY);
    a.writeEnd();
    a.commitSync();
    const b = snapshot(dbs, dir, 'enc-offload.rdb', { offload: true, checksum: true, key });
    await runInSlices(b);
    const f1 = path.join(dir, 'enc-sync.rdb');
    const f2 = path.join(dir, 'enc-offload.rdb');
    const raw = fs.readFileSync(f2);
    assert.ok(!raw.includes(Buffer.from('value-3')), 'no plaintext in the file');
    assert.ok(decrypt(key, raw, f2).equals(decrypt(key, fs.readFileSync(f1), f1)));
  });

  for (const encrypted of [false, true]) {
    it(`BGSAVE of a server goes through the writer thread and loads back${encrypted ? ' (encrypted)' : ''}`, async () => {
      const sub = path.join(dir, encrypted ? 'bg-enc' : 'bg');
      fs.mkdirSync(sub);
      const keyFile = path.join(sub, 'k.key');
      fs.writeFileSync(keyFile, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
      const mk = () => {
        const s = new Server();
        s.log.level = 'warning';
        s.config.set('dir', [sub]);
        s.config.set('dbfilename', ['dump.rdb']);
        if (encrypted) s.config.set('encryption-key-file', [keyFile]);
        loadServerKey(s);
        return s;
      };
      const s = mk();
      for (let i = 0; i < 20000; i++)
        s.dbs[i % 3].set(`k${i}`, Buffer.from(`value-${i}-${'z'.repeat(i % 90)}`));
      assert.ok(startBgsave(s));
      const st = persistState(s);
      // a write during the save: not in the dump
      s.dbs[0].get('k0');
      s.dbs[0].set('k0', Buffer.from('changed'));
      for (let i = 0; i < 1500 && st.bg !== null; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(st.bg, null);
      assert.equal(st.lastBgsaveOk, true);
      const file = path.join(sub, 'dump.rdb');
      const raw = fs.readFileSync(file);
      assert.equal(isEncrypted(raw), encrypted);
      assert.equal(raw.includes(Buffer.from('value-1-')), !encrypted);
      const s2 = mk();
      await loadFile(s2, file);
      for (let d = 0; d < 3; d++) assert.equal(s2.dbs[d].size, s.dbs[d].size);
      assert.equal(s2.dbs[0].get('k0')?.value.toString(), 'value-0-');
      assert.equal(s2.dbs[1].get('k19999')?.value.toString(), s.dbs[1].get('k19999')?.value.toString());
      assert.deepEqual(fs.readdirSync(sub).sort(), ['dump.rdb', 'k.key'], 'no temp file left');
    });
  }

  it('an aborted save leaves no temp file and no target', async () => {
    const sub = path.join(dir, 'abort');
    fs.mkdirSync(sub);
    const s = snapshot(dataset(), sub, 'dump.rdb', { offload: true, checksum: true });
    s.step(0.2);
    s.abort();
    assert.deepEqual(fs.readdirSync(sub), []);
    // the descriptor is closed once the writer thread has let go of it
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(fs.readdirSync(sub), []);
  });

  it('a write error reaches the snapshot', async () => {
    // /dev/full: every write fails with ENOSPC
    const fd = fs.openSync('/dev/full', 'w');
    const out = new OffloadedFile(fd, { checksum: true, encryptKey: null, encryptKind: 1 });
    const b = out.take();
    b.fill(1);
    out.write(b);
    const err = await new Promise<Error | null>((r) => out.end(r));
    assert.ok(err instanceof Error);
    assert.match(err.message, /ENOSPC/);
    fs.closeSync(fd);
  });
});

/** Every key of an RDB file (loaded) as "db key value expiry" lines, sorted. */
function contents(file: Buffer): string[] {
  const dbs: Db[] = [];
  for (let i = 0; i < 16; i++) dbs.push(new Db(i, clock, { expired() {} }));
  const loader = new RdbLoader(file, dbs, {
    values: defaultValueOptions,
    checksum: true,
    databases: 16,
    now: NOW,
    eviction: 'lru',
    log: () => {},
  });
  while (!loader.step(Number.POSITIVE_INFINITY));
  const out: string[] = [];
  for (const db of dbs) {
    for (const e of db.entries())
      out.push(`${db.id} ${e.key} ${(e.value as Buffer).toString('hex')} ${e.expires}`);
  }
  return out.sort();
}
