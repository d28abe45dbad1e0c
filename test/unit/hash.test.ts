// The hash structure and the ScanMap under it, against Map models under random operation
// sequences: contents, order, encoding transitions, byte accounting, SCAN guarantees, sampling.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HashValue } from '../../src/store/hash';
import { ScanMap } from '../../src/store/scanmap';

const LIM = { entries: 8, value: 6 };

type Op =
  | { op: 'set'; f: string; v: string }
  | { op: 'delete'; f: string }
  | { op: 'get'; f: string }
  | { op: 'clone' };

const field = fc.constantFrom(
  'a',
  'b',
  'c',
  'd',
  'e',
  'f',
  'g',
  'h',
  'i',
  'j',
  '',
  'long-field',
  '\u0000\u00ff',
);
const value = fc.constantFrom('1', 'x', '', 'seven77', '\u00ff\u0000\r\n');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ op: fc.constant('set' as const), f: field, v: value }) },
  { weight: 30, arbitrary: fc.record({ op: fc.constant('delete' as const), f: field }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('get' as const), f: field }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('clone' as const) }) },
);

describe('HashValue against a Map model', () => {
  it('same contents, insertion order, size, bytes; encoding converts once and for good', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        let h = new HashValue();
        const model = new Map<string, string>();
        let big = false;
        for (const o of ops) {
          if (o.op === 'set') {
            const added = h.set(o.f, o.v, LIM);
            assert.equal(added, !model.has(o.f));
            model.set(o.f, o.v);
            if (o.f.length > LIM.value || o.v.length > LIM.value || model.size > LIM.entries) big = true;
          } else if (o.op === 'delete') {
            assert.equal(h.delete(o.f), model.delete(o.f));
          } else if (o.op === 'get') {
            assert.equal(h.get(o.f), model.get(o.f));
            assert.equal(h.has(o.f), model.has(o.f));
          } else {
            h = h.clone();
          }
          assert.equal(h.size, model.size);
          assert.equal(h.encoding(), big ? 'hashtable' : 'listpack');
        }
        // a Map keeps first-insertion order and updates in place, as a listpack does
        assert.deepEqual(
          [...h.map.nodes()].map((n) => [n.key, n.value]),
          [...model],
        );
        let bytes = 0;
        for (const [f, v] of model) bytes += f.length + v.length;
        assert.equal(h.payloadBytes, bytes);
        assert.ok(h.memoryUsage() >= bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('thresholds are inclusive: 8 entries / 6 bytes stay listpack, one more converts', () => {
    const h = new HashValue();
    for (let i = 0; i < 8; i++) h.set(`f${i}`, '123456', LIM);
    assert.equal(h.encoding(), 'listpack');
    h.set('f0', '1234567', LIM);
    assert.equal(h.encoding(), 'hashtable');
    const g = new HashValue();
    for (let i = 0; i < 9; i++) g.set(`f${i}`, 'v', LIM);
    assert.equal(g.encoding(), 'hashtable');
    for (let i = 0; i < 9; i++) g.delete(`f${i}`);
    g.set('a', 'b', LIM);
    assert.equal(g.encoding(), 'hashtable', 'never converts back');
  });
});

type MapOp = { op: 'set'; k: number } | { op: 'delete'; k: number } | { op: 'scan'; count: number };

const mapOpArb: fc.Arbitrary<MapOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('set' as const), k: fc.integer({ min: 0, max: 60 }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 60 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('scan' as const), count: fc.integer({ min: 1, max: 12 }) }),
  },
);

describe('ScanMap', () => {
  it('a scan interleaved with changes returns every key present throughout, each exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 60 }),
        fc.array(mapOpArb, { maxLength: 200 }),
        (initial, ops) => {
          const m = new ScanMap<number>();
          for (const k of initial) m.set(String(k), k);
          const start = new Set(m.keys());
          const removed = new Set<string>();
          const seen: string[] = [];
          let cursor = 0;
          let done = false;
          for (const o of ops) {
            if (o.op === 'set') m.set(String(o.k), o.k);
            else if (o.op === 'delete') {
              if (m.delete(String(o.k)) !== undefined) removed.add(String(o.k));
            } else if (!done) {
              cursor = m.scan(cursor, o.count, (n) => seen.push(n.key));
              if (cursor === 0) done = true;
            }
          }
          while (!done) {
            cursor = m.scan(cursor, 5, (n) => seen.push(n.key));
            if (cursor === 0) done = true;
          }
          for (const k of start) if (!removed.has(k)) assert.ok(seen.includes(k), `key ${k} missed`);
          // a key deleted and set again mid-scan is a new entry and may come twice (as in Redis)
          const kept = seen.filter((k) => !removed.has(k));
          assert.equal(new Set(kept).size, kept.length, 'no key returned twice');
          // the Map and the order array agree after any amount of compaction
          assert.deepEqual([...m.keys()].sort(), [...new Set([...m.nodes()].map((n) => n.key))].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('scan visits `count` live entries per step and returns 0 at the end', () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 100; i++) m.set(`k${i}`, i);
    for (let i = 0; i < 100; i += 2) m.delete(`k${i}`);
    const steps: number[] = [];
    let cursor = 0;
    do {
      let n = 0;
      cursor = m.scan(cursor, 10, () => n++);
      steps.push(n);
    } while (cursor !== 0);
    assert.deepEqual(steps, [10, 10, 10, 10, 10]);
    assert.equal(
      new ScanMap<number>().scan(0, 10, () => assert.fail()),
      0,
    );
  });

  it('random() is uniform over live entries, even after many deletions', () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
    for (let i = 0; i < 990; i++) m.delete(`k${i}`);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20000; i++) {
      const k = m.random().key;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    assert.equal(counts.size, 10);
    for (const [k, n] of counts) {
      assert.ok(m.has(k));
      assert.ok(n > 1600 && n < 2400, `${k} drawn ${n} times of 20000`);
    }
  });

  it('sample(n) returns n distinct live entries, for small and large n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 60 }), (size, del) => {
        const m = new ScanMap<number>();
        for (let i = 0; i < size + del; i++) m.set(`k${i}`, i);
        for (let i = 0; i < del; i++) m.delete(`k${i * 1}`);
        for (const n of [1, Math.floor(size / 4), Math.floor(size / 2), size - 1, size, size + 3]) {
          if (n < 1) continue;
          const s = m.sample(n);
          assert.equal(s.length, Math.min(n, m.size));
          assert.equal(new Set(s).size, s.length);
          for (const node of s) assert.equal(m.node(node.key), node);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('clone keeps order and values and is independent', () => {
    const m = new ScanMap<string>();
    for (const k of ['z', 'a', 'm']) m.set(k, k.toUpperCase());
    m.delete('a');
    const c = m.clone();
    c.set('q', 'Q');
    m.set('z', 'changed');
    assert.deepEqual(
      [...c.nodes()].map((n) => `${n.key}${n.value}`),
      ['zZ', 'mM', 'qQ'],
    );
    assert.deepEqual([...m.keys()], ['z', 'm']);
  });
});
