// Multi-connection transcripts for blocking-command tests: several connections in db 9, one
// command sent without waiting, replies collected as text, 'pending' when none arrived in time.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode, RawClient } from './resp';
import { type Running, redisServerPath, startRedis, startRedoubt } from './servers';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Time for a command sent on one connection to be processed before another connection acts. */
export const SETTLE = 60;

/** A scenario run on one server: its transcript. */
export type Scenario = (port: number) => Promise<string[]>;

/** The next reply if one arrives within `ms`, else 'pending' (nothing is left waiting). */
export async function nextOrPending(c: RawClient, ms: number): Promise<string> {
  await sleep(ms);
  if (c.leftover().length === 0) return 'pending';
  return (await c.next()).toString('latin1');
}

/** `n` connections in db 9 (RESP `proto`), the db flushed. */
export async function clients(port: number, n: number, proto = 2): Promise<RawClient[]> {
  const out: RawClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await RawClient.connect({ port });
    if (proto === 3) await c.raw('HELLO', '3');
    await c.raw('SELECT', '9');
    out.push(c);
  }
  await out[0].raw('FLUSHDB');
  return out;
}

/** Sends a command without waiting for its reply. */
export function send(c: RawClient, ...args: string[]): void {
  c.write(encode(args));
}

/**
 * A suite running each scenario on redoubt and on redis-server 7.0: the transcripts must be
 * equal, and equal to `expected[name]` where given (pinning our behaviour when Redis is absent).
 * Without redis-server the comparison fails under REQUIRE_REDIS=1, as in CI.
 */
export function transcriptSuite(
  title: string,
  scenarios: Record<string, Scenario>,
  expected: Record<string, string[]>,
): void {
  describe(title, () => {
    let ours: Running;
    let ref: Running | null = null;
    before(async () => {
      [ours, ref] = await Promise.all([
        startRedoubt(),
        redisServerPath() ? startRedis() : Promise.resolve(null),
      ]);
    });
    after(async () => {
      await Promise.all([ours?.stop(), ref?.stop()]);
    });
    for (const [name, run] of Object.entries(scenarios)) {
      it(name, async () => {
        if (ref === null && process.env.REQUIRE_REDIS === '1')
          throw new Error('redis-server is required (REQUIRE_REDIS=1) but not installed');
        const got = await run(ours.port);
        if (expected[name]) assert.deepEqual(got, expected[name], 'redoubt transcript');
        if (ref !== null) assert.deepEqual(got, await run(ref.port), 'redoubt vs redis-server');
      });
    }
  });
}
