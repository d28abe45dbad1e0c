// The shared read buffer (server/connection.ts) relies on fields of Node's net.Socket that are
// not public API. These tests pin down that on this Node an accepted socket is switched to it
// and behaves as the server expects: bytes arrive in the one buffer, pause() stops reads and
// resume() restarts them (backpressure), and 'close' still follows the peer's end. If a Node
// upgrade removes the fields, the server falls back to 'data' events and this test says so.

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import { sharedReadBuffer, useSharedReads } from '../../src/server/connection';

function once<T>(f: (done: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve) => f(resolve));
}

test('accepted sockets read into the one shared buffer; pause, resume and close work', async () => {
  const received: string[] = [];
  let onRead: (n: number) => void = () => {};
  const server = net.createServer();
  await once<void>((d) => server.listen(0, '127.0.0.1', () => d()));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = once<net.Socket>((d) => server.once('connection', d));
  const client = net.connect(port, '127.0.0.1');
  const sock = await accepted;
  const switched = useSharedReads(sock, (n) => onRead(n));
  assert.equal(switched, true, 'this Node lets accepted sockets read into a user buffer');
  const buf = sharedReadBuffer();
  assert.ok(buf !== null);
  let dataEvents = 0;
  sock.on('data', () => dataEvents++);

  const got = (n: number) =>
    once<void>((d) => {
      onRead = (nread) => {
        received.push(buf.toString('latin1', 0, nread));
        if (received.join('').length >= n) d();
      };
    });
  let wait = got(5);
  client.write('hello');
  await wait;
  assert.equal(received.join(''), 'hello');

  // a second socket lands in the same buffer
  const accepted2 = once<net.Socket>((d) => server.once('connection', d));
  const client2 = net.connect(port, '127.0.0.1');
  const sock2 = await accepted2;
  let second = '';
  const secondDone = once<void>((d) => {
    assert.equal(
      useSharedReads(sock2, (n) => {
        second += buf.toString('latin1', 0, n);
        d();
      }),
      true,
    );
  });
  client2.write('other');
  await secondDone;
  assert.equal(second, 'other');

  // paused: nothing is read; resumed: the bytes sent meanwhile arrive
  sock.pause();
  let whilePaused = 0;
  onRead = () => whilePaused++;
  client.write('later');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(whilePaused, 0, 'no reads while paused');
  received.length = 0;
  wait = got(5);
  sock.resume();
  await wait;
  assert.equal(received.join(''), 'later');
  assert.equal(dataEvents, 0, "no 'data' events: reads go to the callback only");

  const closed = once<void>((d) => sock.once('close', () => d()));
  client.end();
  await closed;
  client2.destroy();
  sock2.destroy();
  server.close();
});
