// Blocking list commands with several connections. Every scenario runs against redoubt and
// against a real redis-server 7.0 (when installed): the transcripts must be equal, and the
// redoubt transcript is also checked against the expected values written here.

import { encode } from '../helpers/resp';
import {
  clients,
  nextOrPending,
  type Scenario,
  SETTLE,
  send,
  sleep,
  transcriptSuite,
} from '../helpers/transcript';

const scenarios: Record<string, Scenario> = {
  async 'FIFO order among three blocked clients'(port) {
    const [a, b, c, p] = await clients(port, 4);
    const t: string[] = [];
    for (const x of [a, b, c]) {
      send(x, 'BLPOP', 'q', '0');
      await sleep(SETTLE);
    }
    t.push(await nextOrPending(a, 50));
    t.push((await p.raw('RPUSH', 'q', 'one', 'two', 'three')).toString());
    t.push((await a.next()).toString(), (await b.next()).toString(), (await c.next()).toString());
    t.push((await p.raw('EXISTS', 'q')).toString());
    // one element at a time: the earliest waiter is served first
    for (const x of [c, a, b]) {
      send(x, 'BRPOP', 'q', '0');
      await sleep(SETTLE);
    }
    t.push((await p.raw('LPUSH', 'q', 'x')).toString());
    t.push((await c.next()).toString(), await nextOrPending(a, 50));
    t.push((await p.raw('LPUSH', 'q', 'y', 'z')).toString());
    t.push((await a.next()).toString(), (await b.next()).toString());
    for (const x of [a, b, c, p]) x.close();
    return t;
  },

  async 'a push serves the waiter from its side and leaves the rest'(port) {
    const [a, p] = await clients(port, 2);
    send(a, 'BRPOP', 'q', '0');
    await sleep(SETTLE);
    const t = [(await p.raw('LPUSH', 'q', 'a', 'b', 'c')).toString()];
    t.push((await a.next()).toString());
    t.push((await p.raw('LRANGE', 'q', '0', '-1')).toString());
    a.close();
    p.close();
    return t;
  },

  async 'fractional timeout, RESP2 and RESP3'(port) {
    const [a] = await clients(port, 1);
    const [b] = await clients(port, 1, 3);
    const t: string[] = [];
    const t0 = Date.now();
    t.push((await a.raw('BLPOP', 'q', '0.15')).toString());
    const dt = Date.now() - t0;
    t.push(dt >= 140 && dt < 1000 ? 'timing ok' : `took ${dt} ms`);
    t.push((await b.raw('BRPOP', 'q', 'q2', '0.05')).toString());
    t.push((await b.raw('BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0.05')).toString());
    t.push((await a.raw('BRPOPLPUSH', 'q', 'd', '0.05')).toString());
    t.push((await a.raw('BLMPOP', '0.05', '1', 'q', 'LEFT')).toString());
    t.push((await b.raw('BLMPOP', '0.05', '1', 'q', 'LEFT')).toString());
    // the connection stays usable after a timeout
    t.push((await a.raw('PING')).toString());
    a.close();
    b.close();
    return t;
  },

  async 'disconnect while blocked removes the waiter'(port) {
    const [a, b, p] = await clients(port, 3);
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    send(b, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    a.close();
    await a.closed;
    await sleep(SETTLE);
    const t = [(await p.raw('RPUSH', 'q', 'v')).toString()];
    t.push((await b.next()).toString());
    t.push((await p.raw('EXISTS', 'q')).toString());
    b.close();
    p.close();
    return t;
  },

  async 'BLMOVE chain: the moved element serves the next waiter'(port) {
    const [a, b, p] = await clients(port, 3);
    send(a, 'BLMOVE', 'src', 'mid', 'LEFT', 'RIGHT', '0');
    await sleep(SETTLE);
    send(b, 'BRPOPLPUSH', 'mid', 'dst', '0');
    await sleep(SETTLE);
    const t = [(await p.raw('RPUSH', 'src', 'v')).toString()];
    t.push((await a.next()).toString(), (await b.next()).toString());
    t.push((await p.raw('EXISTS', 'src', 'mid')).toString());
    t.push((await p.raw('LRANGE', 'dst', '0', '-1')).toString());
    a.close();
    b.close();
    p.close();
    return t;
  },

  async "a blocked client's pipelined commands run after it is woken"(port) {
    const [a, p] = await clients(port, 2);
    a.write(Buffer.concat([encode(['BLPOP', 'q', '0']), encode(['PING']), encode(['LLEN', 'q'])]));
    await sleep(SETTLE);
    const t = [await nextOrPending(a, 50)];
    t.push((await p.raw('RPUSH', 'q', 'x', 'y')).toString());
    t.push((await a.next()).toString(), (await a.next()).toString(), (await a.next()).toString());
    a.close();
    p.close();
    return t;
  },

  async 'waiting on several keys'(port) {
    const [a, p] = await clients(port, 2);
    send(a, 'BLPOP', 'k1', 'k2', 'k3', '0');
    await sleep(SETTLE);
    const t = [(await p.raw('RPUSH', 'k3', 'c')).toString()];
    t.push((await a.next()).toString());
    send(a, 'BLMPOP', '0', '2', 'k1', 'k2', 'RIGHT', 'COUNT', '2');
    await sleep(SETTLE);
    t.push((await p.raw('RPUSH', 'k2', 'a', 'b', 'c')).toString());
    t.push((await a.next()).toString());
    t.push((await p.raw('LRANGE', 'k2', '0', '-1')).toString());
    a.close();
    p.close();
    return t;
  },

  async 'a key of another type does not serve; the waiter stays'(port) {
    const [a, p] = await clients(port, 2);
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    const t = [(await p.raw('SET', 'q', 'str')).toString(), await nextOrPending(a, 100)];
    t.push((await p.raw('DEL', 'q')).toString());
    t.push((await p.raw('RPUSH', 'q', 'v')).toString());
    t.push((await a.next()).toString());
    a.close();
    p.close();
    return t;
  },

  async 'BLMOVE to a key of another type unblocks with WRONGTYPE'(port) {
    const [a, p] = await clients(port, 2);
    send(a, 'BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0');
    await sleep(SETTLE);
    const t = [(await p.raw('SET', 'dst', 'str')).toString()];
    t.push((await p.raw('RPUSH', 'src', 'v')).toString());
    t.push((await a.next()).toString());
    t.push((await p.raw('LRANGE', 'src', '0', '-1')).toString());
    a.close();
    p.close();
    return t;
  },

  async 'keys created by RENAME, COPY and MOVE serve waiters'(port) {
    const [a, b, c, p] = await clients(port, 4);
    send(a, 'BLPOP', 'q1', '0');
    send(b, 'BLPOP', 'q2', '0');
    await c.raw('SELECT', '8');
    send(c, 'BLPOP', 'q3', '0');
    await sleep(SETTLE);
    const t = [(await p.raw('RPUSH', 'tmp', 'x', 'y')).toString()];
    t.push((await p.raw('COPY', 'tmp', 'q2')).toString());
    t.push((await p.raw('RENAME', 'tmp', 'q1')).toString());
    t.push((await a.next()).toString(), (await b.next()).toString());
    t.push((await p.raw('RPUSH', 'q3', 'z')).toString());
    t.push((await p.raw('MOVE', 'q3', '8')).toString());
    t.push((await c.next()).toString());
    t.push(
      (await p.raw('LRANGE', 'q1', '0', '-1')).toString(),
      (await p.raw('LRANGE', 'q2', '0', '-1')).toString(),
    );
    for (const x of [a, b, c, p]) x.close();
    return t;
  },

  async 'a push in another database does not serve'(port) {
    const [a, p] = await clients(port, 2);
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    await p.raw('SELECT', '8');
    const t = [(await p.raw('RPUSH', 'q', 'other')).toString(), await nextOrPending(a, 100)];
    await p.raw('SELECT', '9');
    t.push((await p.raw('RPUSH', 'q', 'mine')).toString(), (await a.next()).toString());
    await p.raw('SELECT', '8');
    await p.raw('FLUSHDB');
    a.close();
    p.close();
    return t;
  },

  async 'SWAPDB serves waiters on keys that now exist'(port) {
    const [a, p] = await clients(port, 2);
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    await p.raw('SELECT', '8');
    await p.raw('FLUSHDB');
    const t = [(await p.raw('RPUSH', 'q', 'v', 'w')).toString()];
    t.push((await p.raw('SWAPDB', '8', '9')).toString(), (await a.next()).toString());
    t.push((await p.raw('LLEN', 'q')).toString());
    await p.raw('SELECT', '9');
    t.push((await p.raw('LRANGE', 'q', '0', '-1')).toString());
    a.close();
    p.close();
    return t;
  },

  async 'CLIENT UNBLOCK wakes a waiter with the timeout reply or an error'(port) {
    const [a, p] = await clients(port, 2);
    const id = (await a.raw('CLIENT', 'ID')).toString().slice(1, -2);
    const t = [(await p.raw('CLIENT', 'UNBLOCK', id)).toString()];
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    t.push((await p.raw('CLIENT', 'UNBLOCK', id)).toString(), (await a.next()).toString());
    send(a, 'BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0');
    await sleep(SETTLE);
    t.push((await p.raw('CLIENT', 'UNBLOCK', id, 'ERROR')).toString(), (await a.next()).toString());
    // the unblocked client no longer waits: a later push stays in the list
    t.push((await p.raw('RPUSH', 'q', 'v')).toString(), await nextOrPending(a, 50));
    t.push((await p.raw('LLEN', 'q')).toString());
    a.close();
    p.close();
    return t;
  },

  async 'MULTI/EXEC: blocking commands do not block, pushes serve after EXEC'(port) {
    const [a, b, p] = await clients(port, 3);
    const t: string[] = [];
    for (const cmd of [
      ['MULTI'],
      ['BLPOP', 'q', '0'],
      ['BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', 'q', 'd', '0'],
      ['BLMPOP', '0', '1', 'q', 'LEFT'],
      ['EXEC'],
    ])
      t.push((await p.raw(...cmd)).toString());
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    send(b, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    for (const cmd of [['MULTI'], ['RPUSH', 'q', 'a'], ['LLEN', 'q'], ['RPUSH', 'q', 'b'], ['EXEC']])
      t.push((await p.raw(...cmd)).toString());
    t.push((await a.next()).toString(), (await b.next()).toString());
    // a list created and deleted inside one transaction serves nobody
    send(a, 'BLPOP', 'q', '0');
    await sleep(SETTLE);
    for (const cmd of [['MULTI'], ['RPUSH', 'q', 'c'], ['DEL', 'q'], ['EXEC']])
      t.push((await p.raw(...cmd)).toString());
    t.push(await nextOrPending(a, 100));
    t.push((await p.raw('RPUSH', 'q', 'd')).toString(), (await a.next()).toString());
    for (const x of [a, b, p]) x.close();
    return t;
  },
};

const expected: Record<string, string[]> = {
  'FIFO order among three blocked clients': [
    'pending',
    ':3\r\n',
    '*2\r\n$1\r\nq\r\n$3\r\none\r\n',
    '*2\r\n$1\r\nq\r\n$3\r\ntwo\r\n',
    '*2\r\n$1\r\nq\r\n$5\r\nthree\r\n',
    ':0\r\n',
    ':1\r\n',
    '*2\r\n$1\r\nq\r\n$1\r\nx\r\n',
    'pending',
    ':2\r\n',
    '*2\r\n$1\r\nq\r\n$1\r\ny\r\n',
    '*2\r\n$1\r\nq\r\n$1\r\nz\r\n',
  ],
  'a push serves the waiter from its side and leaves the rest': [
    ':3\r\n',
    '*2\r\n$1\r\nq\r\n$1\r\na\r\n',
    '*2\r\n$1\r\nc\r\n$1\r\nb\r\n',
  ],
  'fractional timeout, RESP2 and RESP3': [
    '*-1\r\n',
    'timing ok',
    '_\r\n',
    '_\r\n',
    '*-1\r\n',
    '*-1\r\n',
    '_\r\n',
    '+PONG\r\n',
  ],
  'disconnect while blocked removes the waiter': [':1\r\n', '*2\r\n$1\r\nq\r\n$1\r\nv\r\n', ':0\r\n'],
  'BLMOVE chain: the moved element serves the next waiter': [
    ':1\r\n',
    '$1\r\nv\r\n',
    '$1\r\nv\r\n',
    ':0\r\n',
    '*1\r\n$1\r\nv\r\n',
  ],
  "a blocked client's pipelined commands run after it is woken": [
    'pending',
    ':2\r\n',
    '*2\r\n$1\r\nq\r\n$1\r\nx\r\n',
    '+PONG\r\n',
    ':1\r\n',
  ],
};

transcriptSuite('blocking list commands', scenarios, expected);
