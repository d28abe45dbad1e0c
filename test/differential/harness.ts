// Differential testing: the same commands go to redoubt and to a real redis-server 7.0, and the
// raw replies are compared byte for byte (or after a declared normalisation), in RESP2 and RESP3.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode, RawClient, RespError, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from '../helpers/servers';

export type Mode =
  | 'exact' // byte for byte
  | 'sorted' // arrays/sets/maps compared as multisets (order-free replies: SMEMBERS, KEYS)
  | 'ignore' // run on both, compare nothing (setup whose reply differs by design)
  | 'type' // same reply type and, for errors, the same error code
  | 'error'; // both are errors with the same full text

export type Arg = string | Buffer | number;
export type Step = Arg[] | { cmd: Arg[]; mode?: Mode; note?: string };

export interface Pair {
  redoubt: RawClient;
  redis: RawClient;
}

export function show(b: Buffer): string {
  return JSON.stringify(b.toString('latin1'));
}

function canon(v: RespValue): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `b:${v.toString('latin1')}`;
  if (v instanceof RespError) return `e:${v.message}`;
  if (Array.isArray(v)) return `[${v.map(canon).sort().join(',')}]`;
  if (typeof v === 'object') {
    if ('map' in v)
      return `{${v.map
        .map(([k, x]) => `${canon(k)}=>${canon(x)}`)
        .sort()
        .join(',')}}`;
    if ('set' in v) return `~[${v.set.map(canon).sort().join(',')}]`;
    if ('push' in v) return `>[${v.push.map(canon).join(',')}]`;
    if ('double' in v) return `d:${v.double}`;
    if ('verbatim' in v) return `v:${v.verbatim}`;
  }
  return `${typeof v}:${String(v)}`;
}

/** Compares one command's replies on both servers according to `mode`. */
export async function compare(pair: Pair, cmd: Arg[], mode: Mode = 'exact'): Promise<void> {
  const [a, b] = await Promise.all([pair.redoubt.raw(...cmd), pair.redis.raw(...cmd)]);
  const label = `${cmd.map((x) => (Buffer.isBuffer(x) ? x.toString('latin1') : String(x))).join(' ')}`;
  switch (mode) {
    case 'ignore':
      return;
    case 'exact':
      assert.equal(show(a), show(b), `reply to: ${label}`);
      return;
    case 'sorted':
      assert.equal(canon(decode(a, 0)[0]), canon(decode(b, 0)[0]), `reply (order-free) to: ${label}`);
      return;
    case 'type': {
      assert.equal(
        String.fromCharCode(a[0]),
        String.fromCharCode(b[0]),
        `reply type to: ${label}: ${show(a)} vs ${show(b)}`,
      );
      if (a[0] === 45) assert.equal(show(a).split(' ')[0], show(b).split(' ')[0], `error code for: ${label}`);
      return;
    }
    case 'error':
      assert.equal(a[0], 45, `expected an error from redoubt for: ${label}, got ${show(a)}`);
      assert.equal(show(a), show(b), `error text for: ${label}`);
      return;
  }
}

export async function runSteps(pair: Pair, steps: Step[]): Promise<void> {
  for (const s of steps) {
    if (Array.isArray(s)) await compare(pair, s, 'exact');
    else await compare(pair, s.cmd, s.mode ?? 'exact');
  }
}

/**
 * Registers a differential suite: each case runs on a flushed database in RESP2 and again in RESP3.
 * Without redis-server installed the suite is skipped with a message (CI always installs it).
 */
export function diffSuite(
  name: string,
  cases: Record<string, Step[]>,
  opts: { redoubtArgs?: string[]; redisArgs?: string[] } = {},
): void {
  const have = redisServerPath() !== null;
  if (!have && process.env.REQUIRE_REDIS === '1')
    throw new Error('redis-server is required (REQUIRE_REDIS=1)');
  describe(`differential: ${name}`, {
    skip: have ? false : 'redis-server not installed: differential tests skipped',
  }, () => {
    let ours: Running;
    let ref: Running | null;
    const pairs: Record<number, Pair> = {};
    before(async () => {
      [ours, ref] = await Promise.all([startRedoubt({ args: opts.redoubtArgs }), startRedis(opts.redisArgs)]);
      for (const proto of [2, 3]) {
        const p: Pair = {
          redoubt: await RawClient.connect({ port: ours.port }),
          redis: await RawClient.connect({ port: (ref as Running).port }),
        };
        if (proto === 3) await compare(p, ['HELLO', '3'], 'ignore');
        pairs[proto] = p;
      }
    });
    after(async () => {
      for (const p of Object.values(pairs)) {
        p.redoubt.close();
        p.redis.close();
      }
      await Promise.all([ours?.stop(), ref?.stop()]);
    });
    for (const proto of [2, 3]) {
      for (const [caseName, steps] of Object.entries(cases)) {
        it(`${caseName} (RESP${proto})`, async () => {
          const p = pairs[proto];
          await compare(p, ['SELECT', '9'], 'exact');
          await compare(p, ['FLUSHALL'], 'ignore');
          await runSteps(p, steps);
        });
      }
    }
  });
}
