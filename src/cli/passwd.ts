// redoubt passwd: a strong random password and the config lines that carry it — `requirepass`
// quoted by the config file's own rules, its SHA-256 form and an ACL user line.

import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import { quote } from '../config/load';
import { sha256 } from '../security/secret';
import { type Io, opt, optInt, parseArgs, UsageError } from './args';

/** Characters that need no quoting in sh/bash/zsh or in a config line (no quotes, $, `, \, !, space). */
export const SHELL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+=@%:,';

export const PASSWD_USAGE = `Usage: redoubt passwd [--length N] [--user NAME] [--json]
       redoubt passwd --stdin [--user NAME] [--json]   (escape/hash a password read from stdin)
`;

export function randomPassword(length: number): string {
  // randomInt draws without modulo bias
  let s = '';
  for (let i = 0; i < length; i++) s += SHELL_SAFE[randomInt(SHELL_SAFE.length)];
  return s;
}

/** Estimated entropy in bits: length × log2 of the smallest usual alphabet covering the password. */
export function entropyBits(pw: string): number {
  let size = 0;
  if (/[a-z]/.test(pw)) size += 26;
  if (/[A-Z]/.test(pw)) size += 26;
  if (/[0-9]/.test(pw)) size += 10;
  if (/[^a-zA-Z0-9]/.test(pw)) size += 33;
  if (size === 0) return 0;
  // repeated characters add little: count distinct characters as a ceiling on what was chosen
  const distinct = new Set(pw).size;
  const eff = Math.min(size, Math.max(distinct, 1));
  return Math.floor(pw.length * Math.log2(Math.max(eff, 2)));
}

export interface PasswdLines {
  requirepass: string;
  sha256: string;
  acl: string;
}

/** `pw` is a latin1 string (one char per byte), as the config loader reads files. */
export function passwdLines(pw: string, user: string): PasswdLines {
  const hex = sha256(Buffer.from(pw, 'latin1')).toString('hex');
  return {
    requirepass: `requirepass ${quote(pw)}`,
    sha256: `requirepass-sha256 ${hex}`,
    acl: `user ${quote(user)} on #${hex} ~* &* +@all`,
  };
}

export function passwd(argv: string[], io: Io, stdin: () => Buffer = () => fs.readFileSync(0)): number {
  const p = parseArgs(argv, { values: ['length', 'user'], flags: ['stdin', 'json', 'help'] });
  if (p.flags.has('help')) {
    io.out(PASSWD_USAGE);
    return 0;
  }
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const user = opt(p, 'user') ?? 'default';
  let pw: string;
  const generated = !p.flags.has('stdin');
  if (generated) {
    pw = randomPassword(optInt(p, 'length', 32, 1024) ?? 48);
  } else {
    if (p.opts.has('length')) throw new UsageError('--length makes no sense with --stdin');
    // one trailing newline (from echo or a here-string) is not part of the password
    pw = stdin()
      .toString('latin1')
      .replace(/\r?\n$/, '');
    if (pw === '') throw new UsageError('empty password on stdin');
  }
  const lines = passwdLines(pw, user);
  // a generated password's entropy is exact: length × log2(alphabet)
  const bits = generated ? Math.floor(pw.length * Math.log2(SHELL_SAFE.length)) : entropyBits(pw);
  if (p.flags.has('json')) {
    const o: Record<string, string | number> = {};
    if (generated) o.password = pw;
    Object.assign(o, {
      entropyBits: bits,
      requirepass: lines.requirepass,
      sha256: lines.sha256,
      acl: lines.acl,
    });
    io.out(`${JSON.stringify(o, null, 2)}\n`);
    return 0;
  }
  if (generated) io.out(`password: ${pw}\n`);
  io.out(`entropy: about ${bits} bits${generated ? ' (crypto RNG)' : ' (estimate)'}\n`);
  if (!generated && pw.length < 32)
    io.err('warning: shorter than 32 characters; use `redoubt passwd` for a strong one\n');
  io.out(`\n# redoubt.conf / redis.conf (plaintext in the file: keep it 0600)\n${lines.requirepass}\n`);
  io.out(`\n# redoubt.conf: digest only, the plaintext never touches the disk\n${lines.sha256}\n`);
  io.out(`\n# ACL user (redoubt and Redis 6+; also valid in an aclfile)\n${lines.acl}\n`);
  return 0;
}
