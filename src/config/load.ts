// Loading redis.conf-style files and command-line options into a Config.
//
// Line rules are Redis's: each line is trimmed; empty lines and lines starting with '#' are
// skipped; the rest is split with sdssplitargs rules (splitargs.ts); directive names are
// case-insensitive. Repeatable directives (save, client-output-buffer-limit...) replace their
// default at their first occurrence and add at later ones, over the whole load (file, includes
// and command line). `include` reads another file in place; relative paths are resolved against
// the including file's directory (Redis uses the working directory; resolving against the file
// makes a config tree relocatable and is what the permission checks in security/files.ts scan).
// The last path component may be a glob pattern (Redis 7.0: `include /etc/redis/conf.d/*.conf`).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitArgs } from '../protocol/splitargs';
import { globMatch } from '../store/glob';
import { type Config, REDACTED } from './config';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(reason);
  }

  /** Redis's fatal message layout, naming the file as well. */
  format(version: string): string {
    let out = `\n*** FATAL CONFIG FILE ERROR (redoubt ${version}) ***\n`;
    if (this.line > 0) {
      const where = this.file === '' ? 'from the command line' : this.file;
      out += `Reading the configuration file ${where}, at line ${this.line}\n>>> '${this.text}'\n`;
    }
    return `${out}${this.reason}\n`;
  }
}

export interface LoadOptions {
  /** Called for directives Redis knows but we do not implement, and for ignored values. */
  warn?: (msg: string) => void;
}

/** Names whose arguments are secrets even though we do not implement them. */
const SECRET_NAMES = new Set([
  'requirepass',
  'masterauth',
  'user',
  'tls-key-file-pass',
  'tls-client-key-file-pass',
]);

/**
 * One loading pass over a config file, its includes and the command line. Tracks which
 * repeatable directives were seen (their first occurrence replaces the default) and the files
 * being read (include loops).
 */
export class ConfigLoader {
  private seenRepeatable = new Set<string>();
  private reading: string[] = [];
  private warned = new Set<string>();

  constructor(
    readonly cfg: Config,
    readonly opts: LoadOptions = {},
  ) {}

  /** Reads a file; throws ConfigError. */
  loadFile(file: string, from?: { file: string; line: number; text: string }): void {
    const abs = path.resolve(file);
    if (this.reading.includes(abs)) {
      const chain = [...this.reading.slice(this.reading.indexOf(abs)), abs].join(' -> ');
      throw new ConfigError(from?.file ?? file, from?.line ?? 0, from?.text ?? '', `include loop: ${chain}`);
    }
    let text: string;
    try {
      text = fs.readFileSync(abs, 'latin1');
    } catch (e) {
      const reason = `Fatal error, can't open config file '${file}': ${errText(e)}`;
      throw new ConfigError(from?.file ?? file, from?.line ?? 0, from?.text ?? '', reason);
    }
    this.reading.push(abs);
    try {
      this.loadText(text, file);
    } finally {
      this.reading.pop();
    }
  }

  /** Parses config text (file name '' = the command line); throws ConfigError. */
  loadText(text: string, file: string): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line === '' || line.startsWith('#')) continue;
      const fail = (reason: string) => new ConfigError(file, i + 1, redactLine(this.cfg, line), reason);
      const args = splitArgs(line);
      if (args === null) throw fail('Unbalanced quotes in configuration line');
      if (args.length === 0) continue;
      const name = args[0].toLowerCase();
      const rest = args.slice(1);
      if (name === 'include') {
        if (rest.length !== 1) throw fail('wrong number of arguments');
        for (const f of this.expandInclude(rest[0], file)) {
          this.loadFile(f, { file, line: i + 1, text: redactLine(this.cfg, line) });
        }
        continue;
      }
      const d = this.cfg.def(name);
      if (d === undefined || d.unsupported) {
        if (!this.cfg.unsupported.has(name)) throw fail('Bad directive or wrong number of arguments');
        if (!this.warned.has(name)) {
          this.warned.add(name);
          const where = file === '' ? 'command line' : `${file}:${i + 1}`;
          this.opts.warn?.(
            `Config directive '${name}' (${where}) is known to Redis 7.0 but not implemented by redoubt: ignored`,
          );
        }
        continue;
      }
      let value = rest;
      if (d.repeatable && d.type === 'list') {
        // a single "" empties the list (save ""); otherwise later lines add to earlier ones
        if (rest.length === 1 && rest[0] === '') value = [];
        else if (this.seenRepeatable.has(d.name)) value = [...this.cfg.list(d.name), ...rest];
        this.seenRepeatable.add(d.name);
      }
      const err = this.cfg.set(d.name, value, 'file');
      if (err !== null) throw fail(err);
      if (d.warnWhen && !d.fileOnly) {
        const w = d.warnWhen(this.cfg.get(d.name));
        if (w !== undefined) this.opts.warn?.(w);
      }
    }
  }

  /** The files an include line names: one path, or the sorted matches of a glob pattern. */
  private expandInclude(target: string, from: string): string[] {
    const base = from === '' ? process.cwd() : path.dirname(path.resolve(from));
    const full = path.resolve(base, target);
    const name = path.basename(full);
    if (!/[*?[]/.test(name)) return [full];
    const dir = path.dirname(full);
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      return [];
    }
    return entries
      .filter((e) => globMatch(name, e, false))
      .sort()
      .map((e) => path.join(dir, e));
  }
}

/** A line as shown in an error: the arguments of secret directives are never printed. */
function redactLine(cfg: Config, line: string): string {
  const m = /^[ \t]*([^ \t]+)/.exec(line);
  if (m === null) return line;
  const name = m[1].toLowerCase();
  if (SECRET_NAMES.has(name) || cfg.def(name)?.secret) return `${m[1]} ${REDACTED}`;
  return line;
}

function errText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}

/** Parses config text into `cfg` (one loading pass). Throws ConfigError. */
export function loadConfigText(cfg: Config, text: string, file: string, opts: LoadOptions = {}): void {
  new ConfigLoader(cfg, opts).loadText(text, file);
}

/** Reads a config file into `cfg` (one loading pass). Throws ConfigError. */
export function loadConfigFile(cfg: Config, file: string, opts: LoadOptions = {}): void {
  new ConfigLoader(cfg, opts).loadFile(file);
}

/**
 * Turns command-line options into config text as redis-server does:
 * `--port 7000 --save ""` → "port 7000\nsave \"\"\n".
 */
export function argsToConfigText(args: string[]): string {
  let out = '';
  let first = true;
  for (const a of args) {
    if (a.startsWith('--') && a.length > 2) {
      if (!first) out += '\n';
      out += a.slice(2);
      first = false;
    } else {
      out += ` ${quote(a)}`;
    }
  }
  return `${out}\n`;
}

/** Quotes a value so that splitArgs returns it unchanged. */
export function quote(s: string): string {
  if (s !== '' && /^[\x21-\x7e]+$/.test(s) && !/["'\\]/.test(s)) return s;
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32 || c > 126) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
