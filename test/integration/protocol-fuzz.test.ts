// Live fuzzing: random and adversarial byte streams sent to a running redoubt over TCP.
// The server must never crash, must answer with well-formed replies and close the connection
// cleanly when the client hangs up, and another client must keep getting PONG meanwhile.
// FUZZ_RUNS=10000 runs a longer campaign (FUZZ_SEED reproduces one).

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { encode, replyEnd } from '../helpers/resp';
import { type Running, startRedoubt } from '../helpers/servers';
import { show } from '../helpers/wire';

const RUNS = Number(process.env.FUZZ_RUNS ?? '') || 60;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** PING round trips slower than this while fuzzing mean the server stalled. */
const MAX_PING_MS = 2000;

const TOKENS = [
  '*',
  '$',
  '\r\n',
  '\r',
  '\n',
  '\0',
  ' ',
  '"',
  "'",
  '\\',
  '\\x41',
  '-1',
  '0',
  '1',
  '2',
  '3',
  '11',
  '16385',
  '1048576',
  '1048577',
  '4294967296',
  '536870912',
  'PING',
  'ECHO',
  'SET',
  'GET',
  'k',
  '\xff',
  '*1\r\n',
  '*3\r\n',
  '*-1\r\n',
  '$0\r\n',
  '$3\r\n',
  '$-1\r\n',
];

const tokenStream = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 80 })
  .map((t) => Buffer.from(t.join(''), 'latin1'));

const safeCommand = fc.oneof(
  fc.constant([Buffer.from('PING')]),
  fc.uint8Array({ maxLength: 30 }).map((v) => [Buffer.from('ECHO'), Buffer.from(v)]),
  fc
    .tuple(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 200 }))
    .map(([k, v]) => [Buffer.from('SET'), Buffer.from(k), Buffer.from(v)]),
  fc.uint8Array({ maxLength: 8 }).map((k) => [Buffer.from('GET'), Buffer.from(k)]),
);

const mutated = fc
  .tuple(
    fc.array(safeCommand, { minLength: 1, maxLength: 10 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
  )
  .map(([cmds, muts]) => {
    const b = Buffer.from(Buffer.concat(cmds.map((c) => encode([...c]))));
    for (const [at, v] of muts) if (b.length > 0) b[at % b.length] = v;
    return b;
  });

/** Headers announcing far more than is sent: the server must hold only what arrived. */
const announced = fc
  .tuple(
    fc.constantFrom('*1048576\r\n', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n', '*2\r\n$4\r\nECHO\r\n'),
    fc.constantFrom('$536870912\r\n', '$4294967295\r\n', '$0\r\n\r\n'.repeat(1000), '$100000\r\n'),
    fc.uint8Array({ maxLength: 2000 }),
  )
  .map(([a, b, c]) => Buffer.concat([Buffer.from(a), Buffer.from(b), Buffer.from(c)]));

const streams = fc.oneof(
  fc.uint8Array({ maxLength: 500 }).map((u) => Buffer.from(u)),
  tokenStream,
  mutated,
  announced,
);

interface Result {
  out: Buffer;
  closed: boolean;
}

/** Sends the chunks, half-closes, and waits for the server to close its side. */
function fuzzOnce(port: number, chunks: Buffer[], gapMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const parts: Buffer[] = [];
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ out: Buffer.concat(parts), closed });
    };
    const timer = setTimeout(() => done(false), 5000);
    sock.on('data', (d: Buffer) => parts.push(d));
    sock.on('error', () => done(true));
    sock.on('close', () => done(true));
    sock.on('connect', async () => {
      for (const ch of chunks) {
        if (sock.destroyed) return;
        sock.write(ch);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      sock.end();
    });
  });
}

/** Every byte the server sent must be a sequence of complete replies. */
function assertWellFormed(out: Buffer, input: Buffer): void {
  let pos = 0;
  let last = '';
  while (pos < out.length) {
    let end: number;
    try {
      end = replyEnd(out, pos);
    } catch (e) {
      assert.fail(
        `malformed reply at ${pos}: ${(e as Error).message}; input ${show(input.subarray(0, 200))}`,
      );
    }
    assert.ok(
      end > pos,
      `truncated reply ${show(out.subarray(pos, pos + 80))} for input ${show(input.subarray(0, 200))}`,
    );
    last = out.toString('latin1', pos, Math.min(end, pos + 60));
    pos = end;
  }
  // after a protocol error nothing else may follow
  const perr = out.indexOf('-ERR Protocol error');
  if (perr >= 0)
    assert.ok(last.startsWith('-ERR Protocol error'), `replies after a protocol error: ${show(out)}`);
}

let rd: Running;
before(async () => {
  rd = await startRedoubt();
});
after(async () => {
  await rd?.stop();
});

test(`live fuzz: ${RUNS} hostile streams, server stays up and responsive`, async () => {
  // a bystander pings throughout and measures each round trip
  const watcher = net.connect({ port: rd.port, host: '127.0.0.1' });
  await new Promise((r) => watcher.once('connect', r));
  let pending: { at: number; resolve: () => void } | null = null;
  let acc = '';
  watcher.on('data', (d: Buffer) => {
    acc += d.toString('latin1');
    while (acc.startsWith('+PONG\r\n')) {
      acc = acc.slice(7);
      pending?.resolve();
    }
  });
  let worst = 0;
  let pings = 0;
  let stop = false;
  const pinger = (async () => {
    while (!stop) {
      const at = Date.now();
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no PONG within ${MAX_PING_MS * 2} ms`)),
          MAX_PING_MS * 2,
        );
        pending = {
          at,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        };
        watcher.write('*1\r\n$4\r\nPING\r\n');
      });
      pings++;
      worst = Math.max(worst, Date.now() - at);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  try {
    await fc.assert(
      fc.asyncProperty(
        streams,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom(0, 0, 5),
        async (input, cuts, gap) => {
          const sorted = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const c of sorted) {
            chunks.push(input.subarray(prev, c));
            prev = c;
          }
          chunks.push(input.subarray(prev));
          const r = await fuzzOnce(rd.port, chunks, gap);
          assert.equal(rd.proc.exitCode, null, `server exited:\n${rd.output().slice(-2000)}`);
          assert.ok(
            r.closed,
            `server did not close after the client hung up; input ${show(input.subarray(0, 200))}`,
          );
          assertWellFormed(r.out, input);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  } finally {
    stop = true;
    await pinger.catch((e) => assert.fail(e as Error));
    watcher.destroy();
  }
  assert.ok(pings > 0);
  assert.ok(worst < MAX_PING_MS, `a PING took ${worst} ms while fuzzing`);
  assert.equal(rd.proc.exitCode, null);
});

test('the server answers normally after the fuzzing', async () => {
  const r = await fuzzOnce(rd.port, [encode(['SET', 'after', 'fuzz']), encode(['GET', 'after'])], 0);
  assert.equal(r.out.toString(), '+OK\r\n$4\r\nfuzz\r\n');
});
