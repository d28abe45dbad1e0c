// Eviction and memory accounting, in process with a fake clock and a seeded random source.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '../../src/server/client';
import { processCommand } from '../../src/server/dispatch';
import { Server } from '../../src/server/server';
import { bumpLfu, type Entry, lfuConfig, lfuDecayed } from '../../src/store/db';
import { EvictResult, performEvictions, setEvictionRandom } from '../../src/store/evict';
import { bytesToHuman, ENTRY_OVERHEAD, memoryInfo, recountMemory, usedMemory } from '../../src/store/memory';
import { prng } from '../helpers/random';

interface FakeClock {
  t: number;
  now(): number;
}

function setup(policy: string): { s: Server; clock: FakeClock } {
  const clock: FakeClock = {
    t: 1_700_000_000_000,
    now() {
      return this.t;
    },
  };
  const s = new Server(clock);
  s.log.level = 'nothing';
  assert.equal(s.config.set('maxmemory-policy', [policy]), null);
  setEvictionRandom(s, prng(12345));
  // no time budget: each eviction completes synchronously, whatever the machine's load
  assert.equal(s.config.set('maxmemory-eviction-tenacity', ['100']), null);
  return { s, clock };
}

const VALUE = Buffer.alloc(1000, 0x61);
/** bytes one test key counts for: key "k:NNNN" (6 chars) + 1000-byte value */
const PER_KEY = ENTRY_OVERHEAD + 6 + 1000;

function key(i: number): string {
  return `k:${String(i).padStart(4, '0')}`;
}

function setMax(s: Server, bytes: number): void {
  assert.equal(s.config.set('maxmemory', [String(bytes)]), null);
}

function liveKeys(s: Server, db = 0): Set<string> {
  return new Set(s.dbs[db].dict.keys());
}

test('accounting follows set, overwrite, in-place change, delete, expiry, flush and swap', () => {
  const { s, clock } = setup('noeviction');
  const db = s.dbs[0];
  db.set('a', Buffer.alloc(10));
  assert.equal(db.mem, ENTRY_OVERHEAD + 1 + 10);
  db.set('a', Buffer.alloc(100));
  assert.equal(db.mem, ENTRY_OVERHEAD + 1 + 100);
  const e = db.get('a') as Entry;
  e.value = Buffer.alloc(5000);
  db.modified('a');
  assert.equal(db.mem, ENTRY_OVERHEAD + 1 + 5000);
  db.set('bb', Buffer.alloc(7), clock.t + 1000);
  assert.equal(usedMemory(s), recountMemory(s));
  clock.t += 2000;
  assert.equal(db.get('bb'), undefined, 'lazily expired');
  assert.equal(db.mem, ENTRY_OVERHEAD + 1 + 5000);
  assert.ok(db.delete('a'));
  assert.equal(db.mem, 0);
  for (let i = 0; i < 100; i++) s.dbs[i % 3].set(key(i), VALUE);
  assert.equal(usedMemory(s), 100 * PER_KEY);
  const m0 = s.dbs[0].mem;
  s.dbs[0].swapWith(s.dbs[5]);
  assert.equal(s.dbs[5].mem, m0);
  assert.equal(s.dbs[0].mem, 0);
  assert.equal(usedMemory(s), recountMemory(s));
  s.dbs[1].clear();
  assert.equal(usedMemory(s), recountMemory(s));
  assert.equal(usedMemory(s), s.keyCount() * PER_KEY);
});

test('noeviction: over the limit nothing is evicted and the result is FAIL', () => {
  const { s } = setup('noeviction');
  for (let i = 0; i < 50; i++) s.dbs[0].set(key(i), VALUE);
  setMax(s, 10 * PER_KEY);
  assert.equal(performEvictions(s), EvictResult.Fail);
  assert.equal(s.dbs[0].size, 50);
  assert.equal(s.stats.evictedKeys, 0);
});

test('volatile-* without volatile keys fail and never touch persistent keys', () => {
  for (const p of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    const { s, clock } = setup(p);
    for (let i = 0; i < 50; i++) s.dbs[0].set(key(i), VALUE);
    for (let i = 50; i < 60; i++) s.dbs[0].set(key(i), VALUE, clock.t + 100_000);
    setMax(s, 20 * PER_KEY);
    // the 10 volatile keys go, then nothing more can be freed
    assert.equal(performEvictions(s), EvictResult.Fail, p);
    assert.equal(s.dbs[0].size, 50, p);
    for (let i = 0; i < 50; i++) assert.ok(s.dbs[0].dict.has(key(i)), `${p} kept ${key(i)}`);
    assert.equal(s.stats.evictedKeys, 10, p);
  }
});

test('every evicting policy brings memory under maxmemory across databases', () => {
  for (const p of [
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
  ]) {
    const { s, clock } = setup(p);
    setMax(s, 200 * PER_KEY);
    // writes through the gate path: evict before each write, as the dispatcher does
    for (let i = 0; i < 1000; i++) {
      const r = performEvictions(s);
      assert.notEqual(r, EvictResult.Fail, `${p} at ${i}`);
      const persistent = p.startsWith('volatile-') && i % 10 === 0;
      s.dbs[i % 4].set(key(i), VALUE, persistent ? 0 : clock.t + 1_000_000 + i);
      clock.t += 1;
    }
    performEvictions(s);
    assert.ok(usedMemory(s) <= 200 * PER_KEY, `${p}: ${usedMemory(s)}`);
    assert.ok(s.keyCount() >= 195, `${p} keeps the memory full: ${s.keyCount()}`);
    assert.equal(s.stats.evictedKeys, 1000 - s.keyCount(), p);
    if (p.startsWith('volatile-')) {
      for (let i = 0; i < 1000; i += 10) {
        assert.ok(s.dbs[i % 4].dict.has(key(i)), `${p} kept persistent ${key(i)}`);
      }
    }
  }
});

test('volatile-ttl evicts the nearest expiries first', () => {
  const { s, clock } = setup('volatile-ttl');
  // TTLs in random order so insertion order says nothing
  const rand = prng(7);
  const ttls = Array.from({ length: 400 }, (_, i) => i + 1);
  for (let i = ttls.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ttls[i], ttls[j]] = [ttls[j], ttls[i]];
  }
  for (const t of ttls) s.dbs[0].set(key(t), VALUE, clock.t + t * 1000);
  setMax(s, 200 * PER_KEY);
  assert.equal(s.keyCount(), 200);
  // approximate (sampling), so with a margin: most of the 200 shortest TTLs are gone, and
  // nearly all of the 100 longest remain
  let shortGone = 0;
  for (let t = 1; t <= 200; t++) if (!s.dbs[0].dict.has(key(t))) shortGone++;
  let longKept = 0;
  for (let t = 301; t <= 400; t++) if (s.dbs[0].dict.has(key(t))) longKept++;
  assert.ok(shortGone >= 150, `short TTLs evicted: ${shortGone}/200`);
  assert.ok(longKept >= 95, `long TTLs kept: ${longKept}/100`);
});

test('allkeys-lru keeps recently touched keys more often than untouched ones', () => {
  const { s, clock } = setup('allkeys-lru');
  for (let i = 0; i < 400; i++) s.dbs[0].set(key(i), VALUE);
  clock.t += 10_000;
  // touch the even keys (reads update the access time)
  for (let i = 0; i < 400; i += 2) s.dbs[0].touchGet(key(i));
  clock.t += 10_000;
  setMax(s, 250 * PER_KEY);
  let hot = 0;
  let cold = 0;
  for (let i = 0; i < 400; i++) {
    if (!s.dbs[0].dict.has(key(i))) continue;
    if (i % 2 === 0) hot++;
    else cold++;
  }
  assert.equal(hot + cold, 250);
  assert.ok(hot >= 180, `touched keys kept: ${hot}/200, untouched kept: ${cold}/200`);
});

test('allkeys-lfu keeps frequently used keys', () => {
  const { s } = setup('allkeys-lfu');
  for (let i = 0; i < 400; i++) s.dbs[0].set(key(i), VALUE);
  // every third key is used a lot
  for (let i = 0; i < 400; i += 3) for (let n = 0; n < 200; n++) s.dbs[0].touchGet(key(i));
  setMax(s, 200 * PER_KEY);
  let frequent = 0;
  for (let i = 0; i < 400; i += 3) if (s.dbs[0].dict.has(key(i))) frequent++;
  assert.ok(frequent >= 120, `frequent keys kept: ${frequent}/134`);
});

test('LFU counter: logarithmic growth and decay per lfu-decay-time minutes', () => {
  const { s, clock } = setup('allkeys-lfu');
  const db = s.dbs[0];
  const e = db.set('x', Buffer.from('v'));
  assert.equal(e.lfu, 5);
  for (let i = 0; i < 1000; i++) db.touchGet('x');
  // with lfu-log-factor 10, 1000 hits give a counter around 18 (Redis's table: 100 hits ≈ 10,
  // 1000 ≈ 18); allow for randomness
  assert.ok(e.lfu > 10 && e.lfu < 30, `counter after 1000 hits: ${e.lfu}`);
  const before = e.lfu;
  assert.equal(lfuDecayed(e, clock.t + 59_000), before);
  assert.equal(lfuDecayed(e, clock.t + 3 * 60_000), before - 3);
  assert.equal(lfuDecayed(e, clock.t + 1000 * 60_000), 0);
  assert.equal(s.config.set('lfu-decay-time', ['2']), null);
  assert.equal(lfuDecayed(e, clock.t + 4 * 60_000), before - 2);
  assert.equal(s.config.set('lfu-decay-time', ['0']), null);
  assert.equal(lfuDecayed(e, clock.t + 1000 * 60_000), before, '0 disables decay');
  assert.equal(s.config.set('lfu-log-factor', ['0']), null);
  const f = db.set('y', Buffer.from('v'));
  for (let i = 0; i < 10; i++) bumpLfu(f, lfuConfig.logFactor);
  assert.equal(f.lfu, 15, 'factor 0 counts every hit');
  for (let i = 0; i < 1000; i++) bumpLfu(f, 0);
  assert.equal(f.lfu, 255, 'saturates at 255');
  s.config.set('lfu-log-factor', ['10']);
  s.config.set('lfu-decay-time', ['1']);
});

test('evictions notify `evicted`, count in stats and signal modification', () => {
  const { s } = setup('allkeys-random');
  const events: string[] = [];
  s.notifier = (type, event, key, dbid) => events.push(`${type}:${event}:${key}:${dbid}`);
  const modified: string[] = [];
  s.dbs[2].onModified = (_db, k) => modified.push(k);
  for (let i = 0; i < 20; i++) s.dbs[2].set(key(i), VALUE);
  modified.length = 0;
  setMax(s, 15 * PER_KEY);
  assert.equal(s.stats.evictedKeys, 5);
  assert.equal(events.length, 5);
  for (const ev of events) assert.match(ev, /^e:evicted:k:\d{4}:2$/);
  assert.deepEqual(new Set(modified), new Set(events.map((e) => e.split(':').slice(2, 4).join(':'))));
  for (const k of modified) assert.ok(!liveKeys(s, 2).has(k));
});

test('tenacity 0 hands the rest of a large eviction to the event loop', async () => {
  const { s } = setup('allkeys-random');
  s.config.set('maxmemory-eviction-tenacity', ['0']);
  for (let i = 0; i < 2000; i++) s.dbs[0].set(key(i), VALUE);
  s.config.set('maxmemory', [String(10 * PER_KEY)]);
  // the CONFIG SET itself started evicting; it stops after 16 keys with no time budget
  assert.ok(s.keyCount() < 2000 && s.keyCount() > 10, `${s.keyCount()}`);
  for (let i = 0; i < 1000 && s.keyCount() > 10; i++) await new Promise((r) => setImmediate(r));
  assert.equal(s.keyCount(), 10);
  assert.equal(performEvictions(s), EvictResult.Ok);
});

function fakeClient(s: Server): Client {
  return new Client(s, s.newClientId(), null, s.dbs[0], s.clock.now(), 512 * 1024 * 1024, true);
}

function run(s: Server, c: Client, ...args: string[]): string {
  processCommand(
    s,
    c,
    args.map((a) => Buffer.from(a, 'latin1')),
  );
  return Buffer.concat(c.reply.take()).toString('latin1');
}

test('the dispatcher refuses denyoom commands with the OOM error when nothing can be freed', () => {
  const { s } = setup('noeviction');
  const c = fakeClient(s);
  for (let i = 0; i < 10; i++) assert.equal(run(s, c, 'SET', key(i), 'x'.repeat(1000)), '+OK\r\n');
  setMax(s, 5 * PER_KEY);
  assert.equal(run(s, c, 'SET', 'new', 'v'), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  assert.equal(
    run(s, c, 'SETNX', 'new', 'v'),
    "-OOM command not allowed when used memory > 'maxmemory'.\r\n",
  );
  assert.equal(run(s, c, 'GET', key(3)), `$1000\r\n${'x'.repeat(1000)}\r\n`);
  assert.equal(run(s, c, 'PING'), '+PONG\r\n');
  assert.equal(s.stats.errorCodes.get('OOM'), 2);
  // allkeys-lru frees room instead
  s.config.set('maxmemory-policy', ['allkeys-lru']);
  assert.equal(run(s, c, 'SET', 'new', 'v'), '+OK\r\n');
  assert.ok(usedMemory(s) <= 5 * PER_KEY + ENTRY_OVERHEAD + 4);
});

test('INFO memory fields', () => {
  const { s } = setup('allkeys-lru');
  for (let i = 0; i < 10; i++) s.dbs[0].set(key(i), VALUE);
  setMax(s, 1024 * 1024 * 3);
  const info = new Map(memoryInfo(s));
  assert.equal(info.get('used_memory'), 10 * PER_KEY);
  assert.equal(info.get('used_memory_human'), bytesToHuman(10 * PER_KEY));
  assert.equal(info.get('maxmemory'), 3145728);
  assert.equal(info.get('maxmemory_human'), '3.00M');
  assert.equal(info.get('maxmemory_policy'), 'allkeys-lru');
  assert.ok((info.get('used_memory_rss') as number) > 0);
  assert.equal(bytesToHuman(0), '0B');
  assert.equal(bytesToHuman(1023), '1023B');
  assert.equal(bytesToHuman(1536), '1.50K');
  assert.equal(bytesToHuman(5 * 1024 ** 3), '5.00G');
});

test('under OOM, MULTI refuses queuing and EXEC with a denyoom command aborts, as Redis 7.0', () => {
  const { s } = setup('noeviction');
  const c = fakeClient(s);
  for (let i = 0; i < 10; i++) run(s, c, 'SET', key(i), 'x'.repeat(1000));
  const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
  setMax(s, 5 * PER_KEY);
  // any command but EXEC/DISCARD/QUIT/RESET is refused inside MULTI
  assert.equal(run(s, c, 'MULTI'), '+OK\r\n');
  assert.equal(run(s, c, 'GET', key(1)), oom);
  assert.equal(run(s, c, 'EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
  // commands queued before memory ran out
  setMax(s, 0);
  assert.equal(run(s, c, 'MULTI'), '+OK\r\n');
  assert.equal(run(s, c, 'SET', 'x', 'y'), '+QUEUED\r\n');
  setMax(s, 5 * PER_KEY);
  assert.equal(run(s, c, 'EXEC'), `-EXECABORT Transaction discarded because of: ${oom.slice(1)}`);
  assert.equal(run(s, c, 'EXEC'), '-ERR EXEC without MULTI\r\n');
  setMax(s, 0);
  assert.equal(run(s, c, 'MULTI'), '+OK\r\n');
  assert.equal(run(s, c, 'GET', key(2)), '+QUEUED\r\n');
  setMax(s, 5 * PER_KEY);
  assert.equal(run(s, c, 'EXEC'), `*1\r\n$1000\r\n${'x'.repeat(1000)}\r\n`);
  assert.equal(run(s, c, 'MULTI'), '+OK\r\n');
  assert.equal(run(s, c, 'DISCARD'), '+OK\r\n');
});
