import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tmpDir } from '../helpers/servers';
import { golden, runCli } from './cli-util';

describe('redoubt firewall', () => {
  it('iptables + nftables for ports and IPv4/IPv6 allowlists (golden)', () => {
    const r = runCli([
      'firewall',
      '--port',
      '6379',
      '--port',
      '6380',
      '--allow',
      '10.1.2.3/8',
      '--allow',
      '192.168.1.7',
      '--allow',
      'fd00::1/8',
      '--allow',
      '2001:db8:0:1::/64',
    ]);
    assert.equal(r.code, 0, r.err);
    golden('firewall.txt', r.out);
    const j = runCli([
      'firewall',
      '--port',
      '6379',
      '--allow',
      '10.0.0.0/8',
      '--format',
      'nftables',
      '--json',
    ]);
    assert.equal(j.code, 0);
    golden('firewall.json', j.out);
  });

  it('reads port and tls-port from a config file; default deny with no allowlist', () => {
    const d = tmpDir();
    const f = path.join(d, 'r.conf');
    fs.writeFileSync(f, 'port 7001\ntls-port 7002\n');
    const r = runCli(['firewall', '--config', f, '--format', 'iptables']);
    assert.equal(r.code, 0, r.err);
    golden('firewall-config.txt', r.out);
    fs.rmSync(d, { recursive: true, force: true });
  });

  it('usage errors exit 2', () => {
    assert.equal(runCli(['firewall']).code, 2);
    assert.equal(runCli(['firewall', '--port', '1', '--allow', '10.0.0.0/33']).code, 2);
    assert.equal(runCli(['firewall', '--port', '70000']).code, 2);
    assert.equal(runCli(['firewall', '--port', '1', '--format', 'pf']).code, 2);
  });
});
