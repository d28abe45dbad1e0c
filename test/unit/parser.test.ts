// Request parser: chunking independence, pipelines, inline commands, binary arguments, limits.
// The error texts asserted here are the ones real Redis 7.0 sends for the same bytes
// (test/integration/protocol.test.ts replays them against redis-server).

import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INLINE_MAX, MAX_MULTIBULK, ProtocolError, RequestParser } from '../../src/protocol/parser';
import { prng, randomCuts, splitAt } from '../helpers/random';
import { encode } from '../helpers/resp';

const DEFAULT_LIMITS = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false };

interface Outcome {
  cmds: string[][];
  error: string | null;
}

function newParser(limits: Partial<typeof DEFAULT_LIMITS> = {}): RequestParser {
  return new RequestParser({ ...DEFAULT_LIMITS, ...limits });
}

/** Feeds the chunks in order, draining complete requests after each one, as the connection does. */
function parseChunks(chunks: Buffer[], p: RequestParser = newParser()): Outcome {
  const cmds: string[][] = [];
  try {
    for (const ch of chunks) {
      p.feed(ch);
      for (let r = p.next(); r !== null; r = p.next()) cmds.push(r.map((a) => a.toString('latin1')));
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { cmds, error: e.reply };
  }
  return { cmds, error: null };
}

function byteByByte(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) out.push(buf.subarray(i, i + 1));
  return out;
}

const bin = (...bytes: number[]) => Buffer.from(bytes);
const lat = (s: string) => Buffer.from(s, 'latin1');

/** Request streams with the commands they must yield. */
const VALID: { name: string; input: Buffer; cmds: string[][] }[] = [
  { name: 'simple multibulk', input: encode(['SET', 'key', 'value']), cmds: [['SET', 'key', 'value']] },
  {
    name: 'binary with CRLF inside bulks',
    input: encode(['SET', lat('k\r\n'), bin(13, 10, 0, 255, 13, 10, 36, 51, 13, 10)]),
    cmds: [['SET', 'k\r\n', '\r\n\0\xff\r\n$3\r\n']],
  },
  {
    name: 'empty bulk and empty arrays',
    input: Buffer.concat([lat('*0\r\n*-1\r\n'), encode(['ECHO', '']), lat('*-5\r\n')]),
    cmds: [['ECHO', '']],
  },
  {
    name: 'mixed inline and multibulk pipeline',
    input: Buffer.concat([lat('PING\r\n'), encode(['GET', 'a']), lat('SET x y\n'), encode(['DEL', 'x'])]),
    cmds: [['PING'], ['GET', 'a'], ['SET', 'x', 'y'], ['DEL', 'x']],
  },
  {
    name: 'inline quoting as redis-cli/telnet send it',
    input: lat(`SET "a b" 'c d'\r\nECHO "\\x41\\n\\t\\\\\\"" 'it\\'s'\r\n`),
    cmds: [
      ['SET', 'a b', 'c d'],
      ['ECHO', 'A\n\t\\"', "it's"],
    ],
  },
  {
    name: 'empty lines and whitespace-only lines are skipped',
    input: lat('\r\n\n   \r\n\t\nPING\r\n\r\n'),
    cmds: [['PING']],
  },
  {
    name: 'LF-only line endings',
    input: lat('PING\nECHO hi\n'),
    cmds: [['PING'], ['ECHO', 'hi']],
  },
  {
    name: 'CR before CRLF is whitespace in inline',
    input: lat('PING\r\r\nECHO a\rb\r\n'),
    cmds: [['PING'], ['ECHO', 'a', 'b']],
  },
  {
    name: 'high bytes survive as latin1',
    input: Buffer.concat([lat('ECHO \xff\xfe\r\n'), encode([lat('SET'), bin(0xc3, 0x28), bin(0x80)])]),
    cmds: [
      ['ECHO', '\xff\xfe'],
      ['SET', '\xc3\x28', '\x80'],
    ],
  },
  {
    name: 'trailing bytes after a bulk are skipped unchecked, like Redis',
    input: lat('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'),
    cmds: [['PING'], ['PING']],
  },
  {
    name: 'bytes between CR and LF of a header are skipped, like Redis',
    input: lat('*1\rx$4\r\nPING\r\n'),
    cmds: [['PING']],
  },
  {
    name: 'a 70 KB bulk, larger than the inline line limit',
    input: Buffer.concat([encode(['SET', 'big', Buffer.alloc(70000, 'v')]), encode(['GET', 'big'])]),
    cmds: [
      ['SET', 'big', 'v'.repeat(70000)],
      ['GET', 'big'],
    ],
  },
];

describe('chunking independence', () => {
  for (const v of VALID) {
    test(`${v.name}: one chunk`, () => {
      assert.deepEqual(parseChunks([v.input]), { cmds: v.cmds, error: null });
    });
    test(`${v.name}: byte by byte`, () => {
      assert.deepEqual(parseChunks(byteByByte(v.input)), { cmds: v.cmds, error: null });
    });
    test(`${v.name}: split at every position`, () => {
      const max = Math.min(v.input.length, 400);
      for (let i = 0; i <= max; i++) {
        const at = v.input.length > 400 ? Math.floor((i * v.input.length) / max) : i;
        assert.deepEqual(
          parseChunks(splitAt(v.input, [at])),
          { cmds: v.cmds, error: null },
          `split at ${at}`,
        );
      }
    });
    if (v.input.length <= 80) {
      test(`${v.name}: split at every pair of positions`, () => {
        for (let i = 0; i <= v.input.length; i++) {
          for (let j = i; j <= v.input.length; j++) {
            assert.deepEqual(
              parseChunks(splitAt(v.input, [i, j])),
              { cmds: v.cmds, error: null },
              `${i},${j}`,
            );
          }
        }
      });
    }
    test(`${v.name}: random splits`, () => {
      const rnd = prng(v.input.length);
      for (let k = 0; k < 200; k++) {
        const cuts = randomCuts(v.input.length, rnd, 12);
        assert.deepEqual(parseChunks(splitAt(v.input, cuts)), { cmds: v.cmds, error: null }, `cuts ${cuts}`);
      }
    });
  }

  test('all valid streams concatenated, random splits', () => {
    const all = Buffer.concat(VALID.map((v) => v.input));
    const cmds = VALID.flatMap((v) => v.cmds);
    const rnd = prng(42);
    for (let k = 0; k < 100; k++) {
      const cuts = randomCuts(all.length, rnd, 40);
      assert.deepEqual(parseChunks(splitAt(all, cuts)), { cmds, error: null });
    }
  });

  test('arguments stay valid after later chunks arrive (zero-copy slices are never overwritten)', () => {
    const p = newParser();
    const a = encode(['SET', 'k1', 'first']);
    p.feed(a.subarray(0, 10));
    p.feed(a.subarray(10));
    const r1 = p.next();
    assert.ok(r1);
    p.feed(encode(['SET', 'k2', 'XXXXX']));
    const r2 = p.next();
    assert.ok(r2);
    assert.deepEqual(
      r1.map((x) => x.toString()),
      ['SET', 'k1', 'first'],
    );
    assert.deepEqual(
      r2.map((x) => x.toString()),
      ['SET', 'k2', 'XXXXX'],
    );
  });
});

describe('pipelines', () => {
  test('10k multibulk commands in one chunk', () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 10000; i++) parts.push(encode(['SET', `key:${i}`, `value:${i}`]));
    const r = parseChunks([Buffer.concat(parts)]);
    assert.equal(r.error, null);
    assert.equal(r.cmds.length, 10000);
    for (let i = 0; i < 10000; i += 997) assert.deepEqual(r.cmds[i], ['SET', `key:${i}`, `value:${i}`]);
    assert.deepEqual(r.cmds[9999], ['SET', 'key:9999', 'value:9999']);
  });

  test('10k inline commands in one chunk', () => {
    const r = parseChunks([lat('PING\r\n'.repeat(10000))]);
    assert.equal(r.error, null);
    assert.equal(r.cmds.length, 10000);
  });

  test('10k commands in 4 KB chunks', () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 10000; i++) parts.push(encode(['INCR', `c${i % 13}`]));
    const all = Buffer.concat(parts);
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 4096) chunks.push(all.subarray(i, i + 4096));
    const r = parseChunks(chunks);
    assert.equal(r.cmds.length, 10000);
    assert.deepEqual(r.cmds[1234], ['INCR', `c${1234 % 13}`]);
  });

  test('commands before a protocol error are returned first', () => {
    const r = parseChunks([lat('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\nPING\r\n')]);
    assert.deepEqual(r, { cmds: [['PING'], ['PING']], error: 'ERR Protocol error: invalid bulk length' });
  });

  test('a line trickled in byte by byte is copied a bounded number of times, not once per byte', () => {
    const orig = Buffer.concat;
    let copied = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      const r = orig(list, total);
      copied += r.length;
      return r;
    }) as typeof Buffer.concat;
    try {
      for (const input of [
        `ECHO ${'a'.repeat(20000)}\r\n`,
        `*${'1'.repeat(20000)}\r\n`,
        `*1\r\n$${'2'.repeat(20000)}\r\n`,
        'P'.repeat(INLINE_MAX + 1),
      ]) {
        copied = 0;
        const r = parseChunks(byteByByte(lat(input)));
        assert.ok(r.cmds.length > 0 || r.error !== null, 'the line was processed');
        // re-copying the pending line for every byte would copy ~n²/2 bytes
        assert.ok(copied <= 4 * input.length, `${copied} bytes copied for a ${input.length}-byte line`);
      }
    } finally {
      Buffer.concat = orig;
    }
  });

  test('a large bulk arriving in many small chunks is assembled once', () => {
    const value = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
    const req = encode(['SET', 'k', value]);
    const p = newParser();
    let got: Buffer[] | null = null;
    for (let i = 0; i < req.length; i += 1000) {
      p.feed(req.subarray(i, i + 1000));
      const r = p.next();
      if (r) got = r;
      assert.ok(p.pending() <= i + 1000);
    }
    assert.ok(got);
    assert.ok(got[2].equals(value));
    assert.equal(p.pending(), 0);
    assert.equal(p.inProgress(), false);
  });
});

describe('inline commands', () => {
  const cases: [string, string[][]][] = [
    ['set "hello world" x\r\n', [['set', 'hello world', 'x']]],
    ['ECHO ""\r\n', [['ECHO', '']]],
    ['""\r\n', [['']]],
    ['ECHO "\\xzz\\x4a"\r\n', [['ECHO', 'xzzJ']]],
    ['ECHO\t\x0bx\r\n', [['ECHO', 'x']]],
    ['ECHO \'a\\\'b\' "c\\""\r\n', [['ECHO', "a'b", 'c"']]],
    ['ECHO "\\a\\b\\r"\n', [['ECHO', '\x07\b\r']]],
    ['$4\r\nPING\r\n', [['$4'], ['PING']]],
    ['PING\r\nPING', [['PING']]],
  ];
  for (const [input, cmds] of cases) {
    test(JSON.stringify(input), () => {
      assert.deepEqual(parseChunks([lat(input)]), { cmds, error: null });
      assert.deepEqual(parseChunks(byteByByte(lat(input))), { cmds, error: null });
    });
  }

  test('unbalanced quotes', () => {
    for (const s of ['ECHO "abc\r\n', "ECHO 'abc\n", 'ECHO "a"b\r\n', 'ECHO "abc\\"\r\n']) {
      assert.deepEqual(parseChunks([lat(s)]), {
        cmds: [],
        error: 'ERR Protocol error: unbalanced quotes in request',
      });
    }
  });

  test('an incomplete inline line is held until its newline', () => {
    const p = newParser();
    p.feed(lat('PI'));
    assert.equal(p.next(), null);
    assert.equal(p.inProgress(), true);
    p.feed(lat('NG'));
    assert.equal(p.next(), null);
    p.feed(lat('\n'));
    assert.deepEqual(p.next()?.map(String), ['PING']);
    assert.equal(p.inProgress(), false);
  });
});

describe('limits', () => {
  const errCase = (input: string | Buffer, error: string, limits: Partial<typeof DEFAULT_LIMITS> = {}) => {
    const buf = typeof input === 'string' ? lat(input) : input;
    assert.deepEqual(parseChunks([buf], newParser(limits)), { cmds: [], error }, JSON.stringify(input));
    // the same error whatever the chunking
    assert.deepEqual(parseChunks(byteByByte(buf), newParser(limits)).error, error);
  };
  const MB = 'ERR Protocol error: invalid multibulk length';
  const BULK = 'ERR Protocol error: invalid bulk length';

  test('invalid multibulk lengths', () => {
    for (const s of ['*x\r\n', '*\r\n', '*+1\r\n', '*01\r\n', '*-0\r\n', '**\r\n', '* 1\r\n', '*1 \r\n']) {
      errCase(s, MB);
    }
    errCase('*99999999999999999999\r\n', MB);
    errCase('*-99999999999999999999\r\n', MB);
  });

  test(`multibulk count above ${MAX_MULTIBULK} is refused before anything is allocated`, () => {
    assert.equal(MAX_MULTIBULK, 1024 * 1024);
    errCase(`*${MAX_MULTIBULK + 1}\r\n`, MB);
    errCase('*2147483648\r\n', MB);
    const p = newParser();
    p.feed(lat(`*${MAX_MULTIBULK}\r\n`));
    assert.equal(p.next(), null, 'the maximum is accepted and waits for its arguments');
    assert.equal(p.inProgress(), true);
  });

  test('negative multibulk counts are empty requests', () => {
    assert.deepEqual(parseChunks([lat('*-1\r\n*-2\r\n*0\r\nPING\r\n')]), { cmds: [['PING']], error: null });
  });

  test('invalid bulk lengths: $-1, negative, huge, non-numeric, leading zeros', () => {
    for (const len of ['-1', '-5', '-0', '4294967296', '536870913', 'x', '', '04', '+4', '1e3', ' 4']) {
      errCase(`*1\r\n$${len}\r\n`, BULK);
    }
  });

  test('proto-max-bulk-len is configurable', () => {
    errCase('*1\r\n$1001\r\n', BULK, { maxBulkLen: 1000 });
    const p = newParser({ maxBulkLen: 1000 });
    p.feed(lat(`*1\r\n$1000\r\n${'a'.repeat(1000)}\r\n`));
    assert.equal(p.next()?.[0].length, 1000);
  });

  test("a multibulk element that does not start with '$'", () => {
    errCase('*1\r\nPING\r\n', "ERR Protocol error: expected '$', got 'P'");
    errCase('*2\r\n$4\r\nECHO\r\n:4\r\n', "ERR Protocol error: expected '$', got ':'");
    errCase('*1\r\n+OK\r\n', "ERR Protocol error: expected '$', got '+'");
  });

  test('headers and inline lines over 64 KB without a newline', () => {
    assert.equal(INLINE_MAX, 64 * 1024);
    const long = '1'.repeat(INLINE_MAX + 1);
    errCase(`*${long}`, 'ERR Protocol error: too big mbulk count string');
    errCase(`*1\r\n$${long}`, 'ERR Protocol error: too big bulk count string');
    errCase('P'.repeat(INLINE_MAX + 1), 'ERR Protocol error: too big inline request');
    // exactly 64 KB is still waited for, and a newline just in time is fine
    const p = newParser();
    p.feed(lat('P'.repeat(INLINE_MAX)));
    assert.equal(p.next(), null);
    const ok = parseChunks([lat(`ECHO ${'a'.repeat(INLINE_MAX + 100)}\r\n`)]);
    assert.equal(ok.error, null);
    assert.equal(ok.cmds[0][1].length, INLINE_MAX + 100);
  });

  test('unauthenticated clients: at most 10 arguments and 16 KB bulks', () => {
    const un = { unauthenticated: true };
    errCase('*11\r\n', 'ERR Protocol error: unauthenticated multibulk length', un);
    errCase(`*${MAX_MULTIBULK}\r\n`, 'ERR Protocol error: unauthenticated multibulk length', un);
    errCase('*2\r\n$4\r\nAUTH\r\n$16385\r\n', 'ERR Protocol error: unauthenticated bulk length', un);
    // the limits themselves are allowed
    const ten = encode(['AUTH', ...Array.from({ length: 9 }, (_, i) => `a${i}`)]);
    assert.equal(parseChunks([ten], newParser(un)).cmds[0].length, 10);
    const big = encode(['AUTH', Buffer.alloc(16384, 'p')]);
    assert.equal(parseChunks([big], newParser(un)).cmds[0][1].length, 16384);
    // an invalid count is still reported as invalid, not as unauthenticated
    errCase('*x\r\n', MB, un);
    errCase('*1\r\n$-1\r\n', BULK, un);
    // inline commands are not limited by argument count (Redis does the same)
    assert.equal(parseChunks([lat('A B C D E F G H I J K L\r\n')], newParser(un)).cmds[0].length, 12);
  });

  test('authenticating lifts the limits for the following requests', () => {
    const p = newParser({ unauthenticated: true });
    p.feed(encode(['AUTH', 'pw']));
    assert.ok(p.next());
    p.limits.unauthenticated = false;
    p.feed(encode(['MSET', ...Array.from({ length: 20 }, (_, i) => `x${i}`)]));
    assert.equal(p.next()?.length, 21);
  });

  test('pending() tracks the held query buffer and returns to zero', () => {
    const p = newParser();
    const req = encode(['SET', 'k', Buffer.alloc(100000, 1)]);
    p.feed(req.subarray(0, 50000));
    assert.equal(p.next(), null);
    assert.ok(p.pending() > 0 && p.pending() <= 50000);
    p.feed(req.subarray(50000));
    assert.ok(p.next());
    assert.equal(p.next(), null);
    assert.equal(p.pending(), 0);
  });
});

describe('limits wired to the configuration', () => {
  test('CONFIG SET proto-max-bulk-len reaches the parsers of connected clients', async () => {
    const { Server } = await import('../../src/server/server');
    const { Client } = await import('../../src/server/client');
    const s = new Server();
    const c = new Client(s, 1, null, s.dbs[0], 0, s.config.num('proto-max-bulk-len'), true);
    s.clients.set(c.id, c);
    assert.equal(c.parser.limits.maxBulkLen, 512 * 1024 * 1024);
    assert.equal(s.config.set('proto-max-bulk-len', ['1mb']), null);
    assert.equal(c.parser.limits.maxBulkLen, 1024 * 1024);
    c.parser.feed(Buffer.from('*1\r\n$1048577\r\n'));
    assert.throws(() => c.parser.next(), /invalid bulk length/);
  });
});
