import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { findBit, getBits, popcount, popcountBits, setBits } from '../../src/commands/bitops';

let seed = 12345;
function rnd(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n);
}

function bitAt(b: Uint8Array, pos: number): number {
  const byte = Math.floor(pos / 8);
  return byte < b.length ? (b[byte] >> (7 - (pos % 8))) & 1 : 0;
}

/** A buffer with a random byte offset inside its ArrayBuffer, to exercise unaligned paths. */
function randomBuffer(len: number, density: number): Buffer {
  const off = rnd(4);
  const store = Buffer.alloc(len + off);
  const b = store.subarray(off, off + len);
  for (let i = 0; i < len; i++) {
    const r = rnd(100);
    b[i] = r < density ? rnd(256) : r < 50 ? 0 : 0xff;
  }
  return b;
}

test('popcount and popcountBits match a bit-by-bit count', () => {
  for (let t = 0; t < 300; t++) {
    const len = [1, 7, 64, 65, 300, 5000, 9000][rnd(7)];
    const b = randomBuffer(len, rnd(100));
    const from = rnd(len);
    const to = from + rnd(len - from + 1);
    let naive = 0;
    for (let i = from * 8; i < to * 8; i++) naive += bitAt(b, i);
    assert.equal(popcount(b, from, to), naive);
    const first = rnd(len * 8);
    const last = first + rnd(len * 8 - first);
    naive = 0;
    for (let i = first; i <= last; i++) naive += bitAt(b, i);
    assert.equal(popcountBits(b, first, last), naive);
  }
});

test('findBit matches a linear scan', () => {
  for (let t = 0; t < 400; t++) {
    const len = [1, 3, 64, 100, 4097, 12000][rnd(6)];
    const b = randomBuffer(len, rnd(4) === 0 ? 0 : 5);
    if (rnd(3) === 0) b.fill(rnd(2) ? 0xff : 0, 0, Math.max(0, len - rnd(3)));
    const first = rnd(len * 8);
    const last = first + rnd(len * 8 - first);
    for (const bit of [0, 1] as const) {
      let naive = -1;
      for (let i = first; i <= last; i++) {
        if (bitAt(b, i) === bit) {
          naive = i;
          break;
        }
      }
      assert.equal(findBit(b, bit, first, last), naive, `len ${len} bit ${bit} [${first}, ${last}]`);
    }
  }
});

test('getBits/setBits round-trip and leave other bits alone', () => {
  for (let t = 0; t < 500; t++) {
    const len = 12;
    const b = randomBuffer(len, 50);
    const before = Buffer.from(b);
    const bits = 1 + rnd(64);
    const offset = rnd(len * 8 - bits + 1);
    let naive = 0n;
    for (let i = 0; i < bits; i++) naive = (naive << 1n) | BigInt(bitAt(b, offset + i));
    assert.equal(getBits(b, offset, bits), naive);
    const v = BigInt.asUintN(64, BigInt(rnd(2 ** 30)) * BigInt(rnd(2 ** 30)) * BigInt(rnd(2 ** 4) + 1));
    setBits(b, offset, bits, v);
    assert.equal(getBits(b, offset, bits), BigInt.asUintN(bits, v));
    for (let i = 0; i < len * 8; i++) {
      if (i < offset || i >= offset + bits) assert.equal(bitAt(b, i), bitAt(before, i), `bit ${i}`);
    }
  }
  // reads past the end see zeros
  assert.equal(getBits(Buffer.from([0xff]), 4, 8), 0xf0n);
  assert.equal(getBits(Buffer.alloc(0), 100, 64), 0n);
});
