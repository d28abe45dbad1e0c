// A small option parser for the operator tools: `--name value`, `--name=value`, `-x value`,
// boolean flags, repeatable options and positional arguments. Unknown options are errors (a
// typo in a security tool must not be silently ignored).

export interface OptSpec {
  /** options taking a value; aliases map a short name to the long one */
  values?: string[];
  /** options that may be given several times */
  multi?: string[];
  flags?: string[];
  aliases?: Record<string, string>;
}

export interface Parsed {
  opts: Map<string, string[]>;
  flags: Set<string>;
  positional: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: OptSpec): Parsed {
  const values = new Set([...(spec.values ?? []), ...(spec.multi ?? [])]);
  const flags = new Set(spec.flags ?? []);
  const out: Parsed = { opts: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      out.positional.push(a);
      continue;
    }
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const name = (spec.aliases?.[a] ?? a).replace(/^--?/, '');
    if (flags.has(name) && inline === undefined) {
      out.flags.add(name);
      continue;
    }
    if (!values.has(name)) throw new UsageError(`unknown option '${a}'`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`option '${a}' needs a value`);
    const list = out.opts.get(name) ?? [];
    if (list.length > 0 && !spec.multi?.includes(name)) throw new UsageError(`option '${a}' given twice`);
    list.push(v);
    out.opts.set(name, list);
  }
  return out;
}

export function opt(p: Parsed, name: string): string | undefined {
  return p.opts.get(name)?.[0];
}

export function optList(p: Parsed, name: string): string[] {
  return p.opts.get(name) ?? [];
}

export function optInt(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = opt(p, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

/** What a subcommand writes; tests and the real CLI both pass process streams. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  tty: boolean;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
};

/** Left-aligned text table; `colour` paints whole cells per row. */
export function table(
  head: string[],
  rows: string[][],
  paint?: (row: number, col: number, s: string) => string,
): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], ri: number) =>
    r
      .map((c, i) => {
        const cell = i === r.length - 1 ? c : c.padEnd(w[i]);
        return paint && ri >= 0 ? paint(ri, i, cell) : cell;
      })
      .join('  ')
      .trimEnd();
  return [line(head, -1), ...rows.map((r, i) => line(r, i))].join('\n') + '\n';
}
