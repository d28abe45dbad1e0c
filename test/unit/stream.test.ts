// Stream internals against plain models under random operation sequences: the ID-keyed ordered
// map (pending entries lists), the entry store (append, delete, range both ways, exact and
// approximate trimming), and the ID arithmetic at the 64-bit edges.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  cmpId,
  decrId,
  IdMap,
  idStr,
  incrId,
  MAX_ID,
  norm,
  type StreamID,
  StreamValue,
  Trim,
  U64_MAX,
  ZERO_ID,
} from '../../src/store/stream';

const id = (ms: number | bigint, seq: number | bigint = 0): StreamID => ({
  ms: norm(BigInt(ms)),
  seq: norm(BigInt(seq)),
});

describe('stream IDs', () => {
  it('increment and decrement carry across the sequence and stop at the ends', () => {
    assert.deepEqual(incrId(id(1, 5)), id(1, 6));
    assert.deepEqual(incrId(id(1, U64_MAX)), id(2, 0));
    assert.equal(incrId(MAX_ID), null);
    assert.deepEqual(decrId(id(2, 0)), id(1, U64_MAX));
    assert.equal(decrId(ZERO_ID), null);
    assert.deepEqual(incrId(id(Number.MAX_SAFE_INTEGER, 0)), id(Number.MAX_SAFE_INTEGER, 1));
    assert.deepEqual(incrId(id(0, Number.MAX_SAFE_INTEGER)), id(0, BigInt(Number.MAX_SAFE_INTEGER) + 1n));
    assert.deepEqual(decrId(id(0, BigInt(Number.MAX_SAFE_INTEGER) + 1n)), id(0, Number.MAX_SAFE_INTEGER));
    assert.equal(idStr(MAX_ID), '18446744073709551615-18446744073709551615');
  });

  it('compare like 128-bit numbers, whatever mix of number and bigint', () => {
    const big = fc.bigInt({ min: 0n, max: U64_MAX });
    fc.assert(
      fc.property(big, big, big, big, (a, b, c, d) => {
        const want = a < c ? -1 : a > c ? 1 : b < d ? -1 : b > d ? 1 : 0;
        assert.equal(cmpId(id(a, b), id(c, d)), want);
      }),
    );
  });
});

/** Small ID space so operations collide. */
const smallId = fc.record({ ms: fc.integer({ min: 0, max: 30 }), seq: fc.integer({ min: 0, max: 3 }) });

describe('IdMap', () => {
  it('behaves like a sorted map', () => {
    type Op = { op: 'set' | 'del' | 'get' | 'ceil' | 'walk'; k: { ms: number; seq: number } };
    const opArb: fc.Arbitrary<Op> = fc.record({
      op: fc.constantFrom(
        'set' as const,
        'set' as const,
        'del' as const,
        'get' as const,
        'ceil' as const,
        'walk' as const,
      ),
      k: smallId,
    });
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const m = new IdMap<number>();
        const model = new Map<string, number>();
        const key = (k: { ms: number; seq: number }) => `${String(k.ms).padStart(3, '0')}-${k.seq}`;
        const sortedKeys = () => [...model.keys()].sort();
        let n = 0;
        for (const { op, k } of ops) {
          const sid = id(k.ms, k.seq);
          if (op === 'set') {
            assert.equal(m.set(sid, ++n), !model.has(key(k)));
            model.set(key(k), n);
          } else if (op === 'del') {
            assert.equal(m.delete(sid), model.delete(key(k)));
          } else if (op === 'get') {
            assert.equal(m.get(sid), model.get(key(k)));
          } else if (op === 'ceil') {
            const want = sortedKeys().find((x) => x >= key(k));
            const got = m.ceil(sid);
            if (want === undefined) assert.equal(got, undefined);
            else {
              const [ms, seq] = want.split('-').map(Number);
              assert.deepEqual(got?.[0], id(ms, seq));
              assert.equal(got?.[1], model.get(want));
            }
          } else {
            const got: string[] = [];
            m.walk((x) => {
              got.push(`${String(x.ms).padStart(3, '0')}-${x.seq}`);
              return got.length < 5;
            }, sid);
            assert.deepEqual(
              got,
              sortedKeys()
                .filter((x) => x >= key(k))
                .slice(0, 5),
            );
          }
          assert.equal(m.size, model.size);
        }
        const all: string[] = [];
        m.walk((x) => {
          all.push(`${String(x.ms).padStart(3, '0')}-${x.seq}`);
          return true;
        });
        assert.deepEqual(all, sortedKeys());
        const ks = sortedKeys();
        if (ks.length > 0) {
          assert.equal(idStr(m.first() as StreamID), ks[0].replace(/^0+(?=\d)/, ''));
          assert.equal(idStr(m.last() as StreamID), (ks.at(-1) as string).replace(/^0+(?=\d)/, ''));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('StreamValue', () => {
  type Op =
    | { op: 'add'; gap: number; nf: number }
    | { op: 'del'; pick: number }
    | { op: 'range'; a: number; b: number; rev: boolean; count: number }
    | { op: 'trim'; maxlen: number; approx: boolean; limit: number }
    | { op: 'minid'; pick: number; approx: boolean }
    | { op: 'clone' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 40,
      arbitrary: fc.record({
        op: fc.constant('add' as const),
        gap: fc.integer({ min: 0, max: 3 }),
        nf: fc.integer({ min: 1, max: 3 }),
      }),
    },
    { weight: 10, arbitrary: fc.record({ op: fc.constant('del' as const), pick: fc.nat() }) },
    {
      weight: 10,
      arbitrary: fc.record({
        op: fc.constant('range' as const),
        a: fc.nat({ max: 400 }),
        b: fc.nat({ max: 400 }),
        rev: fc.boolean(),
        count: fc.nat({ max: 6 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('trim' as const),
        maxlen: fc.nat({ max: 80 }),
        approx: fc.boolean(),
        limit: fc.constantFrom(0, 5, 50),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant('minid' as const), pick: fc.nat(), approx: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clone' as const) }) },
  );

  it('agrees with an array model (node size 7 entries or 120 bytes)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        let s = new StreamValue();
        const model: { ms: number; seq: number; fv: Buffer[] }[] = [];
        let ms = 1;
        let seq = 0;
        for (const o of ops) {
          if (o.op === 'add') {
            if (o.gap === 0) seq++;
            else {
              ms += o.gap;
              seq = 0;
            }
            const fv: Buffer[] = [];
            for (let i = 0; i < o.nf; i++) fv.push(Buffer.from(`f${i}`), Buffer.from(`v${ms}.${seq}`));
            s.append(id(ms, seq), fv, 120, 7);
            model.push({ ms, seq, fv });
          } else if (o.op === 'del') {
            if (model.length === 0) continue;
            const i = o.pick % model.length;
            assert.equal(s.delete(id(model[i].ms, model[i].seq)), true);
            assert.equal(s.delete(id(model[i].ms, model[i].seq)), false);
            model.splice(i, 1);
          } else if (o.op === 'range') {
            const lo = Math.min(o.a, o.b);
            const hi = Math.max(o.a, o.b);
            const got: string[] = [];
            s.range(id(lo), id(hi, U64_MAX), o.rev, (x) => {
              got.push(idStr(x));
              return o.count === 0 || got.length < o.count;
            });
            let want = model.filter((e) => e.ms >= lo && e.ms <= hi).map((e) => `${e.ms}-${e.seq}`);
            if (o.rev) want.reverse();
            if (o.count > 0) want = want.slice(0, o.count);
            assert.deepEqual(got, want);
          } else if (o.op === 'trim') {
            const before = s.length;
            const n = s.trim({
              strategy: Trim.Maxlen,
              maxlen: o.maxlen,
              minid: ZERO_ID,
              approx: o.approx,
              limit: o.approx ? o.limit : 0,
            });
            assert.equal(s.length, before - n);
            if (!o.approx) assert.equal(s.length, Math.min(before, o.maxlen));
            else assert.ok(s.length >= Math.min(before, o.maxlen));
            if (o.approx && o.limit) assert.ok(n <= o.limit);
            model.splice(0, n);
          } else if (o.op === 'minid') {
            if (model.length === 0) continue;
            const m = model[o.pick % model.length];
            const before = s.length;
            const n = s.trim({
              strategy: Trim.Minid,
              maxlen: -1,
              minid: id(m.ms, m.seq),
              approx: o.approx,
              limit: 0,
            });
            assert.equal(s.length, before - n);
            const older = model.filter((e) => e.ms < m.ms || (e.ms === m.ms && e.seq < m.seq)).length;
            if (!o.approx) assert.equal(n, older);
            else assert.ok(n <= older);
            model.splice(0, n);
          } else {
            s = s.clone();
          }
          assert.equal(s.length, model.length);
          const first = s.edgeId(false);
          const last = s.edgeId(true);
          if (model.length === 0) {
            assert.equal(first, undefined);
            // trimming keeps the recorded first ID (XDEL's command code does it for deletions)
            if (o.op === 'trim' || o.op === 'minid') assert.deepEqual(s.firstId, ZERO_ID);
          } else {
            assert.deepEqual(first, id(model[0].ms, model[0].seq));
            assert.deepEqual(
              last,
              id((model.at(-1) as { ms: number }).ms, (model.at(-1) as { seq: number }).seq),
            );
          }
        }
        for (const e of model) assert.deepEqual(s.get(id(e.ms, e.seq)), e.fv);
        // nodes never exceed the entry limit, live + deleted
        for (const [live, deleted] of s.nodeStats()) assert.ok(live + deleted <= 7);
      }),
      { numRuns: 150 },
    );
  });

  it('groups: lag and entries-read follow additions, deletions and reads', () => {
    const s = new StreamValue();
    for (let i = 1; i <= 5; i++) s.append(id(i), [Buffer.from('f'), Buffer.from('v')], 4096, 100);
    const g = s.createGroup('g', ZERO_ID, -1);
    assert.ok(g !== undefined);
    assert.equal(s.createGroup('g', ZERO_ID, -1), undefined);
    assert.equal(s.lag(g), 5);
    g.lastId = id(2);
    g.entriesRead = 2;
    assert.equal(s.lag(g), 3);
    s.delete(id(4));
    s.maxDeletedId = id(4);
    assert.equal(s.lag(g), null); // a tombstone lies ahead of the group
    g.lastId = id(5);
    g.entriesRead = -1;
    assert.equal(s.lag(g), 0); // the last ID's counter is always known
  });
});
