import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { Db } from '../../src/store/db';
import { activeExpireCycle } from '../../src/store/expire';

class FakeClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

function host(ndbs = 2) {
  const clock = new FakeClock();
  const expired: string[] = [];
  const dbs: Db[] = [];
  for (let i = 0; i < ndbs; i++)
    dbs.push(new Db(i, clock, { expired: (d, k) => expired.push(`${d.id}:${k}`) }));
  return { clock, dbs, expired };
}

const v = Buffer.from('v');

/** A timer that advances by `step` ms each time it is read: bounds the work per cycle. */
function steppingTimer(step: number): () => number {
  let t = 0;
  return () => {
    t += step;
    return t;
  };
}

test('expire: lazy expiry on access, nothing before the deadline', () => {
  const h = host(1);
  const db = h.dbs[0];
  db.set('a', v, h.clock.t + 10);
  db.set('b', v);
  assert.equal(activeExpireCycle(h, 100), 0);
  assert.equal(db.size, 2);
  h.clock.t += 10;
  assert.equal(db.touchGet('a'), undefined);
  assert.deepEqual(h.expired, ['0:a']);
  assert.ok(db.get('b'));
});

test('expire: an active cycle reclaims expired keys in every database, leaves the others', () => {
  const h = host(3);
  for (let d = 0; d < 3; d++) {
    for (let i = 0; i < 50; i++) h.dbs[d].set(`e${i}`, v, h.clock.t + 5);
    for (let i = 0; i < 50; i++) h.dbs[d].set(`l${i}`, v, h.clock.t + 1_000_000);
    for (let i = 0; i < 50; i++) h.dbs[d].set(`p${i}`, v);
  }
  h.clock.t += 5;
  let total = 0;
  // a few cycles with a generous budget: sampling stops when <= 10% of a sample is expired,
  // so a cycle may leave a tail that later cycles pick up
  for (let i = 0; i < 20 && total < 150; i++) total += activeExpireCycle(h, 1000);
  assert.equal(total, 150);
  for (const db of h.dbs) {
    assert.equal(db.size, 100);
    assert.equal(db.volatile.size, 50);
    for (let i = 0; i < 50; i++) assert.ok(db.dict.has(`l${i}`) && db.dict.has(`p${i}`));
  }
  assert.equal(h.expired.length, 150);
});

test('expire: work per cycle is bounded by the time budget', () => {
  const h = host(1);
  const db = h.dbs[0];
  for (let i = 0; i < 10_000; i++) db.set(`k${i}`, v, h.clock.t + 1);
  h.clock.t += 10;
  // the timer advances 1 ms per reading, budget 5 ms: at most a handful of 20-key samples
  const n = activeExpireCycle(h, 5, steppingTimer(1));
  assert.ok(n > 0 && n <= 20 * 6, `expired ${n} keys in one cycle`);
  assert.equal(db.size, 10_000 - n);
  // later cycles keep making progress and eventually reclaim everything
  let cycles = 0;
  while (db.size > 0) {
    const m = activeExpireCycle(h, 5, steppingTimer(1));
    assert.ok(m > 0, 'a cycle made no progress while expired keys remained');
    cycles++;
  }
  assert.ok(cycles > 10);
  assert.equal(h.expired.length, 10_000);
});

test('expire: a cycle cut short resumes with the next database', () => {
  const h = host(2);
  for (let i = 0; i < 1000; i++) h.dbs[0].set(`a${i}`, v, h.clock.t + 1);
  for (let i = 0; i < 1000; i++) h.dbs[1].set(`b${i}`, v, h.clock.t + 1);
  h.clock.t += 10;
  activeExpireCycle(h, 0, steppingTimer(1)); // one sample, then out of budget
  activeExpireCycle(h, 0, steppingTimer(1));
  assert.ok(h.dbs[0].size < 1000 && h.dbs[1].size < 1000, 'both databases got a turn');
});

test('expire: keys given a TTL after the cursor was created are still found', () => {
  const h = host(1);
  const db = h.dbs[0];
  db.set('x', v, h.clock.t + 1_000_000);
  activeExpireCycle(h, 100); // creates the sampling cursor
  for (let i = 0; i < 30; i++) db.set(`n${i}`, v, h.clock.t + 1);
  const e = db.get('x');
  assert.ok(e);
  db.setExpire(e, 0); // PERSIST: leaves the TTL set
  assert.equal(db.volatile.size, 30);
  h.clock.t += 2;
  let total = 0;
  for (let i = 0; i < 10 && total < 30; i++) total += activeExpireCycle(h, 100);
  assert.equal(total, 30);
  assert.ok(db.get('x'));
});

test('expire: flushed or swapped databases do not confuse the sampler', () => {
  const h = host(2);
  for (let i = 0; i < 100; i++) h.dbs[0].set(`k${i}`, v, h.clock.t + 1);
  activeExpireCycle(h, 100);
  h.dbs[0].clear();
  h.dbs[0].swapWith(h.dbs[1]);
  for (let i = 0; i < 40; i++) h.dbs[1].set(`s${i}`, v, h.clock.t + 1);
  h.clock.t += 2;
  let total = 0;
  for (let i = 0; i < 10 && total < 40; i++) total += activeExpireCycle(h, 100);
  assert.equal(total, 40);
  assert.equal(h.dbs[0].size + h.dbs[1].size, 0);
});
