// The list structure against a plain array model under random operation sequences, and the
// blocking timeout parser.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseLongDouble } from '../../src/server/blocking';
import { ListValue } from '../../src/store/list';

type Op =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'get'; i: number }
  | { op: 'set'; i: number; v: string }
  | { op: 'insert'; i: number; v: string }
  | { op: 'trim'; n: number; m: number }
  | { op: 'remove'; v: string; count: number }
  | { op: 'indexOf'; v: string }
  | { op: 'range'; a: number; b: number }
  | { op: 'clone' }
  | { op: 'clear' };

const val = fc.constantFrom('a', 'b', 'c', '', 'long-element-value');
const idx = fc.integer({ min: -2, max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: val }),
  },
  { weight: 20, arbitrary: fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('get' as const), i: idx }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), i: idx, v: val }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('insert' as const), i: idx, v: val }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('trim' as const),
      n: fc.integer({ min: 0, max: 10 }),
      m: fc.integer({ min: 0, max: 10 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('remove' as const),
      v: val,
      count: fc.integer({ min: -3, max: 3 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('indexOf' as const), v: val }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('range' as const), a: idx, b: idx }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('clone' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

const B = (s: string) => Buffer.from(s, 'latin1');
const S = (b: Buffer | undefined) => (b === undefined ? undefined : b.toString('latin1'));

function check(l: ListValue, model: string[]): void {
  assert.equal(l.length, model.length);
  assert.deepEqual(l.toArray().map(S), model);
  assert.equal(
    l.payloadBytes,
    model.reduce((n, s) => n + s.length, 0),
  );
  const cap = l.capacity;
  assert.ok(cap >= 8 && (cap & (cap - 1)) === 0 && cap >= model.length, `capacity ${cap}`);
  // memory follows the length down as well as up
  assert.ok(cap <= Math.max(8, model.length * 4), `capacity ${cap} for ${model.length}`);
}

describe('ListValue', () => {
  it('matches an array model under random operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        let l = new ListValue();
        let model: string[] = [];
        for (const o of ops) {
          switch (o.op) {
            case 'pushHead':
              l.pushHead(B(o.v));
              model.unshift(o.v);
              break;
            case 'pushTail':
              l.pushTail(B(o.v));
              model.push(o.v);
              break;
            case 'popHead':
              assert.equal(S(l.popHead()), model.shift());
              break;
            case 'popTail':
              assert.equal(S(l.popTail()), model.pop());
              break;
            case 'get':
              assert.equal(S(l.get(o.i)), o.i >= 0 ? model[o.i] : undefined);
              break;
            case 'set':
              if (o.i >= 0 && o.i < model.length) {
                l.set(o.i, B(o.v));
                model[o.i] = o.v;
              } else assert.throws(() => l.set(o.i, B(o.v)), RangeError);
              break;
            case 'insert':
              if (o.i >= 0 && o.i <= model.length) {
                l.insert(o.i, B(o.v));
                model.splice(o.i, 0, o.v);
              } else assert.throws(() => l.insert(o.i, B(o.v)), RangeError);
              break;
            case 'trim': {
              l.trim(o.n, o.m);
              const n = Math.min(o.n, model.length);
              const m = Math.min(o.m, model.length - n);
              model = model.slice(n, model.length - m);
              break;
            }
            case 'remove': {
              const got = l.remove(B(o.v), o.count);
              let want = 0;
              const limit = o.count === 0 ? Infinity : Math.abs(o.count);
              if (o.count >= 0) {
                const out: string[] = [];
                for (const x of model) {
                  if (x === o.v && want < limit) want++;
                  else out.push(x);
                }
                model = out;
              } else {
                const out: string[] = [];
                for (let i = model.length - 1; i >= 0; i--) {
                  if (model[i] === o.v && want < limit) want++;
                  else out.unshift(model[i]);
                }
                model = out;
              }
              assert.equal(got, want);
              break;
            }
            case 'indexOf':
              assert.equal(l.indexOf(B(o.v)), model.indexOf(o.v));
              break;
            case 'range': {
              const a = Math.max(0, o.a);
              const b = Math.min(o.b, model.length - 1);
              if (a <= b) assert.deepEqual(l.range(a, b).map(S), model.slice(a, b + 1));
              break;
            }
            case 'clone': {
              const c = l.clone();
              // the copy is independent: changing it leaves the original alone
              c.pushHead(B('zz'));
              if (c.length > 1) c.set(1, B('yy'));
              check(l, model);
              assert.equal(c.length, model.length + 1);
              c.popHead();
              if (model.length > 0) c.set(0, B(model[0]));
              check(c, model);
              l = c;
              break;
            }
            case 'clear':
              l.clear();
              model = [];
              break;
          }
          check(l, model);
        }
        model = [];
      }),
      { numRuns: 300 },
    );
  });

  it('grows and shrinks across many wraparounds', () => {
    const l = new ListValue();
    const model: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) {
        if (i % 3 === 0) {
          l.pushHead(B(`h${i}`));
          model.unshift(`h${i}`);
        } else {
          l.pushTail(B(`t${i}`));
          model.push(`t${i}`);
        }
      }
      for (let i = 0; i < 990; i++) {
        if (i % 2) assert.equal(S(l.popHead()), model.shift());
        else assert.equal(S(l.popTail()), model.pop());
      }
      check(l, model);
    }
    while (model.length > 0) assert.equal(S(l.popTail()), model.pop());
    check(l, model);
    assert.equal(l.capacity, 8);
    assert.equal(l.encoding(), 'quicklist');
    assert.equal(l.kind, 'list');
  });
});

describe('parseLongDouble (blocking timeouts)', () => {
  it('accepts what strtold accepts over the whole string', () => {
    const ok: [string, number][] = [
      ['0', 0],
      ['1', 1],
      ['1.5', 1.5],
      ['.5', 0.5],
      ['5.', 5],
      ['+0.01', 0.01],
      ['-2', -2],
      ['1e3', 1000],
      ['.5E-2', 0.005],
      ['0x10', 16],
      ['0x1p3', 8],
      ['0x.8', 0.5],
      ['-0x1.8p1', -3],
      ['inf', Infinity],
      ['-Infinity', -Infinity],
      ['1e400', Infinity],
      ['1e-400', 0],
    ];
    for (const [s, v] of ok) assert.equal(parseLongDouble(s), v, s);
  });

  it('rejects garbage, spaces, NaN, and long double overflow/underflow', () => {
    for (const s of [
      '',
      ' 1',
      '1 ',
      'abc',
      '1e',
      '0x',
      '.',
      '-',
      'nan',
      'NaN',
      '1e5000',
      '1e-5000',
      '1..2',
      '0x1p',
      'x'.repeat(6000),
    ])
      assert.equal(parseLongDouble(s), null, JSON.stringify(s.slice(0, 20)));
  });
});
