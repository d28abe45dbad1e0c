// HyperLogLog internals: MurmurHash64A against a BigInt reference, dense register packing,
// sparse editing against a register-array model, estimator sanity, and PFSELFTEST's checks.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { selfTest } from '../../src/commands/hll';
import {
  createHll,
  denseGet,
  denseSetReg,
  estimate,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  isHllString,
  murmurHash64A,
  patLen,
  regHisto,
  SparseWork,
  sparseToDense,
} from '../../src/store/hll';

const M64 = (1n << 64n) - 1n;

/** MurmurHash64A written directly on 64-bit BigInts, as the reference. */
function murmurRef(data: Uint8Array, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const r = 47n;
  const len = data.length;
  let h = (seed ^ ((BigInt(len) * m) & M64)) & M64;
  const end = len - (len & 7);
  for (let i = 0; i < end; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(data[i + j]);
    k = (k * m) & M64;
    k ^= k >> r;
    k = (k * m) & M64;
    h ^= k;
    h = (h * m) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(data[end + j]) << BigInt(8 * j);
    h = (h * m) & M64;
  }
  h ^= h >> r;
  h = (h * m) & M64;
  h ^= h >> r;
  return h;
}

describe('hll: hashing', () => {
  it('MurmurHash64A matches a 64-bit reference for any bytes', () => {
    const out = new Uint32Array(2);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (data) => {
        murmurHash64A(data, 0xadc83b19, out);
        const got = (BigInt(out[0]) << 32n) | BigInt(out[1]);
        assert.equal(got, murmurRef(data, 0xadc83b19n));
      }),
      { numRuns: 500 },
    );
  });

  it('patLen gives a register index and a run length of 1..51', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        const { index, count } = patLen(data);
        assert.ok(index >= 0 && index < HLL_REGISTERS);
        assert.ok(count >= 1 && count <= 51);
        // the count is the position of the lowest set bit of hash >> 14, plus one
        const h = murmurRef(data, 0xadc83b19n);
        assert.equal(index, Number(h & 16383n));
        let v = (h >> 14n) | (1n << 50n);
        let n = 1;
        while ((v & 1n) === 0n) {
          n++;
          v >>= 1n;
        }
        assert.equal(count, n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hll: representations', () => {
  it('dense registers read back what was written, the last one included', () => {
    const d = Buffer.alloc(HLL_DENSE_SIZE);
    const want = new Uint8Array(HLL_REGISTERS);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < HLL_REGISTERS; i++) {
        want[i] = (i * 7 + round * 13) % 64;
        denseSetReg(d, i, want[i]);
      }
      for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(denseGet(d, i), want[i], `register ${i}`);
    }
    assert.equal(d.length, 12304);
  });

  it('a new HLL is sparse, 18 bytes, valid, and counts 0', () => {
    const h = createHll();
    assert.equal(h.length, 18);
    assert.ok(isHllString(h));
    assert.equal(h.toString('latin1', 0, 4), 'HYLL');
    const hist = regHisto(h) as number[];
    assert.equal(hist[0], HLL_REGISTERS);
    assert.equal(estimate(hist), 0);
  });

  it('sparse edits agree with a register model, and the ascending hint changes nothing', () => {
    const op = fc.record({
      index: fc.integer({ min: 0, max: HLL_REGISTERS - 1 }),
      count: fc.integer({ min: 1, max: 32 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const w = new SparseWork(createHll());
        const model = new Uint8Array(HLL_REGISTERS);
        for (const { index, count } of ops) {
          const r = w.set(index, count, 1 << 30);
          assert.notEqual(r, 'promote');
          assert.equal(r, count > model[index] ? 1 : 0);
          if (count > model[index]) model[index] = count;
        }
        const d = sparseToDense(w.bytes()) as Buffer;
        assert.ok(d !== null);
        for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(denseGet(d, i), model[i]);
        const hs = regHisto(w.bytes()) as number[];
        const hd = regHisto(d) as number[];
        assert.deepEqual(hs, hd);
        // the same updates in ascending index order, with and without the scan hint
        const sorted = [...ops].sort((a, b) => a.index - b.index);
        const plain = new SparseWork(createHll());
        const hinted = new SparseWork(createHll());
        for (const { index, count } of sorted) {
          plain.set(index, count, 1 << 30);
          hinted.set(index, count, 1 << 30, true);
        }
        assert.deepEqual(Buffer.from(hinted.bytes()), Buffer.from(plain.bytes()));
      }),
      { numRuns: 100 },
    );
  });

  it('a value above 32 or growth past the byte limit asks for the dense form', () => {
    const w = new SparseWork(createHll());
    assert.equal(w.set(5, 33, 3000), 'promote');
    assert.equal(w.set(5, 3, 3000), 1);
    assert.equal(w.set(5000, 3, 18), 'promote');
  });

  it('corrupted sparse data is reported, not trusted', () => {
    const h = createHll();
    const short = Buffer.concat([h.subarray(0, 16), Buffer.from([0x7f, 0xfe])]);
    assert.equal(regHisto(short), null);
    assert.equal(sparseToDense(short), null);
    assert.equal(new SparseWork(short).set(HLL_REGISTERS - 1, 1, 3000), -1);
  });

  it('estimates stay within 5 standard errors, sparse and dense alike (PFSELFTEST)', () => {
    assert.equal(selfTest(), null);
  });
});
