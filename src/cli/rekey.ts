// redoubt rekey [--old KEYFILE] [--new KEYFILE] FILE|AOFDIR...: rewrites persistence files under
// a new key (both given), encrypts plain files (--new only) or decrypts them (--old only). An
// AOF directory (appenddirname) stands for every file its manifest names (base and incr files,
// each rewritten in its own format, aof-crypt.ts); a single AOF file is recognized by its
// encrypted kind or its name (*.incr.aof, *.base.rdb, *.base.aof). Every file is verified in
// full before any is rewritten; each is then rewritten atomically (temp + fsync + rename +
// directory fsync); a run cut short (the set of files is not replaced as one) names the files
// already under the new key when run again. Run it with the server stopped (or on copies): a
// running server would keep appending with its own key.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { openIncr, sealIncr } from '../persistence/aof-crypt';
import { parseAt, parseManifest } from '../persistence/aof-format';
import {
  CryptError,
  decrypt,
  encrypt,
  encryptedKind,
  isEncrypted,
  KIND_AOF,
  KIND_AOF_INCR,
  KIND_RDB,
  kindName,
  readKeyFile,
} from '../persistence/crypt';
import { atomicWrite } from '../security/files';
import type { ToolIo } from './keygen';

export const REKEY_USAGE = `Usage: redoubt rekey [--old KEYFILE] [--new KEYFILE] FILE|AOFDIR...
       both: re-encrypt under the new key; --new only: encrypt plain files; --old only: decrypt
       AOFDIR (dir/appenddirname): every file its manifest names
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

/** The files to rewrite: FILE as is, an AOF directory as the files its manifest(s) name. */
function expand(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch (e) {
      throw new CryptError(`${a}: ${(e as Error).message}`);
    }
    if (!st.isDirectory()) {
      out.push(a);
      continue;
    }
    const manifests = fs.readdirSync(a).filter((n) => n.endsWith('.manifest'));
    if (manifests.length === 0) throw new CryptError(`${a} is a directory without an AOF manifest`);
    for (const mf of manifests) {
      const m = parseManifest(fs.readFileSync(path.join(a, mf), 'latin1'));
      for (const e of [...(m.base !== null ? [m.base] : []), ...m.incrs]) {
        const f = path.join(a, e.name);
        // a listed incr file not created yet has nothing to rewrite
        if (e.type === 'i' && !fs.existsSync(f)) continue;
        out.push(f);
      }
    }
  }
  return out;
}

/** What a file is: by its encrypted header's kind, else by its name (AOF) or content. */
function kindOf(file: string, buf: Buffer): number {
  if (isEncrypted(buf)) return encryptedKind(buf);
  const name = path.basename(file);
  if (name.endsWith('.incr.aof')) return KIND_AOF_INCR;
  if (name.endsWith('.base.rdb') || name.endsWith('.base.aof')) return KIND_AOF;
  return buf.subarray(0, 5).toString('latin1') === 'REDIS' ? KIND_RDB : KIND_AOF;
}

/**
 * Whether a plain incr file ends after a whole command (and no open MULTI): encrypted, a torn
 * tail could no longer be trimmed at load (an authenticated file is never cut).
 */
function wholeCommands(buf: Buffer): boolean {
  let pos = 0;
  let multi = false;
  for (;;) {
    const p = parseAt(buf, pos);
    if (p.kind === 'eof') return !multi;
    if (p.kind === 'truncated') return false;
    if (p.kind === 'bad') return true; // refused at load as it would be in clear
    if (p.kind === 'command') {
      const name = p.argv[0]?.toString('latin1').toLowerCase();
      if (name === 'multi') multi = true;
      else if (name === 'exec') multi = false;
    }
    pos = p.end;
  }
}

/** The plaintext of `buf` (records of an incr file, else one piece), verified with `key`. */
function open(key: Buffer | null, buf: Buffer, file: string, kind: number): Buffer[] {
  if (!isEncrypted(buf)) {
    if (key !== null) throw new CryptError(`${file} is not encrypted (drop --old to encrypt it)`);
    if (kind === KIND_AOF_INCR && !wholeCommands(buf)) {
      throw new CryptError(
        `${file} ends with an incomplete command (a torn write): start the server on it once without a key (aof-load-truncated yes trims it), then encrypt it`,
      );
    }
    return buf.length > 0 ? [buf] : [];
  }
  if (key === null) throw new CryptError(`${file} is encrypted: give its key with --old`);
  if (kind === KIND_AOF_INCR) {
    const c = openIncr(key, buf, file, path.basename(file));
    if (c.torn) {
      throw new CryptError(
        `${file} ends with an incomplete record (a torn write): start the server on it once with aof-load-truncated yes to trim it, then rekey`,
      );
    }
    return c.records;
  }
  if (kind !== KIND_RDB && kind !== KIND_AOF)
    throw new CryptError(`${file} is an encrypted ${kindName(kind)}`);
  return [decrypt(key, buf, file)];
}

/** The new bytes of `file`. Throws CryptError naming the file. */
function convert(file: string, oldKey: Buffer | null, newKey: Buffer | null): Buffer {
  const buf = fs.readFileSync(file);
  const kind = kindOf(file, buf);
  let plain: Buffer[];
  try {
    plain = open(oldKey, buf, file, kind);
  } catch (e) {
    // a run cut short leaves some files under the new key already: say which
    if (e instanceof CryptError && oldKey !== null && newKey !== null && isEncrypted(buf)) {
      try {
        open(newKey, buf, file, kind);
      } catch {
        throw e;
      }
      throw new CryptError(`${e.message} (it is encrypted with the new key already)`);
    }
    throw e;
  }
  if (newKey === null) return Buffer.concat(plain);
  if (kind === KIND_AOF_INCR) return sealIncr(newKey, path.basename(file), plain);
  return encrypt(newKey, kind, Buffer.concat(plain));
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
  let files: string[];
  try {
    // key files are checked as the server checks them (0600, ours)
    if (p.old !== undefined) oldKey = readKeyFile(p.old, 'yes', warn);
    if (p.neu !== undefined) newKey = readKeyFile(p.neu, 'yes', warn);
    files = expand(p.files);
  } catch (e) {
    io.err(`redoubt rekey: ${(e as Error).message}\n`);
    return 1;
  }
  // every file is verified before any is rewritten: a bad one changes nothing
  for (const file of files) {
    try {
      convert(file, oldKey, newKey);
    } catch (e) {
      io.err(`redoubt rekey: ${(e as Error).message} (nothing was rewritten)\n`);
      return 1;
    }
  }
  for (const file of files) {
    try {
      const out = convert(file, oldKey, newKey);
      atomicWrite(path.dirname(path.resolve(file)), path.basename(file), out);
      io.out(`${file}: ${newKey !== null ? 'encrypted with the new key' : 'decrypted'}\n`);
    } catch (e) {
      io.err(`redoubt rekey: ${(e as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}
