// redoubt keygen PATH: a new encryption-key-file (32 random bytes as 64 hex digits + newline),
// created 0600 with O_EXCL|O_NOFOLLOW: an existing file (or a planted symlink) is never replaced.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export const KEYGEN_USAGE = `Usage: redoubt keygen PATH   (new encryption key file, mode 0600; never overwrites)
`;

/** What the crypt tools print through (the operator tools' Io fits). */
export interface ToolIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function keygen(argv: string[], io: ToolIo): number {
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    io.err(KEYGEN_USAGE);
    return 2;
  }
  const file = argv[0];
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(
      code === 'EEXIST'
        ? `redoubt keygen: ${file} already exists: refusing to overwrite a key (data encrypted with it would be lost)\n`
        : `redoubt keygen: can't create ${file}: ${(e as Error).message}\n`,
    );
    return 1;
  }
  try {
    // the umask may only have narrowed 0600; make it exact
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, `${crypto.randomBytes(32).toString('hex')}\n`);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    io.err(`redoubt keygen: can't write ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  fs.closeSync(fd);
  io.out(
    `Wrote a new encryption key to ${file} (mode 0600). Keep a copy somewhere safe: without it the data can't be read.\n`,
  );
  return 0;
}
