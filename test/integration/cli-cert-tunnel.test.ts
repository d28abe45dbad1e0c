// `redoubt cert` files used by a redoubt TLS port, and `redoubt tunnel` carrying real redis-cli
// sessions to it (pinned certificate, CA, wrong pin, no verification).

import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, freePort, type Running, startRedoubt, tmpDir } from '../helpers/servers';
import { golden, normalise, runCli, runCliAsync } from './cli-util';

const dir = tmpDir('redoubt-cert-');
const pki = path.join(dir, 'pki');
let srv: Running | undefined;
let tlsPort = 0;
const procs: ChildProcess[] = [];

function cli(args: string[]): { code: number; out: string } {
  try {
    return {
      code: 0,
      out: execFileSync('redis-cli', args, {
        encoding: 'utf8',
        timeout: 10000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: `${x.stdout}${x.stderr}` };
  }
}

function startTunnel(args: string[]): Promise<{ p: ChildProcess; log: () => string }> {
  const p = spawn(process.execPath, [BIN, 'tunnel', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let log = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tunnel did not start:\n${log}`)), 10000);
    p.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (/listening on/.test(log)) {
        clearTimeout(t);
        resolve({ p, log: () => log });
      }
    });
    p.on('exit', (code) => reject(new Error(`tunnel exited ${code}:\n${log}`)));
  });
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (p.exitCode !== null) return r();
    p.once('exit', () => r());
    p.kill('SIGTERM');
  });
}

before(async () => {
  tlsPort = await freePort();
  const r = runCli(['cert', '--out', pki, '--client', 'app', '--tls-port', String(tlsPort)]);
  assert.equal(r.code, 0, r.err);
  golden('cert.txt', normalise(r.out, { [dir]: '$DIR', [String(tlsPort)]: '$PORT' }));
  srv = await startRedoubt({
    noPort: true,
    args: [
      '--port',
      '0',
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      path.join(pki, 'server.crt'),
      '--tls-key-file',
      path.join(pki, 'server.key'),
      '--tls-ca-cert-file',
      path.join(pki, 'ca.crt'),
      '--tls-auth-clients',
      'yes',
    ],
    readyPattern: /Ready to accept/,
  });
});

after(async () => {
  for (const p of procs) await stop(p);
  await srv?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('redoubt cert', () => {
  it('writes a CA, server and client pair; keys 0600; chain and SANs verify', () => {
    for (const f of ['ca.key', 'server.key', 'client-app.key']) {
      assert.equal(fs.statSync(path.join(pki, f)).mode & 0o777, 0o600, f);
    }
    const v = execFileSync('openssl', ['verify', '-CAfile', 'ca.crt', 'server.crt', 'client-app.crt'], {
      cwd: pki,
      encoding: 'utf8',
    });
    assert.match(v, /server.crt: OK/);
    assert.match(v, /client-app.crt: OK/);
    const text = execFileSync('openssl', ['x509', '-in', 'server.crt', '-noout', '-text'], {
      cwd: pki,
      encoding: 'utf8',
    });
    assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(text, /TLS Web Server Authentication/);
    const ct = execFileSync(
      'openssl',
      ['x509', '-in', 'client-app.crt', '-noout', '-subject', '-ext', 'extendedKeyUsage'],
      { cwd: pki, encoding: 'utf8' },
    );
    assert.match(ct, /CN ?= ?app/);
    assert.match(ct, /TLS Web Client Authentication/);
  });

  it('the printed redis-cli line works against a redoubt TLS port; without a client cert it fails', () => {
    const ok = cli([
      '--tls',
      '-h',
      'localhost',
      '-p',
      String(tlsPort),
      '--cacert',
      path.join(pki, 'ca.crt'),
      '--cert',
      path.join(pki, 'client-app.crt'),
      '--key',
      path.join(pki, 'client-app.key'),
      'PING',
    ]);
    assert.equal(ok.out.trim(), 'PONG');
    const bad = cli([
      '--tls',
      '-h',
      'localhost',
      '-p',
      String(tlsPort),
      '--cacert',
      path.join(pki, 'ca.crt'),
      'PING',
    ]);
    assert.notEqual(bad.out.trim(), 'PONG');
  });

  it('adds a client to an existing CA; bad names are refused', () => {
    const r = runCli(['cert', '--out', pki, '--client', 'second', '--json']);
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out) as { files: string[] };
    assert.ok(!o.files.includes('ca.key'), 'CA kept');
    const v = execFileSync('openssl', ['verify', '-CAfile', 'ca.crt', 'client-second.crt'], {
      cwd: pki,
      encoding: 'utf8',
    });
    assert.match(v, /OK/);
    assert.equal(runCli(['cert', '--out', pki, '--client', 'a/b']).code, 2);
    assert.equal(runCli(['cert', '--out', pki, '--ip', '300.1.1.1']).code, 2);
    assert.equal(runCli(['cert']).code, 2);
  });
});

describe('redoubt audit over TLS', () => {
  it('audits the redoubt TLS port with a client certificate; an unverifiable server cannot be audited', async () => {
    const args = [
      'audit',
      '-h',
      'localhost',
      '-p',
      String(tlsPort),
      '--tls',
      '--cacert',
      path.join(pki, 'ca.crt'),
      '--cert',
      path.join(pki, 'client-app.crt'),
      '--key',
      path.join(pki, 'client-app.key'),
      '--json',
    ];
    const r = await runCliAsync(args);
    assert.equal(r.code, 1, r.err);
    const o = JSON.parse(r.out) as {
      server: { software: string };
      listeners: string[];
      findings: { id: string }[];
    };
    assert.equal(o.server.software, 'redoubt');
    assert.ok(
      o.listeners.every((l) => l.endsWith(`:${tlsPort}`)),
      String(o.listeners),
    );
    const ids = o.findings.map((f) => f.id);
    assert.ok(ids.includes('no-auth'));
    for (const id of ['plaintext-exposed', 'tls-old-protocols', 'tls-no-client-certs'])
      assert.ok(!ids.includes(id), id);
    // no CA given: the server certificate does not verify
    const bad = await runCliAsync([
      'audit',
      '-h',
      'localhost',
      '-p',
      String(tlsPort),
      '--tls',
      '--cert',
      path.join(pki, 'client-app.crt'),
      '--key',
      path.join(pki, 'client-app.key'),
    ]);
    assert.equal(bad.code, 2);
  });
});

describe('redoubt tunnel', () => {
  const fp = () =>
    execFileSync(
      'openssl',
      ['x509', '-in', path.join(pki, 'server.crt'), '-noout', '-fingerprint', '-sha256'],
      { encoding: 'utf8' },
    )
      .trim()
      .split('=')[1];
  const clientCert = () => [
    '--cert',
    path.join(pki, 'client-app.crt'),
    '--key',
    path.join(pki, 'client-app.key'),
  ];

  it('carries a redis-cli session over TLS with a pinned certificate (Unix socket 0600)', async () => {
    const sock = path.join(dir, 't.sock');
    const t = await startTunnel([
      '--listen',
      sock,
      '--connect',
      `127.0.0.1:${tlsPort}`,
      '--pin',
      `sha256:${fp()}`,
      ...clientCert(),
    ]);
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
    assert.equal(cli(['-s', sock, 'SET', 'k', 'through the tunnel']).out.trim(), 'OK');
    assert.equal(cli(['-s', sock, 'GET', 'k']).out.trim(), 'through the tunnel');
    await stop(t.p);
    assert.match(t.log(), /#1 open .*TLSv1\.[23]/);
    assert.match(t.log(), /connections 2 \(failed 0\)/);
  });

  it('verifies against the CA on a loopback port', async () => {
    const port = await freePort();
    const t = await startTunnel([
      '--listen',
      `127.0.0.1:${port}`,
      '--connect',
      `localhost:${tlsPort}`,
      '--cacert',
      path.join(pki, 'ca.crt'),
      ...clientCert(),
    ]);
    assert.equal(cli(['-p', String(port), 'PING']).out.trim(), 'PONG');
    await stop(t.p);
  });

  it('refuses a wrong pin: the client connection is closed, nothing reaches the server', async () => {
    const port = await freePort();
    const t = await startTunnel([
      '--listen',
      String(port),
      '--connect',
      `127.0.0.1:${tlsPort}`,
      '--pin',
      `sha256:${'00'.repeat(32)}`,
      ...clientCert(),
    ]);
    assert.notEqual(cli(['-p', String(port), 'PING']).out.trim(), 'PONG');
    await stop(t.p);
    assert.match(t.log(), /certificate pin mismatch/);
  });

  it('refuses to start without verification; --insecure warns loudly; non-loopback listen refused', () => {
    const r = runCli(['tunnel', '--listen', '7', '--connect', '127.0.0.1:1']);
    assert.equal(r.code, 2);
    assert.match(r.err, /refusing to start without verifying/);
    assert.equal(
      runCli(['tunnel', '--listen', '0.0.0.0:7', '--connect', '127.0.0.1:1', '--insecure']).code,
      2,
    );
    assert.equal(
      runCli(['tunnel', '--listen', '7', '--connect', '127.0.0.1:1', '--pin', 'sha256:abc']).code,
      2,
    );
  });

  it('--insecure prints a warning and still forwards', async () => {
    const port = await freePort();
    const t = await startTunnel([
      '--listen',
      String(port),
      '--connect',
      `127.0.0.1:${tlsPort}`,
      '--insecure',
      ...clientCert(),
    ]);
    assert.match(t.log(), /WARNING: --insecure/);
    assert.equal(cli(['-p', String(port), 'PING']).out.trim(), 'PONG');
    await stop(t.p);
  });
});
