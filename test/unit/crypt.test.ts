// Encryption at rest (persistence/crypt.ts): the chunked AES-256-GCM format round-trips, and
// every kind of tampering (a bit flipped at each chunk boundary and in the header, truncation at
// a chunk boundary and mid-chunk, swapped chunks, a chunk spliced from another file, another
// key) is refused with the authentication error naming the file; key files parse in both forms.

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CHUNK_LOG2,
  CryptError,
  decrypt,
  encrypt,
  HEADER_LEN,
  isEncrypted,
  KIND_RDB,
  parseKey,
  TAG_LEN,
} from '../../src/persistence/crypt';

const CHUNK = 1 << CHUNK_LOG2;
const STRIDE = CHUNK + TAG_LEN;
const FILE = '/data/dump.rdb';
const AUTH =
  /^\/data\/dump\.rdb failed authentication: the file was modified, truncated or encrypted with another key$/;

const key = crypto.randomBytes(32);
// 3 full chunks and a partial one
const plain = crypto.randomBytes(CHUNK * 3 + 1234);
const enc = encrypt(key, KIND_RDB, plain);

function refused(buf: Buffer, k = key): void {
  assert.throws(
    () => decrypt(k, buf, FILE),
    (e: unknown) => e instanceof CryptError && AUTH.test(e.message),
  );
}

/** Offset of chunk i in the encrypted file. */
const at = (i: number) => HEADER_LEN + i * STRIDE;

describe('crypt format', () => {
  it('round-trips any length, including empty and exact chunk multiples', () => {
    for (const n of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK]) {
      const p = crypto.randomBytes(n);
      const e = encrypt(key, KIND_RDB, p);
      assert.ok(isEncrypted(e));
      assert.deepEqual(decrypt(key, e, FILE), p);
    }
    assert.deepEqual(decrypt(key, enc, FILE), plain);
    assert.equal(enc.length, HEADER_LEN + 4 * STRIDE - (CHUNK - 1234));
  });

  it('two encryptions of the same data differ (per-file random id)', () => {
    const p = Buffer.from('same');
    assert.notDeepEqual(encrypt(key, KIND_RDB, p), encrypt(key, KIND_RDB, p));
  });

  it('refuses a bit flipped at every chunk boundary and in the header', () => {
    const places: number[] = [];
    for (let i = 0; i <= 3; i++) {
      places.push(at(i), at(i) + 1); // first ciphertext bytes of each chunk
      if (i > 0) places.push(at(i) - 1, at(i) - TAG_LEN); // the previous chunk's tag
    }
    places.push(enc.length - 1, enc.length - TAG_LEN - 1);
    // header: the version, kind and reserved bytes, and the file id (magic flips make it a
    // plain file, refused elsewhere)
    places.push(9, 11, 12, 20, 27);
    for (const p of places) {
      for (const bit of [0, 7]) {
        const b = Buffer.from(enc);
        b[p] ^= 1 << bit;
        refused(b);
      }
    }
  });

  it('refuses a version or chunk size it does not know with a clear error', () => {
    const b = Buffer.from(enc);
    b[8] = 2;
    assert.throws(() => decrypt(key, b, FILE), /uses encryption format version 2/);
    const c = Buffer.from(enc);
    c[10] = 30;
    refused(c);
  });

  it('refuses truncation at every chunk boundary and mid-chunk', () => {
    for (let i = 1; i <= 3; i++) refused(enc.subarray(0, at(i)));
    refused(enc.subarray(0, at(1) + 100));
    refused(enc.subarray(0, at(3) + 100));
    refused(enc.subarray(0, enc.length - 1));
    refused(enc.subarray(0, HEADER_LEN));
    refused(enc.subarray(0, HEADER_LEN + TAG_LEN - 1));
    // a chunk dropped from the middle
    refused(Buffer.concat([enc.subarray(0, at(1)), enc.subarray(at(2))]));
    // a chunk duplicated
    refused(Buffer.concat([enc.subarray(0, at(2)), enc.subarray(at(1))]));
  });

  it('refuses swapped chunks', () => {
    const c = (i: number) => enc.subarray(at(i), at(i + 1));
    refused(Buffer.concat([enc.subarray(0, HEADER_LEN), c(1), c(0), enc.subarray(at(2))]));
    refused(Buffer.concat([enc.subarray(0, HEADER_LEN), c(0), c(2), c(1), enc.subarray(at(3))]));
  });

  it('refuses a chunk spliced from another file encrypted with the same key', () => {
    const other = encrypt(key, KIND_RDB, crypto.randomBytes(CHUNK * 3 + 1234));
    refused(Buffer.concat([enc.subarray(0, at(1)), other.subarray(at(1), at(2)), enc.subarray(at(2))]));
    // the other file's header on this file's chunks
    refused(Buffer.concat([other.subarray(0, HEADER_LEN), enc.subarray(HEADER_LEN)]));
  });

  it('refuses another key', () => {
    refused(enc, crypto.randomBytes(32));
  });

  it('parses key files: 32 raw bytes or 64 hex digits with an optional newline', () => {
    const raw = crypto.randomBytes(32);
    assert.deepEqual(parseKey(raw, 'k'), raw);
    assert.deepEqual(parseKey(Buffer.from(raw.toString('hex')), 'k'), raw);
    assert.deepEqual(parseKey(Buffer.from(`${raw.toString('hex').toUpperCase()}\n`), 'k'), raw);
    for (const bad of ['', 'abc', `${raw.toString('hex')}00`, `${raw.toString('hex').slice(0, 63)}g`]) {
      assert.throws(() => parseKey(Buffer.from(bad), '/k'), /must hold 32 random bytes.*redoubt keygen \/k/);
    }
  });
});
