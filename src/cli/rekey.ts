// redoubt rekey [--old KEYFILE] [--new KEYFILE] FILE...: rewrites persistence files under a new
// key (both given), encrypts plain files (--new only) or decrypts them (--old only). Every file
// is verified in full before it is rewritten, and rewritten atomically (temp + fsync + rename +
// directory fsync). Run it with the server stopped (or on copies): a running server would
// overwrite the files with its own key at its next save.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CryptError,
  decrypt,
  encrypt,
  encryptedKind,
  isEncrypted,
  KIND_AOF,
  KIND_RDB,
  readKeyFile,
} from '../persistence/crypt';
import { atomicWrite } from '../security/files';
import type { ToolIo } from './keygen';

export const REKEY_USAGE = `Usage: redoubt rekey [--old KEYFILE] [--new KEYFILE] FILE...
       both: re-encrypt under the new key; --new only: encrypt plain files; --old only: decrypt
`;

function parse(argv: string[]): { old?: string; neu?: string; files: string[] } | null {
  const out: { old?: string; neu?: string; files: string[] } = { files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--old' || a === '--new') {
      const v = argv[++i];
      if (v === undefined) return null;
      if (a === '--old') {
        if (out.old !== undefined) return null;
        out.old = v;
      } else {
        if (out.neu !== undefined) return null;
        out.neu = v;
      }
    } else if (a.startsWith('--old=')) {
      out.old = a.slice(6);
    } else if (a.startsWith('--new=')) {
      out.neu = a.slice(6);
    } else if (a.startsWith('-')) {
      return null;
    } else {
      out.files.push(a);
    }
  }
  if ((out.old === undefined && out.neu === undefined) || out.files.length === 0) return null;
  return out;
}

export function rekey(argv: string[], io: ToolIo): number {
  const p = parse(argv);
  if (p === null) {
    io.err(REKEY_USAGE);
    return 2;
  }
  const warn = (m: string) => io.err(`${m}\n`);
  let oldKey: Buffer | null = null;
  let newKey: Buffer | null = null;
  try {
    // key files are checked as the server checks them (0600, ours)
    if (p.old !== undefined) oldKey = readKeyFile(p.old, 'yes', warn);
    if (p.neu !== undefined) newKey = readKeyFile(p.neu, 'yes', warn);
  } catch (e) {
    io.err(`redoubt rekey: ${(e as Error).message}\n`);
    return 1;
  }
  for (const file of p.files) {
    try {
      const buf = fs.readFileSync(file);
      let plain: Buffer;
      let kind: number;
      if (isEncrypted(buf)) {
        if (oldKey === null) throw new CryptError(`${file} is encrypted: give its key with --old`);
        kind = encryptedKind(buf);
        plain = decrypt(oldKey, buf, file);
      } else {
        if (oldKey !== null) throw new CryptError(`${file} is not encrypted (drop --old to encrypt it)`);
        plain = buf;
        kind = buf.subarray(0, 5).toString('latin1') === 'REDIS' ? KIND_RDB : KIND_AOF;
      }
      const out = newKey !== null ? encrypt(newKey, kind, plain) : plain;
      atomicWrite(path.dirname(path.resolve(file)), path.basename(file), out);
      io.out(`${file}: ${newKey !== null ? 'encrypted with the new key' : 'decrypted'}\n`);
    } catch (e) {
      io.err(`redoubt rekey: ${(e as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}
