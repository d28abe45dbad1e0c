// BGSAVE under load: redis-benchmark SET/GET (50 clients, random keys over the whole dataset)
// against redoubt holding 1,000,000 keys, once with no save running and once with background
// saves running back to back for the whole run. Prints throughput and p50/p99 latency for both,
// how many saves ran and how long one takes, and the process memory overhead of saving (peak
// RSS during the saves minus RSS before, next to the dataset size).
//
// Environment:
//   BENCH_KEYS     keys in the dataset (default 1000000)
//   BENCH_N        requests per redis-benchmark run (default 300000)
//   BENCH_CLIENTS  parallel connections (default 50)
//   BENCH_SIZE     value size in bytes (default 3, redis-benchmark's default)
// Usage: npx tsc -p . && node dist/bench/bgsave.js

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

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

async function main(): Promise<void> {
  const srv: Running = await startRedoubt({ args: ['--save', '', '--appendonly', 'no'] });
  const pid = srv.proc.pid as number;
  const c = await RawClient.connect({ port: srv.port });
  const ctl = await RawClient.connect({ port: srv.port });
  try {
    process.stdout.write(`filling ${KEYS} keys (${SIZE}-byte values)... `);
    const t0 = performance.now();
    await fill(c);
    process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    // one save on an idle server: its duration and the file size (the dataset's size on disk)
    const s0 = performance.now();
    await c.call('BGSAVE');
    while ((await info(ctl, 'persistence')).get('rdb_bgsave_in_progress') === '1') await sleep(20);
    const idleSave = (performance.now() - s0) / 1000;
    const rdbBytes = fs.statSync(path.join(srv.dir, 'dump.rdb')).size;
    const used = Number((await info(ctl, 'memory')).get('used_memory'));
    const t1 = performance.now();
    assertOk(await c.call('SAVE'));
    const syncSave = (performance.now() - t1) / 1000;

    // baseline
    const base = await benchmark(srv.port);
    // under saves: start one whenever none runs, sample RSS meanwhile
    if (global.gc) global.gc();
    await sleep(500);
    const rssBefore = rssBytes(pid);
    let peak = rssBefore;
    let saves = 0;
    let running = true;
    let savingMs = 0;
    const monitor = (async () => {
      let last = performance.now();
      while (running) {
        const m = await info(ctl, 'persistence');
        const now = performance.now();
        const inProgress = m.get('rdb_bgsave_in_progress') === '1';
        if (inProgress) savingMs += now - last;
        last = now;
        if (!inProgress) {
          const r = await ctl.call('BGSAVE');
          if (r === 'Background saving started') saves++;
        }
        peak = Math.max(peak, rssBytes(pid));
        await sleep(20);
      }
    })();
    const tb = performance.now();
    const during = await benchmark(srv.port);
    const benchMs = performance.now() - tb;
    running = false;
    await monitor;
    while ((await info(ctl, 'persistence')).get('rdb_bgsave_in_progress') === '1') await sleep(20);
    const p = await info(ctl, 'persistence');

    console.log('');
    console.log(
      `redoubt, ${KEYS} keys, redis-benchmark -c ${CLIENTS} -n ${N} -r ${KEYS} -d ${SIZE} -t set,get`,
    );
    console.log(`dataset: used_memory ${mb(used)}, RDB file ${mb(rdbBytes)}`);
    console.log(
      `one BGSAVE on an idle server: ${idleSave.toFixed(2)} s; SAVE (blocking): ${syncSave.toFixed(2)} s`,
    );
    console.log('');
    console.log('test   no save: rps      p50 ms  p99 ms | during BGSAVE: rps  p50 ms  p99 ms | rps ratio');
    for (let i = 0; i < base.length; i++) {
      const a = base[i];
      const b = during[i];
      console.log(
        `${a.test.padEnd(6)} ${a.rps.toFixed(0).padStart(14)} ${a.p50.toFixed(3).padStart(7)} ${a.p99.toFixed(3).padStart(7)} | ` +
          `${b.rps.toFixed(0).padStart(18)} ${b.p50.toFixed(3).padStart(7)} ${b.p99.toFixed(3).padStart(7)} | ${(b.rps / a.rps).toFixed(2)}`,
      );
    }
    console.log('');
    console.log(
      `background saves completed during the run: ${saves} (a save was running ~${Math.min(100, (savingMs * 100) / benchMs).toFixed(0)}% of the time), ` +
        `last status ${p.get('rdb_last_bgsave_status')}`,
    );
    console.log(
      `RSS before the saves ${mb(rssBefore)}, peak during ${mb(peak)}: overhead ${mb(peak - rssBefore)} ` +
        `(${(((peak - rssBefore) * 100) / used).toFixed(1)}% of used_memory, ${(((peak - rssBefore) * 100) / rssBefore).toFixed(1)}% of RSS); ` +
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
