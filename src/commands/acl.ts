// ACL and its subcommands: users, rules, the ACL log, the ACL file. The rules, the permission
// checks and the log live in security/acl.ts; this file parses arguments and writes replies.

import { E } from '../protocol/errors';
import { Acl, type AclUser, aclName, DENIED_CHANNEL, DENIED_KEY, NO_ACL_FILE } from '../security/acl';
import type { Client } from '../server/client';
import { is, parseInt64, str } from './args';
import { writeHelp } from './introspect';
import { ACL_CATEGORIES, type CommandDef } from './types';

function syntaxError(c: Client, argv: Buffer[]): void {
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${str(argv[1])}'. Try ACL HELP.`);
}

// ACL SETUSER username [rule [rule ...]]
function setuser(c: Client, argv: Buffer[]): void {
  const err = c.server.acl.setUser(str(argv[2]), argv.slice(3).map(str));
  if (err !== null) c.reply.error(err);
  else c.reply.ok();
}

// ACL DELUSER username [username ...]
function deluser(c: Client, argv: Buffer[]): void {
  const names = argv.slice(2).map(str);
  if (names.includes('default')) {
    c.reply.error("ERR The 'default' user cannot be removed");
    return;
  }
  c.reply.int(c.server.acl.deleteUsers(c, names));
}

function writeSelector(c: Client, acl: Acl, u: AclUser, i: number): void {
  const sel = u.selectors[i];
  const r = c.reply;
  r.bulkStr('commands');
  r.bulkStr(acl.describeCommands(sel));
  r.bulkStr('keys');
  r.bulkStr(acl.describeKeys(sel));
  r.bulkStr('channels');
  r.bulkStr(acl.describeChannels(sel));
}

// ACL GETUSER username
function getuser(c: Client, argv: Buffer[]): void {
  const acl = c.server.acl;
  const u = acl.get(str(argv[2]));
  if (u === undefined) {
    c.reply.nullBulk();
    return;
  }
  const r = c.reply;
  r.map(6);
  r.bulkStr('flags');
  const flags = acl.flagsOf(u);
  r.set(flags.length);
  for (const f of flags) r.bulkStr(f);
  r.bulkStr('passwords');
  r.array(u.passwords.length);
  for (const p of u.passwords) r.bulkStr(p);
  writeSelector(c, acl, u, 0);
  r.bulkStr('selectors');
  r.array(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    r.map(3);
    writeSelector(c, acl, u, i);
  }
}

// ACL LIST
function list(c: Client): void {
  const acl = c.server.acl;
  const users = acl.sortedUsers();
  c.reply.array(users.length);
  for (const u of users) c.reply.bulkStr(`user ${u.name} ${acl.describeUser(u)}`);
}

// ACL USERS
function users(c: Client): void {
  const all = c.server.acl.sortedUsers();
  c.reply.array(all.length);
  for (const u of all) c.reply.bulkStr(u.name);
}

// ACL WHOAMI
function whoami(c: Client): void {
  c.reply.bulkStr(c.user);
}

// ACL CAT [category]
function cat(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    syntaxError(c, argv);
    return;
  }
  if (argv.length === 2) {
    c.reply.array(ACL_CATEGORIES.length);
    for (const name of ACL_CATEGORIES) c.reply.bulkStr(name);
    return;
  }
  const name = str(argv[2]).toLowerCase();
  if (!ACL_CATEGORIES.includes(name)) {
    c.reply.error(`ERR Unknown category '${str(argv[2])}'`);
    return;
  }
  const out: string[] = [];
  for (const cmd of c.server.commands.callable()) {
    if (cmd.categories.includes(name)) out.push(cmd.name);
    if (cmd.subcommands === null) continue;
    for (const sc of cmd.subcommands.values()) if (sc.categories.includes(name)) out.push(sc.fullname);
  }
  c.reply.bulkStrs(out);
}

// ACL LOG [count | RESET]
function log(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    syntaxError(c, argv);
    return;
  }
  const acl = c.server.acl;
  let count = 10;
  if (argv.length === 3) {
    if (is(argv[2], 'reset')) {
      acl.log = [];
      c.reply.ok();
      return;
    }
    const n = parseInt64(argv[2]);
    if (n === null) {
      c.reply.error(E.notInt);
      return;
    }
    count = Math.max(0, Number(n));
  }
  const now = c.server.clock.now();
  const entries = acl.log.slice(0, count);
  const r = c.reply;
  r.array(entries.length);
  for (const e of entries) {
    r.map(7);
    r.bulkStr('count');
    r.int(e.count);
    r.bulkStr('reason');
    r.bulkStr(e.reason);
    r.bulkStr('context');
    r.bulkStr(e.context);
    r.bulkStr('object');
    r.bulkStr(e.object);
    r.bulkStr('username');
    r.bulkStr(e.username);
    r.bulkStr('age-seconds');
    r.double((now - e.ctime) / 1000);
    r.bulkStr('client-info');
    r.bulkStr(e.cinfo);
  }
}

// ACL GENPASS [bits]
function genpass(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    syntaxError(c, argv);
    return;
  }
  let bits = 256;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null) {
      c.reply.error(E.notInt);
      return;
    }
    if (n <= 0 || n > 4096) {
      c.reply.error(
        'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096',
      );
      return;
    }
    bits = Number(n);
  }
  c.reply.bulkStr(Acl.genpass(bits));
}

// ACL DRYRUN username command [arg ...]
function dryrun(c: Client, argv: Buffer[]): void {
  const s = c.server;
  const u = s.acl.get(str(argv[2]));
  if (u === undefined) {
    c.reply.error(`ERR User '${str(argv[2])}' not found`);
    return;
  }
  const args = argv.slice(3);
  let cmd = s.commands.get(str(args[0]));
  if (cmd !== undefined && cmd.subcommands !== null && args.length >= 2) {
    cmd = cmd.subcommands.get(str(args[1]).toLowerCase());
  }
  if (cmd === undefined) {
    c.reply.error(`ERR Command '${str(args[0])}' not found`);
    return;
  }
  if ((cmd.arity > 0 && args.length !== cmd.arity) || args.length < -cmd.arity) {
    c.reply.error(E.wrongArgs(cmd.fullname));
    return;
  }
  const r = s.acl.check(u, cmd, args);
  if (r.code === DENIED_KEY) {
    c.reply.bulkStr(`This user has no permissions to access the '${str(args[r.idx])}' key`);
  } else if (r.code === DENIED_CHANNEL) {
    c.reply.bulkStr(`This user has no permissions to access the '${str(args[r.idx])}' channel`);
  } else if (r.code !== 0) {
    c.reply.bulkStr(`This user has no permissions to run the '${aclName(cmd)}' command`);
  } else {
    c.reply.ok();
  }
}

// ACL LOAD
function load(c: Client): void {
  const acl = c.server.acl;
  if (c.server.config.str('aclfile') === '') {
    c.reply.error(NO_ACL_FILE);
    return;
  }
  const err = acl.loadFile(c);
  if (err !== null) c.reply.error(`ERR ${err}`);
  else c.reply.ok();
}

// ACL SAVE
function save(c: Client): void {
  if (c.server.config.str('aclfile') === '') {
    c.reply.error(NO_ACL_FILE);
    return;
  }
  const err = c.server.acl.saveFile();
  if (err !== null) c.reply.error(err);
  else c.reply.ok();
}

// ACL HELP
function help(c: Client): void {
  writeHelp(c, 'ACL', [
    'CAT [<category>]',
    '    The ACL categories, or the commands in <category>.',
    'DELUSER <username> [<username> ...]',
    '    Delete users (their connections are closed).',
    'DRYRUN <username> <command> [<arg> ...]',
    '    Whether <username> could run the command, without running it.',
    'GETUSER <username>',
    '    The rules of a user.',
    'GENPASS [<bits>]',
    '    A random password from a secure source (256 bits unless <bits> says otherwise).',
    'LIST',
    '    Every user as a configuration line.',
    'LOAD',
    '    Replace the users with the content of the ACL file.',
    'LOG [<count> | RESET]',
    '    Recent denied commands, keys, channels and authentications (or clear them).',
    'SAVE',
    '    Write the users to the ACL file.',
    'SETUSER <username> <attribute> [<attribute> ...]',
    '    Create a user or change its rules.',
    'USERS',
    '    The names of all users.',
    'WHOAMI',
    '    The user of this connection.',
  ]);
}

const admin = { flags: 'admin noscript loading stale' };

export const aclCommands: CommandDef[] = [
  {
    name: 'acl',
    arity: -2,
    flags: '',
    subcommands: [
      { name: 'cat', arity: -2, flags: 'noscript loading stale', handler: cat },
      { name: 'deluser', arity: -3, ...admin, handler: deluser },
      { name: 'dryrun', arity: -4, ...admin, handler: dryrun },
      { name: 'genpass', arity: -2, flags: 'noscript loading stale', handler: genpass },
      { name: 'getuser', arity: 3, ...admin, handler: getuser },
      { name: 'help', arity: 2, flags: 'loading stale', handler: help },
      { name: 'list', arity: 2, ...admin, handler: list },
      { name: 'load', arity: 2, ...admin, handler: load },
      { name: 'log', arity: -2, ...admin, handler: log },
      { name: 'save', arity: 2, ...admin, handler: save },
      { name: 'setuser', arity: -3, ...admin, handler: setuser },
      { name: 'users', arity: 2, ...admin, handler: users },
      { name: 'whoami', arity: 2, flags: 'noscript loading stale', handler: whoami },
    ],
  },
];
