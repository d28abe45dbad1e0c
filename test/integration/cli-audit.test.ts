// `redoubt audit` against a real redis-server 7.0 (insecure and hardened configurations) and
// against redoubt, all on loopback and Unix sockets in temp dirs.

import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { RawClient } from '../helpers/resp';
import { freePort, type Running, redisServerPath, startRedoubt, tmpDir } from '../helpers/servers';
import { golden, normalise, runCliAsync } from './cli-util';

const started: ChildProcess[] = [];
const dirs: string[] = [];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

after(async () => {
  for (const p of started) {
    if (p.exitCode === null && p.signalCode === null) {
      const done = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await done;
    }
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Redis {
  port: number;
  dir: string;
  conf: string;
  sock: string;
  proc: ChildProcess;
}

async function startRedisConf(lines: string[], dirMode: number, confMode: number): Promise<Redis> {
  const dir = tmpDir('redoubt-audit-');
  dirs.push(dir);
  const port = await freePort();
  const sock = path.join(dir, 'redis.sock');
  const conf = path.join(dir, 'redis.conf');
  fs.writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'save ""',
      'appendonly no',
      `dir ${dir}`,
      `unixsocket ${sock}`,
      ...lines,
      '',
    ].join('\n'),
  );
  fs.chmodSync(conf, confMode);
  fs.chmodSync(dir, dirMode);
  const proc = spawn(redisServerPath()!, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis did not start: ${out}`)), 10000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.once('exit', (c) => reject(new Error(`redis exited ${c}: ${out}`)));
  });
  return { port, dir, conf, sock, proc };
}

interface Report {
  ok: boolean;
  server: { software: string; pid: number; user: string; authRequired: boolean };
  listeners: string[];
  findings: { id: string; severity: string; evidence: string }[];
  fixesApplied: string[];
  configSnippet: string[];
}

function ids(r: Report, includeInfo = false): string[] {
  return r.findings
    .filter((f) => includeInfo || f.severity !== 'info')
    .map((f) => f.id)
    .sort();
}

const STRONG = 'Xq7-bT9_vL2.mN4+pR8=kW3@hJ6%cF1:dG5,sZ0-aY2_eU8.iO';
const has = redisServerPath() !== null;

describe('redoubt audit vs redis-server 7.0', { skip: has ? false : 'redis-server not installed' }, () => {
  it('insecure configuration: findings, golden text and JSON, exit 1; --fix repairs modes', async () => {
    const r = await startRedisConf(['unixsocketperm 777'], 0o755, 0o644);
    const norm = (s: string) =>
      normalise(s, { [r.dir]: '$DIR', [String(r.port)]: '$PORT', [String(r.proc.pid)]: '$PID' });
    const t = await runCliAsync(['audit', '-p', String(r.port)]);
    assert.equal(t.code, 1, t.err);
    const j = await runCliAsync(['audit', '-s', r.sock, '--json']);
    assert.equal(j.code, 1, j.err);
    const rep = JSON.parse(j.out) as Report;
    assert.equal(rep.server.software, 'redis');
    assert.equal(rep.server.pid, r.proc.pid);
    assert.deepEqual(rep.listeners.sort(), [`127.0.0.1:${r.port}`, `unix:${r.sock}`]);
    const expected = [
      'config-permissions',
      'dangerous-commands',
      'default-nopass',
      'dir-permissions',
      'no-auth',
      'socket-permissions',
      ...(isRoot ? ['runs-as-root'] : []),
    ].sort();
    assert.deepEqual(ids(rep), expected);
    assert.match(
      rep.findings.find((f) => f.id === 'dangerous-commands')!.evidence,
      /FLUSHALL FLUSHDB CONFIG DEBUG KEYS MODULE SHUTDOWN/,
    );
    assert.ok(rep.configSnippet.includes('rename-command FLUSHALL ""'));
    // the golden text is the root view (this harness runs as root)
    if (isRoot) {
      golden('audit-redis-insecure.txt', norm(t.out));
      golden('audit-redis-insecure.json', norm(j.out));
    }
    // --fix: modes repaired, config changes only printed
    const f = await runCliAsync(['audit', '-p', String(r.port), '--fix', '--json']);
    assert.equal(f.code, 1);
    assert.deepEqual((JSON.parse(f.out) as Report).fixesApplied.map(norm).sort(), [
      'chmod 0600 $DIR/redis.conf',
      'chmod 0700 $DIR',
      'chmod 0700 $DIR/redis.sock',
    ]);
    assert.equal(fs.statSync(r.dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(r.conf).mode & 0o777, 0o600);
    assert.ok(!fs.readFileSync(r.conf, 'utf8').includes('rename-command'), 'config never edited');
    const again = JSON.parse((await runCliAsync(['audit', '-p', String(r.port), '--json'])).out) as Report;
    assert.deepEqual(
      ids(again),
      expected.filter((x) => !/permissions/.test(x)),
    );
  });

  it('hardened configuration: only what cannot be fixed from here (root) remains', async () => {
    const r = await startRedisConf(
      [
        `requirepass ${STRONG}`,
        'unixsocketperm 700',
        ...[
          'FLUSHALL',
          'FLUSHDB',
          'CONFIG',
          'DEBUG',
          'KEYS',
          'MODULE',
          'SHUTDOWN',
          'SAVE',
          'BGSAVE',
          'COMMAND',
        ].map((c) => `rename-command ${c} ""`),
      ],
      0o700,
      0o600,
    );
    const j = await runCliAsync(['audit', '-p', String(r.port), '--json', '--config', r.conf], {
      REDISCLI_AUTH: STRONG,
    });
    const rep = JSON.parse(j.out) as Report;
    assert.equal(rep.server.authRequired, true);
    assert.deepEqual(ids(rep), isRoot ? ['runs-as-root'] : []);
    assert.equal(j.code, isRoot ? 1 : 0);
    assert.ok(ids(rep, true).includes('renamed-commands'));
    assert.ok(!j.out.includes(STRONG), 'the password is never echoed');
    const t = await runCliAsync(['audit', '-p', String(r.port), '-a', STRONG]);
    assert.ok(!t.out.includes(STRONG) && !t.err.includes(STRONG));
    // no password given: cannot audit
    const n = await runCliAsync(['audit', '-p', String(r.port)]);
    assert.equal(n.code, 2);
    assert.match(n.err, /requires a password/);
    const w = await runCliAsync(['audit', '-p', String(r.port), '-a', 'wrong']);
    assert.equal(w.code, 2);
  });

  it('with COMMAND renamed, probes detect FLUSHALL without executing it', async () => {
    const r = await startRedisConf(['rename-command COMMAND ""', 'rename-command KEYS ""'], 0o700, 0o600);
    const c = await RawClient.connect({ port: r.port });
    await c.call('SET', 'survivor', '1');
    const j = await runCliAsync(['audit', '-p', String(r.port), '--json']);
    const rep = JSON.parse(j.out) as Report;
    const dang = rep.findings.find((f) => f.id === 'dangerous-commands')!;
    assert.match(dang.evidence, /FLUSHALL FLUSHDB CONFIG DEBUG MODULE SHUTDOWN/);
    assert.doesNotMatch(dang.evidence, /KEYS/);
    assert.equal(String(await c.call('GET', 'survivor')), '1');
    assert.equal(await c.call('DBSIZE'), 1);
    c.close();
  });
});

describe('redoubt audit vs redoubt', () => {
  let srv: Running | undefined;
  after(async () => {
    await srv?.stop();
  });

  it('finds no auth, a weak password, protected mode off; exit codes 1 and 2', async () => {
    srv = await startRedoubt({ args: ['--protected-mode', 'no', '--enable-debug-command', 'yes'] });
    const j = await runCliAsync(['audit', '-p', String(srv.port), '--json']);
    assert.equal(j.code, 1, j.err);
    const rep = JSON.parse(j.out) as Report;
    assert.equal(rep.server.software, 'redoubt');
    const got = ids(rep);
    for (const id of ['no-auth', 'protected-mode-off', 'enable-debug-command', 'dangerous-commands'])
      assert.ok(got.includes(id), `${id} in ${got}`);
    assert.ok(!got.includes('dir-permissions'), 'redoubt creates its dir 0700');
    await srv.stop();
    srv = await startRedoubt({ args: ['--requirepass', 'tooshort'] });
    const w = JSON.parse(
      (await runCliAsync(['audit', '-p', String(srv.port), '-a', 'tooshort', '--json'])).out,
    ) as Report;
    assert.ok(ids(w).includes('weak-password'));
    assert.ok(!ids(w).includes('no-auth'));
    const port = await freePort();
    const none = await runCliAsync(['audit', '-p', String(port)]);
    assert.equal(none.code, 2);
    assert.match(none.err, /could not audit/);
  });
});
