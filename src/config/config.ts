// Configuration: one declarative table of directives (name, type, bounds, default, flags,
// apply hook). The same table serves the config file, command-line options, CONFIG GET/SET
// and CONFIG REWRITE.
//
// Values are parsed with Redis 7.0's rules: integers as string2ll (no '+', no leading zeros),
// memory values as memtoull (k=1000, kb=1024, ... case-insensitive; unsigned 64-bit), booleans
// yes/no and enums case-insensitively. Numbers are kept as JS numbers for the server's use and
// as exact decimal text for display, so a 64-bit bound reads back exactly.

import { parseInt64 } from '../commands/args';
import { REDIS70_DIRECTIVES } from './redis70';

export type ConfigValue = string | number | boolean | string[];

export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'octal' | 'list';

/** Where a value comes from: the config file (or command line), or CONFIG SET. */
export type Source = 'file' | 'set';

/** One line CONFIG REWRITE writes for a directive: the text after the name. */
export interface RewriteLine {
  args: string;
  /** written even when the old file has no line for the directive */
  force: boolean;
}

export interface DirectiveDef {
  name: string;
  /** another name for the same setting (hash-max-ziplist-entries...) */
  alias?: string;
  type: DirectiveType;
  /** Default in config-file syntax. */
  default: string;
  min?: number | bigint;
  max?: number | bigint;
  /** enum: allowed values (lower case), in the order Redis lists them */
  values?: string[];
  /** can't be changed by CONFIG SET */
  immutable?: boolean;
  /** names a file whose content may change: CONFIG SET applies it even when the value is the
   *  same (a certificate replaced in place is reloaded), as Redis's VOLATILE_CONFIG */
  volatile?: boolean;
  /** refused by CONFIG SET unless enable-protected-configs allows it */
  protected?: boolean;
  /** holds a secret: redacted in CONFIG GET, never logged */
  secret?: boolean;
  /** a file directive may repeat it; the first occurrence replaces the default, later ones add */
  repeatable?: boolean;
  /** known to Redis but not implemented by us: accepted from a file with a warning */
  unsupported?: boolean;
  /** only meaningful in a config file (rename-command, user): not in CONFIG GET/SET/REWRITE */
  fileOnly?: boolean;
  /** fileOnly directives: handles one line's arguments; returns an error text or null */
  load?: (args: string[]) => string | null;
  /** CONFIG REWRITE drops the line when the value is empty (Redis's "empty is null" strings) */
  emptyIsNull?: boolean;
  /** CONFIG REWRITE writes the directive even at its default (save, dir) */
  forceRewrite?: boolean;
  /** Replaces the standard parser (value validation beyond the type). */
  parse?: (args: string[], source: Source) => { ok: ConfigValue } | string;
  /** Extra validation after the standard parse; returns an error text. */
  validate?: (value: ConfigValue, source: Source) => string | undefined;
  /** Adjusts a parsed value (e.g. hz is clamped to 1..500). */
  normalize?: (value: ConfigValue) => ConfigValue;
  /** CONFIG GET text (default: by type). */
  format?: (value: ConfigValue) => string;
  /** CONFIG REWRITE lines (default: one line, forced when the value differs from the default). */
  rewrite?: (value: ConfigValue, defaultValue: ConfigValue) => RewriteLine[];
  /** Maps a parsed value to what is kept in memory (requirepass keeps only a digest). Idempotent. */
  transform?: (value: ConfigValue) => ConfigValue;
  /** A warning to log when a config file sets this value (e.g. daemonize yes is ignored). */
  warnWhen?: (value: ConfigValue) => string | undefined;
  /** Called when the value changes; returns an error text to refuse it. */
  apply?: (value: ConfigValue, previous: ConfigValue) => string | undefined;
}

/** What CONFIG GET shows for a secret that is set. */
export const REDACTED = '(redacted)';

const U64 = (1n << 64n) - 1n;
export const LLONG_MAX = (1n << 63n) - 1n;
export const ULLONG_MAX = U64;
export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;
export const UINT_MAX = 4294967295;

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Parses a memory value as Redis's memtoull: digits then an optional unit (b k kb m mb g gb,
 * any case). No sign, no spaces, no fraction. An empty number is 0 ("" and "k" are 0); a
 * number beyond 2^64-1 saturates, and the product wraps modulo 2^64, as in Redis 7.0.
 */
export function parseMemoryBig(s: string): bigint | null {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const mul = MEMORY_UNITS[s.slice(i).toLowerCase()];
  if (mul === undefined) return null;
  if (i >= 128) return null;
  let n = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (n > U64) n = U64;
  return (n * mul) & U64;
}

/** parseMemoryBig as a JS number (inexact beyond 2^53, like any byte count that large). */
export function parseMemory(s: string): number | null {
  const v = parseMemoryBig(s);
  return v === null ? null : Number(v);
}

/** Formats bytes as CONFIG REWRITE does: the largest of gb/mb/kb dividing it exactly. */
export function formatMemory(v: bigint | number): string {
  const b = BigInt(v);
  if (b !== 0n) {
    for (const [unit, f] of [
      ['gb', 1024n ** 3n],
      ['mb', 1024n ** 2n],
      ['kb', 1024n],
    ] as const) {
      if (b % f === 0n) return `${b / f}${unit}`;
    }
  }
  return b.toString();
}

/** Quotes a string as Redis's sdscatrepr: always in double quotes, escapes for the rest. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 32 || c > 126) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function big(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

function outOfRange(d: DirectiveDef, octal = false): string {
  const f = (v: number | bigint | undefined) =>
    v === undefined ? '' : octal ? big(v).toString(8) : big(v).toString();
  return `argument must be between ${f(d.min)} and ${f(d.max)} inclusive`;
}

interface Parsed {
  ok: ConfigValue;
  /** exact decimal text of a number */
  text?: string;
}

/** A failed CONFIG SET: which argument, and why. `unknown` is the "Unknown option" form. */
export interface SetError {
  arg: string;
  reason: string;
  unknown?: boolean;
}

export class Config {
  readonly defs = new Map<string, DirectiveDef>();
  /** Directives in table order (no aliases, no file-only ones). */
  readonly table: DirectiveDef[] = [];
  /** Redis 7.0 directive names we accept but ignore (file only). */
  readonly unsupported = new Set<string>();
  /** `user` lines of the config file, for the ACL layer (arguments after the name). */
  readonly users: string[][] = [];
  private values = new Map<string, ConfigValue>();
  private texts = new Map<string, string>();
  private defaults = new Map<string, ConfigValue>();
  private defaultTexts = new Map<string, string>();

  constructor(table: DirectiveDef[], unsupportedNames: Iterable<string> = REDIS70_DIRECTIVES) {
    for (const d of table) {
      for (const n of d.alias ? [d.name, d.alias] : [d.name]) {
        if (this.defs.has(n)) throw new Error(`duplicate config directive ${n}`);
        this.defs.set(n, d);
      }
      if (d.unsupported) this.unsupported.add(d.name);
      else if (!d.fileOnly) this.table.push(d);
    }
    for (const n of unsupportedNames) if (!this.defs.has(n)) this.unsupported.add(n);
    for (const d of this.table) {
      const r = this.parse(d, d.type === 'list' ? splitList(d.default) : [d.default], 'file');
      if (typeof r === 'string') throw new Error(`bad default for ${d.name}: ${r}`);
      this.values.set(d.name, r.ok);
      this.defaults.set(d.name, cloneValue(r.ok));
      if (r.text !== undefined) {
        this.texts.set(d.name, r.text);
        this.defaultTexts.set(d.name, r.text);
      }
    }
  }

  def(name: string): DirectiveDef | undefined {
    return this.defs.get(name.toLowerCase());
  }

  get(name: string): ConfigValue {
    const d = this.def(name);
    if (!d || d.fileOnly || d.unsupported) throw new Error(`no such config ${name}`);
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

  defaultValue(name: string): ConfigValue {
    const d = this.def(name);
    if (!d) throw new Error(`no such config ${name}`);
    return this.defaults.get(d.name) as ConfigValue;
  }

  /** Parses args into a value for the directive; returns {ok} or an error string. */
  parse(d: DirectiveDef, args: string[], source: Source = 'file'): Parsed | string {
    let r: Parsed | string;
    if (d.parse) r = d.parse(args, source);
    else r = this.parseStandard(d, args);
    if (typeof r === 'string') return r;
    if (d.normalize) {
      const n = d.normalize(r.ok);
      if (n !== r.ok) r = { ok: n, text: typeof n === 'number' ? String(n) : undefined };
    }
    if (d.validate) {
      const err = d.validate(r.ok, source);
      if (err !== undefined) return err;
    }
    return r;
  }

  private parseStandard(d: DirectiveDef, args: string[]): Parsed | string {
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
        let v: bigint | null;
        if (d.type === 'memory') v = parseMemoryBig(a);
        else {
          const n = parseInt64(Buffer.from(a, 'latin1'));
          v = n === null ? null : BigInt(n);
        }
        if (v === null) {
          return d.type === 'memory'
            ? 'argument must be a memory value'
            : "argument couldn't be parsed into an integer";
        }
        if ((d.min !== undefined && v < big(d.min)) || (d.max !== undefined && v > big(d.max))) {
          return outOfRange(d);
        }
        return { ok: Number(v), text: v.toString() };
      }
      case 'octal': {
        // strtoll base 8: an optional sign, octal digits
        if (!/^[+-]?[0-7]+$/.test(a)) return "argument couldn't be parsed as an octal number";
        const v = BigInt(Number.parseInt(a, 8));
        if ((d.min !== undefined && v < big(d.min)) || (d.max !== undefined && v > big(d.max))) {
          return outOfRange(d, true);
        }
        return { ok: Number(v) };
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

  /**
   * Sets a directive from parsed arguments (config file, command line, internal use) and runs
   * its apply hook. Returns an error or null.
   */
  set(name: string, args: string[], source: Source = 'file'): string | null {
    const d = this.def(name);
    if (!d || d.unsupported) return 'Bad directive or wrong number of arguments';
    if (d.fileOnly) return d.load ? d.load(args) : null;
    const r = this.parse(d, args, source);
    if (typeof r === 'string') return r;
    return this.store(d, r);
  }

  private store(d: DirectiveDef, r: Parsed): string | null {
    const prev = this.values.get(d.name) as ConfigValue;
    const prevText = this.texts.get(d.name);
    this.put(d, r);
    if (d.apply) {
      const err = d.apply(r.ok, prev);
      if (err !== undefined) {
        this.put(d, { ok: prev, text: prevText });
        return err;
      }
    }
    return null;
  }

  private put(d: DirectiveDef, r: Parsed): void {
    this.values.set(d.name, d.transform ? d.transform(r.ok) : r.ok);
    if (r.text !== undefined) this.texts.set(d.name, r.text);
    else this.texts.delete(d.name);
  }

  /**
   * CONFIG SET: all pairs are checked first (unknown, immutable, protected, duplicate: the first
   * problem in argument order wins), then every value is parsed and stored, then the apply hooks
   * run. Any failure restores every previous value (and re-applies them): all or nothing.
   */
  setMany(pairs: [string, string][], allowProtected: boolean): SetError | null {
    const defs: DirectiveDef[] = [];
    const names = new Set<string>();
    for (const [name] of pairs) {
      const d = this.def(name);
      if (!d || d.unsupported || d.fileOnly) return { arg: name, reason: '', unknown: true };
      if (d.immutable) return { arg: name, reason: "can't set immutable config" };
      if (d.protected && !allowProtected) return { arg: name, reason: "can't set protected config" };
      // as in Redis 7.0, a name and its alias are not duplicates of each other (the later wins)
      if (names.has(name.toLowerCase())) return { arg: name, reason: 'duplicate parameter' };
      names.add(name.toLowerCase());
      defs.push(d);
    }
    const parsed: Parsed[] = [];
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i];
      const value = pairs[i][1];
      const args = d.type === 'list' ? splitSetValue(value) : [value];
      const r = this.parse(d, args, 'set');
      if (typeof r === 'string') return { arg: d.name, reason: r };
      if (d.secret && r.ok === REDACTED) {
        // CONFIG GET shows this marker: a client copying values back must not set it as a secret
        return { arg: d.name, reason: `refusing to set a secret to the redaction marker ${REDACTED}` };
      }
      parsed.push(r);
    }
    const old: Parsed[] = defs.map((d) => ({
      ok: this.values.get(d.name) as ConfigValue,
      text: this.texts.get(d.name),
    }));
    for (let i = 0; i < defs.length; i++) this.put(defs[i], parsed[i]);
    const applied: number[] = [];
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i];
      if (
        !d.apply ||
        (!d.volatile &&
          formatValue(d, parsed[i].ok, parsed[i].text) === formatValue(d, old[i].ok, old[i].text))
      )
        continue;
      applied.push(i);
      const err = d.apply(parsed[i].ok, old[i].ok);
      if (err !== undefined) {
        for (let j = 0; j < defs.length; j++) this.put(defs[j], old[j]);
        for (const j of applied) defs[j].apply?.(old[j].ok, parsed[j].ok);
        return { arg: d.name, reason: err };
      }
    }
    return null;
  }

  /** Formats a value as CONFIG GET shows it (secrets redacted). */
  format(name: string): string {
    const d = this.def(name);
    if (!d || d.fileOnly || d.unsupported) return '';
    const v = this.values.get(d.name) as ConfigValue;
    if (d.secret) return v === '' ? '' : REDACTED;
    return formatValue(d, v, this.texts.get(d.name));
  }

  /** The text of a value without redaction (CONFIG REWRITE writes the real secret). */
  private plain(d: DirectiveDef): string {
    return formatValue(d, this.values.get(d.name) as ConfigValue, this.texts.get(d.name));
  }

  /** Lines CONFIG REWRITE writes for a directive (arguments after its name). */
  rewriteLines(d: DirectiveDef): RewriteLine[] {
    const v = this.values.get(d.name) as ConfigValue;
    const def = this.defaults.get(d.name) as ConfigValue;
    if (d.rewrite) return d.rewrite(v, def);
    if (d.emptyIsNull && v === '') return [];
    const force =
      d.forceRewrite === true || this.plain(d) !== formatValue(d, def, this.defaultTexts.get(d.name));
    let args: string;
    switch (d.type) {
      case 'string':
        args = repr(v as string);
        break;
      case 'memory':
        args = formatMemory(BigInt(this.texts.get(d.name) ?? String(v)));
        break;
      case 'list':
        args = (v as string[])
          .map((x) => (/^[\x21-\x7e]+$/.test(x) && !/["'\\]/.test(x) ? x : repr(x)))
          .join(' ');
        if (args === '') args = '""';
        break;
      default:
        args = this.plain(d);
    }
    return [{ args, force }];
  }
}

/** CONFIG GET text of a value by type. */
function formatValue(d: DirectiveDef, v: ConfigValue, text: string | undefined): string {
  if (d.format) return d.format(v);
  switch (d.type) {
    case 'bool':
      return v ? 'yes' : 'no';
    case 'octal':
      return (v as number).toString(8);
    case 'list':
      return (v as string[]).join(' ');
    case 'int':
    case 'memory':
      return text ?? String(v);
    default:
      return String(v);
  }
}

function cloneValue(v: ConfigValue): ConfigValue {
  return Array.isArray(v) ? [...v] : v;
}

function splitList(s: string): string[] {
  return s.split(/\s+/).filter((x) => x.length > 0);
}

/** CONFIG SET splits multi-argument values on single spaces, as Redis (""→ no arguments). */
export function splitSetValue(s: string): string[] {
  return s === '' ? [] : s.split(' ');
}
