// The command registry: every group's declarations in one table, looked up by lower-case name.
// rename-command edits this table, so every way of calling a command by name goes through it.

import { Command, type CommandDef } from './types';

/**
 * Recently resolved command names, by a hash of their case-folded bytes: a hit gives the
 * command without decoding, lower-casing or hashing argv[0] as a string (per-request costs that
 * show in profiles). Only names that resolved to a command are stored, so the cache holds at
 * most NAME_CACHE entries whatever clients send; rename() empties it.
 */
const NAME_CACHE = 256;
const MAX_CACHED_NAME = 32;

function nameHash(b: Uint8Array, len: number): number {
  let h = len;
  for (let i = 0; i < len; i++) h = (h * 31 + (b[i] | 0x20)) | 0;
  return (h ^ (h >>> 8)) & (NAME_CACHE - 1);
}

/** Whether `b` equals the lower-case bytes `lower`, ignoring ASCII case. */
function foldEquals(b: Uint8Array, lower: Uint8Array): boolean {
  const len = b.length;
  if (lower.length !== len) return false;
  for (let i = 0; i < len; i++) {
    let ch = b[i];
    if (ch >= 65 && ch <= 90) ch += 32;
    if (ch !== lower[i]) return false;
  }
  return true;
}

export class CommandTable {
  private byName = new Map<string, Command>();
  private cachedBytes: (Buffer | null)[] = new Array(NAME_CACHE).fill(null);
  private cachedCmds: (Command | null)[] = new Array(NAME_CACHE).fill(null);
  /** Every command, including renamed and removed ones (for COMMAND and INFO commandstats). */
  readonly all: Command[] = [];

  constructor(groups: CommandDef[][]) {
    for (const g of groups) {
      for (const d of g) {
        if (this.byName.has(d.name)) throw new Error(`duplicate command ${d.name}`);
        const c = new Command(d, null);
        this.byName.set(d.name, c);
        this.all.push(c);
      }
    }
  }

  /** Looks up by name, case-insensitively. */
  get(name: string): Command | undefined {
    let c = this.byName.get(name);
    if (c === undefined) {
      const lower = name.toLowerCase();
      if (lower !== name) c = this.byName.get(lower);
    }
    return c;
  }

  /** Looks up the command a request names by its bytes (argv[0]), case-insensitively. */
  resolve(name: Buffer): Command | undefined {
    const len = name.length;
    if (len === 0 || len > MAX_CACHED_NAME) return this.get(name.toString('latin1'));
    const h = nameHash(name, len);
    const cb = this.cachedBytes[h];
    if (cb !== null && foldEquals(name, cb)) return this.cachedCmds[h] as Command;
    const c = this.get(name.toString('latin1'));
    if (c !== undefined) {
      const lower = Buffer.from(c.name, 'latin1');
      // a name that lower-cases beyond ASCII (not a command's) is never cached
      if (foldEquals(name, lower)) {
        this.cachedBytes[h] = lower;
        this.cachedCmds[h] = c;
      }
    }
    return c;
  }

  /** The commands callable by name (after renames), for COMMAND and COMMAND COUNT. */
  callable(): Command[] {
    return [...this.byName.values()];
  }

  get size(): number {
    return this.byName.size;
  }

  /** rename-command: "" removes the command. Returns an error text, or null. */
  rename(from: string, to: string): string | null {
    const c = this.byName.get(from.toLowerCase());
    if (c === undefined) return 'No such command in rename-command';
    const target = to.toLowerCase();
    if (target !== '' && this.byName.has(target)) return 'Target command name already exists';
    this.byName.delete(c.name);
    this.cachedBytes.fill(null);
    this.cachedCmds.fill(null);
    if (target !== '') {
      c.rename(target);
      this.byName.set(target, c);
    }
    return null;
  }
}
