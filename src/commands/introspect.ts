// COMMAND and its subcommands: everything is derived from the command table (arity, flags, key
// positions, ACL categories, subcommands), so renamed commands and every group's declarations
// show up without a second source of truth. Short docs come from commanddocs.ts.

import { E } from '../protocol/errors';
import type { ReplyWriter } from '../protocol/reply';
import type { Client } from '../server/client';
import { globMatch } from '../store/glob';
import { is, str } from './args';
import { COMMAND_DOCS_TEXT } from './commanddocs';
import type { CommandTable } from './table';
import { ACL_CATEGORIES, type Command, type CommandDef, Flag } from './types';

/** Flags COMMAND INFO shows, in Redis's order (may_replicate, sentinel, protected are hidden). */
const SHOWN_FLAGS: [Flag, string][] = [
  [Flag.Write, 'write'],
  [Flag.Readonly, 'readonly'],
  [Flag.DenyOom, 'denyoom'],
  [Flag.Admin, 'admin'],
  [Flag.Pubsub, 'pubsub'],
  [Flag.Noscript, 'noscript'],
  [Flag.Blocking, 'blocking'],
  [Flag.Loading, 'loading'],
  [Flag.Stale, 'stale'],
  [Flag.SkipMonitor, 'skip_monitor'],
  [Flag.SkipSlowlog, 'skip_slowlog'],
  [Flag.Fast, 'fast'],
  [Flag.NoAuth, 'no_auth'],
  [Flag.NoMandatoryKeys, 'no_mandatory_keys'],
  [Flag.NoAsyncLoading, 'no_async_loading'],
  [Flag.NoMulti, 'no_multi'],
  [Flag.Movablekeys, 'movablekeys'],
  [Flag.AllowBusy, 'allow_busy'],
];

export function shownFlags(cmd: Command): string[] {
  const out: string[] = [];
  for (const [bit, name] of SHOWN_FLAGS) if (cmd.flags & bit) out.push(name);
  return out;
}

/**
 * Key-spec flags for a command's keys. The table only declares whether a command reads or
 * writes, so this is coarser than Redis's per-key specs (SET's key is OW/update there).
 */
export function keySpecFlags(cmd: Command): string[] {
  if (cmd.flags & Flag.Readonly) return ['RO', 'access'];
  if (cmd.flags & Flag.Write) return ['RW', 'update'];
  return ['RW', 'access'];
}

function hasKeys(cmd: Command): boolean {
  return cmd.def.getKeys !== undefined || cmd.firstKey > 0;
}

/** Resolves "name" or "container|sub" as COMMAND INFO / DOCS accept them. */
export function lookupByFullName(t: CommandTable, name: string): Command | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const top = t.get(parts[0]);
  if (top === undefined || parts.length === 1) return top;
  return top.subcommands?.get(parts[1].toLowerCase());
}

/** Resolves a command line (argv[0], and argv[1] for containers) as the dispatcher does. */
function lookupLine(t: CommandTable, argv: Buffer[]): Command | undefined {
  const top = t.get(str(argv[0]));
  if (top === undefined || top.subcommands === null || argv.length === 1) return top;
  return top.subcommands.get(str(argv[1]).toLowerCase());
}

// ---- COMMAND INFO ----

function writeKeySpecs(r: ReplyWriter, cmd: Command): void {
  if (!hasKeys(cmd)) {
    r.set(0);
    return;
  }
  const flags = keySpecFlags(cmd);
  r.set(1);
  r.map(3);
  r.bulkStr('flags');
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  if (cmd.firstKey > 0) {
    // Redis's legacy (first, last, step) range expressed as an index + range key spec
    r.bulkStr('begin_search');
    r.map(2);
    r.bulkStr('type');
    r.bulkStr('index');
    r.bulkStr('spec');
    r.map(1);
    r.bulkStr('index');
    r.int(cmd.firstKey);
    r.bulkStr('find_keys');
    r.map(2);
    r.bulkStr('type');
    r.bulkStr('range');
    r.bulkStr('spec');
    r.map(3);
    r.bulkStr('lastkey');
    r.int(cmd.lastKey < 0 ? cmd.lastKey : cmd.lastKey - cmd.firstKey);
    r.bulkStr('keystep');
    r.int(cmd.step);
    r.bulkStr('limit');
    r.int(0);
  } else {
    // keys found by code (movable keys) only
    r.bulkStr('begin_search');
    r.map(2);
    r.bulkStr('type');
    r.bulkStr('unknown');
    r.bulkStr('spec');
    r.map(0);
    r.bulkStr('find_keys');
    r.map(2);
    r.bulkStr('type');
    r.bulkStr('unknown');
    r.bulkStr('spec');
    r.map(0);
  }
}

export function writeCommandInfo(r: ReplyWriter, cmd: Command): void {
  r.array(10);
  r.bulkStr(cmd.fullname);
  r.int(cmd.arity);
  const flags = shownFlags(cmd);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.int(cmd.firstKey);
  r.int(cmd.lastKey);
  r.int(cmd.step);
  r.set(cmd.categories.length);
  for (const cat of cmd.categories) r.simple(`@${cat}`);
  const tips = (cmd.def.tips ?? '').split(/\s+/).filter((x) => x.length > 0);
  r.set(tips.length);
  for (const t of tips) r.bulkStr(t);
  writeKeySpecs(r, cmd);
  const subs = cmd.subcommands === null ? [] : [...cmd.subcommands.values()];
  // as Redis's addReplyCommandSubCommands: an empty set, else an array (RESP3 tells them apart)
  if (subs.length === 0) r.set(0);
  else r.array(subs.length);
  for (const s of subs) writeCommandInfo(r, s);
}

// COMMAND
function command(c: Client): void {
  const all = c.server.commands.callable();
  c.reply.array(all.length);
  for (const cmd of all) writeCommandInfo(c.reply, cmd);
}

// COMMAND INFO [command-name ...]
function commandInfo(c: Client, argv: Buffer[]): void {
  if (argv.length === 2) {
    command(c);
    return;
  }
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const cmd = lookupByFullName(c.server.commands, str(argv[i]));
    if (cmd === undefined) c.reply.nullBulk();
    else writeCommandInfo(c.reply, cmd);
  }
}

// COMMAND COUNT
function commandCount(c: Client): void {
  c.reply.int(c.server.commands.size);
}

// ---- COMMAND LIST ----

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
function commandList(c: Client, argv: Buffer[]): void {
  let keep: (cmd: Command) => boolean = () => true;
  if (argv.length === 5 && is(argv[2], 'filterby')) {
    const value = str(argv[4]);
    if (is(argv[3], 'module')) {
      keep = () => false; // no modules
    } else if (is(argv[3], 'aclcat')) {
      const cat = value.toLowerCase();
      keep = ACL_CATEGORIES.includes(cat) ? (cmd) => cmd.categories.includes(cat) : () => false;
    } else if (is(argv[3], 'pattern')) {
      keep = (cmd) => globMatch(value, cmd.fullname, true);
    } else {
      c.reply.error(E.syntax);
      return;
    }
  } else if (argv.length !== 2) {
    c.reply.error(E.syntax);
    return;
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.callable()) {
    if (keep(cmd)) names.push(cmd.fullname);
    // subcommands are considered even when their container is filtered out
    if (cmd.subcommands !== null)
      for (const s of cmd.subcommands.values()) if (keep(s)) names.push(s.fullname);
  }
  c.reply.bulkStrs(names);
}

// ---- COMMAND DOCS ----

interface Doc {
  since: string;
  group: string;
  complexity: string;
  deprecatedSince: string;
  summary: string;
}

let docs: Map<string, Doc> | null = null;

function docTable(): Map<string, Doc> {
  if (docs !== null) return docs;
  docs = new Map();
  for (const line of COMMAND_DOCS_TEXT.split('\n')) {
    if (line.length === 0) continue;
    const [name, since, group, complexity, deprecatedSince, summary] = line.split(';');
    docs.set(name, { since, group, complexity, deprecatedSince, summary });
  }
  return docs;
}

/** COMMAND DOCS group for a command missing from the docs table, from its categories. */
function groupOf(cats: string[]): string {
  const byCat: Record<string, string> = {
    string: 'string',
    list: 'list',
    hash: 'hash',
    set: 'set',
    sortedset: 'sorted-set',
    stream: 'stream',
    bitmap: 'bitmap',
    hyperloglog: 'hyperloglog',
    geo: 'geo',
    pubsub: 'pubsub',
    scripting: 'scripting',
    transaction: 'transactions',
    connection: 'connection',
    keyspace: 'generic',
  };
  for (const cat of cats) if (byCat[cat] !== undefined) return byCat[cat];
  return 'server';
}

function writeDoc(r: ReplyWriter, cmd: Command): void {
  // the docs table is keyed by the original name, so renamed commands keep their docs
  const key = cmd.parent ? `${cmd.parent.def.name}|${cmd.def.name}` : cmd.def.name;
  const d = docTable().get(key);
  const fields: [string, string][] = [];
  if (d !== undefined) {
    fields.push(['summary', d.summary], ['since', d.since], ['group', d.group]);
    if (d.complexity !== '') fields.push(['complexity', d.complexity]);
  } else {
    fields.push(['group', groupOf(cmd.categories)]);
  }
  const deprecated = d !== undefined && d.deprecatedSince !== '';
  const subs = cmd.subcommands === null ? [] : [...cmd.subcommands.values()];
  r.map(fields.length + (deprecated ? 2 : 0) + (subs.length > 0 ? 1 : 0));
  for (const [k, v] of fields) {
    r.bulkStr(k);
    r.bulkStr(v);
  }
  if (deprecated && d !== undefined) {
    r.bulkStr('doc_flags');
    r.set(1);
    r.simple('deprecated');
    r.bulkStr('deprecated_since');
    r.bulkStr(d.deprecatedSince);
  }
  if (subs.length > 0) {
    r.bulkStr('subcommands');
    r.map(subs.length);
    for (const s of subs) {
      r.bulkStr(s.fullname);
      writeDoc(r, s);
    }
  }
}

// COMMAND DOCS [command-name ...]
function commandDocs(c: Client, argv: Buffer[]): void {
  let found: Command[];
  if (argv.length === 2) {
    found = c.server.commands.callable();
  } else {
    found = [];
    for (let i = 2; i < argv.length; i++) {
      const cmd = lookupByFullName(c.server.commands, str(argv[i]));
      if (cmd !== undefined) found.push(cmd);
    }
  }
  c.reply.map(found.length);
  for (const cmd of found) {
    c.reply.bulkStr(cmd.fullname);
    writeDoc(c.reply, cmd);
  }
}

// ---- COMMAND GETKEYS / GETKEYSANDFLAGS ----

/** Key indexes of the command line in argv[2..]; writes the error and returns null when invalid. */
function keysOfLine(c: Client, argv: Buffer[]): { cmd: Command; line: Buffer[]; keys: number[] } | null {
  const line = argv.slice(2);
  const cmd = lookupLine(c.server.commands, line);
  if (cmd === undefined) {
    c.reply.error('ERR Invalid command specified');
    return null;
  }
  if (!hasKeys(cmd)) {
    c.reply.error('ERR The command has no key arguments');
    return null;
  }
  const arity = cmd.arity;
  if ((arity > 0 && line.length !== arity) || line.length < -arity) {
    c.reply.error('ERR Invalid number of arguments specified for command');
    return null;
  }
  const keys = cmd.keyIndexes(line).filter((i) => i > 0 && i < line.length);
  if (keys.length === 0 && !(cmd.flags & Flag.NoMandatoryKeys)) {
    c.reply.error('ERR Invalid arguments specified for command');
    return null;
  }
  return { cmd, line, keys };
}

// COMMAND GETKEYS command [arg ...]
function commandGetkeys(c: Client, argv: Buffer[]): void {
  const k = keysOfLine(c, argv);
  if (k === null) return;
  c.reply.array(k.keys.length);
  for (const i of k.keys) c.reply.bulk(k.line[i]);
}

// COMMAND GETKEYSANDFLAGS command [arg ...]
function commandGetkeysandflags(c: Client, argv: Buffer[]): void {
  const k = keysOfLine(c, argv);
  if (k === null) return;
  const flags = keySpecFlags(k.cmd);
  c.reply.array(k.keys.length);
  for (const i of k.keys) {
    c.reply.array(2);
    c.reply.bulk(k.line[i]);
    c.reply.set(flags.length);
    for (const f of flags) c.reply.simple(f);
  }
}

/** Writes a HELP reply: the usage line, the given lines, and the HELP entry, as status lines. */
export function writeHelp(c: Client, name: string, lines: string[]): void {
  const all = [
    `${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    'HELP',
    '    Print this help.',
  ];
  c.reply.array(all.length);
  for (const l of all) c.reply.simple(l);
}

// COMMAND HELP
function commandHelp(c: Client): void {
  writeHelp(c, 'COMMAND', [
    '(no subcommand)',
    '    Describe every command.',
    'COUNT',
    '    Number of commands.',
    'INFO [<command-name> ...]',
    '    Describe the named commands (every command when none is named).',
    'DOCS [<command-name> ...]',
    '    Short documentation of the named commands (every command when none is named).',
    'GETKEYS <full-command>',
    '    Key names in a complete command line.',
    'GETKEYSANDFLAGS <full-command>',
    '    Key names in a complete command line, with their access flags.',
    'LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]',
    '    Command names, optionally filtered by module, ACL category or glob pattern.',
  ]);
}

const sub = { flags: 'loading stale', acl: '@connection' };

export const introspectCommands: CommandDef[] = [
  {
    name: 'command',
    arity: -1,
    flags: 'loading stale',
    acl: '@connection',
    tips: 'nondeterministic_output_order',
    handler: command,
    subcommands: [
      { name: 'count', arity: 2, ...sub, handler: commandCount },
      { name: 'docs', arity: -2, ...sub, tips: 'nondeterministic_output_order', handler: commandDocs },
      { name: 'getkeys', arity: -4, ...sub, handler: commandGetkeys },
      { name: 'getkeysandflags', arity: -4, ...sub, handler: commandGetkeysandflags },
      { name: 'help', arity: 2, ...sub, handler: commandHelp },
      { name: 'info', arity: -2, ...sub, tips: 'nondeterministic_output_order', handler: commandInfo },
      { name: 'list', arity: -2, ...sub, tips: 'nondeterministic_output_order', handler: commandList },
    ],
  },
];
