// Sorted set scaling: per-operation cost of ZADD, ZRANGE and friends at 10k, 100k and 1M members,
// measured through the server with a raw pipelined client (batches of commands on one loopback
// connection). With an O(log n) structure the cost per operation grows only slightly from 10k to
// 1M members; a sort or a linear scan per query would grow ~100×. Prints wall-clock µs per
// operation and the server's CPU µs per operation (from /proc, steadier on a busy machine).
// No assertions: this prints numbers.
//
// Environment:
//   ZBENCH_SIZES  comma-separated member counts (default 10000,100000,1000000)
//   ZBENCH_OPS    operations per measured case (default 20000)
//   ZBENCH_REDIS  1 = also measure a real redis-server for reference
// Usage: npx tsc -p . && node dist/bench/zset-scale.js

import * as fs from 'node:fs';
import * as net from 'node:net';
import { prng } from '../test/helpers/random';
import { encode, replyEnd } from '../test/helpers/resp';
import { type Running, startRedis, startRedoubt } from '../test/helpers/servers';

/** One connection sending batches of commands and counting their replies. */
class Pipe {
  private buf: Buffer = Buffer.alloc(0);
  private want = 0;
  private got = 0;
  private done: (() => void) | null = null;
  private errors = 0;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
  }

  static connect(port: number): Promise<Pipe> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Pipe(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    let p = 0;
    for (;;) {
      const end = replyEnd(this.buf, p);
      if (end < 0) break;
      if (this.buf[p] === 45) this.errors++;
      p = end;
      this.got++;
    }
    this.buf = this.buf.subarray(p);
    if (this.got >= this.want && this.done !== null) {
      const f = this.done;
      this.done = null;
      f();
    }
  }

  /** Sends the commands in batches of `batch` and waits for every reply. */
  async run(cmds: string[][], batch = 1000): Promise<void> {
    for (let i = 0; i < cmds.length; i += batch) {
      const part = cmds.slice(i, i + batch);
      this.want = part.length;
      this.got = 0;
      const wait = new Promise<void>((r) => {
        this.done = r;
      });
      this.sock.write(Buffer.concat(part.map((c) => encode(c))));
      await wait;
    }
    if (this.errors > 0) throw new Error(`${this.errors} error replies`);
  }

  close(): void {
    this.sock.end();
  }
}

/** utime + stime of a process in µs (Linux /proc; 0 elsewhere). */
function cpuMicros(pid: number | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return 0;
  }
}

interface Cell {
  wall: number;
  cpu: number;
}

/** Runs `cmds` and returns µs per command (wall clock and server CPU). */
async function measure(pipe: Pipe, srv: Running, cmds: string[][]): Promise<Cell> {
  const c0 = cpuMicros(srv.proc.pid);
  const t0 = process.hrtime.bigint();
  await pipe.run(cmds);
  const t1 = process.hrtime.bigint();
  const c1 = cpuMicros(srv.proc.pid);
  return { wall: Number(t1 - t0) / 1000 / cmds.length, cpu: (c1 - c0) / cmds.length };
}

const CASES = [
  'fill (per member)',
  'ZADD new',
  'ZADD update',
  'ZRANGE 10',
  'ZRANGEBYSCORE 10',
  'ZRANK',
  'ZSCORE',
  'ZREM',
];

async function bench(name: string, srv: Running, sizes: number[], ops: number): Promise<Map<string, Cell[]>> {
  const out = new Map<string, Cell[]>(CASES.map((c) => [c, []]));
  const pipe = await Pipe.connect(srv.port);
  const r = prng(42);
  for (const n of sizes) {
    await pipe.run([['DEL', 'z']]);
    // fill: 100 members per ZADD
    const fill: string[][] = [];
    for (let i = 0; i < n; i += 100) {
      const c = ['ZADD', 'z'];
      for (let j = i; j < Math.min(n, i + 100); j++) c.push(String(Math.floor(r() * n)), `member:${j}`);
      fill.push(c);
    }
    const f = await measure(pipe, srv, fill);
    (out.get('fill (per member)') as Cell[]).push({
      wall: (f.wall * fill.length) / n,
      cpu: (f.cpu * fill.length) / n,
    });
    const gen = (make: (i: number) => string[]) => Array.from({ length: ops }, (_, i) => make(i));
    const rank = () => String(Math.floor(r() * (n - 10)));
    const existing = () => `member:${Math.floor(r() * n)}`;
    const cases: [string, string[][]][] = [
      ['ZADD new', gen((i) => ['ZADD', 'z', String(Math.floor(r() * n)), `new:${i}`])],
      ['ZADD update', gen(() => ['ZADD', 'z', String(Math.floor(r() * n)), existing()])],
      [
        'ZRANGE 10',
        gen(() => {
          const a = rank();
          return ['ZRANGE', 'z', a, String(Number(a) + 9), 'WITHSCORES'];
        }),
      ],
      ['ZRANGEBYSCORE 10', gen(() => ['ZRANGEBYSCORE', 'z', rank(), '+inf', 'LIMIT', '0', '10'])],
      ['ZRANK', gen(() => ['ZRANK', 'z', existing()])],
      ['ZSCORE', gen(() => ['ZSCORE', 'z', existing()])],
      ['ZREM', gen((i) => ['ZREM', 'z', `new:${i}`])],
    ];
    for (const [label, cmds] of cases) (out.get(label) as Cell[]).push(await measure(pipe, srv, cmds));
    console.log(`${name}: ${n} members done`);
  }
  await pipe.run([['DEL', 'z']]);
  pipe.close();
  return out;
}

function print(name: string, sizes: number[], res: Map<string, Cell[]>): void {
  const col = (s: string) => s.padStart(22);
  console.log(`\n${name}: µs per operation, wall / server CPU`);
  console.log('case'.padEnd(20) + sizes.map((n) => col(`${n} members`)).join(''));
  for (const [label, cells] of res) {
    console.log(
      label.padEnd(20) + cells.map((c) => col(`${c.wall.toFixed(2)} / ${c.cpu.toFixed(2)}`)).join(''),
    );
  }
  const first = res.get('ZRANGE 10') as Cell[];
  if (first.length > 1) {
    const a = first[0];
    const b = first[first.length - 1];
    console.log(
      `ZRANGE CPU growth ${sizes[0]} → ${sizes[sizes.length - 1]}: ×${(b.cpu / Math.max(a.cpu, 1e-9)).toFixed(2)}`,
    );
  }
}

async function main(): Promise<void> {
  const sizes = (process.env.ZBENCH_SIZES || '10000,100000,1000000').split(',').map(Number);
  const ops = Number(process.env.ZBENCH_OPS || 20000);
  const ours = await startRedoubt();
  try {
    print('redoubt', sizes, await bench('redoubt', ours, sizes, ops));
  } finally {
    await ours.stop();
  }
  if (process.env.ZBENCH_REDIS === '1') {
    const ref = await startRedis();
    if (ref !== null) {
      try {
        print('redis-server', sizes, await bench('redis-server', ref, sizes, ops));
      } finally {
        await ref.stop();
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
