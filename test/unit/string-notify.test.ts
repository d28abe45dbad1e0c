// Keyspace events, modification signals and in-place growth of string commands, driven
// in-process: handlers run against a Server with a recording notifier.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringEncoding } from '../../src/commands/string';
import { Client } from '../../src/server/client';
import { Server } from '../../src/server/server';

function setup() {
  const server = new Server();
  const c = new Client(server, 1, null, server.dbs[0], Date.now(), 512 * 1024 * 1024, true);
  const events: string[] = [];
  const touched: string[] = [];
  server.notifier = (type, event, key) => events.push(`${type}:${event}:${key}`);
  server.keyModifiedHooks.push((_db, key) => touched.push(key));
  const run = (...args: string[]): string => {
    const cmd = server.commands.get(args[0].toLowerCase());
    assert.ok(cmd?.handler, args[0]);
    cmd.handler(
      c,
      args.map((a) => Buffer.from(a, 'latin1')),
    );
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  const take = () => events.splice(0);
  return { server, c, run, take, touched };
}

test('write commands emit the keyspace events Redis emits', () => {
  const { run, take, touched } = setup();
  run('SET', 'a', '1');
  assert.deepEqual(take(), ['$:set:a']);
  run('SET', 'a', '1', 'EX', '100');
  assert.deepEqual(take(), ['$:set:a', 'g:expire:a']);
  run('APPEND', 'a', 'x');
  run('APPEND', 'new', 'x');
  assert.deepEqual(take(), ['$:append:a', '$:append:new']);
  run('SETRANGE', 'a', '0', 'y');
  run('SETRANGE', 'a', '0', '');
  assert.deepEqual(take(), ['$:setrange:a']);
  run('SET', 'n', '1');
  take();
  run('INCR', 'n');
  run('DECRBY', 'n', '5');
  run('INCRBYFLOAT', 'n', '1.5');
  assert.deepEqual(take(), ['$:incrby:n', '$:incrby:n', '$:incrbyfloat:n']);
  run('SETBIT', 'b', '3', '1');
  run('SETBIT', 'b', '3', '1'); // no change: no event
  run('SETBIT', 'b', '3', '0');
  assert.deepEqual(take(), ['$:setbit:b', '$:setbit:b']);
  run('BITFIELD', 'b', 'GET', 'u8', '0');
  assert.deepEqual(take(), []);
  run('BITFIELD', 'b', 'INCRBY', 'u8', '0', '1', 'SET', 'u8', '8', '1');
  assert.deepEqual(take(), ['$:setbit:b']);
  // observed on redis 7.0.15: an overflow FAIL writes nothing and emits nothing
  run('BITFIELD', 'b', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '1000');
  run('BITFIELD', 'nb', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '1000');
  assert.deepEqual(take(), []);
  run('SETBIT', 'b', '100', '0'); // extends the string: an event even though the bit is 0
  assert.deepEqual(take(), ['$:setbit:b']);
  run('BITOP', 'NOT', 'd', 'b');
  run('BITOP', 'AND', 'd', 'missing');
  assert.deepEqual(take(), ['$:set:d', 'g:del:d']);
  run('MSET', 'x', '1', 'y', '2');
  assert.deepEqual(take(), ['$:set:x', '$:set:y']);
  run('MSETNX', 'x', '1', 'z', '2');
  assert.deepEqual(take(), []);
  run('GETEX', 'x', 'EX', '100');
  run('GETEX', 'x', 'PERSIST');
  run('GETEX', 'x', 'PERSIST'); // no TTL left: nothing
  run('GETEX', 'x', 'PXAT', '1');
  assert.deepEqual(take(), ['g:expire:x', 'g:persist:x', 'g:del:x']);
  run('GETDEL', 'y');
  run('GETDEL', 'y');
  assert.deepEqual(take(), ['g:del:y']);
  run('GETSET', 'y', 'v');
  assert.deepEqual(take(), ['$:set:y']);
  // every write above signalled the key as modified (WATCH)
  for (const k of ['a', 'new', 'n', 'b', 'd', 'x', 'y']) assert.ok(touched.includes(k), k);
});

test('APPEND grows in place and readers see exact bytes', () => {
  const { server, run } = setup();
  let expect = '';
  const backings = new Set<ArrayBufferLike>();
  for (let i = 0; i < 2000; i++) {
    const piece = `${i};`;
    expect += piece;
    assert.equal(run('APPEND', 'k', piece), `:${expect.length}\r\n`);
    const v = server.dbs[0].dict.get('k')?.value as Buffer;
    backings.add(v.buffer);
  }
  // amortised growth: a handful of reallocations for 2000 appends
  assert.ok(backings.size < 20, `${backings.size} backing stores`);
  assert.equal(run('GET', 'k'), `$${expect.length}\r\n${expect}\r\n`);
  assert.equal(run('STRLEN', 'k'), `:${expect.length}\r\n`);
  assert.equal(stringEncoding(server.dbs[0].dict.get('k')?.value as Buffer), 'raw');
  // a copy made before further appends keeps its bytes
  run('COPY', 'k', 'k2');
  run('APPEND', 'k', 'tail');
  run('APPEND', 'k2', 'other');
  assert.equal(run('GET', 'k2'), `$${expect.length + 5}\r\n${expect}other\r\n`);
  assert.equal(run('GET', 'k'), `$${expect.length + 4}\r\n${expect}tail\r\n`);
});

test('string limits are checked before allocating', () => {
  const { server, run } = setup();
  assert.equal(server.config.set('proto-max-bulk-len', ['1mb']), null);
  const mb = 1024 * 1024;
  assert.equal(
    run('SETRANGE', 'k', String(mb), 'x'),
    '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
  );
  assert.equal(run('SETRANGE', 'k', String(mb - 1), 'x'), `:${mb}\r\n`);
  assert.equal(run('APPEND', 'k', 'x'), '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
  assert.equal(
    run('SETBIT', 'b', String(mb * 8), '1'),
    '-ERR bit offset is not an integer or out of range\r\n',
  );
  assert.equal(run('SETBIT', 'b', String(mb * 8 - 1), '1'), ':0\r\n');
  // the value never gets a backing store past the limit
  const v = server.dbs[0].dict.get('k')?.value as Buffer;
  assert.ok(v.buffer.byteLength <= mb);
});

test('stringEncoding', () => {
  assert.equal(stringEncoding(Buffer.from('12345')), 'int');
  assert.equal(stringEncoding(Buffer.from('-9223372036854775808')), 'int');
  assert.equal(stringEncoding(Buffer.from('9223372036854775808')), 'embstr');
  assert.equal(stringEncoding(Buffer.from('012')), 'embstr');
  assert.equal(stringEncoding(Buffer.from('x'.repeat(44))), 'embstr');
  assert.equal(stringEncoding(Buffer.from('x'.repeat(45))), 'raw');
});
