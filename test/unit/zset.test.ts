// The sorted set structure against a sorted-array model under random operation sequences (with
// tiny tree nodes, so every split, borrow, merge and root change happens), the ZSCAN cursor
// guarantee under concurrent changes, and the score / range parsers.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseScore, parseScoreRange, strtod } from '../../src/commands/zset';
import { cmpKey, type TreeShape, ZItem, ZSetValue, ZTree } from '../../src/store/zset';

const TINY: TreeShape = { leafMax: 4, leafMin: 2, innerMax: 4, innerMin: 2 };
const SMALL: TreeShape = { leafMax: 8, leafMin: 2, innerMax: 5, innerMin: 2 };

type Pair = [number, string];

function sortModel(m: Map<string, number>): Pair[] {
  return [...m].map(([k, s]): Pair => [s, k]).sort((a, b) => cmpKey(a[0], a[1], b[0], b[1]));
}

type Op =
  | { op: 'add'; m: string; s: number }
  | { op: 'del'; m: string }
  | { op: 'rank'; m: string }
  | { op: 'at'; i: number }
  | { op: 'range'; a: number; b: number; rev: boolean }
  | { op: 'byScore'; min: number; minex: boolean }
  | { op: 'byLex'; min: string; ex: boolean }
  | { op: 'popMin' | 'popMax' | 'clone' };

const member = fc.integer({ min: 0, max: 60 }).map((i) => `m${i}`);
const score = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0, -0, Infinity, -Infinity, 0.5, 1e300),
  fc.double({ noNaN: true }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ op: fc.constant('add' as const), m: member, s: score }) },
  { weight: 15, arbitrary: fc.record({ op: fc.constant('del' as const), m: member }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('rank' as const), m: member }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('at' as const), i: fc.integer({ min: 0, max: 70 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('range' as const),
      a: fc.integer({ min: 0, max: 70 }),
      b: fc.integer({ min: 0, max: 70 }),
      rev: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('byScore' as const), min: score, minex: fc.boolean() }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('byLex' as const), min: member, ex: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constantFrom('popMin' as const, 'popMax' as const, 'clone' as const) }),
  },
);

function run(ops: Op[], shape: TreeShape): void {
  let z = new ZSetValue(false, shape);
  const model = new Map<string, number>();
  for (const o of ops) {
    switch (o.op) {
      case 'add': {
        const it = z.get(o.m);
        if (it === undefined) z.add(o.m, o.s);
        else z.update(it, o.s);
        // a score equal to the current one (0 and -0 included) leaves the item as it is
        if (!model.has(o.m) || model.get(o.m) !== o.s) model.set(o.m, o.s);
        break;
      }
      case 'del':
        assert.equal(z.delete(o.m), model.delete(o.m));
        break;
      case 'rank': {
        const it = z.get(o.m);
        const sorted = sortModel(model);
        const want = sorted.findIndex((p) => p[1] === o.m);
        assert.equal(it === undefined ? -1 : z.rank(it), want);
        break;
      }
      case 'at': {
        const sorted = sortModel(model);
        if (o.i < sorted.length) {
          const it = z.at(o.i);
          assert.deepEqual([it.score, it.member], sorted[o.i]);
        }
        break;
      }
      case 'range': {
        const sorted = sortModel(model);
        if (sorted.length === 0) break;
        const a = Math.min(o.a, sorted.length - 1);
        const b = Math.min(o.b, sorted.length - 1);
        const got = z.range(a, b, o.rev).map((it): Pair => [it.score, it.member]);
        let want = a <= b ? sorted.slice(a, b + 1) : [];
        if (o.rev) want = want.reverse();
        assert.deepEqual(got, want);
        break;
      }
      case 'byScore': {
        const sorted = sortModel(model);
        const pred = (s: number) => (o.minex ? s > o.min : s >= o.min);
        const want = sorted.findIndex((p) => pred(p[0]));
        assert.equal(
          z.countBefore((s) => pred(s)),
          want < 0 ? sorted.length : want,
        );
        break;
      }
      case 'byLex': {
        // lex ranges are defined for equal scores: check on a set where all scores are 0
        const same = new ZSetValue(false, shape);
        const keys = [...model.keys()].sort();
        for (const k of keys) same.add(k, 0);
        const pred = (m: string) => (o.ex ? m > o.min : m >= o.min);
        const want = keys.findIndex(pred);
        assert.equal(
          same.countBefore((_s, m) => pred(m)),
          want < 0 ? keys.length : want,
        );
        same.check();
        break;
      }
      case 'popMin':
      case 'popMax': {
        const it = o.op === 'popMin' ? z.min() : z.max();
        const sorted = sortModel(model);
        const want = o.op === 'popMin' ? sorted[0] : sorted[sorted.length - 1];
        if (it === undefined) assert.equal(want, undefined);
        else {
          assert.deepEqual([it.score, it.member], want);
          z.removeItem(it);
          model.delete(it.member);
        }
        break;
      }
      case 'clone':
        z = z.clone();
        break;
    }
    z.check();
    assert.equal(z.size, model.size);
  }
  assert.deepEqual(
    z.items().map((it): Pair => [it.score, it.member]),
    sortModel(model),
  );
}

describe('zset structure', () => {
  it('matches a sorted-array model (tiny nodes)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => run(ops, TINY)),
      { numRuns: 150 },
    );
  });

  it('matches a sorted-array model (small nodes)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => run(ops, SMALL)),
      { numRuns: 100 },
    );
  });

  it('stays balanced through bulk growth and shrinkage with default nodes', () => {
    const z = new ZSetValue(false);
    const n = 20000;
    for (let i = 0; i < n; i++) z.add(`k${(i * 7919) % n}`, (i * 31) % 1000);
    z.check();
    for (let i = 0; i < n; i += 2) z.delete(`k${i}`);
    z.check();
    assert.equal(z.size, n / 2);
    const items = z.items();
    for (let i = 1; i < items.length; i++)
      assert.ok(cmpKey(items[i - 1].score, items[i - 1].member, items[i].score, items[i].member) < 0);
    for (let i = 0; i < items.length; i += 997) assert.equal(z.rank(items[i]), i);
    for (const it of items) z.removeItem(it);
    z.check();
    assert.equal(z.size, 0);
  });

  it('fromSorted builds a valid tree for every size', () => {
    for (const shape of [TINY, SMALL, undefined]) {
      for (let n = 0; n < 300; n += n < 20 ? 1 : 37) {
        const items: ZItem[] = [];
        for (let i = 0; i < n; i++) items.push(new ZItem(`m${String(i).padStart(4, '0')}`, i >> 2));
        const t = ZTree.fromSorted(items, shape);
        assert.equal(t.check(), n);
        for (let i = 0; i < n; i++) assert.equal(t.at(i), items[i]);
        // and keeps working after changes
        for (let i = 0; i < n; i += 3) t.delete(items[i].score, items[i].member);
        t.check();
      }
    }
  });

  it('a listpack-encoded set stores -0 as 0, a skiplist keeps the sign', () => {
    const a = new ZSetValue(true);
    a.add('x', -0);
    assert.ok(Object.is(a.score('x'), 0));
    const b = new ZSetValue(false);
    b.add('x', -0);
    assert.ok(Object.is(b.score('x'), -0));
  });

  it('ZSCAN: every element present for the whole scan is returned, despite changes', () => {
    const rnd = (() => {
      let s = 12345;
      return () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return s / 2147483648;
      };
    })();
    for (let round = 0; round < 20; round++) {
      const z = new ZSetValue(false, round % 2 ? SMALL : undefined);
      for (let i = 0; i < 500; i++) z.add(`s${i}`, i % 13);
      const stable = new Set<string>();
      for (let i = 0; i < 500; i += 2) stable.add(`s${i}`);
      const seen = new Set<string>();
      let cursor = 0;
      let fresh = 0;
      let guard = 0;
      do {
        cursor = z.scan(cursor, 1 + Math.floor(rnd() * 20), (it) => seen.add(it.member));
        // between calls: delete unstable members, add new ones, move scores of stable ones
        for (let k = 0; k < 10; k++) {
          const i = 1 + 2 * Math.floor(rnd() * 250);
          z.delete(`s${i}`);
          z.add(`n${fresh++}`, rnd() * 20);
          const st = z.get(`s${2 * Math.floor(rnd() * 250)}`) as ZItem;
          z.update(st, rnd() * 20);
        }
        assert.ok(++guard < 10000);
      } while (cursor !== 0);
      for (const m of stable) assert.ok(seen.has(m), `missed ${m}`);
      z.check();
    }
  });
});

describe('score parsing', () => {
  it('strict scores as getDoubleFromObject', () => {
    const ok: [string, number][] = [
      ['1', 1],
      ['-1.5', -1.5],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['inf', Infinity],
      ['-INF', -Infinity],
      ['+inf', Infinity],
      ['Infinity', Infinity],
      ['0x10', 16],
      ['0x1p-2', 0.25],
      ['1e-310', 1e-310],
      ['-0', -0],
    ];
    for (const [s, v] of ok) assert.ok(Object.is(parseScore(Buffer.from(s)), v), s);
    for (const s of [
      '',
      ' 1',
      '1 ',
      'nan',
      'NaN',
      'x',
      '1e500',
      '-1e500',
      '1e-400',
      '1e',
      '--1',
      '0x',
      '1\0',
      'infx',
    ])
      assert.equal(parseScore(Buffer.from(s)), null, JSON.stringify(s));
  });

  it('range bounds as zslParseRange (strtod over a C string)', () => {
    const r = (a: string, b: string) => parseScoreRange(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
    assert.deepEqual(r('(1', '2'), { min: 1, minex: true, max: 2, maxex: false });
    assert.deepEqual(r('', '('), { min: 0, minex: false, max: 0, maxex: true });
    assert.deepEqual(r(' 1', '1e500'), { min: 1, minex: false, max: Infinity, maxex: false });
    assert.deepEqual(r('3\0junk', '-inf'), { min: 3, minex: false, max: -Infinity, maxex: false });
    assert.equal(r('x', '1'), null);
    assert.equal(r('1', 'nan'), null);
    assert.equal(r('1 ', '2'), null);
    assert.equal(r('((1', '2'), null);
  });

  it('strtod prefixes', () => {
    assert.deepEqual(strtod('  12abc'), { value: 12, end: 4, erange: false });
    assert.deepEqual(strtod('0x'), { value: 0, end: 1, erange: false });
    assert.deepEqual(strtod('1e+'), { value: 1, end: 1, erange: false });
    assert.equal(strtod('abc').end, 0);
    assert.equal(strtod('nan(123)').end, 8);
    assert.ok(strtod('1e999').erange);
  });
});
