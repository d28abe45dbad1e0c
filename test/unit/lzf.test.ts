// LZF: round trips, byte-identical output with redis-server for known inputs, the output limit
// rule (compress only when it saves the required bytes), and hostile compressed input.

import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf';
import { prng } from '../helpers/random';

describe('lzf', () => {
  it('produces the bytes redis-server writes (DUMP payloads of long strings)', () => {
    // DUMP body: 0x00 (string), 0xc3 (LZF), compressed length, original length, data
    const cases: [string, string][] = [
      ['a'.repeat(50), '016161e02500016161'],
      [
        'the quick brown fox jumps over the lazy dog, the quick brown fox jumps over the lazy cat',
        '1f74686520717569636b2062726f776e20666f78206a756d7073206f7665722074201e086c617a7920646f672c600de01b2c02636174',
      ],
    ];
    for (const [input, hex] of cases) {
      const out = lzfCompress(Buffer.from(input), input.length - 4);
      assert.ok(out !== null);
      assert.equal(out.toString('hex'), hex, input.slice(0, 20));
      assert.equal(lzfDecompress(out, input.length)?.toString(), input);
    }
  });

  it('round-trips random, repetitive and text-like data', () => {
    const r = prng(42);
    for (let t = 0; t < 300; t++) {
      const len = 1 + Math.floor(r() * (t % 10 === 0 ? 30000 : 500));
      const b = Buffer.alloc(len);
      const mode = t % 3;
      for (let i = 0; i < len; i++) {
        b[i] =
          mode === 0 ? Math.floor(r() * 256) : mode === 1 ? 97 + Math.floor(r() * 3) : 32 + ((i * 7) % 13);
      }
      const c = lzfCompress(b, len + 64);
      if (c === null) continue; // tiny inputs may not fit even with slack
      const d = lzfDecompress(c, len);
      assert.ok(d?.equals(b), `mode ${mode} length ${len}`);
    }
  });

  it('gives up when the output would not fit the limit', () => {
    const random = randomBytes(1000);
    assert.equal(lzfCompress(random, 996), null);
    assert.equal(lzfCompress(Buffer.alloc(0), 10), null);
    const zeros = Buffer.alloc(1000);
    const c = lzfCompress(zeros, 996);
    assert.ok(c !== null && c.length < 40);
    assert.equal(lzfCompress(zeros, c.length - 1), null);
  });

  it('rejects malformed compressed data instead of reading or writing out of bounds', () => {
    const good = lzfCompress(Buffer.from('abcabcabcabcabcabcabcabcabcabc'), 26) as Buffer;
    assert.ok(good !== null);
    assert.equal(lzfDecompress(good, 29), null, 'shorter than declared');
    assert.equal(lzfDecompress(good, 31), null, 'longer than declared');
    assert.equal(lzfDecompress(Buffer.from([0x20, 0x00]), 3), null, 'reference before the start');
    assert.equal(lzfDecompress(Buffer.from([0x05, 0x61]), 6), null, 'literal run past the input');
    assert.equal(lzfDecompress(Buffer.from([0xe0]), 9), null, 'truncated long reference');
    assert.equal(lzfDecompress(Buffer.from([0x00, 0x61, 0xe0, 0xff, 0x00]), 10), null, 'run past the output');
    const r = prng(7);
    for (let t = 0; t < 2000; t++) {
      const b = Buffer.alloc(1 + Math.floor(r() * 40));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
      const out = lzfDecompress(b, Math.floor(r() * 100));
      if (out !== null) assert.ok(out.length <= 100);
    }
  });
});
