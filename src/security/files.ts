// File-system safety: permission checks on the data directory and on files that hold secrets,
// and the one way redoubt writes a file (temp file + fsync + rename + directory fsync, created
// 0600 with O_EXCL|O_NOFOLLOW inside the data directory, so a planted symlink is never followed).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitArgs } from '../protocol/splitargs';

export type CheckMode = 'yes' | 'warn' | 'no';

export interface Finding {
  path: string;
  problem: string;
  fix: string;
}

export function userName(uid: number): string {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    // no passwd file
  }
  return String(uid);
}

/** Reads a whole file without following a symlink planted in its place. */
export function readNoFollow(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** writeSync until every byte is written (it may write fewer than asked). */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

function myUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** The data directory must be owned by us and closed to group and others. */
export function checkDataDir(dir: string): Finding[] {
  const out: Finding[] = [];
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    return [
      { path: dir, problem: `cannot be accessed (${(e as Error).message})`, fix: `mkdir -m 0700 ${dir}` },
    ];
  }
  if (!st.isDirectory())
    return [{ path: dir, problem: 'is not a directory', fix: `point 'dir' at a directory` }];
  const uid = myUid();
  if (st.uid !== uid) {
    out.push({
      path: dir,
      problem: `is owned by ${userName(st.uid)}, not by the user the server runs as (${userName(uid)})`,
      fix: `chown ${userName(uid)} ${dir}`,
    });
  }
  if ((st.mode & 0o077) !== 0) {
    out.push({
      path: dir,
      problem: `is accessible by group or others (mode ${octal(st.mode)}): another local user could read a full copy of the data or change it`,
      fix: `chmod 0700 ${dir}`,
    });
  }
  return out;
}

/** Directives whose value is a secret. */
const SECRET_DIRECTIVES = new Set([
  'requirepass',
  'masterauth',
  'masteruser',
  'tls-key-file-pass',
  'tls-client-key-file-pass',
]);

function lineHoldsSecret(args: string[]): boolean {
  const name = args[0].toLowerCase();
  if (SECRET_DIRECTIVES.has(name)) return args.length > 1 && args[1] !== '';
  if (name === 'user') return args.slice(2).some((a) => a.startsWith('>') || a.startsWith('#'));
  return false;
}

/** Files a config reads (itself and its includes, recursively), with whether each holds a secret. */
export function configFiles(file: string, seen = new Set<string>()): { path: string; secret: boolean }[] {
  const abs = path.resolve(file);
  if (seen.has(abs)) return [];
  seen.add(abs);
  let text = '';
  try {
    text = fs.readFileSync(abs, 'latin1');
  } catch {
    return [];
  }
  let secret = false;
  const out: { path: string; secret: boolean }[] = [];
  const includes: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const args = splitArgs(line);
    if (args === null || args.length === 0) continue;
    if (lineHoldsSecret(args)) secret = true;
    const name = args[0].toLowerCase();
    if (name === 'include' && args[1]) includes.push(path.resolve(path.dirname(abs), args[1]));
    if (name === 'aclfile' && args[1]) out.push({ path: path.resolve(args[1]), secret: true });
  }
  out.unshift({ path: abs, secret });
  for (const inc of includes) out.push(...configFiles(inc, seen));
  return out;
}

/** A file holding secrets must not be readable by group or others. */
export function checkSecretFile(file: string): Finding[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return [];
  }
  const out: Finding[] = [];
  if ((st.mode & 0o077) !== 0) {
    out.push({
      path: file,
      problem: `holds secrets and is accessible by group or others (mode ${octal(st.mode)})`,
      fix: `chmod 0600 ${file}`,
    });
  }
  const uid = myUid();
  if (st.uid !== uid && uid !== 0) {
    out.push({
      path: file,
      problem: `is owned by ${userName(st.uid)}`,
      fix: `chown ${userName(uid)} ${file}`,
    });
  }
  return out;
}

/** A file the server loads (persistence) must not be writable by group or others. */
export function checkLoadedFile(file: string): Finding[] {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return [];
  }
  if (st.isSymbolicLink()) {
    return [{ path: file, problem: 'is a symbolic link; refusing to follow it', fix: `rm ${file}` }];
  }
  if ((st.mode & 0o022) !== 0) {
    return [
      {
        path: file,
        problem: `is writable by group or others (mode ${octal(st.mode)}): its content can't be trusted`,
        fix: `chmod 0600 ${file}`,
      },
    ];
  }
  return [];
}

export function formatFinding(f: Finding): string {
  return `Unsafe permissions: ${f.path} ${f.problem}. Fix: ${f.fix}`;
}

/** A plain file name for use inside the data directory: no separators, no "..". */
export function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/**
 * Writes `data` to `dir/name` atomically: a new 0600 temp file (O_EXCL|O_NOFOLLOW, so nothing
 * planted there is opened), fsync, rename over the target, fsync of the directory.
 */
export function atomicWrite(dir: string, name: string, data: Buffer | string): void {
  if (!isPlainName(name)) throw new Error(`refusing to write '${name}': not a plain file name`);
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}-${name}`);
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  const fd = fs.openSync(tmp, flags, 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
}

export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    fs.fsyncSync(fd);
  } catch {
    // some file systems refuse to fsync directories
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
