// client-output-buffer-limit: parsing, CONFIG forms, and enforcement on in-process clients.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../../src/config/load';
import {
  checkOutputLimits,
  DEFAULT_OUTPUT_LIMITS,
  outputClass,
  parseOutputLimits,
} from '../../src/security/limits';
import { Client } from '../../src/server/client';
import { Server } from '../../src/server/server';

interface FakeClock {
  t: number;
  now(): number;
}

function setup(): { s: Server; clock: FakeClock } {
  const clock: FakeClock = {
    t: 1_700_000_000_000,
    now() {
      return this.t;
    },
  };
  const s = new Server(clock);
  s.log.level = 'nothing';
  return { s, clock };
}

function client(s: Server): Client {
  const c = new Client(s, s.newClientId(), null, s.dbs[0], s.clock.now(), 512 * 1024 * 1024, true);
  s.clients.set(c.id, c);
  return c;
}

test('the default limits normal clients too, and CONFIG GET shows bytes and "slave"', () => {
  const { s } = setup();
  assert.equal(s.config.format('client-output-buffer-limit'), DEFAULT_OUTPUT_LIMITS);
  assert.equal(
    DEFAULT_OUTPUT_LIMITS,
    'normal 268435456 67108864 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  );
});

test('CONFIG SET form: several triples in one string; unmentioned classes keep their limits', () => {
  const { s } = setup();
  assert.equal(s.config.set('client-output-buffer-limit', ['NORMAL 1mb 2k 3']), null);
  assert.equal(
    s.config.format('client-output-buffer-limit'),
    'normal 1048576 2000 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  );
  assert.equal(s.config.set('client-output-buffer-limit', ['replica 1 2 3 pubsub 0 0 0']), null);
  assert.equal(
    s.config.format('client-output-buffer-limit'),
    'normal 1048576 2000 3 slave 1 2 3 pubsub 0 0 0',
  );
  // an empty value changes nothing, as in Redis
  assert.equal(s.config.set('client-output-buffer-limit', ['']), null);
  assert.equal(
    s.config.format('client-output-buffer-limit'),
    'normal 1048576 2000 3 slave 1 2 3 pubsub 0 0 0',
  );
});

test('errors are Redis 7.0 texts and leave the limits unchanged', () => {
  const { s } = setup();
  const cases: [string, string][] = [
    ['normal 1 2', 'Wrong number of arguments in buffer limit configuration.'],
    ['foo 1 2 3', 'Invalid client class specified in buffer limit configuration.'],
    ['master 1 2 3', 'Invalid client class specified in buffer limit configuration.'],
    ['normal x 2 3', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['normal 1 2 -3', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['normal -1 2 3', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['normal 1 2tb 3', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    // a bad later triple rejects the earlier good one too
    [
      'pubsub 1 1 1 normal 1 2 x',
      'Error in hard, soft or soft_seconds setting in buffer limit configuration.',
    ],
  ];
  for (const [v, err] of cases) {
    assert.equal(s.config.set('client-output-buffer-limit', [v]), err, v);
    assert.equal(s.config.format('client-output-buffer-limit'), DEFAULT_OUTPUT_LIMITS, v);
  }
});

test('config file: the directive repeats, one class per line', () => {
  const { s } = setup();
  loadConfigText(
    s.config,
    'client-output-buffer-limit normal 0 0 0\nclient-output-buffer-limit pubsub 1mb 512kb 5\n',
    'test.conf',
    {},
  );
  assert.equal(
    s.config.format('client-output-buffer-limit'),
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 5',
  );
  const p = parseOutputLimits(['slave 1 2 3'], {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    replica: { hard: 0, soft: 0, softSeconds: 0 },
    pubsub: { hard: 0, soft: 0, softSeconds: 0 },
  });
  assert.deepEqual(typeof p === 'string' ? p : p.replica, { hard: 1, soft: 2, softSeconds: 3 });
});

test('hard limit closes at once; soft limit after soft-seconds; classes by subscription', () => {
  const { s, clock } = setup();
  s.config.set('client-output-buffer-limit', ['normal 10000 5000 2 pubsub 3000 0 0']);
  const c = client(s);
  assert.equal(outputClass(c), 'normal');
  c.reply.bulk(Buffer.alloc(4000));
  assert.ok(checkOutputLimits(s, c), 'under both limits');
  c.reply.bulk(Buffer.alloc(2000));
  assert.ok(checkOutputLimits(s, c), 'over soft: timer starts');
  clock.t += 2000;
  assert.ok(checkOutputLimits(s, c), 'exactly soft-seconds: still allowed');
  c.reply.take();
  assert.ok(checkOutputLimits(s, c), 'drained: timer reset');
  c.reply.bulk(Buffer.alloc(6000));
  assert.ok(checkOutputLimits(s, c), 'over soft again: timer restarts');
  clock.t += 1500;
  assert.ok(checkOutputLimits(s, c), 'over soft for 1.5 s');
  clock.t += 1500;
  assert.ok(!checkOutputLimits(s, c), 'over soft for 3 s > 2 s: closed');
  assert.ok(c.closed);
  assert.equal(s.stats.outputLimitDisconnections, 1);

  const d = client(s);
  d.reply.bulk(Buffer.alloc(10000));
  assert.ok(!checkOutputLimits(s, d), 'over hard: closed at once');
  assert.equal(s.stats.outputLimitDisconnections, 2);

  const sub = client(s);
  sub.channels = new Set(['news']);
  assert.equal(outputClass(sub), 'pubsub');
  sub.reply.bulk(Buffer.alloc(2000));
  assert.ok(checkOutputLimits(s, sub));
  sub.reply.bulk(Buffer.alloc(2000));
  assert.ok(!checkOutputLimits(s, sub), 'the pubsub class limit applies to subscribers');
  assert.ok(!s.clients.has(sub.id));
});

test('the cron closes a client stuck above its soft limit with no new output', () => {
  const { s, clock } = setup();
  s.config.set('client-output-buffer-limit', ['normal 0 1000 1']);
  const c = client(s);
  c.reply.bulk(Buffer.alloc(5000));
  assert.ok(checkOutputLimits(s, c));
  clock.t += 500;
  s.cron();
  assert.ok(!c.closed);
  clock.t += 600;
  s.cron();
  assert.ok(c.closed, 'closed by the cron');
});

test('0 0 0 disables every check for the class', () => {
  const { s, clock } = setup();
  s.config.set('client-output-buffer-limit', ['normal 0 0 0']);
  const c = client(s);
  c.reply.bulk(Buffer.alloc(300 * 1024 * 1024));
  clock.t += 3_600_000;
  assert.ok(checkOutputLimits(s, c));
  c.reply.take();
});
