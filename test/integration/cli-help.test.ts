// `redoubt --help` lists every operator tool that `redoubt <tool>` runs.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './cli-util';

test('--help lists every tool, and each listed tool runs (its usage on a bad call)', () => {
  const help = runCli(['--help']);
  assert.equal(help.code, 0);
  const tools = ['audit', 'passwd', 'cert', 'tunnel', 'firewall', 'check-config', 'keygen', 'rekey'];
  for (const t of tools) assert.match(help.out, new RegExp(`^ +redoubt ${t}\\b`, 'm'), t);
  // the listed names are real subcommands: an unknown option gives usage (exit 2), not a server start
  for (const t of ['keygen', 'rekey']) {
    const r = runCli([t]);
    assert.equal(r.code, 2, `${t}: ${r.out}${r.err}`);
    assert.match(r.err, new RegExp(`Usage: redoubt ${t}`));
  }
});
