// Encryption at rest for redoubt's persistence files (encryption-key-file), Node's crypto only.
//
// Key file: 32 random bytes, either raw (exactly 32 bytes) or as 64 hex digits (optionally
// followed by a newline; `redoubt keygen PATH` writes that form). It must be 0600 (or stricter)
// and owned by the server user; permission-check governs the refusal.
//
// File format (version 1):
//   header (28 bytes): magic "REDOUBT\0", version u8 = 1, kind u8 (1 RDB, 2 AOF base, 3 AOF
//     incr: a different, append-friendly layout after the header, see aof-crypt.ts),
//     log2 of the chunk size u8 (16: 64 KiB), reserved u8 = 0, file id (16 random bytes)
//   then chunks: ciphertext + 16-byte GCM tag. Every chunk but the last holds exactly
//   CHUNK plaintext bytes; the last holds fewer (possibly none), so the framing needs no length
//   fields and a file cut at a chunk boundary ends with a non-final chunk, which fails.
// Each file gets its own AES-256-GCM key, HKDF-SHA256(master key, salt = file id), so chunks of
// another file never verify and nonces never repeat across files; the nonce is the chunk index,
// and every chunk's associated data is the whole header + the chunk index + a final-chunk flag:
// reordered, dropped, duplicated, spliced or truncated chunks all fail authentication.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { checkSecretFile, formatFinding, readNoFollow } from '../security/files';
import { serverInitHooks } from '../server/hooks';
import type { Server } from '../server/server';

export const ENC_MAGIC = Buffer.from('REDOUBT\0', 'latin1');
export const ENC_VERSION = 1;
export const HEADER_LEN = 28;
export const TAG_LEN = 16;
export const CHUNK_LOG2 = 16;
export const KIND_RDB = 1;
/** an AOF base file (RDB preamble or commands), encrypted whole like an RDB file */
export const KIND_AOF = 2;
/** an AOF incr file: appended to in sealed records (persistence/aof-crypt.ts) */
export const KIND_AOF_INCR = 3;
const HKDF_INFO = Buffer.from('redoubt encryption at rest v1', 'latin1');

export class CryptError extends Error {}

export function authFailure(file: string): string {
  return `${file} failed authentication: the file was modified, truncated or encrypted with another key`;
}

/** Whether `buf` starts like an encrypted redoubt file. */
export function isEncrypted(buf: Buffer): boolean {
  return buf.length >= ENC_MAGIC.length && buf.subarray(0, ENC_MAGIC.length).equals(ENC_MAGIC);
}

/** Parses a key file's content: 32 raw bytes or 64 hex digits (+ optional newline). */
export function parseKey(content: Buffer, file: string): Buffer {
  if (content.length === 32) return Buffer.from(content);
  const text = content.toString('latin1').replace(/\r?\n$/, '');
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new CryptError(
    `encryption key file ${file} must hold 32 random bytes, raw or as 64 hex digits (make one with 'redoubt keygen ${file}')`,
  );
}

/**
 * Reads a key file, checking it first: 0600 and ours (mode 'yes' refuses, 'warn' logs through
 * `warn`, 'no' skips). A symbolic link is not followed.
 */
export function readKeyFile(file: string, mode: string, warn: (m: string) => void): Buffer {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    throw new CryptError(`Can't read the encryption key file ${file}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new CryptError(`encryption key file ${file} is not a regular file`);
  if (mode !== 'no') {
    const findings = checkSecretFile(file);
    for (const f of findings) warn(formatFinding(f));
    if (findings.length > 0 && mode === 'yes') {
      throw new CryptError(
        `Refusing to use the encryption key file ${file}: unsafe permissions (see above). It must be mode 0600 and owned by the server user.`,
      );
    }
  }
  let content: Buffer;
  try {
    content = readNoFollow(file);
  } catch (e) {
    throw new CryptError(`Can't read the encryption key file ${file}: ${(e as Error).message}`);
  }
  return parseKey(content, file);
}

export function fileKey(master: Buffer, fileId: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', master, fileId, HKDF_INFO, 32));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function aad(header: Buffer, index: number, final: boolean): Buffer {
  const a = Buffer.allocUnsafe(header.length + 9);
  header.copy(a, 0);
  a.writeBigUInt64BE(BigInt(index), header.length);
  a[header.length + 8] = final ? 1 : 0;
  return a;
}

/** Streams plaintext in, encrypted chunks out (through `out`, which must copy or write at once). */
export class ChunkEncryptor {
  readonly header: Buffer;
  private readonly key: Buffer;
  private readonly chunk: Buffer;
  private fill = 0;
  private index = 0;
  private ended = false;

  constructor(
    master: Buffer,
    kind: number,
    private readonly out: (b: Buffer) => void,
  ) {
    const h = Buffer.alloc(HEADER_LEN);
    ENC_MAGIC.copy(h, 0);
    h[8] = ENC_VERSION;
    h[9] = kind;
    h[10] = CHUNK_LOG2;
    h[11] = 0;
    const id = crypto.randomBytes(16);
    id.copy(h, 12);
    this.header = h;
    this.key = fileKey(master, id);
    this.chunk = Buffer.allocUnsafe(1 << CHUNK_LOG2);
    out(h);
  }

  update(data: Buffer): void {
    let off = 0;
    while (off < data.length) {
      const n = Math.min(data.length - off, this.chunk.length - this.fill);
      data.copy(this.chunk, this.fill, off, off + n);
      this.fill += n;
      off += n;
      // a full chunk is sealed at once as non-final: the final chunk is always shorter
      if (this.fill === this.chunk.length) this.seal(false);
    }
  }

  /** Seals the last (possibly empty) chunk. */
  final(): void {
    if (this.ended) return;
    this.seal(true);
    this.ended = true;
  }

  private seal(final: boolean): void {
    const c = crypto.createCipheriv('aes-256-gcm', this.key, nonce(this.index));
    c.setAAD(aad(this.header, this.index, final));
    const body = c.update(this.chunk.subarray(0, this.fill));
    c.final();
    this.out(Buffer.concat([body, c.getAuthTag()]));
    this.index++;
    this.fill = 0;
  }
}

/** Encrypts a whole buffer. */
export function encrypt(master: Buffer, kind: number, plain: Buffer): Buffer {
  const parts: Buffer[] = [];
  const e = new ChunkEncryptor(master, kind, (b) => parts.push(Buffer.from(b)));
  e.update(plain);
  e.final();
  return Buffer.concat(parts);
}

export function kindName(kind: number): string {
  if (kind === KIND_RDB) return 'RDB file';
  if (kind === KIND_AOF) return 'AOF base file';
  if (kind === KIND_AOF_INCR) return 'AOF incr file';
  return `file of unknown kind ${kind}`;
}

/** The kind byte of an encrypted file's header. */
export function encryptedKind(buf: Buffer): number {
  return buf.length > 9 ? buf[9] : 0;
}

/**
 * Verifies and decrypts a whole file; nothing is returned unless every chunk authenticates.
 * Throws CryptError naming `file`.
 */
export function decrypt(master: Buffer, buf: Buffer, file: string): Buffer {
  if (buf.length < HEADER_LEN + TAG_LEN) throw new CryptError(authFailure(file));
  const header = buf.subarray(0, HEADER_LEN);
  if (!isEncrypted(header)) throw new CryptError(`${file} is not an encrypted redoubt file`);
  if (header[8] !== ENC_VERSION) {
    throw new CryptError(`${file} uses encryption format version ${header[8]}, this redoubt reads version 1`);
  }
  // the chunk size is authenticated with the rest of the header; bounded before use
  if (header[10] !== CHUNK_LOG2) throw new CryptError(authFailure(file));
  const size = 1 << CHUNK_LOG2;
  const key = fileKey(master, header.subarray(12, 28));
  const parts: Buffer[] = [];
  let pos = HEADER_LEN;
  let index = 0;
  for (;;) {
    const left = buf.length - pos;
    const final = left < size + TAG_LEN;
    const len = final ? left : size + TAG_LEN;
    if (len < TAG_LEN) throw new CryptError(authFailure(file));
    const d = crypto.createDecipheriv('aes-256-gcm', key, nonce(index));
    d.setAAD(aad(header, index, final));
    d.setAuthTag(buf.subarray(pos + len - TAG_LEN, pos + len));
    const body = d.update(buf.subarray(pos, pos + len - TAG_LEN));
    try {
      d.final();
    } catch {
      throw new CryptError(authFailure(file));
    }
    parts.push(body);
    pos += len;
    index++;
    if (final) break;
  }
  return Buffer.concat(parts);
}

// ---- the server's key ----

const keys = new WeakMap<Server, Buffer>();

/** The master key when encryption-key-file is set (read at start-up), else null. */
export function serverKey(s: Server): Buffer | null {
  return keys.get(s) ?? null;
}

/**
 * Turns a persistence file's bytes into the plaintext to parse: decrypts (and verifies) an
 * encrypted file with the server's key; refuses an encrypted file without a key, and a plain
 * file when a key is configured (it could have been put there in place of the encrypted one).
 */
export function openPersisted(s: Server, buf: Buffer, file: string, kind = KIND_RDB): Buffer {
  const key = serverKey(s);
  if (isEncrypted(buf)) {
    if (key === null) {
      throw new CryptError(
        `${file} is encrypted, but no encryption-key-file is configured: set it to the file's key`,
      );
    }
    // the kind is authenticated with the header; an AOF file put in place of the dump is refused
    if (encryptedKind(buf) !== kind) {
      throw new CryptError(
        `${file} is an encrypted ${kindName(encryptedKind(buf))}, not an ${kindName(kind)}`,
      );
    }
    return decrypt(key, buf, file);
  }
  if (key !== null) {
    throw new CryptError(
      `${file} is not encrypted, but encryption-key-file is set: refusing to load a plain file. ` +
        `Encrypt it with 'redoubt rekey --new KEYFILE ${file}', or remove encryption-key-file.`,
    );
  }
  return buf;
}

/** Loads the key at start-up (errors refuse the start). */
export function loadServerKey(s: Server): void {
  const file = s.config.str('encryption-key-file');
  if (file === '') {
    keys.delete(s);
    return;
  }
  keys.set(
    s,
    readKeyFile(file, s.config.str('permission-check'), (m) => s.log.warning(m)),
  );
}

serverInitHooks.push((s) => {
  s.startupHooks.push(async () => {
    loadServerKey(s);
  });
});
