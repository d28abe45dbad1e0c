// Reply writer: RESP2 and RESP3 encodings of every reply type, %.17g doubles, slab handling.

import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decimalDigits, formatDouble17, overwriteDecimal } from '../../src/protocol/format';
import { type Proto, ReplyWriter } from '../../src/protocol/reply';
import { prng } from '../helpers/random';
import { decode, replyEnd } from '../helpers/resp';

function writer(proto: Proto): ReplyWriter {
  const w = new ReplyWriter();
  w.proto = proto;
  return w;
}

function out(w: ReplyWriter): string {
  return Buffer.concat(w.take()).toString('latin1');
}

/** Runs `f` in both protocols and returns [resp2, resp3]. */
function both(f: (w: ReplyWriter) => void): [string, string] {
  const a = writer(2);
  const b = writer(3);
  f(a);
  f(b);
  return [out(a), out(b)];
}

describe('encodings in RESP2 and RESP3', () => {
  const cases: [string, (w: ReplyWriter) => void, string, string][] = [
    ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
    ['simple string', (w) => w.simple('QUEUED'), '+QUEUED\r\n', '+QUEUED\r\n'],
    ['error', (w) => w.error('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
    ['error with newlines', (w) => w.error('ERR a\r\nb\nc'), '-ERR a  b c\r\n', '-ERR a  b c\r\n'],
    // what Redis 7.0 sends for EVAL "return redis.error_reply('\r\nERR a\nb\r\n')" 0
    [
      'error with leading and trailing newlines',
      (w) => w.error('\r\nERR a\nb\r\n'),
      '-  ERR a b\r\n',
      '-  ERR a b\r\n',
    ],
    ['integer', (w) => w.int(42), ':42\r\n', ':42\r\n'],
    ['negative integer', (w) => w.int(-7), ':-7\r\n', ':-7\r\n'],
    [
      'int64 extremes as bigint',
      (w) => {
        w.int(9223372036854775807n);
        w.int(-9223372036854775808n);
      },
      ':9223372036854775807\r\n:-9223372036854775808\r\n',
      ':9223372036854775807\r\n:-9223372036854775808\r\n',
    ],
    ['bulk', (w) => w.bulk(Buffer.from('hello')), '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['empty bulk', (w) => w.bulk(Buffer.alloc(0)), '$0\r\n\r\n', '$0\r\n\r\n'],
    [
      'binary bulk with CRLF',
      (w) => w.bulk(Buffer.from([13, 10, 0, 255])),
      '$4\r\n\r\n\0\xff\r\n',
      '$4\r\n\r\n\0\xff\r\n',
    ],
    ['latin1 bulk string', (w) => w.bulkStr('k\xe9y'), '$3\r\nk\xe9y\r\n', '$3\r\nk\xe9y\r\n'],
    // "é" is two bytes in UTF-8: the length counts bytes
    ['utf-8 text', (w) => w.bulkText('\u00e9'), '$2\r\n\xc3\xa9\r\n', '$2\r\n\xc3\xa9\r\n'],
    ['null bulk', (w) => w.nullBulk(), '$-1\r\n', '_\r\n'],
    ['null array', (w) => w.nullArray(), '*-1\r\n', '_\r\n'],
    ['empty array', (w) => w.array(0), '*0\r\n', '*0\r\n'],
    [
      'array of bulks',
      (w) => w.bulks([Buffer.from('a'), Buffer.from('bc')]),
      '*2\r\n$1\r\na\r\n$2\r\nbc\r\n',
      '*2\r\n$1\r\na\r\n$2\r\nbc\r\n',
    ],
    ['array of latin1 strings', (w) => w.bulkStrs(['x']), '*1\r\n$1\r\nx\r\n', '*1\r\n$1\r\nx\r\n'],
    [
      'map',
      (w) => {
        w.map(2);
        w.bulkStr('a');
        w.int(1);
        w.bulkStr('b');
        w.nullBulk();
      },
      '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n',
      '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n',
    ],
    ['empty map', (w) => w.map(0), '*0\r\n', '%0\r\n'],
    [
      'set',
      (w) => {
        w.set(2);
        w.bulkStr('m1');
        w.bulkStr('m2');
      },
      '*2\r\n$2\r\nm1\r\n$2\r\nm2\r\n',
      '~2\r\n$2\r\nm1\r\n$2\r\nm2\r\n',
    ],
    [
      'push',
      (w) => {
        w.push(3);
        w.bulkStr('message');
        w.bulkStr('ch');
        w.bulk(Buffer.from('hi'));
      },
      '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n',
      '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n',
    ],
    ['bool true', (w) => w.bool(true), ':1\r\n', '#t\r\n'],
    ['bool false', (w) => w.bool(false), ':0\r\n', '#f\r\n'],
    ['double', (w) => w.double(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['double inf', (w) => w.double(Number.POSITIVE_INFINITY), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', (w) => w.double(Number.NEGATIVE_INFINITY), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['double nan', (w) => w.double(Number.NaN), '$3\r\nnan\r\n', ',nan\r\n'],
    ['double 0.1', (w) => w.double(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n'],
    ['double -0', (w) => w.double(-0), '$2\r\n-0\r\n', ',-0\r\n'],
    [
      'big number',
      (w) => w.bigNumber('3492890328409238509324850943850943825024385'),
      '$43\r\n3492890328409238509324850943850943825024385\r\n',
      '(3492890328409238509324850943850943825024385\r\n',
    ],
    ['verbatim', (w) => w.verbatim('Some string'), '$11\r\nSome string\r\n', '=15\r\ntxt:Some string\r\n'],
    ['verbatim markdown', (w) => w.verbatim('# x', 'mkd'), '$3\r\n# x\r\n', '=7\r\nmkd:# x\r\n'],
    [
      'verbatim utf-8 counts bytes',
      (w) => w.verbatim('\u00e9'),
      '$2\r\n\xc3\xa9\r\n',
      '=6\r\ntxt:\xc3\xa9\r\n',
    ],
  ];
  for (const [name, f, r2, r3] of cases) {
    test(name, () => {
      const [a, b] = both(f);
      assert.equal(JSON.stringify(a), JSON.stringify(r2), 'RESP2');
      assert.equal(JSON.stringify(b), JSON.stringify(r3), 'RESP3');
    });
  }

  test('every encoding is one well-formed reply per call', () => {
    for (const [name, f] of cases) {
      for (const proto of [2, 3] as const) {
        const w = writer(proto);
        f(w);
        const buf = Buffer.concat(w.take());
        let pos = 0;
        let n = 0;
        while (pos < buf.length) {
          const end = replyEnd(buf, pos);
          assert.ok(end > pos, `${name} RESP${proto}: incomplete reply`);
          pos = end;
          n++;
        }
        assert.ok(n >= 1, name);
      }
    }
  });

  test('errors are counted and remembered', () => {
    const w = writer(2);
    w.error('ERR one');
    w.error('WRONGTYPE two');
    assert.equal(w.errors, 2);
    assert.equal(w.lastError, 'WRONGTYPE two');
  });
});

describe('%.17g doubles (as C printf, verified with glibc)', () => {
  const cases: [number, string][] = [
    [0.1, '0.10000000000000001'],
    [1e21, '1e+21'],
    [1e-5, '1.0000000000000001e-05'],
    [-0, '-0'],
    [0, '0'],
    [1.5, '1.5'],
    [3, '3'],
    [100, '100'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [0.3, '0.29999999999999999'],
    [1 / 3, '0.33333333333333331'],
    [1e-4, '0.0001'],
    [-1e-4, '-0.0001'],
    [0.000123456, '0.00012345600000000001'],
    [2 ** 53, '9007199254740992'],
    [2.5e-310, '2.5000000000000171e-310'],
    [5e-324, '4.9406564584124654e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [1.2345678901234567e19, '1.2345678901234567e+19'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ];
  for (const [d, s] of cases) {
    test(`${Object.is(d, -0) ? '-0' : String(d)} → ${s}`, () => {
      assert.equal(formatDouble17(d), s);
      const [r2, r3] = both((w) => w.double(d));
      assert.equal(r2, `$${s.length}\r\n${s}\r\n`);
      assert.equal(r3, `,${s}\r\n`);
    });
  }

  test('formatted doubles read back to the same value', () => {
    const rnd = prng(7);
    const buf = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 2000; i++) {
      buf.setUint32(0, Math.floor(rnd() * 2 ** 32));
      buf.setUint32(4, Math.floor(rnd() * 2 ** 32));
      const d = buf.getFloat64(0);
      if (Number.isNaN(d)) continue;
      assert.equal(Number(formatDouble17(d)), d, `${d}`);
    }
  });
});

describe('values larger than a slab', () => {
  const SLAB = 64 * 1024;

  test('a bulk bigger than the slab is intact', () => {
    for (const proto of [2, 3] as const) {
      const w = writer(proto);
      const v = Buffer.alloc(3 * SLAB + 17);
      for (let i = 0; i < v.length; i++) v[i] = (i * 31) & 0xff;
      w.simple('before');
      w.bulk(v);
      w.simple('after');
      const buf = Buffer.concat(w.take());
      const [a, e1] = decode(buf, 0);
      const [b, e2] = decode(buf, e1);
      const [c, e3] = decode(buf, e2);
      assert.equal(a, 'before');
      assert.ok(Buffer.isBuffer(b) && b.equals(v));
      assert.equal(c, 'after');
      assert.equal(e3, buf.length);
    }
  });

  test('many small replies crossing slab boundaries keep their order', () => {
    const w = writer(3);
    const n = 20000;
    w.array(n);
    for (let i = 0; i < n; i++) w.bulkStr(`value:${i}`);
    const buf = Buffer.concat(w.take());
    assert.ok(buf.length > 2 * SLAB);
    const [v, end] = decode(buf, 0);
    assert.equal(end, buf.length);
    assert.ok(Array.isArray(v));
    assert.equal(v.length, n);
    for (let i = 0; i < n; i += 1111) assert.equal(String(v[i]), `value:${i}`);
  });

  test('taken buffers are never overwritten by later replies', () => {
    const w = writer(2);
    w.bulkStr('first');
    const taken = w.take();
    const snapshot = Buffer.concat(taken).toString('latin1');
    for (let i = 0; i < 5000; i++) w.bulkStr(`later:${i}`);
    w.bulk(Buffer.alloc(SLAB * 2, 'z'));
    assert.equal(Buffer.concat(taken).toString('latin1'), snapshot);
    assert.equal(snapshot, '$5\r\nfirst\r\n');
  });

  test('the store may change a value after it was written', () => {
    const w = writer(2);
    const v = Buffer.from('abc');
    w.bulk(v);
    const big = Buffer.alloc(SLAB + 5, 'q');
    w.bulk(big);
    v.fill(0x21);
    big.fill(0x21);
    const s = Buffer.concat(w.take()).toString('latin1');
    assert.equal(s, `$3\r\nabc\r\n$${SLAB + 5}\r\n${'q'.repeat(SLAB + 5)}\r\n`);
  });

  test('size() counts buffered bytes and take() empties it', () => {
    const w = writer(2);
    w.bulk(Buffer.alloc(SLAB * 2));
    w.ok();
    const expected = `$${SLAB * 2}\r\n`.length + SLAB * 2 + 2 + 5;
    assert.equal(w.size(), expected);
    assert.equal(
      w.take().reduce((n, b) => n + b.length, 0),
      expected,
    );
    assert.equal(w.size(), 0);
    assert.deepEqual(w.take(), []);
  });

  test('a raw buffer bigger than the slab', () => {
    const w = writer(2);
    const v = Buffer.alloc(SLAB + 100, 'r');
    w.ok();
    w.rawBuf(v);
    assert.equal(Buffer.concat(w.take()).toString(), `+OK\r\n${'r'.repeat(SLAB + 100)}`);
  });

  test('a long error or simple string', () => {
    const w = writer(2);
    const msg = `ERR ${'x'.repeat(SLAB + 10)}`;
    w.error(msg);
    w.simple('y'.repeat(SLAB));
    assert.equal(Buffer.concat(w.take()).toString(), `-${msg}\r\n+${'y'.repeat(SLAB)}\r\n`);
  });
});

test('decimalDigits and overwriteDecimal agree with String(n) at every digit boundary', () => {
  const values: number[] = [0, 1, 9, 10, 11, 99, 100, 2147483647, 2147483648, Number.MAX_SAFE_INTEGER];
  for (let p = 1; p <= 1e15; p *= 10) values.push(p - 1, p, p + 1);
  for (const v of values) {
    for (const n of v === 0 ? [0] : [v, -v]) {
      const text = String(n);
      assert.equal(decimalDigits(Math.abs(n)), String(Math.abs(n)).length, `digits of ${n}`);
      const same = Buffer.alloc(text.length, 0x78);
      assert.equal(overwriteDecimal(same, n), true);
      assert.equal(same.toString('latin1'), text);
      for (const len of [text.length - 1, text.length + 1]) {
        if (len < 1) continue;
        const other = Buffer.alloc(len, 0x78);
        assert.equal(overwriteDecimal(other, n), false, `${n} into ${len} bytes`);
        assert.equal(other.toString('latin1'), 'x'.repeat(len), 'left untouched');
      }
    }
  }
});
