// The command registry: every group's declarations in one table, looked up by lower-case name.
// rename-command edits this table, so every way of calling a command by name goes through it.

import { Command, type CommandDef } from './types';

export class CommandTable {
  private byName = new Map<string, Command>();
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
    if (target !== '') {
      c.name = target;
      this.byName.set(target, c);
    }
    return null;
  }
}
