// The set structure against a Set model under random operation sequences (contents, reply
// order, intset/hashtable transitions), and the integer classification behind intsets.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseInt64 } from '../../src/commands/args';
import { compareIntStrings, isIntString, SetValue } from '../../src/store/set';

const MAX = 10;

type Op = { op: 'add'; m: string } | { op: 'delete'; m: string } | { op: 'has'; m: string } | { op: 'clone' };

const intMember = fc.integer({ min: -20, max: 20 }).map(String);
const member = fc.oneof(
  { weight: 6, arbitrary: intMember },
  { weight: 1, arbitrary: fc.constantFrom('a', '', '01', '-0', '+1', ' 1', '1.0', '\u0000\u00ff') },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ op: fc.constant('add' as const), m: member }) },
  { weight: 25, arbitrary: fc.record({ op: fc.constant('delete' as const), m: member }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('has' as const), m: member }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('clone' as const) }) },
);

describe('SetValue against a Set model', () => {
  it('same members; intset while all integers and at most max, then hashtable for good', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150 }), fc.boolean(), (ops, startInt) => {
        let s = new SetValue(startInt);
        const model = new Set<string>();
        let intset = startInt;
        for (const o of ops) {
          if (o.op === 'add') {
            assert.equal(s.add(o.m, MAX), !model.has(o.m));
            if (!model.has(o.m) && (!isIntString(o.m) || model.size + 1 > MAX)) intset = false;
            model.add(o.m);
          } else if (o.op === 'delete') {
            assert.equal(s.delete(o.m), model.delete(o.m));
          } else if (o.op === 'has') {
            assert.equal(s.has(o.m), model.has(o.m));
          } else {
            s = s.clone();
          }
          assert.equal(s.size, model.size);
          assert.equal(s.encoding(), intset ? 'intset' : 'hashtable');
        }
        const members = [...s.members()];
        if (intset) {
          // an intset replies in numeric order
          assert.deepEqual(
            members,
            [...model].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0)),
          );
        } else {
          assert.deepEqual(members, [...model]);
        }
        let bytes = 0;
        for (const m of model) bytes += m.length;
        assert.equal(s.payloadBytes, bytes);
        if (model.size > 0) assert.ok(model.has(s.random()));
      }),
      { numRuns: 300 },
    );
  });

  it('SetValue.for picks the encoding from the first member, as setTypeCreate', () => {
    assert.equal(SetValue.for('12').encoding(), 'intset');
    assert.equal(SetValue.for('x').encoding(), 'hashtable');
    assert.equal(SetValue.for('012').encoding(), 'hashtable');
  });
});

describe('integer members', () => {
  it('isIntString accepts exactly what string2ll accepts (parseInt64 is the reference)', () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '+', ' ', '.', 'e', 'x'), maxLength: 22 }),
      fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }).map(String),
      fc.constantFrom(
        '9223372036854775807',
        '9223372036854775808',
        '-9223372036854775808',
        '-9223372036854775809',
        '99999999999999999999',
        '-0',
        '0',
        '00',
        '',
      ),
    );
    fc.assert(
      fc.property(text, (s) => {
        assert.equal(isIntString(s), parseInt64(Buffer.from(s, 'latin1')) !== null, JSON.stringify(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('compareIntStrings orders like the integers', () => {
    const int = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(int, int, (a, b) => {
        const want = a < b ? -1 : a > b ? 1 : 0;
        assert.equal(Math.sign(compareIntStrings(String(a), String(b))), want);
      }),
      { numRuns: 3000 },
    );
  });
});
