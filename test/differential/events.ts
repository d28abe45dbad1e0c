// Keyspace notifications that a script of commands causes, as a subscriber on the server sees
// them: the differential suites record them on redoubt and on redis-server and compare.

import { encode, RawClient } from '../helpers/resp';

/** A client blocked by `block`, then served by another client's `serve`. */
export interface BlockedStep {
  block: string[];
  serve: string[];
}

/**
 * Runs `steps` in db 9 (flushed first), then each blocked step, with a PSUBSCRIBE on
 * `__key*@9__:*`; returns every message received, CRLFs shown as spaces, in order.
 */
export async function keyspaceEvents(
  port: number,
  steps: string[][],
  blocked: BlockedStep[] = [],
): Promise<string[]> {
  const sub = await RawClient.connect({ port });
  const cmd = await RawClient.connect({ port });
  const waiter = await RawClient.connect({ port });
  try {
    await cmd.raw('SELECT', '9');
    await cmd.raw('FLUSHDB');
    await waiter.raw('SELECT', '9');
    await sub.raw('PSUBSCRIBE', '__key*@9__:*');
    await sub.raw('SUBSCRIBE', 'end');
    for (const s of steps) await cmd.raw(...s);
    for (const b of blocked) {
      waiter.write(encode(b.block));
      // long enough for the server to block the client before the serving command arrives
      await new Promise((r) => setTimeout(r, 60));
      await cmd.raw(...b.serve);
      await waiter.next();
    }
    await cmd.raw('PUBLISH', 'end', 'x');
    const got: string[] = [];
    for (;;) {
      const m = (await sub.next()).toString('latin1');
      if (m.includes('$3\r\nend\r\n')) break;
      got.push(m.replace(/\r\n/g, ' '));
    }
    return got;
  } finally {
    for (const c of [sub, cmd, waiter]) c.close();
  }
}
