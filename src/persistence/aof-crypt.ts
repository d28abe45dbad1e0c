// Encryption at rest for the append-only file (encryption-key-file; the key, and the chunked
// format of files written whole, are in crypt.ts).
//
// The base file is written once and renamed into place, so it is encrypted whole like an RDB
// file (crypt.ts's chunked format, kind 2: RDB preamble or commands inside). Incr files are
// appended to on every event-loop turn (one write per turn, fsynced per appendfsync), which a
// format sealed at the end can't serve, so they have their own layout (kind 3):
//   header: crypt.ts's 28 bytes (magic, version 1, kind 3, 0, 0, 16-byte random file id), then a
//     16-byte GCM tag sealing the header and the file's name (so even an empty file is checked);
//   records, one per write: u32 BE plaintext length L, u32 BE ~L (a flipped length bit is an
//     error rather than something that looks like a torn tail), L bytes of ciphertext, GCM tag.
// The key is per file (HKDF of the master key with the file id, as crypt.ts); record i's nonce
// is i, and every index is sealed exactly once (a failed write is retried with the very same
// sealed bytes, never re-sealed); its associated data is the header, i, L and the file's name.
// Loading verifies every record of every file before any is replayed: a record altered,
// reordered, duplicated, dropped from the middle, taken from another incr file (same key or
// not), or a whole file renamed in place of another, fails authentication, naming the file.
//
// What this can't detect (documented in the README too): records missing at the end of a file
// (cut at a record boundary) look exactly like a crash before they were written, and the last
// incr file cut inside its last record looks like a torn write: trimmed with a warning under
// aof-load-truncated yes, as Redis does for a plain AOF. The manifest stays Redis's plain text,
// so whole files replaced by older versions of themselves, or a manifest edited to list fewer
// files, are not detected either (binding them would need an authenticated manifest).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNoFollow, writeAllSync } from '../security/files';
import type { Server } from '../server/server';
import {
  authFailure,
  CryptError,
  decrypt,
  ENC_MAGIC,
  ENC_VERSION,
  encrypt,
  encryptedKind,
  fileKey,
  HEADER_LEN,
  isEncrypted,
  KIND_AOF,
  KIND_AOF_INCR,
  kindName,
  serverKey,
  TAG_LEN,
} from './crypt';

/** header + its tag */
export const INCR_HEADER_LEN = HEADER_LEN + TAG_LEN;
/** length + its complement */
export const RECORD_HEAD = 8;
/** a write larger than this is sealed as several records */
const MAX_RECORD = 1 << 30;

function recordNonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

// the header tag's nonce lives apart from every record's (first word 1, records use 0)
const HEADER_NONCE = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

/** One incr file's keys and identity. */
export class IncrCipher {
  private constructor(
    readonly header: Buffer,
    private readonly key: Buffer,
    private readonly name: Buffer,
  ) {}

  /** A new file (random id) named `name` (its base name in the AOF directory). */
  static create(master: Buffer, name: string): IncrCipher {
    const h = Buffer.alloc(HEADER_LEN);
    ENC_MAGIC.copy(h, 0);
    h[8] = ENC_VERSION;
    h[9] = KIND_AOF_INCR;
    crypto.randomBytes(16).copy(h, 12);
    return new IncrCipher(h, fileKey(master, h.subarray(12, 28)), Buffer.from(name, 'latin1'));
  }

  /** An existing file's: checks its header (and header tag) first. */
  static open(master: Buffer, buf: Buffer, file: string, name: string): IncrCipher {
    if (buf.length < INCR_HEADER_LEN) throw new CryptError(authFailure(file));
    const h = Buffer.from(buf.subarray(0, HEADER_LEN));
    if (!isEncrypted(h)) throw new CryptError(`${file} is not an encrypted redoubt file`);
    if (h[8] !== ENC_VERSION) {
      throw new CryptError(`${file} uses encryption format version ${h[8]}, this redoubt reads version 1`);
    }
    if (h[9] !== KIND_AOF_INCR) {
      throw new CryptError(`${file} is an encrypted ${kindName(h[9])}, not an AOF incr file`);
    }
    if (h[10] !== 0 || h[11] !== 0) throw new CryptError(authFailure(file));
    const c = new IncrCipher(h, fileKey(master, h.subarray(12, 28)), Buffer.from(name, 'latin1'));
    const d = crypto.createDecipheriv('aes-256-gcm', c.key, HEADER_NONCE);
    d.setAAD(c.aad(0, 0));
    d.setAuthTag(buf.subarray(HEADER_LEN, INCR_HEADER_LEN));
    try {
      d.final();
    } catch {
      throw new CryptError(authFailure(file));
    }
    return c;
  }

  private aad(index: number, len: number): Buffer {
    const a = Buffer.allocUnsafe(HEADER_LEN + 12 + this.name.length);
    this.header.copy(a, 0);
    a.writeBigUInt64BE(BigInt(index), HEADER_LEN);
    a.writeUInt32BE(len, HEADER_LEN + 8);
    this.name.copy(a, HEADER_LEN + 12);
    return a;
  }

  /** The header and its tag: the first bytes of the file. */
  sealedHeader(): Buffer {
    const c = crypto.createCipheriv('aes-256-gcm', this.key, HEADER_NONCE);
    c.setAAD(this.aad(0, 0));
    c.final();
    return Buffer.concat([this.header, c.getAuthTag()]);
  }

  /** Record `index` holding `plain` (at most MAX_RECORD bytes). */
  seal(index: number, plain: Buffer): Buffer {
    const out = Buffer.allocUnsafe(RECORD_HEAD + plain.length + TAG_LEN);
    out.writeUInt32BE(plain.length, 0);
    out.writeUInt32BE(~plain.length >>> 0, 4);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, recordNonce(index));
    c.setAAD(this.aad(index, plain.length));
    const body = c.update(plain);
    c.final();
    body.copy(out, RECORD_HEAD);
    c.getAuthTag().copy(out, RECORD_HEAD + plain.length);
    return out;
  }

  /** Verifies and decrypts record `index` (ciphertext + tag of `len` plaintext bytes). */
  open(index: number, len: number, sealed: Buffer, file: string): Buffer {
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, recordNonce(index));
    d.setAAD(this.aad(index, len));
    d.setAuthTag(sealed.subarray(len, len + TAG_LEN));
    const body = d.update(sealed.subarray(0, len));
    try {
      d.final();
    } catch {
      throw new CryptError(authFailure(file));
    }
    return body;
  }
}

export interface IncrContent {
  /** the plaintext of every whole record, in order */
  plain: Buffer;
  /** plaintext of each record (for rekey, which keeps the record boundaries) */
  records: Buffer[];
  /** where the last whole record ends (0 for a torn header) */
  end: number;
  /** bytes after `end` that don't make a whole record or header: a torn write */
  torn: boolean;
  /** null for a torn header */
  cipher: IncrCipher | null;
}

/** Whether `buf`, shorter than a header, could be the start of one (a torn header write). */
function tornHeader(buf: Buffer): boolean {
  if (buf.length >= INCR_HEADER_LEN) return false;
  const n = Math.min(buf.length, ENC_MAGIC.length);
  if (!buf.subarray(0, n).equals(ENC_MAGIC.subarray(0, n))) return false;
  if (buf.length > 8 && buf[8] !== ENC_VERSION) return false;
  if (buf.length > 9 && buf[9] !== KIND_AOF_INCR) return false;
  return true;
}

/**
 * Verifies and decrypts an encrypted incr file's bytes (`name`: its name in the AOF directory).
 * Every whole record is authenticated; an incomplete one at the end is reported as `torn` for
 * the caller to trim or refuse. Throws CryptError naming `file`.
 */
export function openIncr(master: Buffer, buf: Buffer, file: string, name: string): IncrContent {
  if (tornHeader(buf))
    return { plain: Buffer.alloc(0), records: [], end: 0, torn: buf.length > 0, cipher: null };
  const cipher = IncrCipher.open(master, buf, file, name);
  const records: Buffer[] = [];
  let pos = INCR_HEADER_LEN;
  let torn = false;
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < RECORD_HEAD) {
      torn = true;
      break;
    }
    const len = buf.readUInt32BE(pos);
    if (buf.readUInt32BE(pos + 4) !== ~len >>> 0) {
      throw new CryptError(`${authFailure(file)} (bad record length at offset ${pos})`);
    }
    if (left < RECORD_HEAD + len + TAG_LEN) {
      torn = true;
      break;
    }
    const start = pos + RECORD_HEAD;
    records.push(cipher.open(records.length, len, buf.subarray(start, start + len + TAG_LEN), file));
    pos = start + len + TAG_LEN;
  }
  return { plain: Buffer.concat(records), records, end: pos, torn, cipher };
}

/** Encrypts a whole incr file's records (rekey: `records` keep their boundaries). */
export function sealIncr(master: Buffer, name: string, records: Buffer[]): Buffer {
  const c = IncrCipher.create(master, name);
  const out = [c.sealedHeader()];
  let index = 0;
  for (const r of records) {
    for (let off = 0; off < r.length; off += MAX_RECORD) {
      out.push(c.seal(index++, r.subarray(off, off + MAX_RECORD)));
    }
  }
  return Buffer.concat(out);
}

// ---- the server's side ----

/** Incr files the loader verified, so the writer resumes them without reading them again. */
const verified = new Map<string, { size: number; cipher: IncrCipher; records: number }>();

/** Appends sealed records to one open incr file (opened O_APPEND). */
export class IncrWriter {
  /** sealed records a failed write left unwritten, and the plaintext bytes they hold */
  private unwritten: Buffer[] = [];
  private unwrittenPlain = 0;
  /** a failed write left bytes after `end` that could not be cut yet */
  private damaged = false;

  private constructor(
    private readonly cipher: IncrCipher,
    private index: number,
    /** file size: header + whole records */
    private end: number,
  ) {}

  /**
   * For the incr file `file` just opened as `fd`: a new (empty) file gets its header (written
   * and fsynced at once); an existing one is resumed after its last record.
   */
  static open(master: Buffer, fd: number, file: string): IncrWriter {
    const name = path.basename(file);
    const size = fs.fstatSync(fd).size;
    if (size === 0) {
      const c = IncrCipher.create(master, name);
      const h = c.sealedHeader();
      writeAllSync(fd, h);
      fs.fsyncSync(fd);
      return new IncrWriter(c, 0, h.length);
    }
    const known = verified.get(file);
    verified.delete(file);
    if (known !== undefined && known.size === size) return new IncrWriter(known.cipher, known.records, size);
    const buf = readNoFollow(file);
    if (!isEncrypted(buf)) {
      throw new CryptError(
        `${file} is not encrypted, but encryption-key-file is set: refusing to append to it`,
      );
    }
    const content = openIncr(master, buf, file, name);
    if (content.cipher === null) {
      // a header torn by a crash, in a file no manifest listed yet (the loader trims the
      // listed ones): it holds nothing, start it again
      fs.ftruncateSync(fd, 0);
      return IncrWriter.open(master, fd, file);
    }
    if (content.torn) throw new CryptError(authFailure(file));
    return new IncrWriter(content.cipher, content.records.length, content.end);
  }

  /**
   * Seals what is new in `plain` and writes it; returns the bytes written to the file. A failed
   * write throws, after cutting the file back to its last whole record; the caller retries with
   * the same bytes plus anything new (`plain` then starts with what was already sealed, which
   * is written again as sealed then: an index is never sealed twice).
   */
  write(fd: number, plain: Buffer): number {
    // nothing is appended after a partial record: cut it first (a failure throws again)
    if (this.damaged) {
      fs.ftruncateSync(fd, this.end);
      this.damaged = false;
    }
    for (let off = this.unwrittenPlain; off < plain.length; off += MAX_RECORD) {
      this.unwritten.push(this.cipher.seal(this.index++, plain.subarray(off, off + MAX_RECORD)));
    }
    this.unwrittenPlain = plain.length;
    const data = this.unwritten.length === 1 ? this.unwritten[0] : Buffer.concat(this.unwritten);
    let off = 0;
    try {
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if (off > 0) {
        try {
          fs.ftruncateSync(fd, this.end);
        } catch {
          // retried before the next write; meanwhile the file ends with a torn record
          this.damaged = true;
        }
      }
      throw e;
    }
    this.end += data.length;
    this.unwritten = [];
    this.unwrittenPlain = 0;
    return data.length;
  }
}

/** The writer for a newly opened incr file when a key is configured, else null. */
export function incrWriter(s: Server, fd: number, file: string): IncrWriter | null {
  const key = serverKey(s);
  return key === null ? null : IncrWriter.open(key, fd, file);
}

/** A command-format base file's bytes as written to disk (encrypted when a key is set). */
export function sealBase(s: Server, plain: Buffer): Buffer {
  const key = serverKey(s);
  return key === null ? plain : encrypt(key, KIND_AOF, plain);
}

/**
 * With a key: verifies every file of the manifest (`files`, in order) before any is replayed,
 * so a bad incr file doesn't leave the base replayed first; trims a torn tail of the last one
 * (openAofFile). Files that can't be read are left to the load to report. Throws CryptError.
 */
export function verifyAofFiles(s: Server, dir: string, files: { name: string; type: string }[]): void {
  if (serverKey(s) === null) return;
  for (let i = 0; i < files.length; i++) {
    const file = path.join(dir, files[i].name);
    let buf: Buffer;
    try {
      buf = readNoFollow(file);
    } catch {
      continue;
    }
    openAofFile(s, buf, file, files[i].type, i === files.length - 1);
  }
}

/**
 * An AOF file's bytes at load, as the plaintext to replay. Without a key, plain files pass
 * unchanged and encrypted ones are refused; with a key, plain files are refused (one could have
 * been put there in place of the encrypted file; an empty incr file has nothing to hide and
 * passes) and encrypted ones are verified in full first. A torn last record of the manifest's
 * last incr file is trimmed (the file cut back to its last whole record, with a warning) when
 * aof-load-truncated is yes, and refused otherwise. Throws CryptError naming the file.
 * `sealed`: the plaintext came from an encrypted file (whole records: never cut).
 */
export function openAofFile(
  s: Server,
  buf: Buffer,
  file: string,
  type: string,
  last: boolean,
): { data: Buffer; sealed: boolean } {
  const key = serverKey(s);
  const incr = type === 'i';
  if (key === null) {
    if (isEncrypted(buf)) {
      throw new CryptError(
        `${file} is encrypted, but no encryption-key-file is configured: set it to the file's key`,
      );
    }
    return { data: buf, sealed: false };
  }
  if (incr && (isEncrypted(buf) || tornHeader(buf))) {
    const c = openIncr(key, buf, file, path.basename(file));
    if (c.torn) {
      if (!last || !s.config.bool('aof-load-truncated')) {
        const why = last
          ? ". You can set the 'aof-load-truncated' configuration option to yes and restart the server to trim it"
          : '';
        throw new CryptError(
          `${file} ends with an incomplete record (offset ${c.end}, a torn write or a truncation)${why}`,
        );
      }
      s.log.warning(`!!! Warning: short read while loading the AOF file ${file}!!!`);
      s.log.warning(`!!! Truncating the AOF ${file} at offset ${c.end} (its last whole record) !!!`);
      try {
        fs.truncateSync(file, c.end);
      } catch (e) {
        throw new CryptError(`Error truncating the AOF file ${file}: ${(e as Error).message}`);
      }
      s.log.warning(`AOF ${file} loaded anyway because aof-load-truncated is enabled`);
    }
    // the last incr file is the one appended to next
    if (last && c.cipher !== null)
      verified.set(file, { size: c.end, cipher: c.cipher, records: c.records.length });
    return { data: c.plain, sealed: true };
  }
  if (!isEncrypted(buf)) {
    throw new CryptError(
      `${file} is not encrypted, but encryption-key-file is set: refusing to load a plain file. ` +
        `Encrypt the AOF directory with 'redoubt rekey --new KEYFILE ${path.dirname(file)}', or remove encryption-key-file.`,
    );
  }
  if (encryptedKind(buf) !== KIND_AOF) {
    throw new CryptError(`${file} is an encrypted ${kindName(encryptedKind(buf))}, not an AOF base file`);
  }
  return { data: decrypt(key, buf, file), sealed: true };
}
