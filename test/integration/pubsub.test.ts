import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { RawClient } from '../helpers/resp';
import { type Running, startRedoubt } from '../helpers/servers';

describe('pub/sub delivery', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({ args: ['--notify-keyspace-events', 'KEA'] });
  });
  after(async () => {
    await srv.stop();
  });

  it('channel and pattern messages reach subscribers, RESP2 and RESP3', async () => {
    const sub2 = await RawClient.connect({ port: srv.port });
    const sub3 = await RawClient.connect({ port: srv.port });
    const pub = await RawClient.connect({ port: srv.port });
    await sub2.raw('SUBSCRIBE', 'news');
    await sub3.raw('HELLO', '3');
    await sub3.raw('PSUBSCRIBE', 'ne*');
    assert.equal((await pub.raw('PUBLISH', 'news', 'hello\r\nworld')).toString(), ':2\r\n');
    assert.equal(
      (await sub2.next()).toString(),
      '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$12\r\nhello\r\nworld\r\n',
    );
    assert.equal(
      (await sub3.next()).toString(),
      '>4\r\n$8\r\npmessage\r\n$3\r\nne*\r\n$4\r\nnews\r\n$12\r\nhello\r\nworld\r\n',
    );
    // RESP3 clients can run commands while subscribed
    assert.equal((await sub3.raw('PING')).toString(), '+PONG\r\n');
    assert.equal((await pub.raw('PUBSUB', 'NUMSUB', 'news')).toString(), '*2\r\n$4\r\nnews\r\n:1\r\n');
    sub2.close();
    sub3.close();
    pub.close();
  });

  it('keyspace notifications for writes and expiry', async () => {
    const sub = await RawClient.connect({ port: srv.port });
    const w = await RawClient.connect({ port: srv.port });
    await sub.raw('PSUBSCRIBE', '__key*@0__:*');
    await w.raw('SET', 'nk', 'v', 'PX', '50');
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await sub.next(3000)).toString());
    assert.ok(
      got.some((m) => m.includes('__keyspace@0__:nk') && m.includes('$3\r\nset\r\n')),
      got.join('|'),
    );
    assert.ok(
      got.some((m) => m.includes('__keyevent@0__:set') && m.includes('$2\r\nnk\r\n')),
      got.join('|'),
    );
    assert.ok(
      got.some((m) => m.includes('__keyevent@0__:expire')),
      got.join('|'),
    );
    // active expiry publishes 'expired' without anyone touching the key
    const more: string[] = [];
    for (let i = 0; i < 2; i++) more.push((await sub.next(3000)).toString());
    assert.ok(
      more.some((m) => m.includes('__keyevent@0__:expired')),
      more.join('|'),
    );
    sub.close();
    w.close();
  });

  it('ioredis and node-redis subscriber modes', async () => {
    const io = new Redis({ port: srv.port, lazyConnect: true });
    await io.connect();
    const ioPub = new Redis({ port: srv.port });
    const got = new Promise<string>((resolve) => io.on('message', (_ch, msg) => resolve(msg)));
    await io.subscribe('jobs');
    await ioPub.publish('jobs', 'from ioredis');
    assert.equal(await got, 'from ioredis');
    io.disconnect();
    ioPub.disconnect();

    const nr = createClient({ socket: { port: srv.port } });
    await nr.connect();
    const nrSub = nr.duplicate();
    await nrSub.connect();
    const nrGot = new Promise<string>((resolve) => {
      void nrSub.subscribe('events', (m) => resolve(m));
    });
    await new Promise((r) => setTimeout(r, 100));
    await nr.publish('events', 'from node-redis');
    assert.equal(await nrGot, 'from node-redis');
    await nrSub.quit();
    await nr.quit();
  });

  it('a disconnected subscriber is forgotten', async () => {
    const sub = await RawClient.connect({ port: srv.port });
    await sub.raw('SUBSCRIBE', 'gone');
    sub.close();
    await sub.closed;
    await new Promise((r) => setTimeout(r, 50));
    const pub = await RawClient.connect({ port: srv.port });
    assert.equal((await pub.raw('PUBLISH', 'gone', 'x')).toString(), ':0\r\n');
    pub.close();
  });
});
