// Start redoubt and real redis-server processes for tests, each on its own free loopback port.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'redoubt.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export function tmpDir(prefix = 'redoubt-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let redisPath: string | null | undefined;

/** Path of redis-server, or null when it is not installed. */
export function redisServerPath(): string | null {
  if (redisPath !== undefined) return redisPath;
  try {
    redisPath = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    redisPath = null;
  }
  return redisPath;
}

export interface Running {
  port: number;
  dir: string;
  proc: ChildProcess;
  /** everything the process printed so far */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** resolves with the exit code */
  exited: Promise<number | null>;
}

function waitFor(proc: ChildProcess, out: () => string, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`server did not start in ${ms} ms:\n${out()}`));
    }, ms);
    const check = () => {
      if (re.test(out())) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server exited with ${code}:\n${out()}`));
    };
    const cleanup = () => {
      clearTimeout(t);
      proc.stdout?.removeListener('data', check);
      proc.stderr?.removeListener('data', check);
      proc.removeListener('exit', onExit);
    };
    proc.stdout?.on('data', check);
    proc.stderr?.on('data', check);
    proc.once('exit', onExit);
    check();
  });
}

function track(proc: ChildProcess, port: number, dir: string): Running {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    port,
    dir,
    proc,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

export interface StartOptions {
  /** extra command-line arguments (after the config file, if any) */
  args?: string[];
  /** config file path given as the first argument */
  config?: string;
  /** don't add --port (e.g. port 0 tests) */
  noPort?: boolean;
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** wait for this log line instead of readiness */
  readyPattern?: RegExp;
}

/**
 * Spawns a server on a port from freePort() and waits for `ready`. freePort() closes its probe
 * before the server binds, so a test file running in parallel may take the port meanwhile: a
 * start that failed with "address already in use" is retried on another port.
 */
async function startOnFreePort(
  start: (port: number) => ChildProcess,
  dir: string,
  ready: RegExp,
  choosePort: boolean,
): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    const port = choosePort ? await freePort() : 0;
    const proc = start(port);
    const r = track(proc, port, dir);
    try {
      await waitFor(proc, r.output, ready, 15000);
      return r;
    } catch (e) {
      if (!choosePort || attempt >= 5 || !/EADDRINUSE|Address already in use/.test(r.output())) throw e;
    }
  }
}

/** Starts redoubt; resolves when it logs readiness. */
export async function startRedoubt(opts: StartOptions = {}): Promise<Running> {
  const dir = opts.dir ?? tmpDir();
  return startOnFreePort(
    (port) => {
      const args = [BIN];
      if (opts.config) args.push(opts.config);
      if (!opts.noPort) args.push('--port', String(port));
      args.push('--dir', dir, ...(opts.args ?? []));
      return spawn(process.execPath, args, {
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    dir,
    opts.readyPattern ?? /Ready to accept connections/,
    !opts.noPort,
  );
}

/** Starts a real redis-server (no persistence); null when not installed. */
export async function startRedis(extra: string[] = []): Promise<Running | null> {
  const bin = redisServerPath();
  if (bin === null) return null;
  const dir = tmpDir('redis-ref-');
  const args = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extra,
  ];
  return startOnFreePort(
    (port) => spawn(bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'] }),
    dir,
    /Ready to accept connections/,
    true,
  );
}

/** Skips a test that needs redis-server when it is absent; in CI (REQUIRE_REDIS=1) that is a failure. */
export function skipWithoutRedis(t: { skip(msg?: string): void }): void {
  if (process.env.REQUIRE_REDIS === '1')
    throw new Error('redis-server is required (REQUIRE_REDIS=1) but not installed');
  t.skip('redis-server not installed');
}

/** Runs redoubt with `args` until it exits (a start-up it must refuse, a tool): its exit code
 *  and everything it printed; killed after `ms`. */
export function runToExit(args: string[], ms = 20000): Promise<{ code: number | null; out: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const add = (d: Buffer) => {
    out += d.toString();
  };
  proc.stdout.on('data', add);
  proc.stderr.on('data', add);
  const t = setTimeout(() => proc.kill('SIGKILL'), ms);
  return new Promise((r) =>
    proc.once('exit', (code) => {
      clearTimeout(t);
      r({ code, out });
    }),
  );
}
