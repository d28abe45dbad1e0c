import { diffSuite } from './harness';

diffSuite('connection', {
  ping: [['PING'], ['PING', 'hello'], ['PING', 'a', 'b'], ['ping']],
  echo: [['ECHO', 'x'], ['ECHO'], ['ECHO', 'a', 'b']],
  select: [
    ['SELECT', '1'],
    ['SELECT', '16'],
    ['SELECT', '-1'],
    ['SELECT', 'x'],
    ['SELECT', '9'],
  ],
  unknown: [['NOSUCH'], ['NOSUCH', 'a', 'b'], ['nosuch', 'x'.repeat(300)]],
  strings: [
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['GET', 'missing'],
    ['SET', 'k', 'v2', 'NX'],
    ['SET', 'k', 'v2', 'XX', 'GET'],
    ['SET', 'k', 'v', 'EX', '0'],
    ['SET', 'k', 'v', 'EX', 'x'],
    ['SET', 'k', 'v', 'EX'],
    ['SET', 'k', 'v', 'NX', 'XX'],
    ['SET', 'k', 'v', 'KEEPTTL', 'EX', '10'],
    ['SETNX', 'k', 'x'],
    ['SETNX', 'k2', 'x'],
    ['SETEX', 'k3', '-1', 'x'],
    ['GETSET', 'k', 'new'],
  ],
});
