// Multi-connection transcripts for blocking-command tests: several connections in db 9, one
// command sent without waiting, replies collected as text, 'pending' when none arrived in time.

import { encode, RawClient } from './resp';

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
