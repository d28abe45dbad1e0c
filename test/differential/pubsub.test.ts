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
