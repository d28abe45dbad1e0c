import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigText } from '../../src/config/load';
import { splitArgs } from '../../src/protocol/splitargs';
import { digestHex, sha256 } from '../../src/security/secret';
import { Server } from '../../src/server/server';
import { golden, runCli } from './cli-util';

const SAFE = /^[A-Za-z0-9\-_.+=@%:,]+$/;

function line(out: string, prefix: string): string {
  const l = out.split('\n').find((x) => x.startsWith(prefix));
  assert.ok(l, `no line starting with ${prefix} in:\n${out}`);
  return l;
}

describe('redoubt passwd', () => {
  it('generates 48 shell-safe characters by default, different each time', () => {
    const a = runCli(['passwd']);
    const b = runCli(['passwd']);
    assert.equal(a.code, 0);
    const pa = line(a.out, 'password: ').slice(10);
    const pb = line(b.out, 'password: ').slice(10);
    assert.equal(pa.length, 48);
    assert.match(pa, SAFE);
    assert.notEqual(pa, pb);
    assert.equal(line(a.out, 'requirepass '), `requirepass ${pa}`);
    assert.equal(line(a.out, 'requirepass-sha256 '), `requirepass-sha256 ${sha256(pa).toString('hex')}`);
    assert.equal(line(a.out, 'user '), `user default on #${sha256(pa).toString('hex')} ~* &* +@all`);
  });

  it('--length and --json', () => {
    const r = runCli(['passwd', '--length', '64', '--json', '--user', 'app']);
    assert.equal(r.code, 0);
    const o = JSON.parse(r.out) as Record<string, string | number>;
    assert.equal(String(o.password).length, 64);
    assert.equal(o.acl, `user app on #${sha256(String(o.password)).toString('hex')} ~* &* +@all`);
    assert.equal(runCli(['passwd', '--length', '8']).code, 2);
    assert.equal(runCli(['passwd', '--bogus']).code, 2);
  });

  const tricky = [
    'a "quoted" pass',
    'back\\slash\\',
    "it's",
    'sp ace\ttab',
    '"',
    '\\x41',
    'mix\'"\\ $HOME `x`',
    'é unicode',
  ];
  for (const pw of tricky) {
    it(`--stdin escapes ${JSON.stringify(pw)} so the config loader reads it back`, () => {
      const bytes = Buffer.from(pw, 'utf8');
      const r = runCli(['passwd', '--stdin'], { input: Buffer.concat([bytes, Buffer.from('\n')]) });
      assert.equal(r.code, 0, r.err);
      const latin1 = bytes.toString('latin1');
      const req = line(r.out, 'requirepass ');
      // the line splits back to the same bytes
      assert.deepEqual(splitArgs(req), ['requirepass', latin1]);
      // and the real loader stores the same password (as its digest)
      const s = new Server();
      loadConfigText(s.config, `${req}\n`, 'test.conf');
      assert.equal(digestHex(s.config.str('requirepass')), sha256(bytes).toString('hex'));
      const s2 = new Server();
      loadConfigText(s2.config, `${line(r.out, 'requirepass-sha256 ')}\n`, 'test.conf');
      assert.equal(digestHex(s2.config.str('requirepass')), sha256(bytes).toString('hex'));
      assert.doesNotMatch(r.out, /^password:/m);
    });
  }

  it('--stdin golden output (text and JSON)', () => {
    const input = 'horse "battery" \\ staple\n';
    const t = runCli(['passwd', '--stdin', '--user', 'ops'], { input });
    assert.equal(t.code, 0);
    golden('passwd-stdin.txt', t.out);
    assert.match(t.err, /shorter than 32/);
    const j = runCli(['passwd', '--stdin', '--user', 'ops', '--json'], { input });
    golden('passwd-stdin.json', j.out);
  });
});
