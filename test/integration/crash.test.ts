// Crash safety of the AOF: the server is killed with SIGKILL at a random moment while several
// clients write (INCR, RPUSH, SET and MULTI/EXEC transactions, each step awaiting its reply), then
// restarted on the same directory. Every write acknowledged before the kill must be there, the
// data must be a consistent prefix of what each client sent (no gaps, no torn transaction), and
// data from earlier rounds must survive later crashes. A small auto-rewrite threshold makes
// background rewrites run (and be killed) during the load.
// CRASH_ROUNDS=<n> runs a longer soak (default 3 kills per fsync policy).

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawClient, RespError } from '../helpers/resp';
import { type Running, startRedoubt, tmpDir } from '../helpers/servers';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);
const CLIENTS = 4;

interface Progress {
  /** steps whose every reply arrived */
  acked: number;
  /** steps started (their commands may or may not have reached the server) */
  sent: number;
}

async function writer(
  port: number,
  round: number,
  id: number,
  p: Progress,
  stop: { v: boolean },
): Promise<void> {
  let c: RawClient;
  try {
    c = await RawClient.connect({ port });
  } catch {
    return;
  }
  const tag = `${round}:${id}`;
  try {
    while (!stop.v) {
      const n = p.sent + 1;
      p.sent = n;
      const r1 = await c.call('INCR', `ctr:${tag}`);
      const r2 = await c.call('RPUSH', `list:${tag}`, n);
      const r3 = await c.call('SET', `key:${tag}:${n}`, `v${n}`);
      await c.call('MULTI');
      await c.call('INCR', `txa:${tag}`);
      await c.call('INCR', `txb:${tag}`);
      const r4 = await c.call('EXEC');
      for (const r of [r1, r2, r3, r4])
        if (r instanceof RespError) throw new Error(`write failed: ${r.message}`);
      assert.equal(r1, n);
      p.acked = n;
    }
  } catch (e) {
    if (!(e instanceof Error) || !/closed|ECONNRESET|EPIPE/.test(e.message)) throw e;
  } finally {
    c.close();
  }
}

/** Checks one client's keys of one round; returns the step count recovered. */
async function verify(c: RawClient, round: number, id: number, p: Progress | null): Promise<number> {
  const tag = `${round}:${id}`;
  const list = ((await c.call('LRANGE', `list:${tag}`, 0, -1)) as Buffer[]).map((b) => Number(b.toString()));
  const len = list.length;
  for (let i = 0; i < len; i++) assert.equal(list[i], i + 1, `list:${tag} is a gap-free prefix`);
  const ctr = Number((await c.call('GET', `ctr:${tag}`)) ?? 0);
  // steps run INCR then RPUSH: a kill in between leaves the counter one ahead
  assert.ok(ctr === len || ctr === len + 1, `ctr:${tag}=${ctr} vs list length ${len}`);
  const a = Number((await c.call('GET', `txa:${tag}`)) ?? 0);
  const b = Number((await c.call('GET', `txb:${tag}`)) ?? 0);
  assert.equal(a, b, `transaction of ${tag} is all or nothing`);
  assert.ok(a === len || a === len - 1, `txa:${tag}=${a} vs list length ${len}`);
  for (let n = 1; n < len; n++) {
    const v = await c.call('GET', `key:${tag}:${n}`);
    assert.equal(String(v), `v${n}`, `key:${tag}:${n}`);
  }
  if (p !== null) {
    assert.ok(len >= p.acked, `every acknowledged step of ${tag} survived (${len} < ${p.acked})`);
    assert.ok(ctr <= p.sent, `ctr:${tag} not beyond what was sent`);
  }
  return len;
}

async function crashRounds(policy: string): Promise<{ kills: number; steps: number; acked: number }> {
  const dir = tmpDir(`crash-${policy}-`);
  const args = [
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    policy,
    '--auto-aof-rewrite-min-size',
    '64kb',
    '--auto-aof-rewrite-percentage',
    '50',
  ];
  /** steps recovered per round and client, re-checked after every later crash */
  const recovered: number[][] = [];
  let steps = 0;
  let acked = 0;
  let r: Running | null = null;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      r = await startRedoubt({ dir, args });
      const progress: Progress[] = [];
      const stop = { v: false };
      const loops: Promise<void>[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        progress.push({ acked: 0, sent: 0 });
        loops.push(writer(r.port, round, i, progress[i], stop));
      }
      await new Promise((res) => setTimeout(res, 300 + Math.floor(Math.random() * 1200)));
      r.proc.kill('SIGKILL');
      await r.exited;
      stop.v = true;
      await Promise.all(loops);
      r = await startRedoubt({ dir, args });
      const c = await RawClient.connect({ port: r.port });
      const got: number[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        got.push(await verify(c, round, i, progress[i]));
        steps += got[i];
        acked += progress[i].acked;
      }
      recovered.push(got);
      for (let old = 0; old < round; old++) {
        for (let i = 0; i < CLIENTS; i++) {
          assert.equal(await verify(c, old, i, null), recovered[old][i], `round ${old} data kept`);
        }
      }
      c.close();
      await r.stop();
      r = null;
    }
  } finally {
    if (r !== null) await r.stop('SIGKILL');
  }
  return { kills: ROUNDS, steps, acked };
}

describe('AOF crash safety under SIGKILL', () => {
  for (const policy of ['always', 'everysec']) {
    it(`appendfsync ${policy}: every acknowledged write survives, consistent prefix`, async (t) => {
      const res = await crashRounds(policy);
      t.diagnostic(`${policy}: ${res.kills} kills, ${res.acked} acknowledged steps, ${res.steps} recovered`);
      assert.ok(res.acked > 0, 'writes were acknowledged before the kills');
    });
  }
});
