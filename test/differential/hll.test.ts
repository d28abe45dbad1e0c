// HyperLogLog against redis-server 7.0: PFADD/PFCOUNT/PFMERGE replies and, above all, the
// value's bytes (GET) compared exactly, in the sparse form, across the promotion to dense, and
// in the dense form; corrupted and foreign strings give Redis's errors.

import { diffSuite, type Step } from './harness';

/** PFADD of `n` elements "<prefix><i>" in batches, checking the bytes after every batch. */
function grow(k: string, n: number, batch: number, prefix = 'e'): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < n; i += batch) {
    const els: string[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) els.push(`${prefix}${j}`);
    out.push(['PFADD', k, ...els]);
    out.push(['GET', k]);
  }
  out.push(['PFCOUNT', k], ['GET', k], ['PFDEBUG', 'ENCODING', k], ['STRLEN', k]);
  return out;
}

/** Elements of every length 0..40 and arbitrary bytes (all MurmurHash64A tail lengths). */
function binaryElements(): Buffer[] {
  const out: Buffer[] = [];
  for (let len = 0; len <= 40; len++) {
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = (len * 37 + i * 101) & 0xff;
    out.push(b);
  }
  return out;
}

/** A sparse HLL header: magic, encoding, 3 zero bytes, cache (stale unless `card` given). */
function header(encoding: number, card?: number): Buffer {
  const h = Buffer.alloc(16);
  h.write('HYLL', 0, 'latin1');
  h[4] = encoding;
  if (card === undefined) h[15] = 0x80;
  else h.writeUInt32LE(card, 8);
  return h;
}

const xzeroAll = Buffer.from([0x7f, 0xff]); // XZERO covering 16384 registers

diffSuite('hyperloglog', {
  pfadd_basic: [
    ['PFADD', 'h', 'a', 'b', 'c'],
    ['GET', 'h'],
    ['PFADD', 'h', 'a'],
    ['PFADD', 'h', 'd'],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
    ['PFADD', 'empty'],
    ['GET', 'empty'],
    ['PFCOUNT', 'empty'],
    ['GET', 'empty'],
    ['PFADD', 'empty'],
    ['PFCOUNT', 'none'],
    ['TYPE', 'h'],
    ['OBJECT', 'ENCODING', 'h'],
    ['STRLEN', 'h'],
    ['PFDEBUG', 'DECODE', 'h'],
    ['PFDEBUG', 'ENCODING', 'h'],
    ['PFADD', 'h', '', 'a', ''],
    ['PFADD'],
    ['PFCOUNT'],
    ['PFMERGE'],
  ],
  binary_elements: [
    ['PFADD', 'h', ...binaryElements()],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
    ['PFDEBUG', 'DECODE', 'h'],
    ...binaryElements().map((b) => ['PFADD', 'i', b] as Step),
    ['GET', 'i'],
    ['PFCOUNT', 'h', 'i'],
  ],
  sparse_growth_and_promotion: [...grow('h', 3000, 60)],
  one_at_a_time: [...grow('h', 300, 1, 'x-')],
  dense_counts: [
    ...grow('d', 20000, 2000, 'big'),
    ['PFADD', 'd', 'big1', 'big2'],
    ['PFADD', 'd', 'new-element-1', 'new-element-2'],
    ['GET', 'd'],
    ['PFCOUNT', 'd'],
  ],
  sparse_max_bytes: [
    { cmd: ['CONFIG', 'SET', 'hll-sparse-max-bytes', '100'], mode: 'ignore' },
    ...grow('h', 100, 10),
    { cmd: ['CONFIG', 'SET', 'hll-sparse-max-bytes', '0'], mode: 'ignore' },
    ['PFADD', 'z', 'a'],
    ['GET', 'z'],
    ['PFADD', 'z2'],
    ['GET', 'z2'],
    { cmd: ['CONFIG', 'SET', 'hll-sparse-max-bytes', '20000'], mode: 'ignore' },
    ...grow('w', 6000, 1000, 'w'),
    { cmd: ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'], mode: 'ignore' },
    ['CONFIG', 'GET', 'hll-sparse-max-bytes'],
  ],
  pfcount_multi: [
    ['PFADD', 'a', '1', '2', '3', '4'],
    ['PFADD', 'b', '3', '4', '5', '6', '7'],
    ['PFCOUNT', 'a', 'b'],
    ['PFCOUNT', 'a', 'b', 'none'],
    ['PFCOUNT', 'none', 'none2'],
    ['PFCOUNT', 'a', 'a'],
    ['GET', 'a'],
    ...grow('d', 5000, 2500, 'dd'),
    ['PFCOUNT', 'a', 'd'],
    ['PFCOUNT', 'd', 'b', 'a'],
    ['GET', 'd'],
    ['SET', 's', 'foo'],
    ['PFCOUNT', 'a', 's'],
    ['RPUSH', 'l', 'x'],
    ['PFCOUNT', 'a', 'l'],
    ['PFCOUNT', 'l'],
  ],
  pfmerge: [
    ['PFADD', 'a', '1', '2', '3', '4'],
    ['PFADD', 'b', '3', '4', '5', '6', '7'],
    ['PFMERGE', 'm', 'a', 'b'],
    ['GET', 'm'],
    ['PFCOUNT', 'm'],
    ['PFMERGE', 'a', 'b'],
    ['GET', 'a'],
    ['PFMERGE', 'only'],
    ['GET', 'only'],
    ['PFMERGE', 'm', 'm'],
    ['GET', 'm'],
    ['PFMERGE', 'm2', 'none', 'none2'],
    ['GET', 'm2'],
    ...grow('d', 4000, 2000, 'merge'),
    ['PFMERGE', 'md', 'a', 'd'],
    ['GET', 'md'],
    ['PFMERGE', 'a', 'd'],
    ['GET', 'a'],
    ['PFDEBUG', 'ENCODING', 'a'],
    ['PFMERGE', 'sp', 'b'],
    ['GET', 'sp'],
    ['PFDEBUG', 'ENCODING', 'sp'],
    ...grow('big1', 1200, 600, 'p'),
    ...grow('big2', 1200, 600, 'q'),
    ['PFMERGE', 'both', 'big1', 'big2'],
    ['GET', 'both'],
    ['PFDEBUG', 'ENCODING', 'both'],
    ['PFCOUNT', 'both'],
    ['SET', 's', 'foo'],
    ['PFMERGE', 'x', 'a', 's'],
    ['EXISTS', 'x'],
    ['PFMERGE', 's', 'a'],
    ['RPUSH', 'l', 'x'],
    ['PFMERGE', 'l', 'a'],
    ['PFMERGE', 'a', 'l'],
  ],
  wrong_strings: [
    ['SET', 's', 'foo'],
    ['PFADD', 's', 'a'],
    ['PFCOUNT', 's'],
    ['SET', 'n', '12345678901234567'],
    ['PFADD', 'n', 'a'],
    ['SET', 'm', 'HYLLxxxxxxxxxxxx'],
    ['PFADD', 'm', 'a'],
    ['SET', 'h16', Buffer.concat([header(1)])],
    ['PFCOUNT', 'h16'],
    ['PFADD', 'h16', 'a'],
    ['SET', 'enc2', Buffer.concat([header(2), xzeroAll])],
    ['PFCOUNT', 'enc2'],
    ['SET', 'dense-short', Buffer.concat([header(0), Buffer.alloc(100)])],
    ['PFCOUNT', 'dense-short'],
    ['PFADD', 'dense-short', 'x'],
    ['SET', 'dense-ok', Buffer.concat([header(0), Buffer.alloc(12288)])],
    ['PFCOUNT', 'dense-ok'],
    ['PFADD', 'dense-ok', 'x'],
    ['GET', 'dense-ok'],
    ['SET', 'sparse-ok', Buffer.concat([header(1), xzeroAll])],
    ['PFADD', 'sparse-ok', 'x', 'y'],
    ['GET', 'sparse-ok'],
    ['OBJECT', 'ENCODING', 'sparse-ok'],
    ['RPUSH', 'l', 'x'],
    ['PFADD', 'l', 'a'],
    ['PFCOUNT', 'l'],
    ['PFDEBUG', 'GETREG', 'l'],
    ['PFDEBUG', 'GETREG', 's'],
  ],
  corrupted_sparse: [
    // opcodes covering fewer registers than 16384
    ['SET', 'short', Buffer.concat([header(1), Buffer.from([0x7f, 0xfe])])],
    ['PFCOUNT', 'short'],
    ['PFCOUNT', 'short', 'none'],
    ['PFMERGE', 'd', 'short'],
    ['EXISTS', 'd'],
    ['PFADD', 'short', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    ['GET', 'short'],
    // more than 16384
    ['SET', 'long', Buffer.concat([header(1), xzeroAll, Buffer.from([0x00])])],
    ['PFCOUNT', 'long'],
    ['PFADD', 'long', 'a'],
    ['GET', 'long'],
    ['PFCOUNT', 'long'],
    // a truncated XZERO at the end
    ['SET', 'trunc', Buffer.concat([header(1), Buffer.from([0x7f, 0xfe, 0x40])])],
    ['PFCOUNT', 'trunc'],
    ['PFDEBUG', 'DECODE', 'trunc'],
    // VAL runs past the register count
    ['SET', 'over', Buffer.concat([header(1), Buffer.from([0x7f, 0xfd]), Buffer.from([0x83, 0x83])])],
    ['PFCOUNT', 'over'],
    ['PFDEBUG', 'TODENSE', 'over'],
    ['PFDEBUG', 'GETREG', 'over'],
    ['PFMERGE', 'o', 'over'],
    // a valid cached cardinality is trusted
    ['SET', 'cached', Buffer.concat([header(1, 12345), xzeroAll])],
    ['PFCOUNT', 'cached'],
    ['PFADD', 'cached', 'q'],
    ['PFCOUNT', 'cached'],
    // appended garbage after an HLL
    ['PFADD', 'app', 'a', 'b'],
    ['APPEND', 'app', 'zz'],
    ['PFCOUNT', 'app'],
    ['PFADD', 'app', 'c'],
    ['GET', 'app'],
    ['SETRANGE', 'app', '4', '\x05'],
    ['PFCOUNT', 'app'],
  ],
  pfdebug: [
    ['PFADD', 'h', 'a', 'b', 'c'],
    ['PFDEBUG', 'DECODE', 'h'],
    ['PFDEBUG', 'decode', 'h'],
    ['PFDEBUG', 'ENCODING', 'h'],
    ['PFDEBUG', 'GETREG', 'h'],
    ['PFDEBUG', 'ENCODING', 'h'],
    ['GET', 'h'],
    ['PFDEBUG', 'DECODE', 'h'],
    ['PFDEBUG', 'TODENSE', 'h'],
    ['PFADD', 'h2', 'x'],
    ['PFDEBUG', 'TODENSE', 'h2'],
    ['GET', 'h2'],
    ['PFDEBUG', 'TODENSE', 'h2'],
    ['PFDEBUG', 'FOO', 'h'],
    ['PFDEBUG', 'GETREG', 'none'],
    ['PFDEBUG', 'FOO', 'none'],
    ['PFDEBUG', 'GETREG'],
    ['PFDEBUG', 'GETREG', 'h', 'x'],
    ['PFADD', 'h3', 'a'],
    ['PFDEBUG', 'GETREG', 'h3'],
    ['PFCOUNT', 'h3'],
  ],
  copy_and_rename: [
    ['PFADD', 'h', 'a', 'b'],
    ['COPY', 'h', 'c'],
    ['PFADD', 'c', 'z'],
    ['GET', 'h'],
    ['GET', 'c'],
    ['RENAME', 'c', 'r'],
    ['PFCOUNT', 'r'],
    ['GET', 'r'],
  ],
  // PFSELFTEST itself takes seconds on redis-server (10M insertions): its reply is unit-tested
  selftest_arity: [['PFSELFTEST', 'x']],
  commands_table: [
    ['COMMAND', 'GETKEYS', 'PFCOUNT', 'a', 'b', 'c'],
    ['COMMAND', 'GETKEYS', 'PFMERGE', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'PFDEBUG', 'GETREG', 'k'],
  ],
});
