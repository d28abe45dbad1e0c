// Shared by the AOF integration tests: servers started with AOF arguments (stopped after the
// file's tests), INFO persistence fields, waiting for a rewrite, the manifest.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { after } from 'node:test';
import { RawClient } from '../helpers/resp';
import { type Running, startRedoubt } from '../helpers/servers';

/** One field of INFO persistence ('' when absent). */
export async function info(c: RawClient, field: string): Promise<string> {
  const text = String(await c.call('INFO', 'persistence'));
  const m = new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(text);
  return m === null ? '' : m[1].trim();
}

/** Waits until no AOF rewrite is running or scheduled (polls for up to `ms`). */
export async function waitRewrite(c: RawClient, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (
      (await info(c, 'aof_rewrite_in_progress')) === '0' &&
      (await info(c, 'aof_rewrite_scheduled')) === '0'
    ) {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('rewrite did not finish');
}

/** The manifest of the AOF in `dir` (default appenddirname and appendfilename). */
export function manifest(dir: string): string {
  return fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
}

/**
 * Servers and clients of one test file: `open` connects to a server it records, `redoubt`
 * starts one in `dir` with `aofArgs` plus `extra`; all are closed/stopped after the file's tests.
 */
export function aofServers(aofArgs: string[]) {
  const running: Running[] = [];
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(running.map((r) => r.stop()));
  });
  async function open(r: Running): Promise<RawClient> {
    running.push(r);
    const c = await RawClient.connect({ port: r.port });
    clients.push(c);
    return c;
  }
  async function redoubt(dir: string, extra: string[] = []): Promise<[Running, RawClient]> {
    const r = await startRedoubt({ dir, args: [...aofArgs, ...extra] });
    return [r, await open(r)];
  }
  return { open, redoubt };
}
