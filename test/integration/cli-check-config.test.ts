import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { tmpDir } from '../helpers/servers';
import { golden, normalise, runCli } from './cli-util';

const dir = tmpDir('redoubt-cc-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string, mode = 0o600): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  fs.chmodSync(f, mode);
  return f;
}

const INSECURE = `# an exposed, careless server
port 7000
bind 0.0.0.0 ::
protected-mode no
requirepass short
enable-debug-command yes
enable-protected-configs yes
unixsocket /tmp/r.sock
unixsocketperm 777
`;

const HARDENED = `bind 127.0.0.1 -::1
port 0
tls-port 7001
tls-cert-file server.crt
tls-key-file server.key
tls-ca-cert-file ca.crt
tls-auth-clients yes
tls-protocols "TLSv1.2 TLSv1.3"
requirepass-sha256 ${'ab'.repeat(32)}
rename-command FLUSHALL ""
rename-command FLUSHDB ""
rename-command CONFIG ""
rename-command DEBUG ""
rename-command KEYS ""
rename-command SHUTDOWN ""
`;

describe('redoubt check-config', () => {
  it('insecure settings with line numbers (golden text and JSON), exit 1', () => {
    const f = write('insecure.conf', INSECURE, 0o644);
    const t = runCli(['check-config', f]);
    assert.equal(t.code, 1, t.err);
    golden('check-config-insecure.txt', normalise(t.out, { [dir]: '$DIR' }));
    const j = runCli(['check-config', f, '--json']);
    assert.equal(j.code, 1);
    golden('check-config-insecure.json', normalise(j.out, { [dir]: '$DIR' }));
    const ids = (JSON.parse(j.out) as { findings: { id: string }[] }).findings.map((x) => x.id).sort();
    assert.deepEqual(
      ids,
      [
        'dangerous-commands',
        'enable-debug-command',
        'enable-protected-configs',
        'no-auth-exposed',
        'plaintext-exposed',
        'protected-mode-off',
        'secret-file-readable',
        'socket-world-access',
        'weak-password',
      ].filter((x) => x !== 'no-auth-exposed'),
    );
  });

  it('no password with a non-loopback bind is critical', () => {
    const f = write('open.conf', 'bind 0.0.0.0\nport 7000\n');
    const j = runCli(['check-config', f, '--json']);
    assert.equal(j.code, 1);
    const fs0 = (JSON.parse(j.out) as { findings: { id: string; severity: string; line?: number }[] })
      .findings;
    const crit = fs0.find((x) => x.id === 'no-auth-exposed');
    assert.equal(crit?.severity, 'critical');
    assert.equal(crit?.line, 1);
  });

  it('a hardened config is clean: exit 0', () => {
    const f = write('hardened.conf', HARDENED);
    const t = runCli(['check-config', f]);
    assert.equal(t.code, 0, t.out + t.err);
    golden('check-config-hardened.txt', normalise(t.out, { [dir]: '$DIR' }));
  });

  it('errors name the file and line, exit 2', () => {
    const f = write('broken.conf', 'port 7000\n\n# c\nmaxmemory lots\n');
    const t = runCli(['check-config', f]);
    assert.equal(t.code, 2);
    golden('check-config-error.txt', normalise(t.out, { [dir]: '$DIR' }));
    const j = runCli(['check-config', f, '--json']);
    assert.equal(j.code, 2);
    assert.equal((JSON.parse(j.out) as { error: { line: number } }).error.line, 4);
    const q = write('quote.conf', 'requirepass "unterminated\n');
    assert.equal(runCli(['check-config', q]).code, 2);
    assert.equal(runCli(['check-config', path.join(dir, 'missing.conf')]).code, 2);
    assert.equal(runCli(['check-config']).code, 2);
  });

  it('reads a Debian-style redis.conf (Redis-only directives are warnings, not errors)', () => {
    const f = write(
      'redis.conf',
      'bind 127.0.0.1 -::1\nport 6379\nlatency-tracking yes\nrequirepass "x y z"\n',
    );
    const t = runCli(['check-config', f, '--json']);
    assert.ok(t.code === 0 || t.code === 1, t.out + t.err);
    assert.equal((JSON.parse(t.out) as { ok: boolean }).ok, true);
  });
});
