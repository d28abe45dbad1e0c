// The encrypted AOF incr format (persistence/aof-crypt.ts): records round-trip, a writer resumes
// an existing file and never seals an index twice (a failed write is retried with the same
// sealed bytes), and every tampering is refused with the authentication error naming the file:
// a bit flipped anywhere (header, header tag, each record's length, body and tag), records
// swapped, duplicated or spliced from another file under the same key, a file renamed in place
// of another, another key. A cut inside the last record is reported as a torn tail (the caller
// trims or refuses); a cut at a record boundary is indistinguishable from a crash (documented).

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  INCR_HEADER_LEN,
  IncrWriter,
  openIncr,
  RECORD_HEAD,
  sealIncr,
} from '../../src/persistence/aof-crypt';
import { CryptError, encrypt, KIND_AOF, TAG_LEN } from '../../src/persistence/crypt';
import { tmpDir } from '../helpers/servers';

const NAME = 'appendonly.aof.1.incr.aof';
const FILE = `/data/appendonlydir/${NAME}`;
const AUTH = 'failed authentication: the file was modified, truncated or encrypted with another key';

const key = crypto.randomBytes(32);
const recs = [
  Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\na\r\n$6\r\nsecret\r\n', 'latin1'),
  Buffer.from('*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n', 'latin1'),
  crypto.randomBytes(300),
  Buffer.from('*2\r\n$3\r\nDEL\r\n$1\r\na\r\n', 'latin1'),
];
const enc = sealIncr(key, NAME, recs);

/** [start, end) of each record in an encrypted incr file. */
function bounds(buf: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let pos = INCR_HEADER_LEN;
  while (pos < buf.length) {
    const end = pos + RECORD_HEAD + buf.readUInt32BE(pos) + TAG_LEN;
    out.push([pos, end]);
    pos = end;
  }
  return out;
}

function refused(buf: Buffer, k = key, name = NAME, file = FILE): void {
  assert.throws(
    () => openIncr(k, buf, file, name),
    (e: unknown) => e instanceof CryptError && e.message.startsWith(`${file} `),
  );
}

function flip(buf: Buffer, at: number, bit = 0): Buffer {
  const b = Buffer.from(buf);
  b[at] ^= 1 << bit;
  return b;
}

describe('encrypted AOF incr records', () => {
  it('round-trips, keeping the records; holds no plaintext', () => {
    const c = openIncr(key, enc, FILE, NAME);
    assert.equal(c.torn, false);
    assert.equal(c.end, enc.length);
    assert.deepEqual(c.records, recs);
    assert.deepEqual(c.plain, Buffer.concat(recs));
    assert.equal(enc.indexOf('secret'), -1);
    assert.equal(bounds(enc).length, recs.length);
  });

  it('a header-only file is empty; an empty or torn header is a torn (empty) file', () => {
    const h = sealIncr(key, NAME, []);
    assert.equal(h.length, INCR_HEADER_LEN);
    assert.equal(openIncr(key, h, FILE, NAME).plain.length, 0);
    assert.deepEqual(openIncr(key, Buffer.alloc(0), FILE, NAME).torn, false);
    for (const n of [1, 8, 12, INCR_HEADER_LEN - 1]) {
      const c = openIncr(key, h.subarray(0, n), FILE, NAME);
      assert.equal(c.torn, true);
      assert.equal(c.end, 0);
    }
    // a header-only file's header is sealed too
    for (let i = 0; i < INCR_HEADER_LEN; i++) refused(flip(h, i));
  });

  it('a bit flipped anywhere is refused naming the file', () => {
    for (let i = 0; i < enc.length; i++) {
      // every byte of the header and the record framing/tags, a sample of the bodies
      const b = bounds(enc).find(([s, e]) => i >= s && i < e);
      const framing = b === undefined || i < b[0] + RECORD_HEAD + 2 || i >= b[1] - TAG_LEN;
      if (!framing && i % 7 !== 0) continue;
      refused(flip(enc, i, i % 8));
    }
    // the authentication error itself, for a body bit
    const [s] = bounds(enc)[1];
    assert.throws(
      () => openIncr(key, flip(enc, s + RECORD_HEAD + 3), FILE, NAME),
      (e: unknown) => e instanceof CryptError && e.message === `${FILE} ${AUTH}`,
    );
  });

  it('a cut inside the last record is a torn tail; at a record boundary it is a shorter file', () => {
    const bs = bounds(enc);
    for (let cut = INCR_HEADER_LEN; cut < enc.length; cut++) {
      const c = openIncr(key, enc.subarray(0, cut), FILE, NAME);
      const whole = bs.filter(([, e]) => e <= cut).length;
      assert.equal(c.records.length, whole);
      assert.deepEqual(c.records, recs.slice(0, whole));
      assert.equal(c.end, whole === 0 ? INCR_HEADER_LEN : bs[whole - 1][1]);
      assert.equal(c.torn, c.end !== cut);
    }
  });

  it('records swapped, duplicated, dropped in the middle or spliced from another file are refused', () => {
    const [r0, r1, r2, r3] = bounds(enc).map(([s, e]) => enc.subarray(s, e));
    const head = enc.subarray(0, INCR_HEADER_LEN);
    refused(Buffer.concat([head, r1, r0, r2, r3]));
    refused(Buffer.concat([head, r0, r0, r1, r2, r3]));
    refused(Buffer.concat([head, r0, r2, r3]));
    // another file of the same AOF, same key, same name even: its file id differs
    const other = sealIncr(key, NAME, recs);
    const [o0, o1] = bounds(other).map(([s, e]) => other.subarray(s, e));
    refused(Buffer.concat([head, r0, o1, r2, r3]));
    refused(Buffer.concat([head, o0]));
    // the whole file under another name (renamed in place of another incr file)
    refused(enc, key, 'appendonly.aof.2.incr.aof', FILE.replace('.1.', '.2.'));
  });

  it('another key is refused; a whole-file (base) encryption is not an incr file', () => {
    refused(enc, crypto.randomBytes(32));
    const base = encrypt(key, KIND_AOF, Buffer.concat(recs));
    assert.throws(
      () => openIncr(key, base, FILE, NAME),
      (e: unknown) =>
        e instanceof CryptError && /is an encrypted AOF base file, not an AOF incr file/.test(e.message),
    );
  });

  it('the writer appends records, resumes an existing file, retries a failed write without re-sealing', () => {
    const dir = tmpDir('crypt-aof-unit-');
    const file = path.join(dir, NAME);
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND;
    let fd = fs.openSync(file, flags, 0o600);
    let w = IncrWriter.open(key, fd, file);
    assert.equal(fs.statSync(file).size, INCR_HEADER_LEN);
    assert.equal(w.write(fd, recs[0]), RECORD_HEAD + recs[0].length + TAG_LEN);
    // a failed write (a read-only descriptor) throws; the retry carries the same bytes + new ones
    const ro = fs.openSync(file, fs.constants.O_RDONLY);
    assert.throws(() => w.write(ro, recs[1]));
    fs.closeSync(ro);
    w.write(fd, Buffer.concat([recs[1], recs[2]]));
    fs.closeSync(fd);
    // reopened (not known to the loader): resumes after the last record
    fd = fs.openSync(file, flags, 0o600);
    w = IncrWriter.open(key, fd, file);
    w.write(fd, recs[3]);
    fs.closeSync(fd);
    const c = openIncr(key, fs.readFileSync(file), file, NAME);
    assert.equal(c.torn, false);
    assert.deepEqual(c.records, [recs[0], recs[1], recs[2], recs[3]]);
    // a file with a torn header (not loaded: no manifest listed it) starts again
    const torn = path.join(dir, 'appendonly.aof.2.incr.aof');
    fs.writeFileSync(torn, sealIncr(key, 'appendonly.aof.2.incr.aof', []).subarray(0, 20));
    fd = fs.openSync(torn, flags, 0o600);
    IncrWriter.open(key, fd, torn).write(fd, recs[0]);
    fs.closeSync(fd);
    assert.deepEqual(openIncr(key, fs.readFileSync(torn), torn, 'appendonly.aof.2.incr.aof').records, [
      recs[0],
    ]);
    // a torn record in such a file is not appended after
    const two = sealIncr(key, 'appendonly.aof.2.incr.aof', recs);
    fs.writeFileSync(torn, two.subarray(0, two.length - 3));
    fd = fs.openSync(torn, flags, 0o600);
    assert.throws(() => IncrWriter.open(key, fd, torn), CryptError);
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
