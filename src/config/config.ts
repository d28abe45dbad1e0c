// Configuration: one declarative table of directives (name, type, bounds, default, flags,
// apply hook). The same table serves the config file, command-line options, CONFIG GET/SET
// and CONFIG REWRITE.

export type ConfigValue = string | number | boolean | string[];

export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'octal' | 'list';

export interface DirectiveDef {
  name: string;
  alias?: string;
  type: DirectiveType;
  /** Default in config-file syntax. */
  default: string;
  min?: number;
  max?: number;
  /** enum: allowed values (lower case) */
  values?: string[];
  /** can't be changed by CONFIG SET */
  immutable?: boolean;
  /** refused by CONFIG SET unless enable-protected-configs allows it */
  protected?: boolean;
  /** holds a secret: redacted in CONFIG GET, never logged */
  secret?: boolean;
  /** a file directive may repeat it, every occurrence adds (save, rename-command, user...) */
  repeatable?: boolean;
  /** known to Redis but not implemented by us: accepted with a warning */
  unsupported?: boolean;
  /** Called when the value changes; returns an error text to refuse it. */
  apply?: (value: ConfigValue, previous: ConfigValue) => string | undefined;
}

/** Parses "1gb", "100mb", "10k" as Redis's memtoull: k=1000, kb=1024 ... */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)([a-z]*)$/i.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const mul: Record<string, number> = {
    '': 1,
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: 1024 * 1024,
    g: 1000 * 1000 * 1000,
    gb: 1024 * 1024 * 1024,
  };
  const f = mul[unit];
  if (f === undefined) return null;
  return n * f;
}

/** Strict integer parse for config values. */
function parseIntStrict(s: string): number | null {
  if (!/^-?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

export class Config {
  readonly defs = new Map<string, DirectiveDef>();
  private values = new Map<string, ConfigValue>();

  constructor(table: DirectiveDef[]) {
    for (const d of table) {
      this.defs.set(d.name, d);
      if (d.alias) this.defs.set(d.alias, d);
    }
    for (const d of table) {
      const v = this.parse(d, d.type === 'list' ? splitList(d.default) : [d.default]);
      if (typeof v === 'string' && d.type !== 'string' && d.type !== 'enum') {
        throw new Error(`bad default for ${d.name}: ${v}`);
      }
      this.values.set(d.name, (v as { ok: ConfigValue }).ok);
    }
  }

  def(name: string): DirectiveDef | undefined {
    return this.defs.get(name.toLowerCase());
  }

  get(name: string): ConfigValue {
    const d = this.def(name);
    if (!d) throw new Error(`no such config ${name}`);
    return this.values.get(d.name) as ConfigValue;
  }

  num(name: string): number {
    return this.get(name) as number;
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  list(name: string): string[] {
    return this.get(name) as string[];
  }

  /** Parses args into a value for the directive; returns {ok} or an error string. */
  parse(d: DirectiveDef, args: string[]): { ok: ConfigValue } | string {
    if (d.type === 'list') return { ok: args };
    if (args.length !== 1) return 'wrong number of arguments';
    const a = args[0];
    switch (d.type) {
      case 'bool': {
        const l = a.toLowerCase();
        if (l === 'yes') return { ok: true };
        if (l === 'no') return { ok: false };
        return "argument must be 'yes' or 'no'";
      }
      case 'int':
      case 'memory': {
        const n = d.type === 'memory' ? parseMemory(a) : parseIntStrict(a);
        if (n === null)
          return d.type === 'memory'
            ? 'argument must be a memory value'
            : "argument couldn't be parsed into an integer";
        if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max)) {
          return `argument must be between ${d.min} and ${d.max} inclusive`;
        }
        return { ok: n };
      }
      case 'octal': {
        if (!/^[0-7]+$/.test(a)) return 'argument must be an octal number';
        return { ok: Number.parseInt(a, 8) };
      }
      case 'enum': {
        const l = a.toLowerCase();
        if (!d.values?.includes(l))
          return `argument(s) must be one of the following: ${d.values?.join(', ')}`;
        return { ok: l };
      }
      default:
        return { ok: a };
    }
  }

  /** Sets a directive from parsed arguments; runs its apply hook. Returns an error or null. */
  set(name: string, args: string[]): string | null {
    const d = this.def(name);
    if (!d) return 'Bad directive or wrong number of arguments';
    const r = this.parse(d, args);
    if (typeof r === 'string') return r;
    const prev = this.values.get(d.name) as ConfigValue;
    this.values.set(d.name, r.ok);
    if (d.apply) {
      const err = d.apply(r.ok, prev);
      if (err !== undefined) {
        this.values.set(d.name, prev);
        return err;
      }
    }
    return null;
  }

  /** Formats a value as CONFIG GET shows it. */
  format(name: string): string {
    const d = this.def(name);
    if (!d) return '';
    const v = this.values.get(d.name) as ConfigValue;
    if (d.secret) return v === '' ? '' : '<redacted>';
    switch (d.type) {
      case 'bool':
        return v ? 'yes' : 'no';
      case 'octal':
        return (v as number).toString(8);
      case 'list':
        return (v as string[]).join(' ');
      default:
        return String(v);
    }
  }
}

function splitList(s: string): string[] {
  return s.split(/\s+/).filter((x) => x.length > 0);
}
