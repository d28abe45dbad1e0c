import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addLongDouble,
  formatLongDoubleHuman,
  incrByFloat,
  type LongDouble,
  parseLongDouble,
} from '../../src/protocol/longdouble';

function ld(s: string): LongDouble {
  const v = parseLongDouble(Buffer.from(s, 'latin1'));
  assert.ok(v !== null, `parse ${s}`);
  return v;
}

function sum(a: string | null, b: string): string {
  const r = incrByFloat(a === null ? null : Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
  assert.ok(r.ok, `${a} + ${b}: ${r.ok ? '' : r.error}`);
  return r.text;
}

// expected values observed from redis-server 7.0.15 (x86-64, 80-bit long double)
test('INCRBYFLOAT results as Redis prints them', () => {
  assert.equal(sum('0.1', '0.2'), '0.3');
  assert.equal(sum('10.50', '0.1'), '10.6');
  assert.equal(sum('5.0e3', '2.0e2'), '5200');
  assert.equal(sum('0', '1000.1'), '1000.09999999999999998');
  assert.equal(sum('0', '123456789.123456789'), '123456789.12345678899873747');
  assert.equal(sum('0', '1e-20'), '0');
  assert.equal(sum('0', '1e-4940'), '0');
  assert.equal(sum('0', '0x10'), '16');
  assert.equal(sum('0', '0x1.8p3'), '12');
  assert.equal(sum('0', '+5'), '5');
  assert.equal(sum('0', '.5'), '0.5');
  assert.equal(sum('0', '5.'), '5');
  assert.equal(sum(null, '-0.5'), '-0.5');
  assert.equal(sum('-0', '-0'), '0');
  assert.ok(sum('0', '1e400').startsWith('10000000000000000000281880683947586514586453433629052038625'));
  assert.ok(sum('0', '-1e400').startsWith('-1000000000000000000028188068394758651458645343362905'));
});

test('%.17Lf rounds exact ties to even', () => {
  // 2^-18 = 0.000003814697265625 has 18 decimals ending in 5
  assert.equal(sum('0', '0.000003814697265625'), '0.00000381469726562');
  // 3 * 2^-18 = 0.000011444091796875: the digit before the tie is odd
  assert.equal(sum('0', '0.000011444091796875'), '0.00001144409179688');
});

test('invalid floats and NaN/Infinity results', () => {
  for (const s of [
    '',
    ' 1',
    '1 ',
    'abc',
    '1e',
    '0x',
    '.',
    '-',
    '1.5.5',
    'nan',
    '1e5000',
    '-1e5000',
    '1e-5000',
  ]) {
    assert.equal(parseLongDouble(Buffer.from(s)), null, JSON.stringify(s));
  }
  assert.equal(parseLongDouble(Buffer.from('2\x00junk', 'latin1')), null);
  assert.equal(parseLongDouble(Buffer.from('1'.repeat(5120))), null);
  assert.notEqual(parseLongDouble(Buffer.from(`0.${'1'.repeat(5117)}`)), null);
  assert.equal(parseLongDouble(Buffer.from(`0.${'1'.repeat(5118)}`)), null);
  assert.deepEqual(incrByFloat(null, Buffer.from('inf')), { ok: false, error: 'nan' });
  assert.deepEqual(incrByFloat(Buffer.from('x'), Buffer.from('1')), { ok: false, error: 'notfloat' });
  assert.deepEqual(incrByFloat(Buffer.from('1'), Buffer.from('x')), { ok: false, error: 'notfloat' });
  assert.deepEqual(incrByFloat(Buffer.from('1.18e4932'), Buffer.from('1.18e4932')), {
    ok: false,
    error: 'nan',
  });
  const inf = ld('inf');
  const minf = ld('-Infinity');
  assert.equal(addLongDouble(inf, minf), null);
});

test('integers below 2^64 are exact', () => {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 6364136223846793005n.toString().length + 1442695041) % 2147483647;
    return seed;
  };
  for (let i = 0; i < 200; i++) {
    const a = BigInt(rnd()) * BigInt(rnd());
    const b = BigInt(rnd()) * BigInt(rnd()) - BigInt(rnd()) * 1000n;
    assert.equal(sum(a.toString(), b.toString()), (a + b).toString());
  }
  assert.equal(sum('9223372036854775807', '1'), '9223372036854775808');
  // 2^64 + 1 needs 65 bits: rounds to even (2^64)
  assert.equal(sum('18446744073709551616', '1'), '18446744073709551616');
  assert.equal(sum('18446744073709551616', '3'), '18446744073709551620');
});

test('dyadic fractions print their exact decimal expansion', () => {
  for (let k = 1; k <= 17; k++) {
    for (const m of [1, 3, 5, 7, 1023]) {
      const x = m / 2 ** k; // exact in binary, with at most 17 decimals
      const dec = (BigInt(m) * 10n ** BigInt(k)) / 2n ** BigInt(k); // x * 10^k exactly
      const s = dec.toString().padStart(k + 1, '0');
      const expect = `${s.slice(0, -k)}.${s.slice(-k)}`.replace(/0+$/, '').replace(/\.$/, '');
      assert.equal(sum('0', x.toPrecision(30).replace(/0+$/, '')), expect, `${m}/2^${k}`);
    }
  }
});

test('formatter handles huge and tiny magnitudes', () => {
  const big = ld('1.18e4932');
  const s = formatLongDoubleHuman(big);
  assert.equal(s.length, 4933);
  assert.ok(s.startsWith('118'));
  assert.equal(formatLongDoubleHuman(ld('1e-17')), '0.00000000000000001');
  assert.equal(formatLongDoubleHuman(ld('4e-18')), '0');
  assert.equal(formatLongDoubleHuman(ld('6e-18')), '0.00000000000000001');
  assert.equal(formatLongDoubleHuman(ld('-6e-18')), '-0.00000000000000001');
  assert.equal(formatLongDoubleHuman(ld('-4e-18')), '0');
});
