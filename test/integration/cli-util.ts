// Running `node bin/redoubt.js <tool> ...` as a user would, and golden-output comparison
// (UPDATE_GOLDEN=1 rewrites the files).

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, ROOT } from '../helpers/servers';

export interface Ran {
  code: number | null;
  out: string;
  err: string;
}

export function runCli(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: 30000,
  });
  return { code: r.status, out: r.stdout.toString('latin1'), err: r.stderr.toString('latin1') };
}

/** Same, without blocking the event loop (for tools talking to in-test servers). */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString('latin1');
    });
    const t = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

export function golden(name: string, actual: string): void {
  const file = path.join(ROOT, 'test', 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1')
      throw new Error(`missing golden file ${file} (run with UPDATE_GOLDEN=1)`);
    fs.writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'latin1'), `golden ${name}`);
}

/** Replaces every occurrence of each key with its placeholder. */
export function normalise(s: string, map: Record<string, string>): string {
  for (const [k, v] of Object.entries(map).sort((a, b) => b[0].length - a[0].length)) s = s.split(k).join(v);
  return s;
}
