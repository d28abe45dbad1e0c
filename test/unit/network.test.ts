import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowed, cidrContains, isLoopback, normalizeAddress, parseCidr } from '../../src/security/network';

test('IPv4 CIDR matching', () => {
  const c = parseCidr('10.1.0.0/16');
  assert.ok(c);
  assert.ok(cidrContains(c, '10.1.2.3'));
  assert.ok(!cidrContains(c, '10.2.0.1'));
  assert.ok(cidrContains(c, '::ffff:10.1.255.255'), 'IPv4-mapped IPv6 peers match IPv4 rules');
  assert.ok(!cidrContains(c, 'fd00::1'));
  const host = parseCidr('192.0.2.7');
  assert.ok(host && cidrContains(host, '192.0.2.7') && !cidrContains(host, '192.0.2.8'));
  const all = parseCidr('0.0.0.0/0');
  assert.ok(all && cidrContains(all, '203.0.113.9'));
});

test('IPv6 CIDR matching', () => {
  const c = parseCidr('fd00:abcd::/32');
  assert.ok(c);
  assert.ok(cidrContains(c, 'fd00:abcd:1::5'));
  assert.ok(!cidrContains(c, 'fd00:abce::5'));
  assert.ok(!cidrContains(c, '10.0.0.1'));
  const one = parseCidr('::1');
  assert.ok(one && cidrContains(one, '::1') && !cidrContains(one, '::2'));
  const mapped = parseCidr('::ffff:0:0/96');
  assert.ok(mapped);
});

test('invalid CIDRs are rejected', () => {
  for (const bad of ['', 'abc', '10.0.0.0/33', '::/129', '10.0.0/8', '10.0.0.0/x', '1.2.3.4/-1']) {
    assert.equal(parseCidr(bad), null, bad);
  }
});

test('allowlist: empty allows all, otherwise first match', () => {
  assert.ok(allowed([], '198.51.100.1'));
  const list = ['127.0.0.1/32', '::1'].map((x) => parseCidr(x)).filter((x) => x !== null);
  assert.ok(allowed(list, '127.0.0.1'));
  assert.ok(allowed(list, '::1'));
  assert.ok(!allowed(list, '127.0.0.2'));
  assert.ok(!allowed(list, '198.51.100.1'));
});

test('loopback detection for protected mode', () => {
  assert.ok(isLoopback('127.0.0.1'));
  assert.ok(isLoopback('127.9.8.7'));
  assert.ok(isLoopback('::1'));
  assert.ok(isLoopback('::ffff:127.0.0.1'));
  assert.ok(!isLoopback('192.0.2.1'));
  assert.ok(!isLoopback('::2'));
  assert.ok(!isLoopback('fe80::1%eth0'));
  assert.equal(normalizeAddress('fe80::1%eth0'), 'fe80::1');
});
