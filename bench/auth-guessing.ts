// Password-guessing benchmark: 100 parallel connections from 127.0.0.2 guess passwords as fast
// as the server lets them, while a legitimate client on 127.0.0.1 authenticates and pings.
// Prints the guesses per second that were actually checked against the password, for real
// Redis and for redoubt, and the legitimate client's latency during the attack.
// Usage: node dist/bench/auth-guessing.js [seconds=10]

import * as net from 'node:net';
import { RawClient } from '../test/helpers/resp';
import { type Running, startRedis, startRedoubt } from '../test/helpers/servers';

const SECONDS = Number(process.argv[2] ?? process.env.AUTH_BENCH_SECONDS ?? 10);
const CONNS = 100;
const PASSWORD = 'a-long-random-password-nobody-guesses-0123456789';

interface Result {
  checked: number;
  refused: number;
  perSecond: number[];
  legitLatencies: number[];
}

function guessLoop(port: number, stopAt: number, onReply: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    let buf = '';
    let n = 0;
    const send = () => {
      if (Date.now() >= stopAt) {
        sock.destroy();
        return;
      }
      sock.write(`AUTH guess-${n++}\r\n`);
    };
    sock.on('connect', send);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let i = buf.indexOf('\r\n');
      while (i >= 0) {
        onReply(buf.slice(0, i));
        buf = buf.slice(i + 2);
        i = buf.indexOf('\r\n');
        send();
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      // a refused or closed connection reconnects, as a determined attacker would
      if (Date.now() < stopAt) setTimeout(() => guessLoop(port, stopAt, onReply).then(resolve), 10);
      else resolve();
    });
  });
}

async function attack(srv: Running): Promise<Result> {
  const start = Date.now();
  const stopAt = start + SECONDS * 1000;
  const res: Result = { checked: 0, refused: 0, perSecond: new Array(SECONDS).fill(0), legitLatencies: [] };
  const onReply = (line: string) => {
    if (line.startsWith('-WRONGPASS') || line.startsWith('-ERR invalid password')) {
      res.checked++;
      const sec = Math.floor((Date.now() - start) / 1000);
      if (sec < SECONDS) res.perSecond[sec]++;
    } else {
      res.refused++;
    }
  };
  const legit = (async () => {
    while (Date.now() < stopAt) {
      const t0 = process.hrtime.bigint();
      const c = await RawClient.connect({ port: srv.port });
      let authReply = '';
      try {
        authReply = (await c.raw('AUTH', PASSWORD)).toString();
        await c.raw('PING');
      } catch (e) {
        console.error(
          `legitimate client failed: ${(e as Error).message} after AUTH reply ${JSON.stringify(authReply)}\n${srv.output().split('\n').slice(-25).join('\n')}`,
        );
        throw e;
      }
      c.close();
      res.legitLatencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.all([...Array.from({ length: CONNS }, () => guessLoop(srv.port, stopAt, onReply)), legit]);
  return res;
}

function pct(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function report(name: string, r: Result): void {
  const tail = r.perSecond.slice(Math.min(3, SECONDS - 1));
  const tailRate = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
  console.log(`${name}:`);
  console.log(
    `  password checks: ${r.checked} in ${SECONDS}s (${(r.checked / SECONDS).toFixed(1)}/s overall)`,
  );
  console.log(`  per second: ${r.perSecond.join(' ')}`);
  console.log(`  after the first 3 s: ${tailRate.toFixed(2)} guesses/s`);
  console.log(`  refused/other replies: ${r.refused}`);
  console.log(
    `  legitimate client (127.0.0.1) connect+AUTH+PING: p50 ${pct(r.legitLatencies, 50).toFixed(2)} ms, p99 ${pct(
      r.legitLatencies,
      99,
    ).toFixed(2)} ms, n=${r.legitLatencies.length}`,
  );
}

async function main(): Promise<void> {
  const redis = process.env.SKIP_REDIS ? null : await startRedis(['--requirepass', PASSWORD]);
  if (redis !== null) {
    const r = await attack(redis);
    await redis.stop();
    report('redis-server 7.0 (no throttling)', r);
  } else {
    console.log('redis-server not installed: skipping the reference run');
  }
  const ours = await startRedoubt({
    args: ['--requirepass', PASSWORD, '--loglevel', process.env.BENCH_LOGLEVEL ?? 'notice'],
  });
  const r = await attack(ours);
  await ours.stop();
  report('redoubt (defaults: auth-max-failures 10, lockout 300 s)', r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
