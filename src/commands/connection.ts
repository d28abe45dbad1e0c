// Connection commands: PING ECHO QUIT SELECT HELLO AUTH RESET.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { checkAuth, resetClient, setClientName } from '../server/clientops';
import { is, parseSafeInt, str } from './args';
import type { CommandDef } from './types';

// PING [message]
function ping(c: Client, argv: Buffer[]): void {
  if (argv.length > 2) {
    c.reply.error(E.wrongArgs('ping'));
    return;
  }
  if (c.reply.proto === 2 && c.subscriptions > 0) {
    c.reply.array(2);
    c.reply.bulkStr('pong');
    if (argv.length === 2) c.reply.bulk(argv[1]);
    else c.reply.bulkStr('');
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]);
  else c.reply.raw('+PONG\r\n');
}

// ECHO message
function echo(c: Client, argv: Buffer[]): void {
  c.reply.bulk(argv[1]);
}

// QUIT
function quit(c: Client): void {
  c.reply.ok();
  c.closeAfterReply = true;
}

// SELECT index
function select(c: Client, argv: Buffer[]): void {
  const n = parseSafeInt(argv[1]);
  if (n === null || n > 2147483647 || n < -2147483648) {
    c.reply.error(E.notInt);
    return;
  }
  const db = c.server.dbs[n];
  if (n < 0 || db === undefined) {
    c.reply.error(E.invalidDb);
    return;
  }
  c.db = db;
  c.reply.ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
function hello(c: Client, argv: Buffer[]): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseSafeInt(argv[next++]);
    if (v === null) {
      c.reply.error('ERR Protocol version is not an integer or out of range');
      return;
    }
    if (v < 2 || v > 3) {
      c.reply.error('NOPROTO unsupported protocol version');
      return;
    }
    ver = v;
  }
  let user: Buffer | null = null;
  let pass: Buffer | null = null;
  let name: Buffer | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'auth') && more >= 2) {
      user = argv[j + 1];
      pass = argv[j + 2];
      j += 2;
    } else if (is(argv[j], 'setname') && more >= 1) {
      name = argv[j + 1];
      j++;
    } else {
      c.reply.error(`ERR Syntax error in HELLO option '${str(argv[j])}'`);
      return;
    }
  }
  if (user !== null && pass !== null) {
    if (!checkAuth(c, user, pass)) return;
  }
  if (!c.authenticated) {
    c.reply.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (name !== null && !setClientName(c, name)) return;
  if (ver !== 0) c.reply.proto = ver as 2 | 3;
  const r = c.reply;
  r.map(7);
  r.bulkStr('server');
  r.bulkStr('redis');
  r.bulkStr('version');
  r.bulkStr(c.server.redisVersion);
  r.bulkStr('proto');
  r.int(r.proto);
  r.bulkStr('id');
  r.int(c.id);
  r.bulkStr('mode');
  r.bulkStr('standalone');
  r.bulkStr('role');
  r.bulkStr('master');
  r.bulkStr('modules');
  r.array(0);
}

// AUTH [username] password
function auth(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    c.reply.error(E.syntax);
    return;
  }
  // as Redis: judged on default's nopass flag alone (also when default is off)
  if (argv.length === 2 && c.server.acl.defaultNopass()) {
    c.reply.error(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    return;
  }
  const user = argv.length === 3 ? argv[1] : Buffer.from('default');
  const pass = argv[argv.length - 1];
  if (checkAuth(c, user, pass)) c.reply.ok();
}

// RESET
function reset(c: Client): void {
  resetClient(c);
  c.reply.simple('RESET');
}

export const connectionCommands: CommandDef[] = [
  {
    name: 'ping',
    borrowsArgs: true,
    arity: -1,
    flags: 'fast',
    acl: '@connection',
    tips: 'request_policy:all_shards response_policy:all_succeeded',
    handler: ping,
  },
  {
    name: 'echo',
    borrowsArgs: true,
    arity: 2,
    flags: 'loading stale fast',
    acl: '@connection',
    handler: echo,
  },
  {
    name: 'quit',
    arity: -1,
    flags: 'allow_busy noscript loading stale fast no_auth',
    acl: '@connection',
    handler: quit,
  },
  { name: 'select', arity: 2, flags: 'loading stale fast', acl: '@connection', handler: select },
  {
    name: 'hello',
    arity: -1,
    flags: 'noscript loading stale fast no_auth allow_busy',
    acl: '@connection',
    handler: hello,
  },
  {
    name: 'auth',
    arity: -2,
    flags: 'noscript loading stale fast no_auth allow_busy',
    acl: '@connection',
    handler: auth,
  },
  {
    name: 'reset',
    arity: 1,
    flags: 'noscript loading stale fast no_auth allow_busy',
    acl: '@connection',
    handler: reset,
  },
];
