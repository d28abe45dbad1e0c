// Property tests for the request parser: random and adversarial byte streams.
// FUZZ_RUNS=10000 (or more) runs a longer campaign; the default keeps `npm test` short.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ProtocolError, RequestParser } from '../../src/protocol/parser';
import { encode } from '../helpers/resp';

const RUNS = Number(process.env.FUZZ_RUNS ?? '') || 300;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

interface Limits {
  maxBulkLen: number;
  unauthenticated: boolean;
}

interface Outcome {
  cmds: string[][];
  error: string | null;
}

/**
 * How chunks reach the parser. `shared`: each is copied into one scratch buffer that is fed,
 * handed back with release() and then scribbled over, as the server's shared read buffer is
 * reused; requests are read right away (as by commands that borrow their arguments), except
 * after chunks whose bit in `holdMask` is set, which are left in the parser (a blocked client).
 */
interface Feeding {
  shared: boolean;
  holdMask: number;
}
const OWN: Feeding = { shared: false, holdMask: 0 };

/** Feeds chunks, drains after each, and checks the memory invariant on the way. */
function run(chunks: Uint8Array[], limits: Limits, how: Feeding = OWN): Outcome {
  const p = new RequestParser({ ...limits });
  const cmds: string[][] = [];
  let fed = 0;
  const scratch = Buffer.alloc(Math.max(1, ...chunks.map((ch) => ch.byteLength)));
  try {
    for (let i = 0; i < chunks.length; i++) {
      const ch = chunks[i];
      let b = Buffer.from(ch.buffer, ch.byteOffset, ch.byteLength);
      if (how.shared) {
        scratch.set(b);
        b = scratch.subarray(0, ch.byteLength);
      }
      try {
        p.feed(b);
        fed += b.length;
        assert.ok(p.pending() <= fed, `pending ${p.pending()} > fed ${fed}`);
        const hold = i < chunks.length - 1 && ((how.holdMask >>> (i % 31)) & 1) === 1;
        if (!hold) {
          for (let r = p.next(); r !== null; r = p.next()) {
            assert.ok(r.length > 0, 'an empty request is never returned');
            cmds.push(r.map((a) => a.toString('latin1')));
            assert.ok(p.pending() <= fed, `pending ${p.pending()} > fed ${fed}`);
          }
        }
        assert.ok(p.pending() <= fed, `pending ${p.pending()} > fed ${fed}`);
      } finally {
        if (how.shared) {
          p.release(scratch.buffer);
          scratch.fill(0xaa);
        }
      }
    }
  } catch (e) {
    // anything else (TypeError, RangeError...) is a parser bug and fails the property
    if (!(e instanceof ProtocolError)) throw e;
    assert.match(e.reply, /^ERR Protocol error: [^\r\n]+$/);
    return { cmds, error: e.reply };
  }
  return { cmds, error: null };
}

function chunked(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const sorted = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(data.subarray(prev, c));
    prev = c;
  }
  out.push(data.subarray(prev));
  return out;
}

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
  '\\x4',
  '\\x41',
  '-1',
  '-',
  '0',
  '1',
  '2',
  '3',
  '10',
  '11',
  '16385',
  '1048577',
  '4294967296',
  '99999999999999999999',
  'PING',
  'SET',
  'x',
  '\xff',
  '*1\r\n',
  '*2\r\n',
  '*-1\r\n',
  '$0\r\n',
  '$3\r\n',
  '$-1\r\n',
];

/** Byte streams built from protocol-ish tokens: they reach deep parser states far more often than noise. */
const tokenStream = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 60 })
  .map((t) => new Uint8Array(Buffer.from(t.join(''), 'latin1')));

const argArb = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(new Uint8Array(0), new Uint8Array([13, 10]), new Uint8Array([36, 13, 10, 42])),
);
const commandArb = fc.array(argArb, { minLength: 1, maxLength: 6 });
const validStream = fc.array(commandArb, { minLength: 1, maxLength: 8 });

/** A valid stream with some bytes overwritten, inserted or removed. */
const mutatedStream = fc
  .tuple(
    validStream,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'ins', 'del')), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([cmds, muts]) => {
    const bytes = [...Buffer.concat(cmds.map((c) => encode(c.map((a) => Buffer.from(a)))))];
    for (const [at, v, kind] of muts) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (kind === 'set') bytes[i] = v;
      else if (kind === 'ins') bytes.splice(i, 0, v);
      else bytes.splice(i, 1);
    }
    return new Uint8Array(bytes);
  });

const anyStream = fc.oneof(fc.uint8Array({ maxLength: 300 }), tokenStream, mutatedStream);

const limitsArb = fc.record({
  maxBulkLen: fc.constantFrom(512 * 1024 * 1024, 100, 3, 0),
  unauthenticated: fc.boolean(),
});

const params = { numRuns: RUNS, seed: SEED };

test('arbitrary bytes: only ProtocolError, memory bounded, outcome independent of chunking', () => {
  fc.assert(
    fc.property(
      anyStream,
      fc.array(fc.nat(), { maxLength: 12 }),
      limitsArb,
      fc.nat(),
      (data, cuts, limits, mask) => {
        const whole = run([data], limits);
        const split = run(chunked(data, cuts), limits);
        assert.deepEqual(split, whole);
        // through a reused read buffer, with or without requests left in the parser in between
        assert.deepEqual(run(chunked(data, cuts), limits, { shared: true, holdMask: 0 }), whole);
        assert.deepEqual(run(chunked(data, cuts), limits, { shared: true, holdMask: mask }), whole);
        const bytes: Uint8Array[] = [];
        for (let i = 0; i < data.length; i++) bytes.push(data.subarray(i, i + 1));
        assert.deepEqual(run(bytes, limits), whole);
      },
    ),
    params,
  );
});

test('a valid prefix parses identically whatever follows and however it is chunked', () => {
  fc.assert(
    fc.property(validStream, anyStream, fc.array(fc.nat(), { maxLength: 12 }), (cmds, tail, cuts) => {
      const prefix = Buffer.concat(cmds.map((c) => encode(c.map((a) => Buffer.from(a)))));
      const expected = cmds.map((c) => c.map((a) => Buffer.from(a).toString('latin1')));
      const data = new Uint8Array(Buffer.concat([prefix, tail]));
      const limits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false };
      const r = run(chunked(data, cuts), limits);
      assert.deepEqual(r.cmds.slice(0, expected.length), expected);
      const shared = run(chunked(data, cuts), limits, {
        shared: true,
        holdMask: cuts.length > 0 ? cuts[0] : 0,
      });
      assert.deepEqual(shared.cmds.slice(0, expected.length), expected);
      // the prefix alone leaves nothing behind
      const p = new RequestParser(limits);
      p.feed(prefix);
      let n = 0;
      while (p.next() !== null) n++;
      assert.equal(n, expected.length);
      assert.equal(p.pending(), 0);
      assert.equal(p.inProgress(), false);
    }),
    params,
  );
});

test('declared lengths never cause allocation ahead of the data', () => {
  // a header announcing a huge bulk or count holds only the bytes actually received
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1024 * 1024 }),
      fc.integer({ min: 0, max: 512 * 1024 * 1024 }),
      fc.uint8Array({ maxLength: 200 }),
      (count, len, body) => {
        const head = Buffer.from(`*${count}\r\n$${len}\r\n`);
        const p = new RequestParser({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });
        p.feed(head);
        p.feed(Buffer.from(body));
        try {
          p.next();
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
        assert.ok(p.pending() <= head.length + body.length);
      },
    ),
    params,
  );
});
