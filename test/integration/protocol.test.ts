// Raw protocol handling compared with real Redis 7.0: the same bytes go to redoubt and to a
// redis-server we start, and the replies (byte for byte) and whether the connection was closed
// must match. Expected texts are also written out, so the test means something without Redis.

import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { encode, RawClient } from '../helpers/resp';
import { type Running, skipWithoutRedis, startRedis, startRedoubt } from '../helpers/servers';
import { exchange, missingCommands, show } from '../helpers/wire';

const lat = (s: string) => Buffer.from(s, 'latin1');
const MB = '-ERR Protocol error: invalid multibulk length\r\n';
const BULK = '-ERR Protocol error: invalid bulk length\r\n';

interface Case {
  name: string;
  input: Buffer | Buffer[];
  /** what Redis 7.0 answers */
  out: string;
  closed: boolean;
  gapMs?: number;
}

const CASES: Case[] = [
  {
    name: 'negative multibulk count is an empty request',
    input: lat('*-1\r\nPING\r\n'),
    out: '+PONG\r\n',
    closed: false,
  },
  { name: 'zero multibulk count', input: lat('*0\r\n*-2\r\nPING\r\n'), out: '+PONG\r\n', closed: false },
  { name: 'non-numeric multibulk count', input: lat('*x\r\n'), out: MB, closed: true },
  { name: 'empty multibulk count', input: lat('*\r\nPING\r\n'), out: MB, closed: true },
  { name: 'multibulk count with +', input: lat('*+1\r\n$4\r\nPING\r\n'), out: MB, closed: true },
  { name: 'multibulk count with leading zero', input: lat('*01\r\n$4\r\nPING\r\n'), out: MB, closed: true },
  { name: 'multibulk count -0', input: lat('*-0\r\nPING\r\n'), out: MB, closed: true },
  { name: 'multibulk count with a space', input: lat('* 1\r\n'), out: MB, closed: true },
  { name: 'multibulk count beyond 64 bits', input: lat('*99999999999999999999\r\n'), out: MB, closed: true },
  { name: 'multibulk count beyond INT_MAX', input: lat('*2147483648\r\n'), out: MB, closed: true },
  { name: '$-1 as a request bulk', input: lat('*1\r\n$-1\r\n'), out: BULK, closed: true },
  { name: 'negative bulk length', input: lat('*1\r\n$-5\r\n'), out: BULK, closed: true },
  { name: '4 GB bulk length', input: lat('*1\r\n$4294967296\r\n'), out: BULK, closed: true },
  {
    name: 'bulk length above proto-max-bulk-len',
    input: lat('*1\r\n$536870913\r\n'),
    out: BULK,
    closed: true,
  },
  { name: 'non-numeric bulk length', input: lat('*1\r\n$x\r\n'), out: BULK, closed: true },
  { name: 'empty bulk length', input: lat('*1\r\n$\r\n'), out: BULK, closed: true },
  { name: 'bulk length with leading zero', input: lat('*1\r\n$04\r\nPING\r\n'), out: BULK, closed: true },
  { name: 'bulk length -0', input: lat('*1\r\n$-0\r\n'), out: BULK, closed: true },
  {
    name: "element not starting with '$'",
    input: lat('*1\r\nPING\r\n'),
    out: "-ERR Protocol error: expected '$', got 'P'\r\n",
    closed: true,
  },
  {
    name: 'integer where a bulk was expected, in chunks',
    input: [lat('*2\r\n$4\r\nEC'), lat('HO\r\n'), lat(':4\r\n')],
    gapMs: 30,
    out: "-ERR Protocol error: expected '$', got ':'\r\n",
    closed: true,
  },
  {
    name: 'CR where a bulk was expected is shown as a space',
    input: lat('*1\r\n\r\n'),
    out: "-ERR Protocol error: expected '$', got ' '\r\n",
    closed: true,
  },
  {
    name: 'high byte where a bulk was expected',
    input: lat('*1\r\n\xff\r\n'),
    out: "-ERR Protocol error: expected '$', got '\xff'\r\n",
    closed: true,
  },
  {
    name: 'commands before a protocol error are answered',
    input: lat('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\nPING\r\n'),
    out: `+PONG\r\n+PONG\r\n${BULK}`,
    closed: true,
  },
  {
    name: 'too big mbulk count string',
    input: lat(`*${'1'.repeat(70000)}`),
    out: '-ERR Protocol error: too big mbulk count string\r\n',
    closed: true,
  },
  {
    name: 'too big bulk count string',
    input: lat(`*1\r\n$${'1'.repeat(70000)}`),
    out: '-ERR Protocol error: too big bulk count string\r\n',
    closed: true,
  },
  {
    name: 'too big inline request',
    input: lat('P'.repeat(70000)),
    out: '-ERR Protocol error: too big inline request\r\n',
    closed: true,
  },
  {
    name: 'unbalanced quotes',
    input: lat('ECHO "abc\r\nPING\r\n'),
    out: '-ERR Protocol error: unbalanced quotes in request\r\n',
    closed: true,
  },
  {
    name: 'closing quote followed by a character',
    input: lat('ECHO "a"b\r\n'),
    out: '-ERR Protocol error: unbalanced quotes in request\r\n',
    closed: true,
  },
  {
    name: 'escaped quote at the end of the line',
    input: lat('ECHO "abc\\"\r\n'),
    out: '-ERR Protocol error: unbalanced quotes in request\r\n',
    closed: true,
  },
  {
    name: 'bytes after a bulk are skipped',
    input: lat('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'),
    out: '+PONG\r\n+PONG\r\n',
    closed: false,
  },
  {
    name: 'bytes between CR and LF of a header',
    input: lat('*1\rx$4\r\nPING\r\n'),
    out: '+PONG\r\n',
    closed: false,
  },
  { name: 'inline escapes', input: lat('ECHO "a b\\x41\\n"\r\n'), out: '$5\r\na bA\n\r\n', closed: false },
  {
    name: 'inline hex escape that is not one',
    input: lat('ECHO "\\xzz\\x4a"\r\n'),
    out: '$4\r\nxzzJ\r\n',
    closed: false,
  },
  { name: 'inline LF endings', input: lat('PING\nPING\n'), out: '+PONG\r\n+PONG\r\n', closed: false },
  {
    name: 'inline empty and blank lines',
    input: lat('\r\n\r\n\n   \r\nPING\r\n'),
    out: '+PONG\r\n',
    closed: false,
  },
  {
    name: 'inline CR inside a line separates arguments',
    input: lat('PING\rPING\r\n'),
    out: '$4\r\nPING\r\n',
    closed: false,
  },
  { name: 'inline CR CR LF', input: lat('PING\r\r\n'), out: '+PONG\r\n', closed: false },
  { name: 'inline quoted command name', input: lat('"PING"\r\n'), out: '+PONG\r\n', closed: false },
  {
    name: 'inline empty command name',
    input: lat('""\r\n'),
    out: "-ERR unknown command '', with args beginning with: \r\n",
    closed: false,
  },
  {
    name: 'inline dollar line is a command',
    input: lat('$4\r\nPING\r\n'),
    out: "-ERR unknown command '$4', with args beginning with: \r\n+PONG\r\n",
    closed: false,
  },
  {
    name: 'inline with high bytes',
    input: lat('\xff\xfe\r\n'),
    out: "-ERR unknown command '\xff\xfe', with args beginning with: \r\n",
    closed: false,
  },
  {
    name: 'inline single-quote escapes',
    input: lat("ECHO 'a\\'b'\r\n"),
    out: "$3\r\na'b\r\n",
    closed: false,
  },
  {
    name: 'binary bulk',
    input: lat('*2\r\n$4\r\nECHO\r\n$3\r\n\xff\r\n\r\n'),
    out: '$3\r\n\xff\r\n\r\n',
    closed: false,
  },
  { name: 'empty bulk', input: lat('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n'), out: '$0\r\n\r\n', closed: false },
  { name: 'multibulk without CR waits', input: lat('*1\n$4\nPING\n'), out: '', closed: false },
  { name: 'maximum count waits for arguments', input: lat('*1048576\r\n'), out: '', closed: false },
  { name: 'incomplete bulk waits', input: lat('*1\r\n$10\r\nPING'), out: '', closed: false },
];

describe('protocol errors compared with Redis 7.0', () => {
  let rd: Running;
  let redis: Running | null = null;
  before(async () => {
    [rd, redis] = await Promise.all([startRedoubt(), startRedis()]);
  });
  after(async () => {
    await Promise.all([rd?.stop(), redis?.stop()]);
  });

  for (const c of CASES) {
    test(c.name, async () => {
      // wait for the expected bytes (and close), however slow a loaded machine is
      const opts = { gapMs: c.gapMs, minBytes: Buffer.byteLength(c.out, 'latin1'), untilClosed: c.closed };
      const [mine, ref] = await Promise.all([
        exchange({ port: rd.port }, c.input, opts),
        redis ? exchange({ port: redis.port }, c.input, opts) : null,
      ]);
      if (ref) {
        assert.equal(show(ref.out), show(c.out), 'the expectation written here matches real Redis');
        assert.equal(ref.closed, c.closed, 'Redis closed the connection as expected');
      }
      assert.equal(show(mine.out), show(c.out));
      assert.equal(
        mine.closed,
        c.closed,
        c.closed ? 'connection closed after the error' : 'connection kept open',
      );
    });
  }

  test('the server still serves other clients after protocol errors', async () => {
    const r = await exchange({ port: rd.port }, encode(['PING']), { minBytes: 7 });
    assert.equal(r.out.toString(), '+PONG\r\n');
  });

  test('same bytes byte by byte give the same answers', async () => {
    const input = lat('PING\r\nECHO "x y"\r\n*2\r\n$4\r\nECHO\r\n$2\r\nab\r\n*1\r\n$-1\r\n');
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i++) chunks.push(input.subarray(i, i + 1));
    const mine = await exchange({ port: rd.port }, chunks, { gapMs: 2, untilClosed: true });
    assert.equal(show(mine.out), show(`+PONG\r\n$3\r\nx y\r\n$2\r\nab\r\n${BULK}`));
    assert.equal(mine.closed, true);
  });
});

describe('unauthenticated limits compared with Redis 7.0 (requirepass set)', () => {
  let rd: Running;
  let redis: Running | null = null;
  before(async () => {
    [rd, redis] = await Promise.all([
      startRedoubt({ args: ['--requirepass', 'sekret'] }),
      startRedis(['--requirepass', 'sekret']),
    ]);
  });
  after(async () => {
    await Promise.all([rd?.stop(), redis?.stop()]);
  });

  const AUTH = encode(['AUTH', 'sekret']);
  const cases: Case[] = [
    {
      name: 'more than 10 arguments before AUTH',
      input: lat('*11\r\n'),
      out: '-ERR Protocol error: unauthenticated multibulk length\r\n',
      closed: true,
    },
    {
      name: 'maximum count before AUTH',
      input: lat('*1048576\r\n'),
      out: '-ERR Protocol error: unauthenticated multibulk length\r\n',
      closed: true,
    },
    { name: '10 arguments are allowed before AUTH', input: lat('*10\r\n'), out: '', closed: false },
    {
      name: 'bulk over 16 KB before AUTH',
      input: lat('*2\r\n$4\r\nAUTH\r\n$16385\r\n'),
      out: '-ERR Protocol error: unauthenticated bulk length\r\n',
      closed: true,
    },
    {
      name: '16 KB bulk is allowed before AUTH',
      input: lat('*2\r\n$4\r\nAUTH\r\n$16384\r\n'),
      out: '',
      closed: false,
    },
    {
      name: 'an invalid count is reported as invalid, not unauthenticated',
      input: lat('*x\r\n'),
      out: MB,
      closed: true,
    },
    {
      name: 'inline commands are not limited by argument count',
      input: lat('SET a b c d e f g h i j k\r\n'),
      out: '-NOAUTH Authentication required.\r\n',
      closed: false,
    },
    {
      name: 'PING needs AUTH',
      input: encode(['PING']),
      out: '-NOAUTH Authentication required.\r\n',
      closed: false,
    },
    {
      name: 'a wrong password keeps the limits',
      input: Buffer.concat([encode(['AUTH', 'nope']), lat('*11\r\n')]),
      out: '-WRONGPASS invalid username-password pair or user is disabled.\r\n-ERR Protocol error: unauthenticated multibulk length\r\n',
      closed: true,
    },
    {
      name: 'AUTH lifts both limits',
      input: Buffer.concat([
        AUTH,
        encode(['ECHO', ...Array.from({ length: 11 }, () => 'x')]),
        encode(['ECHO', Buffer.alloc(20000, 'z')]),
      ]),
      out: `+OK\r\n-ERR wrong number of arguments for 'echo' command\r\n$20000\r\n${'z'.repeat(20000)}\r\n`,
      closed: false,
    },
    {
      name: 'RESET drops authentication and brings the limits back',
      input: Buffer.concat([AUTH, encode(['RESET']), lat('*11\r\n')]),
      out: '+OK\r\n+RESET\r\n-ERR Protocol error: unauthenticated multibulk length\r\n',
      closed: true,
    },
    {
      name: 'AUTH in the same packet as the big request',
      input: Buffer.concat([
        AUTH,
        lat('*2\r\n$4\r\nECHO\r\n$16385\r\n'),
        Buffer.alloc(16385, 'q'),
        lat('\r\n'),
      ]),
      out: `+OK\r\n$16385\r\n${'q'.repeat(16385)}\r\n`,
      closed: false,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const opts = { minBytes: Buffer.byteLength(c.out, 'latin1'), untilClosed: c.closed };
      const [mine, ref] = await Promise.all([
        exchange({ port: rd.port }, c.input, opts),
        redis ? exchange({ port: redis.port }, c.input, opts) : null,
      ]);
      if (ref) {
        assert.equal(show(ref.out), show(c.out), 'the expectation written here matches real Redis');
        assert.equal(ref.closed, c.closed);
      }
      assert.equal(show(mine.out), show(c.out));
      assert.equal(mine.closed, c.closed);
    });
  }
});

describe('limits changed at run time', () => {
  test('CONFIG SET proto-max-bulk-len applies to already connected clients', async () => {
    const [rd, redis] = await Promise.all([startRedoubt(), startRedis()]);
    try {
      const lacking = await missingCommands({ port: rd.port }, { 'CONFIG SET': ['CONFIG', 'GET', 'port'] });
      assert.deepEqual(lacking, [], 'CONFIG SET is required for this test');
      for (const srv of [redis, rd]) {
        if (srv === null) continue;
        const c = await RawClient.connect({ port: srv.port });
        assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
        const admin = await RawClient.connect({ port: srv.port });
        assert.equal((await admin.raw('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')).toString(), '+OK\r\n');
        admin.close();
        c.write('*2\r\n$4\r\nECHO\r\n$1048577\r\n');
        assert.equal(show(await c.next()), show(BULK), `port ${srv.port}`);
        await c.closed;
        const ok = await exchange({ port: srv.port }, encode(['ECHO', Buffer.alloc(1048576, 'e')]), {
          quietMs: 300,
        });
        assert.equal(ok.out.length, '$1048576\r\n'.length + 1048576 + 2, 'the limit itself is allowed');
      }
    } finally {
      await Promise.all([rd.stop(), redis?.stop()]);
    }
  });
});

describe('known, deliberate differences from Redis 7.0', () => {
  let rd: Running;
  before(async () => {
    rd = await startRedoubt();
  });
  after(async () => {
    await rd?.stop();
  });

  test('multibulk counts above 1024*1024 are refused (Redis 7.0 accepts up to INT_MAX)', async () => {
    // Redis 7.0.15 waits for the arguments of *1048577; redoubt keeps Redis 6's cap, which
    // bounds how many argument objects one request can make the server hold.
    const r = await exchange({ port: rd.port }, lat('*1048577\r\n'), { untilClosed: true });
    assert.equal(show(r.out), show(MB));
    assert.equal(r.closed, true);
  });

  test('inline commands are binary safe (Redis stops at a NUL byte and waits)', async () => {
    const r = await exchange({ port: rd.port }, lat('ECHO a\0b\r\n'), { minBytes: 9 });
    assert.equal(show(r.out), show('$3\r\na\0b\r\n'));
  });

  test("a NUL byte where '$' was expected is reported (Redis waits for more input)", async () => {
    const r = await exchange({ port: rd.port }, lat('*1\r\n\0x\r\n'), { untilClosed: true });
    assert.equal(show(r.out), show("-ERR Protocol error: expected '$', got '\0'\r\n"));
    assert.equal(r.closed, true);
  });
});

describe('differential fuzz: protocol-ish byte streams against Redis 7.0', () => {
  // Token streams without NUL bytes and without counts in (1024*1024, INT_MAX], where the two
  // servers deliberately differ (see above).
  const TOKENS = [
    '*',
    '$',
    '\r\n',
    '\r',
    '\n',
    ' ',
    '"',
    "'",
    '\\',
    '\\x41',
    '-1',
    '-',
    '0',
    '1',
    '2',
    '3',
    '10',
    '4294967296',
    'PING',
    'ECHO',
    'x',
    '\xff',
    '*1\r\n',
    '*2\r\n',
    '*-1\r\n',
    '$0\r\n',
    '$1\r\n',
    '$4\r\n',
    '$-1\r\n',
  ];
  const RUNS = Math.max(20, Math.floor((Number(process.env.FUZZ_RUNS ?? '') || 0) / 50));
  let rd: Running;
  let redis: Running | null = null;
  before(async () => {
    [rd, redis] = await Promise.all([startRedoubt(), startRedis()]);
  });
  after(async () => {
    await Promise.all([rd?.stop(), redis?.stop()]);
  });

  test(`${RUNS} random streams give byte-identical replies and the same close`, async (t) => {
    if (!redis) {
      skipWithoutRedis(t);
      return;
    }
    const ref = redis;
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 40 }),
        async (toks) => {
          const input = lat(toks.join(''));
          const compare = async (quietMs: number) => {
            const b = await exchange({ port: ref.port }, input, { quietMs });
            // redoubt gets at least as long as Redis needed
            const a = await exchange({ port: rd.port }, input, {
              quietMs,
              minBytes: b.out.length,
              untilClosed: b.closed,
            });
            return { a, b, same: a.out.equals(b.out) && a.closed === b.closed };
          };
          let r = await compare(120);
          // a slow moment on a shared machine can cut either side short: confirm before failing
          if (!r.same) r = await compare(1000);
          assert.equal(show(r.a.out), show(r.b.out), `input ${show(input)}`);
          assert.equal(r.a.closed, r.b.closed, `close differs for ${show(input)}`);
        },
      ),
      { numRuns: RUNS, seed },
    );
  });
});
