// ACL users, with Redis 7.0's semantics: rules, selectors, permission checks, the ACL log, and
// users from the config file (`user` lines) or from the ACL file (`aclfile`).
//
// A user has flags (on/off, nopass, sanitize-payload), SHA-256 password digests (plaintext is
// never kept), a root selector and optional extra selectors. A selector holds command
// permissions (one bit per command and per subcommand, plus "first-arg" exceptions such as
// +select|0), key patterns with read/write flags, and channel patterns. A command may run when
// one selector allows the command together with all of its keys and channels.
//
// Rules always name commands by their original names (rename-command does not change them), as
// Redis does. The `default` user maps to requirepass: setting it replaces default's passwords
// (an empty value makes it nopass).

import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clientInfoLine, setUserLookup } from '../commands/client';
import { ACL_CATEGORIES, type Command, Flag } from '../commands/types';
import { REDACTED } from '../config/config';
import { splitArgs } from '../protocol/splitargs';
import type { Client } from '../server/client';
import { closeClient } from '../server/connection';
import { addGate } from '../server/dispatch';
import type { Server } from '../server/server';
import { type CompiledGlob, compileGlob, matchCompiled } from '../store/glob';
import { atomicWrite, checkSecretFile, formatFinding } from './files';
import { digestHex, sha256, toDigest } from './secret';

// ---- results of a permission check (numeric order matters: see check()) ----

export const ACL_OK = 0;
export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

/** Key permissions of a pattern, and key access a command needs. */
const READ = 1;
const WRITE = 2;
const RW = READ | WRITE;

/** Reasons SETUSER rules fail, worded as Redis 7.0's. */
const MSG = {
  syntax: 'Syntax error',
  noent: 'Unknown command or category name in ACL',
  keysAfterAll:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  channelsAfterAll:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  noSuchPass: 'The password you are trying to remove from the user does not exist',
  badHash:
    'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  duplicate: 'Duplicate user found. A user can only be defined once in config files',
  subFirstArg: 'Allowing first-arg of a subcommand is not supported',
};

export const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

const NOPERM_KEY = 'NOPERM this user has no permissions to access one of the keys used as arguments';
const NOPERM_CHANNEL = 'NOPERM this user has no permissions to access one of the channels used as arguments';
const EXEC_CHANGED =
  'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ';

/** Entries of the ACL log that repeat within this window are counted in one entry. */
const LOG_GROUPING_MS = 60_000;

// ---- which keys a command reads and writes ----

/*
 * Read (r) / write (w) access per key, from Redis 7.0's key specs: "access" needs read
 * permission; "insert", "delete" and "update" need write permission; keys a command only
 * checks (EXISTS, TYPE, LLEN...) need neither, so any matching pattern allows them. The first
 * field is for the first key of the command, the second (when present) for the others (the
 * sources of a STORE variant, the destination of LMOVE...). Commands not listed need both
 * (writes) or read (read-only commands): unknown commands are never let through a %R~/%W~
 * pattern they should not pass.
 */
const KEY_ACCESS_TEXT = `
append w;bitcount r;bitfield rw;bitfield_ro r;bitop w r;bitpos r;blmove rw w;blmpop rw;blpop rw
brpop rw;brpoplpush rw w;bzmpop rw;bzpopmax rw;bzpopmin rw;copy r w;decr rw;decrby rw;del w
dump r;eval rw;eval_ro r;evalsha rw;evalsha_ro r;exists -;expire w;expireat w;expiretime r
fcall rw;fcall_ro r;geoadd w;geodist r;geohash r;geopos r;georadius r w;georadius_ro r
georadiusbymember r w;georadiusbymember_ro r;geosearch r;geosearchstore w r;get r;getbit r
getdel rw;getex rw;getrange r;getset rw;hdel w;hexists -;hget r;hgetall r;hincrby rw
hincrbyfloat rw;hkeys r;hlen -;hmget r;hmset w;hrandfield r;hscan r;hset w;hsetnx w;hstrlen -
hvals r;incr rw;incrby rw;incrbyfloat rw;lcs r;lindex r;linsert w;llen -;lmove rw w;lmpop rw
lpop rw;lpos r;lpush w;lpushx w;lrange r;lrem w;lset w;ltrim w;memory|usage -;mget r
migrate rw;move rw;mset w;msetnx w;object|encoding -;object|freq -;object|idletime -
object|refcount -;persist w;pexpire w;pexpireat w;pexpiretime r;pfadd w;pfcount r;pfdebug r
pfmerge rw r;psetex w;pttl r;rename rw w;renamenx rw w;restore w;restore-asking w;rpop rw
rpoplpush rw w;rpush w;rpushx w;sadd w;scard -;sdiff r;sdiffstore w r;set rw;setbit rw;setex w
setnx w;setrange w;sinter r;sintercard r;sinterstore w r;sismember -;smembers r;smismember r
smove rw w;sort r w;sort_ro r;spop rw;srandmember r;srem w;sscan r;strlen -;substr r;sunion r
spublish x;ssubscribe x;sunionstore w r;sunsubscribe x;touch -;ttl r;type -;unlink w;watch -;xack w;xadd w;xautoclaim w;xclaim w
xdel w;xgroup|create w;xgroup|createconsumer w;xgroup|delconsumer w;xgroup|destroy w
xgroup|setid w;xinfo|consumers r;xinfo|groups r;xinfo|stream r;xlen -;xpending r;xrange r
xread r;xreadgroup r;xrevrange r;xsetid w;xtrim w;zadd w;zcard -;zcount r;zdiff r
zdiffstore w r;zincrby rw;zinter r;zintercard r;zinterstore w r;zlexcount r;zmpop rw
zmscore r;zpopmax rw;zpopmin rw;zrandmember r;zrange r;zrangebylex r;zrangebyscore r
zrangestore w r;zrank r;zrem w;zremrangebylex w;zremrangebyrank w;zremrangebyscore w
zrevrange r;zrevrangebylex r;zrevrangebyscore r;zrevrank r;zscan r;zscore r;zunion r
zunionstore w r`;

/** x: the "keys" are shard channels (cluster slots), not keys: no key permission applies */
const NOT_KEY = -1;

function accessBits(s: string): number {
  if (s === 'x') return NOT_KEY;
  return (s.includes('r') ? READ : 0) | (s.includes('w') ? WRITE : 0);
}

const KEY_ACCESS = new Map<string, [number, number]>();
for (const item of KEY_ACCESS_TEXT.split(/[;\n]/)) {
  const f = item.trim().split(' ');
  if (f[0] === '') continue;
  const first = accessBits(f[1]);
  KEY_ACCESS.set(f[0], [first, f.length > 2 ? accessBits(f[2]) : first]);
}

/** Whether a command's key access is known (otherwise reads need R, anything else needs RW). */
export function keyAccessKnown(name: string): boolean {
  return KEY_ACCESS.has(name);
}

/** Channel arguments of the pub/sub commands (the only commands with channel permissions). */
function channelArgs(name: string, argv: Buffer[]): { from: number; to: number; pattern: boolean } | null {
  switch (name) {
    case 'publish':
    case 'spublish':
      return { from: 1, to: 1, pattern: false };
    case 'subscribe':
    case 'ssubscribe':
      return { from: 1, to: argv.length - 1, pattern: false };
    case 'psubscribe':
      return { from: 1, to: argv.length - 1, pattern: true };
    default:
      return null;
  }
}

function isWordChar(code: number): boolean {
  // isspace() in the C locale, and NUL
  return !(code === 32 || (code >= 9 && code <= 13) || code === 0);
}

/** Whether a user name or pattern holds whitespace or NUL (Redis refuses those). */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWordChar(s.charCodeAt(i))) return true;
  return false;
}

/** Errors name the failing rule, except rules that may carry a password. */
function showRule(op: string): string {
  const secret = (t: string) => t.length > 0 && '<>#!'.includes(t[0]);
  const tokens = op.startsWith('(') ? op.slice(1).split(/[ \t\r\n"']+/) : [op];
  if (tokens.some(secret)) return op.startsWith('(') ? `(${REDACTED})` : `${op[0]}${REDACTED}`;
  // error replies end at a NUL, as Redis's C strings do
  const nul = op.indexOf('\0');
  return nul >= 0 ? op.slice(0, nul) : op;
}

// ---- the command index: ids for commands and subcommands, categories ----

class CommandIndex {
  readonly cmds: Command[] = [];
  readonly ids = new Map<Command, number>();
  /** top-level commands, in table order */
  readonly top: Command[] = [];
  readonly byCategory = new Map<string, number[]>();
  private byName = new Map<string, Command>();

  constructor(all: readonly Command[]) {
    for (const cat of ACL_CATEGORIES) this.byCategory.set(cat, []);
    for (const c of all) {
      this.add(c);
      this.top.push(c);
      if (c.subcommands !== null) for (const sc of c.subcommands.values()) this.add(sc);
    }
  }

  private add(c: Command): void {
    const id = this.cmds.length;
    this.cmds.push(c);
    this.ids.set(c, id);
    this.byName.set(aclName(c), c);
    for (const cat of c.categories) this.byCategory.get(cat)?.push(id);
  }

  get size(): number {
    return this.cmds.length;
  }

  /** "get" or "config|get", case-insensitively, by original name. */
  lookup(name: string): Command | undefined {
    return this.byName.get(name.toLowerCase());
  }
}

/** The name rules use for a command: its original name, "container|sub" for subcommands. */
export function aclName(c: Command): string {
  return c.parent !== null ? `${c.parent.def.name}|${c.def.name}` : c.def.name;
}

// ---- selectors and users ----

interface KeyPattern {
  pattern: string;
  flags: number;
  glob: CompiledGlob;
}

export class Selector {
  /** one byte per command id: 1 = allowed */
  bits: Uint8Array;
  /** how many bits are set (all set: no per-command check) */
  count = 0;
  /** +@all / allcommands: commands that appear later are allowed too (shown as "+@all ...") */
  future = false;
  /** first-arg exceptions of denied commands (+select|0), by command id */
  firstArgs: Map<number, string[]> | null = null;
  allKeys = false;
  keys: KeyPattern[] = [];
  allChannels = false;
  channels: string[] = [];
  channelGlobs: CompiledGlob[] = [];

  constructor(n: number, allChannels: boolean) {
    this.bits = new Uint8Array(n);
    this.allChannels = allChannels;
  }

  clone(): Selector {
    const s = new Selector(0, this.allChannels);
    s.bits = this.bits.slice();
    s.count = this.count;
    s.future = this.future;
    if (this.firstArgs !== null) {
      s.firstArgs = new Map();
      for (const [k, v] of this.firstArgs) s.firstArgs.set(k, v.slice());
    }
    s.allKeys = this.allKeys;
    s.keys = this.keys.slice();
    s.channels = this.channels.slice();
    s.channelGlobs = this.channelGlobs.slice();
    return s;
  }

  setBit(id: number, on: boolean): void {
    const v = on ? 1 : 0;
    if (this.bits[id] !== v) {
      this.bits[id] = v;
      this.count += on ? 1 : -1;
    }
  }

  setAll(on: boolean): void {
    this.bits.fill(on ? 1 : 0);
    this.count = on ? this.bits.length : 0;
    this.firstArgs = null;
  }

  get allCommands(): boolean {
    return this.count === this.bits.length;
  }
}

export type SanitizeFlag = '' | 'skip-sanitize-payload' | 'sanitize-payload';

export class AclUser {
  enabled = false;
  nopass = false;
  sanitize: SanitizeFlag = '';
  /** SHA-256 digests, lower-case hex */
  passwords: string[] = [];
  /** [0] is the root selector */
  selectors: Selector[];
  /** the root selector allows everything: permission checks are skipped */
  unrestricted = false;

  constructor(
    readonly name: string,
    root: Selector,
  ) {
    this.selectors = [root];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  clone(name = this.name): AclUser {
    const u = new AclUser(name, this.root.clone());
    u.enabled = this.enabled;
    u.nopass = this.nopass;
    u.sanitize = this.sanitize;
    u.passwords = this.passwords.slice();
    for (let i = 1; i < this.selectors.length; i++) u.selectors.push(this.selectors[i].clone());
    u.refresh();
    return u;
  }

  refresh(): void {
    const r = this.root;
    this.unrestricted = r.allCommands && r.allKeys && r.allChannels;
  }
}

/** Joins selector arguments split by the client: "(+get" "~x)" becomes "(+get ~x)". */
export function mergeSelectorArgs(args: string[]): { ok: string[] } | { open: number } {
  const out: string[] = [];
  let open = -1;
  let sel = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op.startsWith('(') && !op.endsWith(')')) {
      sel = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      sel += ` ${op}`;
      if (op.endsWith(')')) {
        open = -1;
        out.push(sel);
      }
      continue;
    }
    out.push(op);
  }
  if (open !== -1) return { open };
  return { ok: out };
}

export interface LogEntry {
  count: number;
  reason: string;
  context: string;
  object: string;
  username: string;
  ctime: number;
  cinfo: string;
}

const REASONS = ['', 'command', 'key', 'auth', 'channel'];

/** The result of a permission check: the denial and the argument it concerns. */
export interface CheckResult {
  code: number;
  /** argv index of the denied key or channel */
  idx: number;
}

interface KeyRef {
  idx: number;
  flags: number;
}

const ALLOWED: CheckResult = { code: ACL_OK, idx: 0 };

// ---- the ACL state of a server ----

let gateInstalled = false;

export class Acl {
  readonly users = new Map<string, AclUser>();
  /** newest first */
  log: LogEntry[] = [];
  readonly index: CommandIndex;
  /** names of `user` lines seen in the config file (duplicates are refused) */
  private configNames = new Set<string>();
  /** the no_auth command a client is running (AUTH, HELLO): the ACL log names it as typed */
  private authCmd = new WeakMap<Client, { typed: string; cmd: Command }>();

  constructor(readonly s: Server) {
    this.index = new CommandIndex(s.commands.all);
    this.users.set('default', this.defaultUser());
    s.guard.userCheck = (name, pass) => this.checkCredentials(name, pass);
    s.guard.onAuthFailure = (c, name) => this.logAuthFailure(c, name);
    setUserLookup((name) => this.users.has(name));
    s.startupHooks.push(async () => this.loadAtStartup());
    if (!gateInstalled) {
      gateInstalled = true;
      addGate({
        check: (c, cmd, argv) => c.server.acl.gate(c, cmd, argv),
        execCheck: (c, cmd, argv) => c.server.acl.execGate(c, cmd, argv),
      });
    }
  }

  // ---- users ----

  private pubsubDefaultAll(): boolean {
    return this.s.config.str('acl-pubsub-default') === 'allchannels';
  }

  newSelector(): Selector {
    return new Selector(this.index.size, this.pubsubDefaultAll());
  }

  /** A user as ACL SETUSER creates it: off, no passwords, no permissions. */
  newUser(name: string): AclUser {
    const u = new AclUser(name, this.newSelector());
    u.refresh();
    return u;
  }

  /** `default` as at start-up: on nopass ~* &* +@all. */
  defaultUser(): AclUser {
    const u = this.newUser('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) this.apply(u, op);
    u.refresh();
    return u;
  }

  get(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** Sorted as Redis lists them (byte order). */
  sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Whether new connections must authenticate: default has passwords or is off. */
  authRequired(): boolean {
    const d = this.users.get('default');
    return d === undefined || !d.nopass || !d.enabled;
  }

  /** Whether `default` is nopass (AUTH <password> is then an error, whether it is on or off). */
  defaultNopass(): boolean {
    return this.users.get('default')?.nopass === true;
  }

  /** requirepass changed (config file, CONFIG SET): it is default's only password. */
  requirepassChanged(value: string): void {
    const d = this.users.get('default');
    if (d === undefined) return;
    d.passwords = [];
    d.nopass = value === '';
    if (value !== '') d.passwords.push(digestHex(toDigest(value)));
  }

  /** Password check for AUTH / HELLO: an unknown or disabled user fails like a wrong password. */
  checkCredentials(name: string, pass: Buffer): boolean {
    const u = this.users.get(name);
    // hash even when the user is unknown, so timing does not tell which names exist
    const h = sha256(pass);
    if (u === undefined || !u.enabled) return false;
    if (u.nopass) return true;
    let ok = false;
    for (const p of u.passwords) if (timingSafeEqual(h, Buffer.from(p, 'hex'))) ok = true;
    return ok;
  }

  // ---- rules ----

  /** Applies one rule to a user; returns the reason it is refused, or null. */
  apply(u: AclUser, op: string): string | null {
    if (op.length === 0) return null;
    const lower = op.toLowerCase();
    switch (lower) {
      case 'on':
        u.enabled = true;
        return null;
      case 'off':
        u.enabled = false;
        return null;
      case 'skip-sanitize-payload':
      case 'sanitize-payload':
        u.sanitize = lower;
        return null;
      case 'nopass':
        u.nopass = true;
        u.passwords = [];
        return null;
      case 'resetpass':
        u.nopass = false;
        u.passwords = [];
        return null;
      case 'clearselectors':
        u.selectors.length = 1;
        return null;
      case 'reset':
        for (const r of ['resetpass', 'resetkeys', 'resetchannels']) this.apply(u, r);
        if (this.pubsubDefaultAll()) this.apply(u, 'allchannels');
        for (const r of ['off', 'sanitize-payload', 'clearselectors', '-@all']) this.apply(u, r);
        return null;
    }
    const c0 = op[0];
    if (c0 === '>' || c0 === '#') {
      let hex: string;
      if (c0 === '>') hex = sha256(op.slice(1)).toString('hex');
      else {
        hex = op.slice(1);
        if (!/^[0-9a-f]{64}$/.test(hex)) return MSG.badHash;
      }
      if (!u.passwords.includes(hex)) u.passwords.push(hex);
      u.nopass = false;
      return null;
    }
    if (c0 === '<' || c0 === '!') {
      let hex: string;
      if (c0 === '<') hex = sha256(op.slice(1)).toString('hex');
      else {
        hex = op.slice(1);
        if (!/^[0-9a-f]{64}$/.test(hex)) return MSG.badHash;
      }
      const i = u.passwords.indexOf(hex);
      if (i < 0) return MSG.noSuchPass;
      u.passwords.splice(i, 1);
      return null;
    }
    if (c0 === '(' && op.endsWith(')')) {
      const sel = this.newSelector();
      // split as a config line (quotes, any whitespace); unbalanced quotes give no rules, as Redis
      for (const t of splitArgs(op.slice(1, -1)) ?? []) {
        const err = this.applySelector(sel, t);
        if (err !== null) return err;
      }
      u.selectors.push(sel);
      return null;
    }
    return this.applySelector(u.root, op);
  }

  /** A rule about commands, keys or channels, for the root or an extra selector. */
  applySelector(sel: Selector, op: string): string | null {
    if (op.length === 0) return null;
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      sel.allKeys = true;
      sel.keys = [];
      return null;
    }
    if (lower === 'resetkeys') {
      sel.allKeys = false;
      sel.keys = [];
      return null;
    }
    if (lower === 'allchannels' || op === '&*') {
      sel.allChannels = true;
      sel.channels = [];
      sel.channelGlobs = [];
      return null;
    }
    if (lower === 'resetchannels') {
      sel.allChannels = false;
      sel.channels = [];
      sel.channelGlobs = [];
      return null;
    }
    if (lower === 'allcommands' || lower === '+@all') {
      sel.setAll(true);
      sel.future = true;
      return null;
    }
    if (lower === 'nocommands' || lower === '-@all') {
      sel.setAll(false);
      sel.future = false;
      return null;
    }
    const c0 = op[0];
    if (c0 === '~' || c0 === '%') return this.addKeyPattern(sel, op);
    if (c0 === '&') {
      if (sel.allChannels) return MSG.channelsAfterAll;
      const p = op.slice(1);
      if (hasSpaces(p)) return MSG.syntax;
      if (!sel.channels.includes(p)) {
        sel.channels.push(p);
        sel.channelGlobs.push(compileGlob(p));
      }
      return null;
    }
    if ((c0 === '+' || c0 === '-') && op[1] === '@') {
      const ids = this.index.byCategory.get(op.slice(2).toLowerCase());
      if (ids === undefined) return MSG.noent;
      for (const id of ids) this.changePerm(sel, this.index.cmds[id], c0 === '+');
      return null;
    }
    if (c0 === '+') return this.allowCommand(sel, op.slice(1));
    if (c0 === '-') {
      const cmd = this.index.lookup(op.slice(1));
      if (cmd === undefined) return MSG.noent;
      this.changePerm(sel, cmd, false);
      return null;
    }
    return MSG.syntax;
  }

  private addKeyPattern(sel: Selector, op: string): string | null {
    if (sel.allKeys) return MSG.keysAfterAll;
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const ch = op[offset].toUpperCase();
        if (ch === 'R' && !(flags & READ)) flags |= READ;
        else if (ch === 'W' && !(flags & WRITE)) flags |= WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else return MSG.syntax;
      }
      if (flags === 0) return MSG.syntax;
    } else {
      flags = RW;
    }
    const p = op.slice(offset);
    if (hasSpaces(p)) return MSG.syntax;
    const same = sel.keys.findIndex((k) => k.pattern === p);
    if (same >= 0) sel.keys[same] = { ...sel.keys[same], flags: sel.keys[same].flags | flags };
    else sel.keys.push({ pattern: p, flags, glob: compileGlob(p) });
    return null;
  }

  /** +command, +container|sub, or +command|first-arg. */
  private allowCommand(sel: Selector, name: string): string | null {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = this.index.lookup(name);
      if (cmd === undefined) return MSG.noent;
      this.changePerm(sel, cmd, true);
      return null;
    }
    const base = this.index.lookup(name.slice(0, bar));
    if (base === undefined) return MSG.noent;
    if (base.parent !== null) return MSG.subFirstArg;
    const arg = name.slice(bar + 1);
    if (arg === '') return MSG.syntax;
    if (base.subcommands !== null) {
      const sub = this.index.lookup(name);
      if (sub === undefined) return MSG.noent;
      this.changePerm(sel, sub, true);
      return null;
    }
    // a first argument of a command without subcommands (+select|0)
    const id = this.index.ids.get(base) as number;
    if (sel.firstArgs === null) sel.firstArgs = new Map();
    const list = sel.firstArgs.get(id) ?? [];
    if (!list.some((a) => a.toLowerCase() === arg.toLowerCase())) list.push(arg);
    sel.firstArgs.set(id, list);
    return null;
  }

  /** Allows or denies a command, and all its subcommands when it is a container. */
  private changePerm(sel: Selector, cmd: Command, allow: boolean): void {
    const id = this.index.ids.get(cmd);
    if (id === undefined) return;
    sel.setBit(id, allow);
    sel.firstArgs?.delete(id);
    if (cmd.subcommands !== null) {
      for (const sc of cmd.subcommands.values()) {
        const sid = this.index.ids.get(sc);
        if (sid !== undefined) sel.setBit(sid, allow);
      }
    }
  }

  /**
   * ACL SETUSER: all rules are applied to a copy, which replaces the user only when every rule
   * is valid. Returns an error reply or null.
   */
  setUser(name: string, rawOps: string[]): string | null {
    if (hasSpaces(name)) return "ERR Usernames can't contain spaces or null characters";
    const merged = mergeSelectorArgs(rawOps);
    if ('open' in merged) {
      return `ERR Unmatched parenthesis in acl selector starting at '${showRule(rawOps[merged.open])}'.`;
    }
    const old = this.users.get(name);
    const u = old !== undefined ? old.clone() : this.newUser(name);
    for (const op of merged.ok) {
      const err = this.apply(u, op);
      if (err !== null) return `ERR Error in ACL SETUSER modifier '${showRule(op)}': ${err}`;
    }
    u.refresh();
    this.users.set(name, u);
    if (old !== undefined) this.killPubsubClientsIfNeeded(u, old);
    return null;
  }

  /** ACL DELUSER: removes users and disconnects their clients. */
  deleteUsers(c: Client | null, names: string[]): number {
    let n = 0;
    for (const name of names) {
      if (name === 'default') continue;
      if (this.users.delete(name)) {
        n++;
        this.disconnectUser(c, (x) => x.user === name);
      }
    }
    return n;
  }

  private disconnectUser(self: Client | null, which: (x: Client) => boolean): void {
    for (const x of [...this.s.clients.values()]) {
      if (!x.authenticated || !which(x)) continue;
      // the reply to the command that removed the user still goes out
      if (x === self) x.closeAfterReply = true;
      else closeClient(this.s, x);
    }
  }

  /**
   * When a user loses channel permissions, its subscribed clients that now hold a forbidden
   * subscription are disconnected (they would keep receiving messages otherwise).
   */
  private killPubsubClientsIfNeeded(nu: AclUser, old: AclUser): void {
    if (nu.selectors.some((s) => s.allChannels)) return;
    const upcoming = new Set<string>();
    for (const s of nu.selectors) for (const ch of s.channels) upcoming.add(ch);
    let lost = false;
    for (const s of old.selectors) {
      if (s.allChannels) lost = true;
      for (const ch of s.channels) if (!upcoming.has(ch)) lost = true;
    }
    if (!lost) return;
    const globs = [...upcoming].map((p) => compileGlob(p));
    const allowed = (ch: string, pattern: boolean) =>
      pattern ? upcoming.has(ch) : globs.some((g) => matchCompiled(g, ch));
    const victims: Client[] = [];
    for (const x of this.s.clients.values()) {
      if (x.user !== nu.name || !x.authenticated) continue;
      let kill = false;
      for (const p of x.patterns ?? []) if (!allowed(p, true)) kill = true;
      for (const ch of x.channels ?? []) if (!allowed(ch, false)) kill = true;
      for (const ch of x.shardChannels ?? []) if (!allowed(ch, false)) kill = true;
      if (kill) victims.push(x);
    }
    for (const x of victims) closeClient(this.s, x);
  }

  // ---- describing users (ACL LIST, GETUSER, SAVE) ----

  describeKeys(sel: Selector): string {
    if (sel.allKeys) return '~*';
    return sel.keys
      .map((k) =>
        k.flags === RW ? `~${k.pattern}` : k.flags === READ ? `%R~${k.pattern}` : `%W~${k.pattern}`,
      )
      .join(' ');
  }

  describeChannels(sel: Selector): string {
    if (sel.allChannels) return '&*';
    return sel.channels.map((c) => `&${c}`).join(' ');
  }

  /**
   * The command rules of a selector, as Redis 7.0 writes them: "+@all" or "-@all", then the
   * categories that best fit the permissions (each chosen greedily: more commands in common
   * than different, fewest differences first), then single commands, subcommands and
   * first-args for what the categories do not cover. Applying the result to a fresh selector
   * gives exactly the same permissions.
   */
  describeCommands(sel: Selector): string {
    const ix = this.index;
    const additive = !sel.future;
    const rules: string[] = [additive ? '-@all' : '+@all'];
    const fake = new Selector(ix.size, false);
    fake.setAll(!additive);
    fake.future = !additive;
    const temp = new Selector(ix.size, false);
    temp.bits = sel.bits.slice();
    const applied = new Set<string>();
    for (;;) {
      let best = '';
      let minDiff = Number.MAX_SAFE_INTEGER;
      let maxSame = 0;
      for (const cat of ACL_CATEGORIES) {
        if (applied.has(cat)) continue;
        let on = 0;
        let off = 0;
        for (const id of ix.byCategory.get(cat) ?? []) {
          if (temp.bits[id]) on++;
          else off++;
        }
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = cat;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best === '') break;
      for (const id of ix.byCategory.get(best) ?? []) {
        this.changePerm(fake, ix.cmds[id], additive);
        this.changePerm(temp, ix.cmds[id], !additive);
      }
      rules.push(`${additive ? '+' : '-'}@${best}`);
      applied.add(best);
    }
    const single = (cmd: Command) => {
      const id = ix.ids.get(cmd) as number;
      const mine = sel.bits[id] === 1;
      if (mine !== (fake.bits[id] === 1)) {
        rules.push(`${mine ? '+' : '-'}${aclName(cmd)}`);
        this.changePerm(fake, cmd, mine);
      }
      return { id, mine };
    };
    for (const cmd of ix.top) {
      const { id, mine } = single(cmd);
      if (cmd.subcommands !== null) for (const sc of cmd.subcommands.values()) single(sc);
      const fa = sel.firstArgs?.get(id);
      if (!mine && fa !== undefined) for (const a of fa) rules.push(`+${aclName(cmd)}|${a}`);
    }
    return rules.join(' ');
  }

  /** keys, channels and commands of a selector, as in ACL LIST. */
  describeSelector(sel: Selector): string {
    const parts: string[] = [];
    const keys = this.describeKeys(sel);
    if (keys !== '') parts.push(keys);
    if (sel.allChannels) parts.push('&*');
    else {
      parts.push('resetchannels');
      const ch = this.describeChannels(sel);
      if (ch !== '') parts.push(ch);
    }
    parts.push(this.describeCommands(sel));
    return parts.join(' ');
  }

  flagsOf(u: AclUser): string[] {
    const f = [u.enabled ? 'on' : 'off'];
    if (u.nopass) f.push('nopass');
    if (u.sanitize !== '') f.push(u.sanitize);
    return f;
  }

  /** The rules of a user after its name, as in ACL LIST and the ACL file. */
  describeUser(u: AclUser): string {
    const parts = this.flagsOf(u);
    for (const p of u.passwords) parts.push(`#${p}`);
    parts.push(this.describeSelector(u.root));
    for (let i = 1; i < u.selectors.length; i++) parts.push(`(${this.describeSelector(u.selectors[i])})`);
    return parts.join(' ');
  }

  // ---- permission checks ----

  /** The user a client runs as (undefined once the user was deleted: nothing is allowed). */
  userOf(c: Client): AclUser | undefined {
    return this.users.get(c.user);
  }

  /** Key arguments and the access each needs; null when they can't be known (deny). */
  private keyRefs(cmd: Command, argv: Buffer[]): KeyRef[] | null {
    if (cmd.flags & Flag.Movablekeys && cmd.def.getKeys === undefined) return null;
    const idx = cmd.keyIndexes(argv);
    const name = aclName(cmd);
    let first: number;
    let rest: number;
    if (name === 'set') {
      // only SET ... GET reads the key
      let get = false;
      for (let i = 3; i < argv.length; i++)
        if (argv[i].length === 3 && argv[i].toString('latin1').toLowerCase() === 'get') get = true;
      first = rest = get ? RW : WRITE;
    } else if (name === 'bitfield') {
      first = rest = bitfieldReadOnly(argv) ? READ : RW;
    } else {
      const a = KEY_ACCESS.get(name);
      if (a !== undefined) [first, rest] = a;
      else first = rest = cmd.flags & Flag.Readonly ? READ : RW;
    }
    const out: KeyRef[] = [];
    if (first === NOT_KEY) return out;
    // a malformed call (numkeys beyond the arguments) may name positions that don't exist
    for (let n = 0; n < idx.length; n++) {
      if (idx[n] > 0 && idx[n] < argv.length) out.push({ idx: idx[n], flags: n === 0 ? first : rest });
    }
    return out;
  }

  private keyAllowed(sel: Selector, key: string, need: number): boolean {
    if (sel.allKeys) return true;
    for (const k of sel.keys) {
      if ((k.flags & need) !== need) continue;
      if (matchCompiled(k.glob, key)) return true;
    }
    return false;
  }

  private channelAllowed(sel: Selector, ch: string, pattern: boolean): boolean {
    if (sel.allChannels) return true;
    for (let i = 0; i < sel.channels.length; i++) {
      // a pattern subscription must be one of the allowed patterns, literally
      if (pattern ? sel.channels[i] === ch : matchCompiled(sel.channelGlobs[i], ch)) return true;
    }
    return false;
  }

  /**
   * Whether `u` may run the command: some selector must allow the command, all its keys and
   * all its channels. When none does, the reported denial is the command itself if no
   * selector allows it, else the key or channel that no selector could match (the furthest one).
   */
  check(u: AclUser, cmd: Command, argv: Buffer[]): CheckResult {
    if (u.unrestricted) return ALLOWED;
    const id = this.index.ids.get(cmd) ?? -1;
    let keys: KeyRef[] | null | undefined;
    let code = DENIED_CMD;
    let idx = 0;
    for (const sel of u.selectors) {
      const r = this.checkSelector(sel, cmd, id, argv, () => {
        if (keys === undefined) keys = this.keyRefs(cmd, argv);
        return keys;
      });
      if (r.code === ACL_OK) return ALLOWED;
      if (r.code > code || (r.code === code && r.idx > idx)) {
        code = r.code;
        idx = r.idx;
      }
    }
    return { code, idx };
  }

  private checkSelector(
    sel: Selector,
    cmd: Command,
    id: number,
    argv: Buffer[],
    keys: () => KeyRef[] | null,
  ): CheckResult {
    if (!sel.allCommands && !(cmd.flags & Flag.NoAuth) && (id < 0 || sel.bits[id] !== 1)) {
      const fa = id < 0 ? undefined : sel.firstArgs?.get(id);
      if (fa === undefined || argv.length < 2) return { code: DENIED_CMD, idx: 0 };
      const arg = argv[cmd.parent !== null ? 2 : 1]?.toString('latin1').toLowerCase();
      if (!fa.some((a) => a.toLowerCase() === arg)) return { code: DENIED_CMD, idx: 0 };
    }
    if (!sel.allKeys && (cmd.firstKey > 0 || cmd.flags & Flag.Movablekeys)) {
      const refs = keys();
      if (refs === null) return { code: DENIED_KEY, idx: 0 };
      for (const k of refs) {
        if (!this.keyAllowed(sel, argv[k.idx].toString('latin1'), k.flags))
          return { code: DENIED_KEY, idx: k.idx };
      }
    }
    if (!sel.allChannels) {
      const ch = channelArgs(aclName(cmd), argv);
      if (ch !== null) {
        for (let i = ch.from; i <= ch.to; i++) {
          if (!this.channelAllowed(sel, argv[i].toString('latin1'), ch.pattern))
            return { code: DENIED_CHANNEL, idx: i };
        }
      }
    }
    return ALLOWED;
  }

  /**
   * For SORT BY/GET, which reach keys not named in the arguments: whether some selector allows
   * the command (`name`, by its original name) together with read access to every key.
   */
  fullKeyAccess(c: Client, name: string, argv: Buffer[]): boolean {
    const cmd = this.index.lookup(name);
    return cmd !== undefined && this.hasUnrestrictedKeyAccess(c, cmd, argv, READ);
  }

  /** Whether some selector allows the command and every key for the given access (READ/WRITE). */
  hasUnrestrictedKeyAccess(c: Client, cmd: Command, argv: Buffer[], access: number): boolean {
    const u = this.userOf(c);
    if (u === undefined) return false;
    if (u.unrestricted) return true;
    const id = this.index.ids.get(cmd) ?? -1;
    for (const sel of u.selectors) {
      if (this.checkSelector(sel, cmd, id, argv, () => this.keyRefs(cmd, argv)).code !== ACL_OK) continue;
      if (sel.allKeys || sel.keys.some((k) => k.pattern === '*' && (k.flags & access) === access))
        return true;
    }
    return false;
  }

  /** The dispatcher's gate: checks every command before it runs or is queued. */
  gate(c: Client, cmd: Command, argv: Buffer[]): string | null {
    if (cmd.flags & Flag.NoAuth) this.authCmd.set(c, { typed: argv[0].toString('latin1'), cmd });
    const u = this.users.get(c.user);
    if (u?.unrestricted) return null;
    const r = u === undefined ? { code: DENIED_CMD, idx: 0 } : this.check(u, cmd, argv);
    if (r.code === ACL_OK) return null;
    this.logDenial(c, r, cmd, argv, c.multi !== null ? 'multi' : 'toplevel');
    if (r.code === DENIED_KEY) return NOPERM_KEY;
    if (r.code === DENIED_CHANNEL) return NOPERM_CHANNEL;
    return `NOPERM this user has no permissions to run the '${aclName(cmd)}' command`;
  }

  /** EXEC checks each queued command again: the rules may have changed since it was queued. */
  execGate(c: Client, cmd: Command, argv: Buffer[]): string | null {
    if (cmd.flags & Flag.NoAuth) this.authCmd.set(c, { typed: argv[0].toString('latin1'), cmd });
    const u = this.users.get(c.user);
    if (u?.unrestricted) return null;
    const r = u === undefined ? { code: DENIED_CMD, idx: 0 } : this.check(u, cmd, argv);
    if (r.code === ACL_OK) return null;
    this.logDenial(c, r, cmd, argv, 'multi', 'exec');
    if (r.code === DENIED_KEY) return `${EXEC_CHANGED}no permission to touch the specified keys`;
    if (r.code === DENIED_CHANNEL)
      return `${EXEC_CHANGED}no permission to access one of the channels used as arguments`;
    return `${EXEC_CHANGED}no permission to execute the command or subcommand`;
  }

  /**
   * redis.call / redis.pcall in a script: the script runs as its caller, so each command it
   * calls is checked (and a denial logged with context "lua"). Returns the script error or null.
   */
  scriptDenied(caller: Client, cmd: Command, argv: Buffer[], running: string): string | null {
    const u = this.users.get(caller.user);
    if (u?.unrestricted) return null;
    const r = u === undefined ? { code: DENIED_CMD, idx: 0 } : this.check(u, cmd, argv);
    if (r.code === ACL_OK) return null;
    this.logDenial(caller, r, cmd, argv, 'lua', running);
    if (r.code === DENIED_KEY) {
      return "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments";
    }
    if (r.code === DENIED_CHANNEL) {
      return "ERR The user executing the script can't publish to the channel mentioned in the command";
    }
    return "ERR The user executing the script can't run this command or subcommand";
  }

  /** redis.acl_check_cmd: whether the client's user may run the command (nothing is logged). */
  allows(c: Client, cmd: Command, argv: Buffer[]): boolean {
    const u = this.users.get(c.user);
    return u !== undefined && this.check(u, cmd, argv).code === ACL_OK;
  }

  // ---- the ACL log ----

  /** Records a denied command, key or channel. `context`: toplevel, multi or lua. */
  logDenial(
    c: Client,
    r: CheckResult,
    cmd: Command,
    argv: Buffer[],
    context: string,
    running?: string,
  ): void {
    const object = r.code === DENIED_CMD ? aclName(cmd) : (argv[r.idx]?.toString('latin1') ?? '');
    this.addLog(c, REASONS[r.code], context, object, c.user, { name: running ?? cmd.fullname, argv });
  }

  /** A failed AUTH / HELLO AUTH (the name is the one given, which may not exist). */
  logAuthFailure(c: Client, username: string): void {
    const running = this.authCmd.get(c);
    const object = running?.typed ?? 'auth';
    const name = running?.cmd.fullname ?? 'auth';
    this.addLog(c, 'auth', c.inExec ? 'multi' : 'toplevel', object, username, { name, argv: [] });
  }

  addLog(
    c: Client,
    reason: string,
    context: string,
    object: string,
    username: string,
    current: { name: string; argv: Buffer[] },
  ): void {
    const now = this.s.clock.now();
    const cinfo = clientInfoLine(c, current);
    for (let i = 0; i < this.log.length; i++) {
      const e = this.log[i];
      if (
        e.reason === reason &&
        e.context === context &&
        e.object === object &&
        e.username === username &&
        now - e.ctime < LOG_GROUPING_MS
      ) {
        // a repeat: counted, refreshed and moved to the head
        e.count++;
        e.ctime = now;
        e.cinfo = cinfo;
        this.log.splice(i, 1);
        this.log.unshift(e);
        return;
      }
    }
    this.log.unshift({ count: 1, reason, context, object, username, ctime: now, cinfo });
    const max = this.s.config.num('acllog-max-len');
    if (this.log.length > max) this.log.length = max;
  }

  // ---- config `user` lines and the ACL file ----

  /**
   * A `user` line of the config file (arguments after the directive name): checked now, so a
   * bad line is a fatal config error naming it; created at start-up. Returns an error or null.
   */
  configUser(args: string[]): string | null {
    const name = args[0];
    const all = ['user', ...args];
    if (this.configNames.has(name)) return `Error in user declaration '${name}': ${MSG.duplicate}`;
    const merged = mergeSelectorArgs(args.slice(1));
    if ('open' in merged) {
      return `Error in user declaration '${name}': Unmatched parenthesis in acl selector starting at '${showRule(args[1 + merged.open])}'`;
    }
    const u = this.newUser(name);
    for (let j = 0; j < merged.ok.length; j++) {
      const err = this.apply(u, merged.ok[j]);
      // Redis names the argument at the rule's position among the line's words
      if (err !== null) return `Error in user declaration '${showRule(all[j] ?? name)}': ${err}`;
    }
    this.configNames.add(name);
    this.s.config.users.push(args);
    return null;
  }

  /** Start-up: users of the config file, or of the ACL file (not both). Throws to abort. */
  loadAtStartup(): void {
    const file = this.s.config.str('aclfile');
    const lines = this.s.config.users;
    if (file !== '' && lines.length > 0) {
      throw new Error(
        'Configuring users in the configuration file (user lines) and an ACL file (aclfile) at the same time ' +
          'is invalid: it is very likely to lead to configuration errors and security holes. Define either ' +
          'an ACL file or users in the configuration file, not both.',
      );
    }
    for (const args of lines) {
      const name = args[0];
      if (hasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
      let u = this.users.get(name);
      if (u === undefined) u = this.newUser(name);
      else this.apply(u, 'reset');
      const merged = mergeSelectorArgs(args.slice(1));
      for (const op of 'ok' in merged ? merged.ok : []) {
        const err = this.apply(u, op);
        if (err !== null) {
          throw new Error(
            `Error loading ACL rule '${showRule(op)}' for the user named '${name}': ${err}. Critical error while loading ACLs. Exiting.`,
          );
        }
      }
      u.refresh();
      this.users.set(name, u);
      if (!u.enabled) {
        this.s.log.notice(
          `The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`,
        );
      }
    }
    if (file !== '') {
      const err = this.loadFile(null);
      if (err !== null) throw new Error(`Aborting startup because of ACL errors: ${err}`);
    }
  }

  /**
   * Reads the ACL file and replaces every user with its content, all or nothing: any bad line
   * leaves the current users untouched. Returns the errors, or null. Clients authenticated as
   * any user other than `default` are disconnected (their users are new objects now).
   */
  loadFile(self: Client | null): string | null {
    const file = this.s.config.str('aclfile');
    const mode = this.s.config.str('permission-check');
    if (mode !== 'no') {
      const findings = checkSecretFile(file);
      for (const f of findings) this.s.log.warning(formatFinding(f));
      if (findings.length > 0 && mode === 'yes') {
        return `Refusing to load the ACL file: ${findings.map(formatFinding).join('; ')}`;
      }
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (e) {
      return `Error loading ACLs, opening file '${file}': ${errnoText(e)}`;
    }
    const { users, errors } = this.parseAclFile(text, file);
    if (errors !== '') {
      return `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed`;
    }
    if (!users.has('default')) users.set('default', this.defaultUser());
    this.users.clear();
    for (const [k, v] of users) this.users.set(k, v);
    this.disconnectUser(self, (x) => x.user !== 'default');
    return null;
  }

  /** ACL file syntax: one `user <name> <rule> ...` per line, words separated by single spaces. */
  parseAclFile(text: string, file: string): { users: Map<string, AclUser>; errors: string } {
    const users = new Map<string, AclUser>();
    let errors = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const n = i + 1;
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${file}:${n} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1];
      if (hasSpaces(name)) {
        errors += `${file}:${n}: username contains invalid characters. `;
        continue;
      }
      const merged = mergeSelectorArgs(argv.slice(2));
      if ('open' in merged) {
        errors += `${file}:${n}: Unmatched parenthesis in selector definition. `;
        continue;
      }
      if (users.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${n}. `;
        continue;
      }
      const u = this.newUser(name);
      let syntaxError = false;
      for (const raw of merged.ok) {
        const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        const err = this.apply(u, op);
        if (err === null) continue;
        if (err === MSG.noent) {
          // unknown commands are named: that can't reveal a secret
          errors += `${file}:${n}: Error in applying operation '${showRule(op)}': ${err}. `;
        } else if (!syntaxError) {
          // only the first other error: it may make later rules meaningless
          errors += `${file}:${n}: ${err}. `;
          syntaxError = true;
        }
      }
      u.refresh();
      users.set(name, u);
    }
    return { users, errors };
  }

  /** ACL SAVE: every user as an ACL file line, written atomically (mode 0600). */
  saveFile(): string | null {
    const file = path.resolve(this.s.config.str('aclfile'));
    let out = '';
    for (const u of this.sortedUsers()) out += `user ${u.name} ${this.describeUser(u)}\n`;
    try {
      atomicWrite(path.dirname(file), path.basename(file), out);
    } catch (e) {
      this.s.log.warning(`Saving the ACL file ${file} failed: ${(e as Error).message}`);
      return 'ERR There was an error trying to save the ACLs. Please check the server logs for more information';
    }
    return null;
  }

  /** CONFIG REWRITE: the user lines of the config file (none when an ACL file holds them). */
  configLines(): string[] | null {
    if (this.s.config.str('aclfile') !== '') return null;
    return this.sortedUsers().map((u) => `${u.name} ${this.describeUser(u)}`);
  }

  /** ACL GENPASS: `bits` random bits as hex. */
  static genpass(bits: number): string {
    const chars = Math.floor((bits + 3) / 4);
    return randomBytes(Math.ceil(chars / 2))
      .toString('hex')
      .slice(0, chars);
  }
}

/** BITFIELD with only GET (and OVERFLOW) sub-operations reads its key; anything else writes. */
function bitfieldReadOnly(argv: Buffer[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const op = argv[i].toString('latin1').toLowerCase();
    if (op === 'get' && more >= 2) i += 2;
    else if ((op === 'set' || op === 'incrby') && more >= 3) return false;
    else if (op === 'overflow' && more >= 1) i += 1;
    else return false; // a syntax error: assume it writes
  }
  return true;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}
