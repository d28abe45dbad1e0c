import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { Db, type Entry, typeName, type ValueLike } from '../../src/store/db';

class FakeClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

function newDb(clock = new FakeClock()): { db: Db; clock: FakeClock; expired: string[] } {
  const expired: string[] = [];
  const db = new Db(0, clock, { expired: (_d, k) => expired.push(k) });
  return { db, clock, expired };
}

const v = (s: string) => Buffer.from(s, 'latin1');

/** Runs a full SCAN, calling `between` after each step; returns every key seen (with repeats). */
function fullScan(db: Db, count: number, between: (step: number) => void = () => {}): string[] {
  const seen: string[] = [];
  let cursor = 0;
  let step = 0;
  do {
    const batch: Entry[] = [];
    cursor = db.scan(cursor, count, (e) => batch.push(e));
    for (const e of batch) seen.push(e.key);
    between(step++);
    assert.ok(step < 1_000_000);
  } while (cursor !== 0);
  return seen;
}

test('db: set/get/delete, lazy expiry with an injected clock', () => {
  const { db, clock, expired } = newDb();
  db.set('a', v('1'));
  db.set('b', v('2'), clock.t + 100);
  assert.equal(db.size, 2);
  assert.equal(db.get('b')?.expires, clock.t + 100);
  assert.equal(db.volatile.size, 1);
  clock.t += 99;
  assert.ok(db.get('b'));
  clock.t += 1; // expires <= now: gone
  assert.equal(db.get('b'), undefined);
  assert.deepEqual(expired, ['b']);
  assert.equal(db.size, 1);
  assert.equal(db.volatile.size, 0);
  // deleting an expired key reports false and still counts it as expired
  db.set('c', v('3'), clock.t + 1);
  clock.t += 5;
  assert.equal(db.delete('c'), false);
  assert.deepEqual(expired, ['b', 'c']);
  assert.equal(db.delete('a'), true);
  assert.equal(db.delete('a'), false);
  assert.equal(db.size, 0);
});

test('db: overwriting clears the TTL unless keepTtl', () => {
  const { db, clock } = newDb();
  db.set('k', v('1'), clock.t + 1000);
  db.set('k', v('2'), 0, true);
  assert.equal(db.get('k')?.expires, clock.t + 1000);
  db.set('k', v('3'));
  assert.equal(db.get('k')?.expires, 0);
  assert.equal(db.volatile.size, 0);
});

test('db: SCAN returns every key exactly once on a static database', () => {
  const { db } = newDb();
  for (let i = 0; i < 1000; i++) db.set(`k${i}`, v('x'));
  for (const count of [1, 7, 10, 1000, 5000]) {
    const seen = fullScan(db, count);
    assert.equal(seen.length, 1000);
    assert.equal(new Set(seen).size, 1000);
  }
});

test('db: SCAN guarantee holds under deletions, insertions and compaction', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (n, count, seed) => {
        const { db } = newDb();
        let r = seed;
        const rand = () => {
          r = (r * 1103515245 + 12345) % 2147483648;
          return r / 2147483648;
        };
        for (let i = 0; i < n; i++) db.set(`k${i}`, v('x'));
        // keys 'stable' are never touched; others are deleted and new keys are added in between
        const stable = new Set<string>();
        for (let i = 0; i < n; i += 3) stable.add(`k${i}`);
        let added = 0;
        const seen = new Set(
          fullScan(db, count, (step) => {
            for (let j = 0; j < 30; j++) {
              const i = Math.floor(rand() * n);
              if (!stable.has(`k${i}`)) db.delete(`k${i}`);
            }
            // insertions stop at some point, or a small COUNT would never catch up
            if (step < 200) db.set(`new${added++}`, v('y'));
          }),
        );
        for (const k of stable) if (!seen.has(k)) return false;
        return true;
      },
    ),
    { numRuns: 60 },
  );
});

test('db: compaction keeps cursors valid', () => {
  const { db } = newDb();
  for (let i = 0; i < 5000; i++) db.set(`k${i}`, v('x'));
  const seen: string[] = [];
  let cursor = db.scan(0, 100, (e) => seen.push(e.key));
  // delete most keys not yet seen: forces compaction between two SCAN calls
  for (let i = 200; i < 5000; i++) if (i % 10 !== 0) db.delete(`k${i}`);
  while (cursor !== 0) cursor = db.scan(cursor, 100, (e) => seen.push(e.key));
  const s = new Set(seen);
  for (let i = 0; i < 5000; i += 10) assert.ok(s.has(`k${i}`), `k${i}`);
  assert.equal(s.size, seen.length, 'no duplicates without re-insertion');
});

test('db: randomEntry returns live entries only, undefined when empty', () => {
  const { db } = newDb();
  assert.equal(db.randomEntry(), undefined);
  for (let i = 0; i < 2000; i++) db.set(`k${i}`, v('x'));
  for (let i = 0; i < 2000; i++) if (i % 100 !== 0) db.delete(`k${i}`);
  const hits = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const e = db.randomEntry();
    assert.ok(e !== undefined && db.dict.get(e.key) === e);
    hits.add(e.key);
  }
  // 20 live keys: a usable random source reaches most of them
  assert.ok(hits.size >= 15, `only ${hits.size} distinct keys`);
});

test('db: swapWith exchanges contents, TTL sets and cursors state', () => {
  const a = newDb().db;
  const b = newDb().db;
  a.set('x', v('1'), 5_000_000);
  b.set('y', v('2'));
  a.swapWith(b);
  assert.equal(a.get('y')?.value.toString(), '2');
  assert.equal(b.get('x')?.expires, 5_000_000);
  assert.equal(a.volatile.size, 0);
  assert.equal(b.volatile.size, 1);
  assert.deepEqual(fullScan(a, 10), ['y']);
  assert.deepEqual(fullScan(b, 10), ['x']);
});

test('db: clear empties everything', () => {
  const { db } = newDb();
  for (let i = 0; i < 100; i++) db.set(`k${i}`, v('x'), i % 2 ? 9_000_000 : 0);
  db.clear();
  assert.equal(db.size, 0);
  assert.equal(db.volatile.size, 0);
  assert.deepEqual(fullScan(db, 10), []);
  assert.equal(db.randomEntry(), undefined);
});

test('db: typeName for strings and ValueLike', () => {
  const list: ValueLike = { kind: 'list', clone: () => list, encoding: () => 'listpack' };
  assert.equal(typeName(v('x')), 'string');
  assert.equal(typeName(list), 'list');
});

test('setBytes copies request bytes and overwrites only its own private copy in place', () => {
  const { db } = newDb();
  const req = v('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nAAAA\r\n');
  const arg = req.subarray(24, 28);
  const e = db.setBytes('k', arg);
  const first = e.value as Buffer;
  assert.notEqual(first.buffer, req.buffer, 'the request chunk is not kept');
  req.fill(0x5a); // the chunk is reused: the stored value must not change
  assert.equal(first.toString('latin1'), 'AAAA');
  // a value of the same length is written into the same copy
  db.setBytes('k', v('BBBB'));
  assert.equal(db.get('k')?.value, first);
  assert.equal(first.toString('latin1'), 'BBBB');
  // another length: a new copy; the old one is left as it was
  db.setBytes('k', v('CCCCC'));
  assert.notEqual(db.get('k')?.value, first);
  assert.equal(first.toString('latin1'), 'BBBB');
  // a value stored by set() (not a private copy: it may be shared) is never overwritten
  const shared = v('DDDDD');
  db.set('s', shared);
  db.setBytes('s', v('EEEEE'));
  assert.equal(shared.toString('latin1'), 'DDDDD');
  assert.equal((db.get('s') as Entry).value.toString(), 'EEEEE');
  // large values too
  const big = Buffer.alloc(100_000, 1);
  const eb = db.setBytes('big', big);
  big.fill(2);
  assert.equal((eb.value as Buffer)[99_999], 1);
});
