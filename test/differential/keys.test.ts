import { diffSuite } from './harness';

diffSuite('keys', {
  flush: [
    ['SET', 'a', '1'],
    ['SET', 'b', '2'],
    ['DBSIZE'],
    ['FLUSHDB'],
    ['DBSIZE'],
    ['SET', 'a', '1'],
    ['FLUSHDB', 'ASYNC'],
    ['FLUSHDB', 'sync'],
    ['FLUSHDB', 'x'],
    ['FLUSHDB', 'sync', 'async'],
    ['SET', 'a', '1'],
    ['SELECT', '3'],
    ['SET', 'b', '1'],
    ['FLUSHALL', 'ASYNC'],
    ['DBSIZE'],
    ['SELECT', '9'],
    ['DBSIZE'],
    ['FLUSHALL', 'SYNC'],
    ['FLUSHALL', 'bad'],
    ['FLUSHALL', 'sync', 'x'],
    ['DBSIZE', 'x'],
  ],
});
