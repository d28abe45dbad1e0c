// AOF format pieces: manifest parsing/formatting and the command parser's truncated/bad verdicts.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeCommand,
  formatManifest,
  parseAt,
  parseManifest,
  strArgv,
} from '../../src/persistence/aof-format';

describe('AOF manifest', () => {
  it('round-trips base, history and incr entries', () => {
    const text =
      'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\n' +
      'file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n';
    const m = parseManifest(text);
    assert.equal(m.base?.name, 'appendonly.aof.2.base.rdb');
    assert.deepEqual(
      m.incrs.map((e) => e.seq),
      [2, 3],
    );
    assert.equal(formatManifest(m), text);
  });

  it('refuses malformed lines, paths and non-monotonic incr sequences', () => {
    assert.throws(() => parseManifest('file x seq 1\n'));
    assert.throws(() => parseManifest('file ../x seq 1 type i\n'));
    assert.throws(() => parseManifest('file a seq 2 type i\nfile b seq 1 type i\n'));
    assert.throws(() => parseManifest('file a seq 1 type b\nfile b seq 2 type b\n'));
  });
});

describe('AOF command parser', () => {
  const cmd = encodeCommand(strArgv('SET', 'k', Buffer.from([0, 13, 10, 255])));

  it('reads commands and annotations, binary-safe', () => {
    const buf = Buffer.concat([Buffer.from('#TS:123\r\n'), cmd]);
    const a = parseAt(buf, 0);
    assert.equal(a.kind, 'annotation');
    const b = parseAt(buf, a.kind === 'annotation' ? a.end : 0);
    assert.equal(b.kind, 'command');
    if (b.kind === 'command') {
      assert.deepEqual(b.argv[2], Buffer.from([0, 13, 10, 255]));
      assert.equal(parseAt(buf, b.end).kind, 'eof');
    }
  });

  it('every proper prefix of a command is truncated, never bad', () => {
    for (let n = 1; n < cmd.length; n++)
      assert.equal(parseAt(cmd.subarray(0, n), 0).kind, 'truncated', `prefix ${n}`);
  });

  it('garbage is bad', () => {
    for (const g of [
      'garbage\r\n',
      '*x\r\n',
      '*1\r\nfoo\r\n',
      '*1\r\n$3\r\nabcd\r\n',
      '*0\r\n',
      '*1\r\n$-1\r\n',
    ]) {
      assert.equal(parseAt(Buffer.from(g), 0).kind, 'bad', JSON.stringify(g));
    }
  });
});
