// Hostile RDB data: mutated DUMP payloads (checksum recomputed, so the decoder itself is hit)
// and mutated RDB files must either decode or fail with RdbError: never another exception,
// never a hang, never an allocation driven by a forged length.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Crc64 } from '../../src/persistence/crc64';
import { RdbError } from '../../src/persistence/errors';
import {
  createDump,
  RdbLoader,
  readDump,
  writeDbHeader,
  writeFooter,
  writeHeader,
  writeKey,
} from '../../src/persistence/rdb';
import { RdbWriter } from '../../src/persistence/rdbio';
import { streamFromData } from '../../src/persistence/stream';
import { defaultValueOptions as o } from '../../src/persistence/values';
import { Db, systemClock, type Value } from '../../src/store/db';
import { HashValue } from '../../src/store/hash';
import { ListValue } from '../../src/store/list';
import { SetValue } from '../../src/store/set';
import { ZSetValue } from '../../src/store/zset';
import { prng } from '../helpers/random';

function samples(): Value[] {
  const out: Value[] = [];
  out.push(
    Buffer.from('plain'),
    Buffer.from('12345'),
    Buffer.from('x'.repeat(300)),
    Buffer.from('abc'.repeat(100)),
  );
  out.push(ListValue.from(['a', 'b', '1', '-70000', 'c'.repeat(100)].map((x) => Buffer.from(x))));
  const big = new ListValue();
  for (let i = 0; i < 3000; i++) big.pushTail(Buffer.from(`item${i}`));
  out.push(big);
  const lim = { entries: 512, value: 64 };
  const h = new HashValue();
  h.set('f', 'v', lim);
  h.set('n', '42', lim);
  out.push(h);
  const ht = new HashValue();
  for (let i = 0; i < 600; i++) ht.set(`f${i}`, `v${i}`, lim);
  out.push(ht);
  const si = new SetValue(true);
  for (const m of ['1', '2', '-5', '70000', '5000000000']) si.add(m, 512);
  out.push(si);
  const ss = new SetValue(false);
  for (const m of ['a', 'b', 'c']) ss.add(m, 512);
  out.push(ss);
  const z = new ZSetValue(true);
  z.add('a', 1);
  z.add('b', 2.5);
  out.push(z);
  const zs = new ZSetValue(false);
  for (let i = 0; i < 200; i++) zs.add(`m${i}`, i / 3);
  out.push(zs);
  out.push(
    streamFromData(
      {
        entries: [
          { id: { ms: 1n, seq: 1n }, fields: ['f', 'v', 'g', '1'] },
          { id: { ms: 1n, seq: 2n }, fields: ['f', 'w', 'g', '2'] },
          { id: { ms: 3n, seq: 0n }, fields: ['other', 'x'] },
        ],
        lastId: { ms: 3n, seq: 0n },
        firstId: { ms: 1n, seq: 1n },
        maxDeletedId: { ms: 0n, seq: 0n },
        entriesAdded: 3n,
        groups: [
          {
            name: 'g',
            lastId: { ms: 1n, seq: 2n },
            entriesRead: 2n,
            pel: [{ id: { ms: 1n, seq: 1n }, deliveryTime: 1000, deliveryCount: 2, consumer: 'c1' }],
            consumers: [{ name: 'c1', seenTime: 1000, pending: [{ ms: 1n, seq: 1n }] }],
          },
        ],
      },
      o.stream,
    ),
  );
  return out;
}

function fixCrc(p: Buffer): Buffer {
  new Crc64()
    .update(p, 0, p.length - 8)
    .bytesLE()
    .copy(p, p.length - 8);
  return p;
}

function mutate(p: Buffer, r: () => number, body: number): Buffer {
  const kind = Math.floor(r() * 4);
  let b: Buffer;
  if (kind === 0) {
    b = Buffer.from(p);
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) b[Math.floor(r() * body)] = Math.floor(r() * 256);
  } else if (kind === 1) {
    // cut the body short, keep the footer
    const cut = Math.floor(r() * body);
    b = Buffer.concat([p.subarray(0, cut), p.subarray(body)]);
  } else if (kind === 2) {
    const at = Math.floor(r() * body);
    const junk = Buffer.alloc(1 + Math.floor(r() * 8));
    for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(r() * 256);
    b = Buffer.concat([p.subarray(0, at), junk, p.subarray(at)]);
  } else {
    // a forged 32-bit length
    b = Buffer.from(p);
    const at = Math.floor(r() * Math.max(1, body - 5));
    b[at] = 0x80;
    b.writeUInt32BE(0xfffffff0, at + 1);
  }
  return fixCrc(b);
}

describe('hostile RDB data', () => {
  it('mutated DUMP payloads decode or fail with RdbError', () => {
    const r = prng(2024);
    let decoded = 0;
    let refused = 0;
    for (const v of samples()) {
      const p = createDump(v, o, true);
      assert.ok(readDump(p, o) !== null, 'the intact payload decodes');
      for (let t = 0; t < 400; t++) {
        const m = mutate(p, r, p.length - 10);
        const t0 = performance.now();
        try {
          readDump(m, o);
          decoded++;
        } catch (e) {
          if (!(e instanceof RdbError))
            throw new Error(`non-RdbError on ${m.toString('hex').slice(0, 200)}: ${e}`);
          refused++;
        }
        assert.ok(performance.now() - t0 < 2000, 'no hang');
      }
    }
    assert.ok(refused > 1000, `refused ${refused}, decoded ${decoded}`);
  });

  it('mutated RDB files load or fail with RdbError', () => {
    const chunks: Buffer[] = [];
    const w = new RdbWriter({ compress: true, sink: (c) => chunks.push(Buffer.from(c)) });
    writeHeader(w, { redisVersion: '7.0.15', ctime: 1, usedMem: 1 });
    const vals = samples();
    writeDbHeader(w, 0, vals.length, 0);
    vals.forEach((v, i) => {
      writeKey(
        w,
        { key: `k${i}`, value: v, expires: i % 2 ? Date.now() + 100000 : 0, lru: 0, lfu: 0 },
        o,
        'none',
        0,
        () => 0,
      );
    });
    chunks.push(writeFooter(w, true));
    const file = Buffer.concat(chunks);
    const load = (buf: Buffer, checksum: boolean) => {
      const dbs = Array.from({ length: 16 }, (_, i) => new Db(i, systemClock, { expired: () => {} }));
      const l = new RdbLoader(buf, dbs, {
        values: o,
        checksum,
        databases: 16,
        now: Date.now(),
        eviction: 'none',
        log: () => {},
      });
      while (!l.step(performance.now() + 1000));
      return dbs[0].size;
    };
    assert.equal(load(file, true), vals.length);
    const r = prng(99);
    let refused = 0;
    for (let t = 0; t < 600; t++) {
      const m = Buffer.from(file);
      const n = 1 + Math.floor(r() * 3);
      for (let i = 0; i < n; i++) m[9 + Math.floor(r() * (m.length - 9))] ^= 1 + Math.floor(r() * 255);
      try {
        // without the checksum the parser meets the damage itself
        load(m, false);
      } catch (e) {
        if (!(e instanceof RdbError)) throw new Error(`non-RdbError: ${e}`);
        refused++;
      }
      // with it, a damaged file never loads
      assert.throws(() => load(m, true), RdbError);
    }
    assert.ok(refused > 100, `refused ${refused}`);
  });
});
