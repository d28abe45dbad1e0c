// CLIENT: connection introspection and control (ID SETNAME GETNAME SETINFO LIST INFO KILL REPLY
// NO-EVICT PAUSE UNPAUSE UNBLOCK HELP). Tracking subcommands (TRACKING CACHING GETREDIR
// TRACKINGINFO) belong to the tracking layer, which appends them to `clientSubcommands`.

import { E } from '../protocol/errors';
import { unblockClient } from '../server/blocking';
import { type Client, ReplyMode } from '../server/client';
import { setClientName } from '../server/clientops';
import { closeClient, unpauseAll } from '../server/connection';
import type { Server } from '../server/server';
import { INT64, is, parseBigInt64, parseInt64, str } from './args';
import { writeHelp } from './introspect';
import type { CommandDef } from './types';

// ---- client description (CLIENT LIST / INFO) ----

type ClientType = 'normal' | 'pubsub' | 'master' | 'replica';

/** Redis's getClientTypeByName; null for an unknown name. */
function typeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

function typeOf(c: Client): ClientType {
  // no replication yet: every connection is normal or, with subscriptions, pubsub
  return c.subscriptions > 0 || (c.shardChannels?.size ?? 0) > 0 ? 'pubsub' : 'normal';
}

/** Client tracking's part of CLIENT LIST: flag letters (t R B) and redir=; set by tracking.ts. */
export const trackingView = {
  flags: (_c: Client): string => '',
  redir: (_c: Client): number => -1,
};

function flagsOf(c: Client): string {
  // Redis's letters, in its order
  let f = '';
  if (typeOf(c) === 'pubsub') f += 'P';
  if (c.multi !== null) f += 'x';
  if (c.blockedOn !== null) f += 'b';
  f += trackingView.flags(c);
  if (c.watchDirty) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.unix) f += 'U';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

function argvBytes(argv: Buffer[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

function socketFd(c: Client): number {
  // the descriptor is not public API; -1 when Node does not expose it
  const h = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/**
 * One CLIENT LIST line, Redis 7.0's fields in its order. `current` is the command being run
 * by `c` itself (its own CLIENT LIST / INFO), shown as cmd= and counted in argv-mem.
 */
export function clientInfoLine(c: Client, current: { name: string; argv: Buffer[] } | null = null): string {
  const now = c.server.clock.now();
  const qbuf = c.parser.pending();
  const argvMem =
    current !== null ? argvBytes(current.argv) : c.blockedOn !== null ? argvBytes(c.blockedOn.argv) : 0;
  let multiMem = 0;
  if (c.multi !== null) for (const q of c.multi.queue) multiMem += argvBytes(q.argv);
  const obl = c.reply.size();
  const pendingSocket = c.socket?.writableLength ?? 0;
  const omem = obl + pendingSocket;
  let events = '';
  if (c.socket !== null && !c.socket.isPaused()) events += 'r';
  if (pendingSocket > 0) events += 'w';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${socketFd(c)} name=${c.name}` +
    ` age=${Math.floor((now - c.ctime) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)}` +
    ` flags=${flagsOf(c)} db=${c.db.id} sub=${c.channels?.size ?? 0} psub=${c.patterns?.size ?? 0}` +
    ` ssub=${c.shardChannels?.size ?? 0} multi=${c.multi === null ? -1 : c.multi.queue.length}` +
    ` qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=${multiMem} rbs=${obl} rbp=${obl}` +
    ` obl=${obl} oll=0 omem=${omem} tot-mem=${qbuf + argvMem + multiMem + omem} events=${events}` +
    ` cmd=${current !== null ? current.name : c.lastCommand} user=${c.user} redir=${trackingView.redir(c)} resp=${c.reply.proto}`
  );
}

// ---- subcommands ----

// CLIENT ID
function clientId(c: Client): void {
  c.reply.int(c.id);
}

// CLIENT SETNAME connection-name
function clientSetname(c: Client, argv: Buffer[]): void {
  if (setClientName(c, argv[2])) c.reply.ok();
}

// CLIENT GETNAME
function clientGetname(c: Client): void {
  if (c.name === '') c.reply.nullBulk();
  else c.reply.bulkStr(c.name);
}

// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
// Redis 7.2's command: clients send it on connect, and some give up when it fails.
function clientSetinfo(c: Client, argv: Buffer[]): void {
  const attr = str(argv[2]);
  const lib = is(argv[2], 'lib-name');
  if (!lib && !is(argv[2], 'lib-ver')) {
    c.reply.error(`ERR Unrecognized option '${attr}'`);
    return;
  }
  const v = argv[3];
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 33 || v[i] > 126) {
      c.reply.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
      return;
    }
  }
  if (lib) c.libName = str(v);
  else c.libVer = str(v);
  c.reply.ok();
}

// CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]
function clientList(c: Client, argv: Buffer[]): void {
  const s = c.server;
  const self = { name: 'client|list', argv };
  let out = '';
  if (argv.length === 4 && is(argv[2], 'type')) {
    const type = typeByName(str(argv[3]));
    if (type === null) {
      c.reply.error(`ERR Unknown client type '${str(argv[3])}'`);
      return;
    }
    for (const x of s.clients.values()) {
      if (typeOf(x) === type) out += `${clientInfoLine(x, x === c ? self : null)}\n`;
    }
  } else if (argv.length > 3 && is(argv[2], 'id')) {
    const ids: (number | bigint)[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]);
      if (id === null) {
        c.reply.error('ERR Invalid client ID');
        return;
      }
      ids.push(id);
    }
    // one line per id given, repeats included
    for (const id of ids) {
      const x = typeof id === 'number' ? s.clients.get(id) : undefined;
      if (x !== undefined) out += `${clientInfoLine(x, x === c ? self : null)}\n`;
    }
  } else if (argv.length !== 2) {
    c.reply.error(E.syntax);
    return;
  } else {
    for (const x of s.clients.values()) out += `${clientInfoLine(x, x === c ? self : null)}\n`;
  }
  c.reply.verbatim(out);
}

// CLIENT INFO
function clientInfo(c: Client, argv: Buffer[]): void {
  c.reply.verbatim(`${clientInfoLine(c, { name: 'client|info', argv })}\n`);
}

/** CLIENT KILL USER checks the user exists; the ACL layer replaces this. */
export let userExists = (name: string): boolean => name === 'default';

export function setUserLookup(f: (name: string) => boolean): void {
  userExists = f;
}

function kill(s: Server, c: Client, victim: Client): void {
  if (victim === c) {
    // the reply still goes out, then the connection closes
    c.closeAfterReply = true;
  } else {
    closeClient(s, victim);
  }
}

// CLIENT KILL ip:port
// CLIENT KILL <ID id | TYPE type | USER username | ADDR ip:port | LADDR ip:port | SKIPME yes/no
//   | MAXAGE seconds> [...]
function clientKill(c: Client, argv: Buffer[]): void {
  const s = c.server;
  if (argv.length === 3) {
    // old form: one address, may be our own, answers OK or an error
    const addr = str(argv[2]);
    let found = false;
    for (const x of [...s.clients.values()]) {
      if (x.addr !== addr) continue;
      found = true;
      kill(s, c, x);
    }
    if (found) c.reply.ok();
    else c.reply.error('ERR No such client');
    return;
  }
  let id: bigint | null = null;
  let type: ClientType | null = null;
  let user: string | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let maxAge: bigint | null = null;
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) {
      c.reply.error(E.syntax);
      return;
    }
    const v = argv[i + 1];
    if (is(argv[i], 'id')) {
      const n = parseBigInt64(v);
      if (n === null || n < 1n) {
        c.reply.error('ERR client-id should be greater than 0');
        return;
      }
      id = n;
    } else if (is(argv[i], 'type')) {
      type = typeByName(str(v));
      if (type === null) {
        c.reply.error(`ERR Unknown client type '${str(v)}'`);
        return;
      }
    } else if (is(argv[i], 'user')) {
      user = str(v);
      if (!userExists(user)) {
        c.reply.error(`ERR No such user '${user}'`);
        return;
      }
    } else if (is(argv[i], 'addr')) {
      addr = str(v);
    } else if (is(argv[i], 'laddr')) {
      laddr = str(v);
    } else if (is(argv[i], 'skipme')) {
      if (is(v, 'yes')) skipMe = true;
      else if (is(v, 'no')) skipMe = false;
      else {
        c.reply.error(E.syntax);
        return;
      }
    } else if (is(argv[i], 'maxage')) {
      // Redis 7.4's filter: connections older than this many seconds
      const n = parseBigInt64(v);
      if (n === null) {
        c.reply.error(E.notInt);
        return;
      }
      maxAge = n;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const now = s.clock.now();
  let killed = 0;
  for (const x of [...s.clients.values()]) {
    if (addr !== null && x.addr !== addr) continue;
    if (laddr !== null && x.laddr !== laddr) continue;
    if (type !== null && typeOf(x) !== type) continue;
    if (id !== null && BigInt(x.id) !== id) continue;
    if (user !== null && x.user !== user) continue;
    if (skipMe && x === c) continue;
    if (maxAge !== null && BigInt(Math.floor((now - x.ctime) / 1000)) <= maxAge) continue;
    kill(s, c, x);
    killed++;
  }
  c.reply.int(killed);
}

// CLIENT REPLY <ON | OFF | SKIP>
function clientReply(c: Client, argv: Buffer[]): void {
  // the dispatcher applies the mode (dispatch.ts runWithoutReply)
  if (is(argv[2], 'on')) {
    c.replyMode = ReplyMode.On;
    c.reply.ok();
  } else if (is(argv[2], 'off')) {
    c.replyMode = ReplyMode.Off;
  } else if (is(argv[2], 'skip')) {
    if (c.replyMode !== ReplyMode.Off) c.replyMode = ReplyMode.SkipNext;
  } else {
    c.reply.error(E.syntax);
  }
}

// CLIENT NO-EVICT <ON | OFF>
function clientNoEvict(c: Client, argv: Buffer[]): void {
  if (is(argv[2], 'on')) c.noEvict = true;
  else if (is(argv[2], 'off')) c.noEvict = false;
  else {
    c.reply.error(E.syntax);
    return;
  }
  c.reply.ok();
}

/** setTimeout's limit; longer pauses re-arm. */
const MAX_TIMER = 2 ** 31 - 1;

function armPauseTimer(s: Server): void {
  if (s.pauseTimer) clearTimeout(s.pauseTimer);
  const delay = Math.min(Math.max(s.pauseUntil - s.clock.now(), 0), MAX_TIMER);
  s.pauseTimer = setTimeout(() => {
    s.pauseTimer = null;
    if (s.pauseUntil === 0) return;
    if (s.clock.now() < s.pauseUntil) armPauseTimer(s);
    else unpauseAll(s);
  }, delay);
}

/**
 * Starts or extends a pause: as Redis, the later end time and the stronger mode (ALL over
 * WRITE) of the running and the new pause win.
 */
export function pauseClients(s: Server, end: number, writesOnly: boolean): void {
  const now = s.clock.now();
  const active = s.pauseUntil !== 0 && now < s.pauseUntil;
  if (active) {
    s.pauseUntil = Math.max(s.pauseUntil, end);
    s.pauseWritesOnly = s.pauseWritesOnly && writesOnly;
  } else {
    s.pauseUntil = end;
    s.pauseWritesOnly = writesOnly;
  }
  if (s.pauseUntil <= now) unpauseAll(s);
  else armPauseTimer(s);
}

// CLIENT PAUSE timeout [WRITE | ALL]
function clientPause(c: Client, argv: Buffer[]): void {
  if (argv.length > 4) {
    c.reply.error(
      `ERR unknown subcommand or wrong number of arguments for '${str(argv[1])}'. Try CLIENT HELP.`,
    );
    return;
  }
  let writesOnly = false;
  if (argv.length === 4) {
    if (is(argv[3], 'write')) writesOnly = true;
    else if (!is(argv[3], 'all')) {
      c.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  const t = parseBigInt64(argv[2]);
  if (t === null) {
    c.reply.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (t < 0n) {
    c.reply.error('ERR timeout is negative');
    return;
  }
  const now = c.server.clock.now();
  // Redis adds the timeout to the clock in 64 bits: past INT64_MAX it wraps into the past,
  // so the pause ends at once (7.0 answers OK without pausing)
  const end = t === 0n ? 0 : BigInt(now) + t > INT64.MAX ? 0 : Number(BigInt(now) + t);
  pauseClients(c.server, end, writesOnly);
  c.reply.ok();
}

// CLIENT UNPAUSE
function clientUnpause(c: Client): void {
  unpauseAll(c.server);
  c.reply.ok();
}

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
function clientUnblock(c: Client, argv: Buffer[]): void {
  if (argv.length > 4) {
    c.reply.error(
      `ERR unknown subcommand or wrong number of arguments for '${str(argv[1])}'. Try CLIENT HELP.`,
    );
    return;
  }
  let asError = false;
  if (argv.length === 4) {
    if (is(argv[3], 'error')) asError = true;
    else if (!is(argv[3], 'timeout')) {
      c.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = parseInt64(argv[2]);
  if (id === null) {
    c.reply.error(E.notInt);
    return;
  }
  const target = typeof id === 'number' ? c.server.clients.get(id) : undefined;
  const done =
    target !== undefined &&
    unblockClient(target, asError ? 'UNBLOCKED client unblocked via CLIENT UNBLOCK' : undefined);
  c.reply.int(done ? 1 : 0);
}

// CLIENT HELP
function clientHelp(c: Client): void {
  writeHelp(c, 'CLIENT', [
    'GETNAME',
    '    Name of this connection.',
    'ID',
    '    ID of this connection.',
    'INFO',
    '    Details of this connection (same format as LIST).',
    'KILL <ip:port>',
    '    Close the connection from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Close every connection matching all the filters:',
    '    * ID <client-id>',
    '    * ADDR (<ip:port>|<unixsocket>:0)  peer address',
    '    * LADDR (<ip:port>|<unixsocket>:0)  local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '    * USER <username>',
    '    * SKIPME (YES|NO)  spare this connection (default: yes)',
    '    * MAXAGE <seconds>  connections older than this',
    'LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> [...]]',
    '    Details of connections, one line each.',
    'NO-EVICT (ON|OFF)',
    '    Exempt this connection from client eviction.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Hold commands of clients (all, or only writes) for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Turn replies to this connection on or off, or skip the next one.',
    'SETINFO <LIB-NAME|LIB-VER> <value>',
    '    Record the client library name or version.',
    'SETNAME <name>',
    '    Name this connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Wake a client blocked in a blocking command.',
    'UNPAUSE',
    '    End CLIENT PAUSE.',
  ]);
}

const conn = { flags: 'noscript loading stale', acl: '@connection' };
const admin = { flags: 'admin noscript loading stale', acl: '@connection' };

/** CLIENT's subcommands; other layers (client tracking) append theirs before the server starts. */
export const clientSubcommands: CommandDef[] = [
  { name: 'id', arity: 2, ...conn, handler: clientId },
  { name: 'setname', arity: 3, ...conn, handler: clientSetname },
  { name: 'getname', arity: 2, ...conn, handler: clientGetname },
  {
    name: 'setinfo',
    arity: 4,
    ...conn,
    tips: 'request_policy:all_nodes response_policy:all_succeeded',
    handler: clientSetinfo,
  },
  { name: 'list', arity: -2, ...admin, tips: 'nondeterministic_output', handler: clientList },
  { name: 'info', arity: 2, ...conn, tips: 'nondeterministic_output', handler: clientInfo },
  { name: 'kill', arity: -3, ...admin, handler: clientKill },
  { name: 'reply', arity: 3, ...conn, handler: clientReply },
  { name: 'no-evict', arity: 3, ...admin, handler: clientNoEvict },
  { name: 'pause', arity: -3, ...admin, handler: clientPause },
  { name: 'unpause', arity: 2, ...admin, handler: clientUnpause },
  { name: 'unblock', arity: -3, ...admin, handler: clientUnblock },
  { name: 'help', arity: 2, flags: 'loading stale', acl: '@connection', handler: clientHelp },
];

export const clientCommands: CommandDef[] = [
  { name: 'client', arity: -2, flags: '', subcommands: clientSubcommands },
];
