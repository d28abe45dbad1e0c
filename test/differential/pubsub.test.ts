import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Running, skipWithoutRedis, startRedis, startRedoubt } from '../helpers/servers';
import { keyspaceEvents } from './events';
import { diffSuite } from './harness';

diffSuite('pubsub', {
  'subscribe and unsubscribe acks': [
    ['SUBSCRIBE', 'a', 'b', 'a'],
    ['PSUBSCRIBE', 'n*', 'x?y'],
    ['UNSUBSCRIBE', 'b', 'zzz'],
    ['PUNSUBSCRIBE'],
    ['UNSUBSCRIBE'],
    ['UNSUBSCRIBE'],
    ['PUNSUBSCRIBE'],
    ['RESET'],
  ],
  'subscriber context restrictions': [
    ['SUBSCRIBE', 'c'],
    ['GET', 'k'],
    ['PING'],
    ['PING', 'hi'],
    ['RESET'],
    ['GET', 'k'],
  ],
  'shard channels': [
    ['SSUBSCRIBE', 's1', 's2'],
    ['SUNSUBSCRIBE', 's1'],
    ['SUNSUBSCRIBE'],
    ['SUNSUBSCRIBE'],
    ['RESET'],
  ],
  'publish without subscribers': [
    ['PUBLISH', 'nobody', 'm'],
    ['SPUBLISH', 'nobody', 'm'],
  ],
  'pubsub introspection': [
    ['PUBSUB', 'NUMPAT'],
    ['PUBSUB', 'CHANNELS'],
    ['PUBSUB', 'CHANNELS', 'x*'],
    ['PUBSUB', 'NUMSUB'],
    ['PUBSUB', 'NUMSUB', 'a', 'b'],
    ['PUBSUB', 'SHARDCHANNELS'],
    ['PUBSUB', 'SHARDNUMSUB', 'q'],
    ['PUBSUB', 'HELP'],
    ['PUBSUB', 'NOPE'],
    ['PUBSUB'],
  ],
  'arity errors': [['SUBSCRIBE'], ['PSUBSCRIBE'], ['PUBLISH', 'a'], ['SSUBSCRIBE'], ['SPUBLISH', 'x']],
  'subscribe inside multi': [['MULTI'], ['SUBSCRIBE', 'm'], ['EXEC'], ['RESET']],
});

describe('keyspace events switched on by CONFIG SET inside MULTI', () => {
  let ours: Running;
  let ref: Running | null = null;
  before(async () => {
    [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
  });
  after(async () => {
    await Promise.all([ours?.stop(), ref?.stop()]);
  });
  const steps = [
    ['MULTI'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KE$'],
    ['SET', 'k', 'v'],
    ['EXEC'],
    ['APPEND', 'k', 'w'],
    ['MULTI'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''],
    ['SET', 'k', 'x'],
    ['EXEC'],
    ['SET', 'k', 'y'],
  ];
  it('the write right after it in the same transaction is notified, as in Redis', async (t) => {
    if (ref === null) return skipWithoutRedis(t);
    const x = await keyspaceEvents(ours.port, steps);
    assert.deepEqual(x, await keyspaceEvents(ref.port, steps));
    assert.equal(x.length, 4, x.join(' | '));
  });
});
