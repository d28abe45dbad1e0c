// Throughput benchmark: redis-benchmark against redoubt and a real redis-server, side by side.
// Both servers run on free loopback ports without persistence. Each benchmark case runs against
// one server and then the other (the order swaps every round), so machine noise hits both alike.
// Prints requests/s for both and the ratio per case, then a summary table. Each server's CPU
// time per request (from /proc) is shown too: on a busy machine it is the steadier measure.
//
// Environment:
//   BENCH_N         requests per unpipelined run (default 100000)
//   BENCH_N_PIPE    requests per pipelined run (default 10 × BENCH_N: pipelined runs are fast)
//   BENCH_CLIENTS   parallel connections (default 50)
//   BENCH_ROUNDS    runs per case and server; the best is reported (default 2)
//   BENCH_TESTS     comma-separated test names to run (default: SET,GET,INCR,MSET)
//   BENCH_PIPELINES comma-separated pipeline depths (default: 1,16)
//   BENCH_SIZES     comma-separated value sizes in bytes (default: 16,1024)
// Usage: npm run bench   (or node dist/bench/run.js after a build)

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { type Running, startRedis, startRedoubt } from '../test/helpers/servers';

/** A redis-benchmark test: `-t` name and the CSV row name (redis-benchmark adds details such
 *  as "MSET (10 keys)" or "LRANGE_100 (first 100 elements)", so rows are matched by prefix). */
interface BenchTest {
  name: string;
  t: string;
  row: string;
}

/** Every test the driver knows; add one by listing it here (BENCH_TESTS selects). */
const TESTS: BenchTest[] = [
  { name: 'SET', t: 'set', row: 'SET' },
  { name: 'GET', t: 'get', row: 'GET' },
  { name: 'INCR', t: 'incr', row: 'INCR' },
  { name: 'MSET', t: 'mset', row: 'MSET' },
  { name: 'LPUSH', t: 'lpush', row: 'LPUSH' },
  { name: 'RPUSH', t: 'rpush', row: 'RPUSH' },
  { name: 'LPOP', t: 'lpop', row: 'LPOP' },
  { name: 'RPOP', t: 'rpop', row: 'RPOP' },
  { name: 'SADD', t: 'sadd', row: 'SADD' },
  { name: 'SPOP', t: 'spop', row: 'SPOP' },
  { name: 'HSET', t: 'hset', row: 'HSET' },
  { name: 'ZADD', t: 'zadd', row: 'ZADD' },
  { name: 'ZPOPMIN', t: 'zpopmin', row: 'ZPOPMIN' },
  { name: 'LRANGE_100', t: 'lrange_100', row: 'LRANGE_100' },
  { name: 'LRANGE_300', t: 'lrange_300', row: 'LRANGE_300' },
  { name: 'PING_MBULK', t: 'ping_mbulk', row: 'PING_MBULK' },
];
const DEFAULT_TESTS = 'SET,GET,INCR,MSET';

function envInt(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

function envList(name: string, def: string): string[] {
  return (process.env[name] || def)
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

const N = envInt('BENCH_N', 100000);
const N_PIPE = envInt('BENCH_N_PIPE', N * 10);
const CLIENTS = envInt('BENCH_CLIENTS', 50);
const ROUNDS = envInt('BENCH_ROUNDS', 2);
const PIPELINES = envList('BENCH_PIPELINES', '1,16').map(Number);
const SIZES = envList('BENCH_SIZES', '16,1024').map(Number);

function selectTests(): BenchTest[] {
  const out: BenchTest[] = [];
  for (const name of envList('BENCH_TESTS', DEFAULT_TESTS)) {
    const t = TESTS.find((x) => x.name === name.toUpperCase());
    if (t === undefined)
      throw new Error(`unknown test ${name}; known: ${TESTS.map((x) => x.name).join(' ')}`);
    out.push(t);
  }
  return out;
}

interface Case {
  test: BenchTest;
  pipeline: number;
  size: number;
}

/** CPU time (user + system) the process has used so far, in seconds (Linux /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Runs redis-benchmark once and returns the requests/s of the test's row. */
function runBenchmark(port: number, c: Case): Promise<number> {
  const n = c.pipeline > 1 ? N_PIPE : N;
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(CLIENTS), '-n', String(n)];
  args.push('-d', String(c.size), '-P', String(c.pipeline), '-t', c.test.t, '--csv');
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { maxBuffer: 1 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`redis-benchmark ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        return;
      }
      const rps = parseCsv(stdout, c.test.row);
      if (rps === null)
        reject(new Error(`no "${c.test.row}" row in redis-benchmark output:\n${stdout}${stderr}`));
      else resolve(rps);
    });
  });
}

/** The rps column of the row whose test name starts with `row` (the first matching row). */
function parseCsv(out: string, row: string): number | null {
  for (const line of out.split('\n')) {
    const cols = line.split('","').map((x) => x.replace(/^"|"$/g, ''));
    if (cols.length < 2 || cols[0] === 'test') continue;
    const name = cols[0];
    // LRANGE runs an LPUSH prefill reported as "LPUSH (needed to benchmark LRANGE)"
    if (name === row || name.startsWith(`${row} (`)) {
      if (name.includes('needed to benchmark')) continue;
      const v = Number(cols[1]);
      if (Number.isFinite(v)) return v;
    }
  }
  return null;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function label(c: Case): string {
  return `${c.test.name} -d ${c.size}${c.pipeline > 1 ? ` -P ${c.pipeline}` : ''}`;
}

async function flush(port: number): Promise<void> {
  // each case starts from an empty keyspace, so LPUSH/LRANGE lists don't grow across cases
  await new Promise<void>((resolve) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'FLUSHALL'], () => resolve());
  });
}

async function main(): Promise<void> {
  const tests = selectTests();
  const cases: Case[] = [];
  for (const pipeline of PIPELINES) {
    for (const size of SIZES) for (const test of tests) cases.push({ test, pipeline, size });
  }
  let redoubt: Running | null = null;
  let redis: Running | null = null;
  const stopAll = async () => {
    await redoubt?.stop();
    await redis?.stop();
    for (const r of [redoubt, redis]) if (r) fs.rmSync(r.dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });
  try {
    redoubt = await startRedoubt({ args: ['--save', '', '--appendonly', 'no'] });
    redis = await startRedis();
    if (redis === null) throw new Error('redis-server is not installed');
    console.log(
      `redis-benchmark -c ${CLIENTS}, ${N} requests unpipelined / ${N_PIPE} pipelined, best of ${ROUNDS} round(s)`,
    );
    console.log(`redoubt on 127.0.0.1:${redoubt.port}, redis-server on 127.0.0.1:${redis.port}\n`);
    const results: Result[] = [];
    for (const c of cases) {
      const n = c.pipeline > 1 ? N_PIPE : N;
      const res: Result = { c, ours: 0, theirs: 0, oursCpu: Infinity, theirsCpu: Infinity };
      for (let r = 0; r < ROUNDS; r++) {
        // alternate which server goes first, so neither always runs on a warmer/cooler machine
        const order = r % 2 === 0 ? [true, false] : [false, true];
        for (const isOurs of order) {
          const srv = isOurs ? redoubt : redis;
          await flush(srv.port);
          const cpu0 = cpuSeconds(srv.proc.pid);
          const rps = await runBenchmark(srv.port, c);
          const cpu = ((cpuSeconds(srv.proc.pid) - cpu0) * 1e6) / n;
          if (isOurs) {
            res.ours = Math.max(res.ours, rps);
            res.oursCpu = Math.min(res.oursCpu, cpu);
          } else {
            res.theirs = Math.max(res.theirs, rps);
            res.theirsCpu = Math.min(res.theirsCpu, cpu);
          }
        }
      }
      results.push(res);
      console.log(
        `${label(c).padEnd(22)} redoubt ${fmt(res.ours).padStart(9)}/s ${res.oursCpu.toFixed(2).padStart(6)} cpu-us/req   redis ${fmt(res.theirs).padStart(9)}/s ${res.theirsCpu.toFixed(2).padStart(6)} cpu-us/req   ratio ${(res.ours / res.theirs).toFixed(2)}`,
      );
    }
    printSummary(results);
  } finally {
    await stopAll();
  }
}

interface Result {
  c: Case;
  /** best requests/s */
  ours: number;
  theirs: number;
  /** lowest server CPU time (user + system) per request, in microseconds */
  oursCpu: number;
  theirsCpu: number;
}

function printSummary(results: Result[]): void {
  const head = [
    'test',
    'size',
    'pipeline',
    'redoubt rps',
    'redis rps',
    'ratio',
    'redoubt cpu',
    'redis cpu',
    'cpu ratio',
  ];
  const rows = results.map(({ c, ours, theirs, oursCpu, theirsCpu }) => [
    c.test.name,
    String(c.size),
    String(c.pipeline),
    fmt(ours),
    fmt(theirs),
    (ours / theirs).toFixed(2),
    oursCpu.toFixed(2),
    theirsCpu.toFixed(2),
    // Redis's CPU per request over ours: like the rps ratio, but insensitive to load from
    // other processes and to the benchmark client being the bottleneck
    (theirsCpu / oursCpu).toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) =>
    `| ${cols.map((x, i) => (i < 3 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n${line(head)}`);
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('cpu: server CPU time (user + system) per request in microseconds, lowest of the rounds');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
