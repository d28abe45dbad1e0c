// The shape of a command: declared once, it drives arity checks, COMMAND output,
// ACL categories, rename-command and MULTI rules.

import type { Client } from '../server/client';

export type Handler = (c: Client, argv: Buffer[]) => void;

/** A command as declared in a command group file. */
export interface CommandDef {
  /** Lower-case name. */
  name: string;
  /** Redis arity: exact count when positive, minimum when negative (includes the name). */
  arity: number;
  /** Redis command flags, space separated: write readonly denyoom admin pubsub noscript blocking
   *  loading stale skip_monitor skip_slowlog fast no_auth may_replicate sentinel no_mandatory_keys
   *  no_multi movablekeys allow_busy */
  flags: string;
  /** First key, last key (negative counts from the end), step. Omit for no keys. */
  keys?: [number, number, number];
  /** Extra ACL categories besides those implied by flags, e.g. "@string @keyspace". */
  acl?: string;
  /** Omitted for a container command that only has subcommands. */
  handler?: Handler;
  subcommands?: CommandDef[];
  /** For commands with movable keys: key indexes in argv. */
  getKeys?: (argv: Buffer[]) => number[];
  /** Redis command tips for COMMAND INFO, space separated (e.g. "nondeterministic_output"). */
  tips?: string;
  /**
   * The handler only reads argv while it runs: no argument Buffer (nor a view of one) is kept
   * after it returns, stored values and replies are copies. Such a command may be given views
   * of the connection layer's reused read buffer; any other gets its own copy of argv first.
   */
  borrowsArgs?: true;
}

export enum Flag {
  Write = 1 << 0,
  Readonly = 1 << 1,
  DenyOom = 1 << 2,
  Admin = 1 << 3,
  Pubsub = 1 << 4,
  Noscript = 1 << 5,
  Blocking = 1 << 6,
  Loading = 1 << 7,
  Stale = 1 << 8,
  Fast = 1 << 9,
  NoAuth = 1 << 10,
  NoMulti = 1 << 11,
  AllowBusy = 1 << 12,
  MayReplicate = 1 << 13,
  SkipSlowlog = 1 << 14,
  SkipMonitor = 1 << 15,
  Movablekeys = 1 << 16,
  NoMandatoryKeys = 1 << 17,
  NoAsyncLoading = 1 << 18,
  /** DEBUG/MODULE: refused unless enable-debug-command / enable-module-command allow it */
  Protected = 1 << 19,
  Sentinel = 1 << 20,
  OnlySentinel = 1 << 21,
}

export const FLAG_BITS: Record<string, number> = {
  write: Flag.Write,
  readonly: Flag.Readonly,
  denyoom: Flag.DenyOom,
  admin: Flag.Admin,
  pubsub: Flag.Pubsub,
  noscript: Flag.Noscript,
  blocking: Flag.Blocking,
  loading: Flag.Loading,
  stale: Flag.Stale,
  fast: Flag.Fast,
  no_auth: Flag.NoAuth,
  no_multi: Flag.NoMulti,
  allow_busy: Flag.AllowBusy,
  may_replicate: Flag.MayReplicate,
  skip_slowlog: Flag.SkipSlowlog,
  skip_monitor: Flag.SkipMonitor,
  movablekeys: Flag.Movablekeys,
  no_mandatory_keys: Flag.NoMandatoryKeys,
  no_async_loading: Flag.NoAsyncLoading,
  protected: Flag.Protected,
  sentinel: Flag.Sentinel,
  only_sentinel: Flag.OnlySentinel,
};

/** A registered command (or subcommand) with its runtime statistics. */
export class Command {
  readonly flags: number;
  /** def.borrowsArgs (read on every call: kept as a plain field) */
  readonly borrowsArgs: boolean;
  readonly flagNames: string[];
  readonly categories: string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly handler: Handler | undefined;
  readonly subcommands: Map<string, Command> | null = null;
  /** commandstats */
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;
  /** The name clients use to call it (differs after rename-command). */
  name: string;
  /** "config|get" for subcommands: Redis's fullname, from the table (not changed by rename-command). */
  readonly fullname: string;
  /** The dispatcher's timing-run class of this command (dispatch.ts quick()), once known. */
  runClass = 0;

  constructor(
    readonly def: CommandDef,
    readonly parent: Command | null,
  ) {
    this.name = def.name;
    this.fullname = parent !== null ? `${parent.def.name}|${def.name}` : def.name;
    this.flagNames = def.flags.split(/\s+/).filter((f) => f.length > 0);
    let bits = 0;
    for (const f of this.flagNames) {
      const b = FLAG_BITS[f];
      if (b === undefined) throw new Error(`command ${def.name}: unknown flag ${f}`);
      bits |= b;
    }
    if (def.getKeys) bits |= Flag.Movablekeys;
    this.flags = bits;
    [this.firstKey, this.lastKey, this.step] = def.keys ?? [0, 0, 0];
    this.handler = def.handler;
    this.borrowsArgs = def.borrowsArgs === true;
    this.categories = deriveCategories(def, bits);
    if (def.subcommands) {
      this.subcommands = new Map();
      for (const s of def.subcommands) this.subcommands.set(s.name, new Command(s, this));
    }
  }

  get arity(): number {
    return this.def.arity;
  }

  /** rename-command: the name clients call it by. fullname stays the table's, as in Redis
   *  (commandstats, CLIENT LIST cmd=, COMMAND INFO and errors name the original command). */
  rename(to: string): void {
    this.name = to;
  }

  has(f: Flag): boolean {
    return (this.flags & f) !== 0;
  }

  /** Key argument indexes for a concrete call. */
  keyIndexes(argv: Buffer[]): number[] {
    if (this.def.getKeys) return this.def.getKeys(argv);
    if (this.firstKey === 0) return [];
    const last = this.lastKey < 0 ? argv.length + this.lastKey : this.lastKey;
    const out: number[] = [];
    for (let i = this.firstKey; i <= last && i < argv.length; i += this.step) out.push(i);
    return out;
  }
}

/** ACL categories implied by flags, as Redis's setImplicitACLCategories, plus declared ones. */
function deriveCategories(def: CommandDef, bits: number): string[] {
  const cats = new Set<string>();
  for (const c of (def.acl ?? '').split(/\s+/)) if (c.length > 0) cats.add(c.replace(/^@/, ''));
  if (bits & Flag.Write) cats.add('write');
  if (bits & Flag.Readonly && !cats.has('scripting')) cats.add('read');
  if (bits & Flag.Admin) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (bits & Flag.Pubsub) cats.add('pubsub');
  if (bits & Flag.Fast) cats.add('fast');
  if (bits & Flag.Blocking) cats.add('blocking');
  if (!(bits & Flag.Fast)) cats.add('slow');
  return [...cats].sort((a, b) => catIndex(a) - catIndex(b));
}

/** Redis's ACL category table, in its order (COMMAND INFO lists categories in this order). */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

function catIndex(c: string): number {
  const i = ACL_CATEGORIES.indexOf(c);
  return i < 0 ? ACL_CATEGORIES.length : i;
}
