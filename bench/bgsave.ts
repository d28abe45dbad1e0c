// BGSAVE under load: redis-benchmark SET/GET (50 clients, random keys over the whole dataset)
// against redoubt holding 1,000,000 keys, alternately with no save running and with background
// saves running back to back for the whole run (BENCH_ROUNDS rounds of each). Prints the
// medians of throughput and p50/p99 latency for both and each round's ratio, how many saves ran
// and how long one takes, the server's CPU per request (main thread and whole process), and
// the memory overhead of saving (peak RSS during the saves minus the peak during the no-save
// runs, next to the dataset size).
//
// Environment:
//   BENCH_KEYS     keys in the dataset (default 1000000)
//   BENCH_N        requests per redis-benchmark run (default 300000)
//   BENCH_CLIENTS  parallel connections (default 50)
//   BENCH_SIZE     value size in bytes (default 3, redis-benchmark's default)
//   BENCH_ROUNDS   alternating no-save / during-saves rounds; medians are reported (default 3)
//   BENCH_AOF=1    the same for BGREWRITEAOF, with appendonly yes (everysec) in both kinds of run
// Usage: npx tsc -p . && node dist/bench/bgsave.js
//
// Results (2-core VM shared with other jobs, so single runs vary by ±30%: compare the rounds'
// medians; BENCH_ROUNDS=7 BENCH_N=100000, before/after run back to back):
//   before (a save took ~half of the main thread, CRC and writes on it): during saves SET 0.45x /
//   GET 0.43x the no-save throughput (rounds 0.30-0.54), p99 3.9 -> 7.2 ms / 2.5 -> 6.9 ms,
//   one save 0.5 s under load; server CPU per request 17 -> 39 us;
//   after (writer thread for CRC/encryption/writes, pacing by measured client load: 5% of the
//   clients' time under load in <= 0.5 ms slices, copy-on-write without extra lookups):
//   SET 0.83x / GET 0.87x (per-round medians 0.88 / 0.91, rounds 0.76-1.01), p99 2.2 -> 3.2 ms
//   / 2.1 -> 3.0 ms, one save 2.1 s under load (0.12 s idle, SAVE 0.15 s); CPU per request
//   15 -> 17 us; peak RSS during saves 2.5 MB over the no-save runs' peak (dataset 277 MB).
// BENCH_AOF=1 (BGREWRITEAOF back to back, appendonly yes; BENCH_ROUNDS=3 BENCH_N=100000):
//   before (fixed 3 ms slices back to back, writes on the main thread): SET 0.26x / GET 0.22x,
//   p99 4.9 -> 9.5 / 2.4 -> 8.6 ms; after (the BGSAVE writer thread and pacing): SET 0.91x /
//   GET 0.89x, p99 4.5 -> 4.9 / 1.5 -> 1.9 ms, one rewrite 2.3 s under load (0.18 s idle).

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssBytes } from '../test/helpers/proc';
import { encode, RawClient } from '../test/helpers/resp';
import { type Running, startRedoubt } from '../test/helpers/servers';

function envInt(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

const KEYS = envInt('BENCH_KEYS', 1_000_000);
const N = envInt('BENCH_N', 300_000);
const CLIENTS = envInt('BENCH_CLIENTS', 50);
const SIZE = envInt('BENCH_SIZE', 3);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const AOF = process.env.BENCH_AOF === '1';
/** The background save under test, its INFO in-progress field and its started reply. */
const SAVE_CMD = AOF ? 'BGREWRITEAOF' : 'BGSAVE';
const IN_PROGRESS = AOF ? 'aof_rewrite_in_progress' : 'rdb_bgsave_in_progress';
const STARTED = AOF ? 'Background append only file rewriting started' : 'Background saving started';

interface Row {
  test: string;
  rps: number;
  p50: number;
  p99: number;
}

/** redis-benchmark SET,GET over keys key:000000000000.. (the -r key space) → CSV rows. */
function benchmark(port: number): Promise<Row[]> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(CLIENTS), '-n', String(N)];
  args.push('-r', String(KEYS), '-d', String(SIZE), '-t', 'set,get', '--csv');
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { maxBuffer: 1 << 20, timeout: 900_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`redis-benchmark failed: ${err.message}\n${stderr}`));
      const rows: Row[] = [];
      for (const line of stdout.split('\n')) {
        const f = line.split(',').map((x) => x.replace(/"/g, ''));
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        if (f.length >= 7 && (f[0] === 'SET' || f[0] === 'GET')) {
          rows.push({ test: f[0], rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]) });
        }
      }
      if (rows.length !== 2) return reject(new Error(`unexpected redis-benchmark output:\n${stdout}`));
      resolve(rows);
    });
  });
}

async function info(c: RawClient, section: string): Promise<Map<string, string>> {
  const v = await c.call('INFO', section);
  const text = Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** Fills key:%012d (redis-benchmark's -r key names) with pipelined MSETs. */
async function fill(c: RawClient): Promise<void> {
  const value = 'x'.repeat(SIZE);
  const batch = 1000;
  const window = 20;
  let inflight = 0;
  const waits: Promise<Buffer>[] = [];
  for (let i = 0; i < KEYS; i += batch) {
    const args: string[] = ['MSET'];
    for (let j = i; j < Math.min(KEYS, i + batch); j++)
      args.push(`key:${String(j).padStart(12, '0')}`, value);
    c.write(encode(args));
    waits.push(c.next(60000));
    inflight++;
    if (inflight >= window) {
      await waits.shift();
      inflight--;
    }
  }
  await Promise.all(waits);
}

/** CPU seconds (user + system) of a process, or of one of its threads. */
function cpuSeconds(pid: number, tid?: number): number {
  const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const stat = fs.readFileSync(file, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14 and 15 (utime, stime) in clock ticks; the slice starts at field 3
  return (Number(f[11]) + Number(f[12])) / 100;
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

interface Round {
  base: Row[];
  during: Row[];
  /** peak RSS while the no-save run ran, and while the saves ran */
  basePeak: number;
  peak: number;
  saves: number;
  /** share of the run during which a save was in progress (0..1) */
  busy: number;
  /** wall-clock durations of the saves that started and ended within the run, ms */
  durations: number[];
  /** server CPU µs per request: main thread and whole process, without and with saves */
  baseCpu: [number, number];
  cpu: [number, number];
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 === 1 ? a[m] : (a[m - 1] + a[m]) / 2;
};

/** Runs redis-benchmark while sampling the server's RSS (and, with `saving`, keeping a save running). */
async function measured(
  srv: Running,
  ctl: RawClient,
  saving: boolean,
): Promise<{
  rows: Row[];
  peak: number;
  saves: number;
  busy: number;
  durations: number[];
  cpu: [number, number];
}> {
  const pid = srv.proc.pid as number;
  let peak = rssBytes(pid);
  let saves = 0;
  let running = true;
  let savingMs = 0;
  const durations: number[] = [];
  let startedAt = -1;
  const monitor = (async () => {
    let last = performance.now();
    while (running) {
      const now0 = performance.now();
      if (saving) {
        const m = await info(ctl, 'persistence');
        const now = performance.now();
        const inProgress = m.get(IN_PROGRESS) === '1';
        if (inProgress) savingMs += now - last;
        last = now;
        if (!inProgress) {
          if (startedAt >= 0) durations.push(now0 - startedAt);
          const r = await ctl.call(SAVE_CMD);
          if (r === STARTED) {
            saves++;
            startedAt = performance.now();
          } else startedAt = -1;
        }
      }
      peak = Math.max(peak, rssBytes(pid));
      await sleep(saving ? 10 : 20);
    }
  })();
  const tb = performance.now();
  const main0 = cpuSeconds(pid, pid);
  const all0 = cpuSeconds(pid);
  const rows = await benchmark(srv.port);
  const perReq = (s: number) => (s * 1e6) / (N * rows.length);
  const cpu: [number, number] = [perReq(cpuSeconds(pid, pid) - main0), perReq(cpuSeconds(pid) - all0)];
  const benchMs = performance.now() - tb;
  running = false;
  await monitor;
  while ((await info(ctl, 'persistence')).get(IN_PROGRESS) === '1') await sleep(20);
  return { rows, peak, saves, busy: Math.min(1, savingMs / benchMs), durations, cpu };
}

async function main(): Promise<void> {
  const srv: Running = await startRedoubt({ args: ['--save', '', '--appendonly', AOF ? 'yes' : 'no'] });
  const pid = srv.proc.pid as number;
  const c = await RawClient.connect({ port: srv.port });
  const ctl = await RawClient.connect({ port: srv.port });
  try {
    process.stdout.write(`filling ${KEYS} keys (${SIZE}-byte values)... `);
    const t0 = performance.now();
    await fill(c);
    process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    // saves on an idle server: their duration and the file size (the dataset's size on disk)
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now();
      await c.call(SAVE_CMD);
      while ((await info(ctl, 'persistence')).get(IN_PROGRESS) === '1') await sleep(5);
      idle.push((performance.now() - s0) / 1000);
    }
    const used = Number((await info(ctl, 'memory')).get('used_memory'));
    const sync: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t1 = performance.now();
      assertOk(await c.call('SAVE'));
      sync.push((performance.now() - t1) / 1000);
    }
    const rdbBytes = fs.statSync(path.join(srv.dir, 'dump.rdb')).size;
    const rssBefore = rssBytes(pid);

    // no-save and under-saves runs alternate, so load from other processes hits both alike
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = await measured(srv, ctl, false);
      await sleep(300);
      const d = await measured(srv, ctl, true);
      await sleep(300);
      rounds.push({
        base: b.rows,
        during: d.rows,
        basePeak: b.peak,
        peak: d.peak,
        saves: d.saves,
        busy: d.busy,
        durations: d.durations,
        baseCpu: b.cpu,
        cpu: d.cpu,
      });
      const line = (rows: Row[]) =>
        rows.map((x) => `${x.test} ${x.rps.toFixed(0)} rps p99 ${x.p99.toFixed(2)}`).join(', ');
      console.log(
        `round ${r + 1}: no save: ${line(b.rows)} | during saves: ${line(d.rows)} (${d.saves} saves)`,
      );
    }
    const p = await info(ctl, 'persistence');

    console.log('');
    console.log(
      `redoubt, ${KEYS} keys, redis-benchmark -c ${CLIENTS} -n ${N} -r ${KEYS} -d ${SIZE} -t set,get, ` +
        `${ROUNDS} alternating rounds (medians)`,
    );
    console.log(`dataset: used_memory ${mb(used)}, RDB file ${mb(rdbBytes)}`);
    console.log(
      `${SAVE_CMD} on an idle server: ${median(idle).toFixed(2)} s; SAVE (blocking): ${median(sync).toFixed(2)} s`,
    );
    console.log('');
    console.log(
      `test   no save: rps      p50 ms  p99 ms | during ${SAVE_CMD}: rps  p50 ms  p99 ms | rps ratio (per-round)`,
    );
    for (let i = 0; i < rounds[0].base.length; i++) {
      const pick = (f: (r: Round) => Row, k: 'rps' | 'p50' | 'p99') => median(rounds.map((r) => f(r)[k]));
      const a = {
        rps: pick((r) => r.base[i], 'rps'),
        p50: pick((r) => r.base[i], 'p50'),
        p99: pick((r) => r.base[i], 'p99'),
      };
      const b = {
        rps: pick((r) => r.during[i], 'rps'),
        p50: pick((r) => r.during[i], 'p50'),
        p99: pick((r) => r.during[i], 'p99'),
      };
      const ratios = rounds.map((r) => (r.during[i].rps / r.base[i].rps).toFixed(2)).join(' ');
      console.log(
        `${rounds[0].base[i].test.padEnd(6)} ${a.rps.toFixed(0).padStart(14)} ${a.p50.toFixed(3).padStart(7)} ${a.p99.toFixed(3).padStart(7)} | ` +
          `${b.rps.toFixed(0).padStart(18)} ${b.p50.toFixed(3).padStart(7)} ${b.p99.toFixed(3).padStart(7)} | ${(b.rps / a.rps).toFixed(2)} (${ratios})`,
      );
    }
    console.log('');
    const allDurations = rounds.flatMap((r) => r.durations);
    console.log(
      `background saves completed during the runs: ${rounds.map((r) => r.saves).join(', ')} ` +
        `(a save was running ${rounds.map((r) => `${(r.busy * 100).toFixed(0)}%`).join(', ')} of the time); ` +
        `one save under load took ${allDurations.length > 0 ? (median(allDurations) / 1000).toFixed(2) : '?'} s (median); ` +
        `last status ${p.get('rdb_last_bgsave_status')}`,
    );
    const cpuLine = (f: (r: Round) => [number, number]) =>
      `main thread ${median(rounds.map((r) => f(r)[0])).toFixed(1)} µs, process ${median(rounds.map((r) => f(r)[1])).toFixed(1)} µs`;
    console.log(
      `server CPU per request: no save: ${cpuLine((r) => r.baseCpu)}; during saves: ${cpuLine((r) => r.cpu)}`,
    );
    const basePeak = median(rounds.map((r) => r.basePeak));
    const peak = median(rounds.map((r) => r.peak));
    console.log(
      `RSS before the runs ${mb(rssBefore)}; peak during the no-save runs ${mb(basePeak)}, during the saves ${mb(peak)}: ` +
        `overhead ${mb(peak - basePeak)} (${(((peak - basePeak) * 100) / used).toFixed(1)}% of used_memory); ` +
        `copy-on-write buffer of the last save ${mb(Number(p.get('rdb_last_cow_size')))}`,
    );
  } finally {
    c.close();
    ctl.close();
    await srv.stop();
    fs.rmSync(srv.dir, { recursive: true, force: true });
  }
}

function assertOk(v: unknown): void {
  if (v !== 'OK') throw new Error(`unexpected reply ${String(v)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
