// Loading redis.conf-style files and command-line options into a Config.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitArgs } from '../protocol/splitargs';
import type { Config } from './config';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(reason);
  }

  /** Redis's fatal message layout. */
  format(version: string): string {
    const where = this.file === '' ? 'from the command line' : `${this.file}, at line ${this.line}`;
    return (
      `\n*** FATAL CONFIG FILE ERROR (redoubt ${version}) ***\n` +
      `Reading the configuration file ${where}\n` +
      `>>> '${this.text}'\n${this.reason}\n`
    );
  }
}

/** A directive that needs more than setting a value (handled by the caller). */
export type SpecialHandler = (args: string[], source: { file: string; line: number }) => string | null;

export interface LoadOptions {
  /** Directives handled outside the table, e.g. rename-command, user, include. */
  special?: Map<string, SpecialHandler>;
  /** Called for directives Redis knows but we do not implement. */
  warn?: (msg: string) => void;
  /** Files already being read (include loops). */
  seen?: Set<string>;
}

/** Parses config text; applies each line to `cfg`. Throws ConfigError. */
export function loadConfigText(cfg: Config, text: string, file: string, opts: LoadOptions): void {
  const lines = text.split('\n');
  // repeatable list directives start fresh when the file mentions them (e.g. save)
  const reset = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    const fail = (reason: string): never => {
      throw new ConfigError(file, i + 1, line, reason);
    };
    const argv = splitArgs(line);
    if (argv === null) fail('Unbalanced quotes in configuration line');
    const args = argv as string[];
    if (args.length === 0) continue;
    const name = args[0].toLowerCase();
    const rest = args.slice(1);
    const special = opts.special?.get(name);
    if (special) {
      const err = special(rest, { file, line: i + 1 });
      if (err !== null) fail(err);
      continue;
    }
    const d = cfg.def(name);
    if (d === undefined) fail('Bad directive or wrong number of arguments');
    const def = d as NonNullable<typeof d>;
    if (def.unsupported) {
      opts.warn?.(`Config directive '${def.name}' is known to Redis but not supported by redoubt; ignored`);
      continue;
    }
    if (def.type !== 'list' && rest.length !== 1) fail('wrong number of arguments');
    let value = rest;
    if (def.type === 'list' && def.repeatable) {
      if (!reset.has(def.name)) {
        reset.add(def.name);
      } else {
        value = [...cfg.list(def.name), ...rest];
      }
      // `save ""` clears the list
      if (rest.length === 1 && rest[0] === '') value = [];
    }
    const err = cfg.set(def.name, value);
    if (err !== null) fail(err);
  }
}

export function loadConfigFile(cfg: Config, file: string, opts: LoadOptions): void {
  const abs = path.resolve(file);
  const seen = opts.seen ?? new Set<string>();
  if (seen.has(abs)) throw new ConfigError(file, 0, '', `include loop: ${file}`);
  seen.add(abs);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'latin1');
  } catch (e) {
    throw new ConfigError(
      file,
      0,
      '',
      `Fatal error, can't open config file '${file}': ${(e as Error).message}`,
    );
  }
  loadConfigText(cfg, text, file, { ...opts, seen });
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
  return out + '\n';
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
  return out + '"';
}
