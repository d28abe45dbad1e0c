// Raw byte exchanges with a server: send bytes, collect everything it answers until it closes
// the connection or stays quiet. Used to compare protocol handling with real Redis.

import * as net from 'node:net';

export interface Target {
  port?: number;
  path?: string;
}

export interface Exchange {
  out: Buffer;
  /** the server closed the connection (FIN or reset) before we gave up waiting */
  closed: boolean;
}

export function connectTo(t: Target): net.Socket {
  return t.path !== undefined
    ? net.connect({ path: t.path })
    : net.connect({ port: t.port as number, host: '127.0.0.1' });
}

export interface ExchangeOptions {
  /** silence that ends the exchange (default 150 ms) */
  quietMs?: number;
  /** give up after this long in total (default 5000 ms) */
  maxMs?: number;
  /** pause between input chunks */
  gapMs?: number;
  /** don't end on silence before this many bytes arrived (a slow, loaded machine still passes) */
  minBytes?: number;
  /** don't end on silence at all: wait for the server to close (up to maxMs) */
  untilClosed?: boolean;
}

/**
 * Sends `input` (chunks written one after another, `gapMs` apart), then waits until the server
 * closes the connection or sends nothing for `quietMs` (at most `maxMs` in total).
 */
export function exchange(t: Target, input: Buffer | Buffer[], opts: ExchangeOptions = {}): Promise<Exchange> {
  const quietMs = opts.quietMs ?? 150;
  const maxMs = opts.maxMs ?? 5000;
  const chunks = Array.isArray(input) ? input : [input];
  return new Promise((resolve, reject) => {
    const sock = connectTo(t);
    const parts: Buffer[] = [];
    let closed = false;
    let connected = false;
    let done = false;
    let quiet: NodeJS.Timeout | null = null;
    const finish = () => {
      if (done) return;
      done = true;
      if (quiet) clearTimeout(quiet);
      clearTimeout(overall);
      sock.destroy();
      resolve({ out: Buffer.concat(parts), closed });
    };
    const overall = setTimeout(finish, maxMs);
    let received = 0;
    const arm = () => {
      if (quiet) clearTimeout(quiet);
      if (opts.untilClosed || received < (opts.minBytes ?? 0)) return;
      quiet = setTimeout(finish, quietMs);
    };
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      received += d.length;
      arm();
    });
    sock.on('error', (e: Error) => {
      // a reset after the server closed is still a close; a failed connect is a test error
      if (connected) {
        closed = true;
        finish();
      } else if (!done) {
        done = true;
        clearTimeout(overall);
        reject(e);
      }
    });
    sock.on('end', () => {
      closed = true;
      finish();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('connect', async () => {
      connected = true;
      for (let i = 0; i < chunks.length && !done; i++) {
        sock.write(chunks[i]);
        if (opts.gapMs && i < chunks.length - 1) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      arm();
    });
  });
}

/** Printable form of raw protocol bytes for assertion messages. */
export function show(b: Buffer | string): string {
  return JSON.stringify(typeof b === 'string' ? b : b.toString('latin1'));
}

/**
 * Labels of the probe commands the server does not implement ("unknown command" or "unknown
 * subcommand"). Lets client tests say precisely what they are waiting for.
 */
export async function missingCommands(t: Target, probes: Record<string, string[]>): Promise<string[]> {
  const missing: string[] = [];
  for (const [label, p] of Object.entries(probes)) {
    const parts: Buffer[] = [Buffer.from(`*${p.length}\r\n`)];
    for (const a of p) parts.push(Buffer.from(`$${Buffer.byteLength(a)}\r\n${a}\r\n`));
    const r = await exchange(t, Buffer.concat(parts), { quietMs: 100, minBytes: 1 });
    const s = r.out.toString('latin1');
    if (s.startsWith('-ERR unknown command') || s.startsWith('-ERR unknown subcommand')) {
      missing.push(label);
    }
  }
  return missing;
}
