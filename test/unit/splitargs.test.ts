import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitArgs } from '../../src/protocol/splitargs';

test('requirepass line with escapes yields the exact password', () => {
  const line = `requirepass "\\\\:d!&!:Y<p'TXBI0\\"ys96rfH]lxaA7|E"`;
  assert.deepEqual(splitArgs(line), ['requirepass', `\\:d!&!:Y<p'TXBI0"ys96rfH]lxaA7|E`]);
});

test('escapes inside double quotes', () => {
  assert.deepEqual(splitArgs('"a\\nb\\r\\t\\b\\a\\x41\\\\\\""'), ['a\nb\r\t\b\x07A\\"']);
});

test("single quotes only understand \\'", () => {
  assert.deepEqual(splitArgs("'a\\'b\\n'"), ["a'b\\n"]);
});

test('unbalanced quotes and closing quote followed by a character are errors', () => {
  assert.equal(splitArgs('"abc'), null);
  assert.equal(splitArgs("'abc"), null);
  assert.equal(splitArgs('"abc"d'), null);
});

test('whitespace splitting', () => {
  assert.deepEqual(splitArgs('  set   a\tb  '), ['set', 'a', 'b']);
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs('""'), ['']);
});
