// In-process benchmark of the request hot path without sockets: RESP bytes → parser →
// dispatcher → command → reply writer, as redis-benchmark's requests would take it. Measures
// CPU time (process.cpuUsage, so other load on the machine matters less than with wall time)
// per command, to compare optimisations of our own code in isolation from the kernel and the
// benchmark client. Usage: node dist/bench/hotpath.js [commands per case, default 200000]

import { Client } from '../src/server/client';
import { processInput } from '../src/server/connection';
import { Server } from '../src/server/server';

const COMMANDS = Number(process.argv[2] ?? process.env.HOTPATH_N ?? 200000);
/** Commands per simulated read (redis-benchmark -P 16 sends 16 per write); HOTPATH_BATCHES="16". */
const BATCHES = (process.env.HOTPATH_BATCHES ?? '1,16').split(',').map(Number);

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

const value16 = 'x'.repeat(16);
const value1k = 'x'.repeat(1024);
const key = 'key:__rand_int__';

/** Request sets as redis-benchmark sends them (upper-case names, the same key). */
const CASES: { name: string; setup?: string[]; req: string[] }[] = [
  { name: 'PING', req: ['PING'] },
  { name: 'SET 16', req: ['SET', key, value16] },
  { name: 'GET 16', setup: ['SET', key, value16], req: ['GET', key] },
  { name: 'SET 1k', req: ['SET', key, value1k] },
  { name: 'GET 1k', setup: ['SET', key, value1k], req: ['GET', key] },
  { name: 'INCR', req: ['INCR', 'counter:__rand_int__'] },
  {
    name: 'MSET 10',
    req: ['MSET', ...Array.from({ length: 10 }, () => [key, value16]).flat()],
  },
];

function runOnce(s: Server, req: string[]): void {
  const c = new Client(s, s.newClientId(), null, s.dbs[0], s.clock.now(), 512 * 1024 * 1024, true);
  c.parser.feed(Buffer.from(resp(req), 'latin1'));
  processInput(s, c);
}

function runCase(s: Server, req: string[], batch: number): number {
  const c = new Client(s, s.newClientId(), null, s.dbs[0], s.clock.now(), 512 * 1024 * 1024, true);
  const chunk = Buffer.from(resp(req).repeat(batch), 'latin1');
  const rounds = Math.ceil(COMMANDS / batch);
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) {
      // a fresh chunk per read, as the socket delivers
      c.parser.feed(Buffer.from(chunk));
      processInput(s, c);
      c.reply.take();
    }
    const dt = process.cpuUsage(t0);
    best = Math.min(best, ((dt.user + dt.system) * 1000) / (rounds * batch));
  }
  return best;
}

function main(): void {
  const s = new Server();
  s.log.level = 'nothing';
  console.log(`hot path, ${COMMANDS} commands per case, best of 3: ns of CPU per command`);
  console.log(`${'case'.padEnd(10)}${BATCHES.map((b) => `batch ${b}`.padStart(10)).join('')}`);
  // optional: HOTPATH_CASES="SET 16,GET 16" runs only those (e.g. for profiling)
  const only = process.env.HOTPATH_CASES?.split(',');
  for (const cs of CASES) {
    if (only !== undefined && !only.includes(cs.name)) continue;
    const cols: string[] = [];
    for (const b of BATCHES) {
      if (cs.setup) runOnce(s, cs.setup);
      cols.push(runCase(s, cs.req, b).toFixed(0).padStart(10));
    }
    console.log(`${cs.name.padEnd(10)}${cols.join('')}`);
  }
}

main();
