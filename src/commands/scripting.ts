// Scripting: EVAL / EVALSHA (and _RO), SCRIPT, FUNCTION, FCALL (and _RO). The Lua engine is in
// src/scripting/.

import { E } from '../protocol/errors';
import { sha1hex } from '../scripting/engine';
import { type LuaState, lua, pushBuf } from '../scripting/lua';
import { parseShebang, scripting } from '../scripting/scripts';
import type { Client } from '../server/client';
import { callDepth } from '../server/dispatch';
import { is, parseInt64, str } from './args';
import type { CommandDef } from './types';

/** Parses numkeys at argv[2]; writes the error and returns null when invalid. */
function numKeys(c: Client, argv: Buffer[]): number | null {
  const n = parseInt64(argv[2]);
  if (n === null || typeof n === 'bigint') {
    c.reply.error(E.notInt);
    return null;
  }
  if (n < 0) {
    c.reply.error("ERR Number of keys can't be negative");
    return null;
  }
  if (n > argv.length - 3) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  return n;
}

function evalKeys(argv: Buffer[]): number[] {
  const n = Number(argv[2]?.toString('latin1'));
  if (!Number.isInteger(n) || n <= 0 || n > argv.length - 3) return [];
  return Array.from({ length: n }, (_, i) => 3 + i);
}

function pushArray(T: LuaState, items: Buffer[]): void {
  lua.lua_createtable(T, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushBuf(T, items[i]);
    lua.lua_rawseti(T, -2, i + 1);
  }
}

/** Scripts can be interrupted only when run as a top-level command (not inside EXEC). */
function sliceable(c: Client): boolean {
  return !c.inExec && callDepth() <= 1;
}

function runEval(c: Client, argv: Buffer[], bySha: boolean, ro: boolean): void {
  const n = numKeys(c, argv);
  if (n === null) return;
  const st = scripting(c.server);
  let sha: string;
  let body: Buffer | undefined;
  if (bySha) {
    sha = argv[1].toString('latin1').toLowerCase();
    body = st.scripts.get(sha);
    if (body === undefined) {
      c.reply.error('NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
  } else {
    body = argv[1];
    const r = st.loadScript(body);
    if ('err' in r) {
      c.reply.error(r.err);
      return;
    }
    sha = r.sha;
  }
  const flags = parseShebang(body);
  if ('err' in flags) {
    c.reply.error(flags.err);
    return;
  }
  if (ro && flags.shebang && !flags.flags.has('no-writes')) {
    c.reply.error('ERR Can not execute a script with write flag using *_ro command.');
    return;
  }
  const e = st.eval;
  if (!e.has(sha)) {
    // the Lua state was reset (SCRIPT FLUSH while cached bodies remain): compile again
    const r = st.loadScript(body);
    if ('err' in r) {
      c.reply.error(r.err);
      return;
    }
  }
  const keys = argv.slice(3, 3 + n);
  const args = argv.slice(3 + n);
  pushArray(e.L, keys);
  e.setGlobal('KEYS');
  pushArray(e.L, args);
  e.setGlobal('ARGV');
  e.start(
    {
      caller: c,
      name: sha,
      readOnly: ro || flags.flags.has('no-writes'),
      allowOom: flags.flags.has('allow-oom'),
      push: (T) => {
        e.pushFunction(T, sha);
        return 0;
      },
      command: bySha ? 'evalsha' : 'eval',
    },
    sliceable(c),
  );
}

function runFcall(c: Client, argv: Buffer[], ro: boolean): void {
  const n = numKeys(c, argv);
  if (n === null) return;
  const st = scripting(c.server);
  const name = argv[1].toString('latin1');
  const f = st.functions.get(name);
  if (f === undefined) {
    c.reply.error('ERR Function not found');
    return;
  }
  const noWrites = f.flags.includes('no-writes');
  if (ro && !noWrites) {
    c.reply.error('ERR Can not execute a script with write flag using *_ro command.');
    return;
  }
  const e = st.fn;
  const keys = argv.slice(3, 3 + n);
  const args = argv.slice(3 + n);
  e.start(
    {
      caller: c,
      name,
      readOnly: ro || noWrites,
      allowOom: f.flags.includes('allow-oom'),
      push: (T) => {
        e.pushFunction(T, `fn:${name}`);
        pushArray(T, keys);
        pushArray(T, args);
        return 2;
      },
      command: ro ? 'fcall_ro' : 'fcall',
    },
    sliceable(c),
  );
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
function evalCmd(c: Client, argv: Buffer[]): void {
  runEval(c, argv, false, false);
}

// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
function evalshaCmd(c: Client, argv: Buffer[]): void {
  runEval(c, argv, true, false);
}

// EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
function evalRoCmd(c: Client, argv: Buffer[]): void {
  runEval(c, argv, false, true);
}

// EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
function evalshaRoCmd(c: Client, argv: Buffer[]): void {
  runEval(c, argv, true, true);
}

// FCALL function numkeys [key [key ...]] [arg [arg ...]]
function fcallCmd(c: Client, argv: Buffer[]): void {
  runFcall(c, argv, false);
}

// FCALL_RO function numkeys [key [key ...]] [arg [arg ...]]
function fcallRoCmd(c: Client, argv: Buffer[]): void {
  runFcall(c, argv, true);
}

// SCRIPT LOAD script
function scriptLoad(c: Client, argv: Buffer[]): void {
  const r = scripting(c.server).loadScript(argv[2]);
  if ('err' in r) c.reply.error(r.err);
  else c.reply.bulkStr(r.sha);
}

// SCRIPT EXISTS sha1 [sha1 ...]
function scriptExists(c: Client, argv: Buffer[]): void {
  const st = scripting(c.server);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++)
    c.reply.int(st.scripts.has(argv[i].toString('latin1').toLowerCase()) ? 1 : 0);
}

/** FLUSH [ASYNC | SYNC]: true when the argument is valid. */
function flushMode(argv: Buffer[]): boolean {
  if (argv.length === 2) return true;
  return argv.length === 3 && (is(argv[2], 'sync') || is(argv[2], 'async'));
}

// SCRIPT FLUSH [ASYNC | SYNC]
function scriptFlush(c: Client, argv: Buffer[]): void {
  if (!flushMode(argv)) {
    c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  scripting(c.server).flushScripts();
  c.reply.ok();
}

// SCRIPT KILL
function scriptKill(c: Client): void {
  killCmd(c, 'eval');
}

function killCmd(c: Client, kind: 'eval' | 'function'): void {
  const st = scripting(c.server);
  const e = st.running();
  if (e === null || e.run === null || !e.run.busy) {
    c.reply.error('NOTBUSY No scripts in execution right now.');
    return;
  }
  if (e.kind !== kind) {
    c.reply.error(
      kind === 'eval'
        ? 'BUSY Redis is busy running a function. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.'
        : 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    );
    return;
  }
  const err = e.kill();
  if (err !== null) c.reply.error(err);
  else c.reply.ok();
}

// SCRIPT DEBUG YES|SYNC|NO
function scriptDebug(c: Client, argv: Buffer[]): void {
  if (is(argv[2], 'no')) {
    c.reply.ok();
    return;
  }
  if (is(argv[2], 'yes') || is(argv[2], 'sync')) {
    c.reply.error('ERR SCRIPT DEBUG is not supported by this server');
    return;
  }
  c.reply.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
];

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
  'HELP',
  '    Prints this help.',
];

function help(c: Client, lines: string[]): void {
  c.reply.array(lines.length);
  for (const l of lines) c.reply.simple(l);
}

// FUNCTION LOAD [REPLACE] function-code
function functionLoad(c: Client, argv: Buffer[]): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (is(argv[i], 'replace')) replace = true;
    else {
      c.reply.error(`ERR Unknown option given: ${str(argv[i])}`);
      return;
    }
  }
  if (i !== argv.length - 1) {
    c.reply.error('ERR Function code is missing');
    return;
  }
  const r = scripting(c.server).loadLibrary(argv[i], replace);
  if ('err' in r) c.reply.error(r.err);
  else {
    c.server.dirty++;
    c.reply.bulkStr(r.ok);
  }
}

// FUNCTION DELETE library-name
function functionDelete(c: Client, argv: Buffer[]): void {
  if (!scripting(c.server).deleteLibrary(argv[2].toString('latin1'))) {
    c.reply.error('ERR Library not found');
    return;
  }
  c.server.dirty++;
  c.reply.ok();
}

// FUNCTION FLUSH [ASYNC | SYNC]
function functionFlush(c: Client, argv: Buffer[]): void {
  if (!flushMode(argv)) {
    c.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  scripting(c.server).flushFunctions();
  c.server.dirty++;
  c.reply.ok();
}

// FUNCTION KILL
function functionKill(c: Client): void {
  killCmd(c, 'function');
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
function functionList(c: Client, argv: Buffer[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (is(argv[i], 'withcode') && !withCode) withCode = true;
    else if (is(argv[i], 'libraryname') && pattern === null) {
      if (i + 1 >= argv.length) {
        c.reply.error('ERR library name argument was not given');
        return;
      }
      pattern = argv[++i].toString('latin1');
    } else {
      c.reply.error(`ERR Unknown argument ${str(argv[i])}`);
      return;
    }
  }
  const st = scripting(c.server);
  const libs = [...st.libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name));
  c.reply.array(libs.length);
  for (const lib of libs) {
    c.reply.map(withCode ? 4 : 3);
    c.reply.bulkStr('library_name');
    c.reply.bulkStr(lib.name);
    c.reply.bulkStr('engine');
    c.reply.bulkStr('LUA');
    c.reply.bulkStr('functions');
    c.reply.array(lib.functions.size);
    for (const f of [...lib.functions.values()].reverse()) {
      c.reply.map(3);
      c.reply.bulkStr('name');
      c.reply.bulkStr(f.name);
      c.reply.bulkStr('description');
      if (f.description === null) c.reply.nullBulk();
      else c.reply.bulkStr(f.description);
      c.reply.bulkStr('flags');
      c.reply.set(f.flags.length);
      for (const fl of f.flags) c.reply.simple(fl);
    }
    if (withCode) {
      c.reply.bulkStr('library_code');
      c.reply.bulk(lib.code);
    }
  }
}

function globMatch(pattern: string, s: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(s);
}

// FUNCTION STATS
function functionStats(c: Client): void {
  const st = scripting(c.server);
  const e = st.running();
  c.reply.map(2);
  c.reply.bulkStr('running_script');
  if (e === null || e.run === null || e.kind !== 'function') c.reply.nullBulk();
  else {
    const r = e.run;
    c.reply.map(3);
    c.reply.bulkStr('name');
    c.reply.bulkStr(r.spec.name);
    c.reply.bulkStr('command');
    c.reply.array(1);
    c.reply.bulkStr(r.spec.command);
    c.reply.bulkStr('duration_ms');
    c.reply.int(Math.round(performance.now() - r.start));
  }
  c.reply.bulkStr('engines');
  c.reply.map(1);
  c.reply.bulkStr('LUA');
  c.reply.map(2);
  c.reply.bulkStr('libraries_count');
  c.reply.int(st.libraries.size);
  c.reply.bulkStr('functions_count');
  c.reply.int(st.functions.size);
}

// FUNCTION DUMP: a payload of our own making (library codes), readable by FUNCTION RESTORE
function functionDump(c: Client): void {
  const st = scripting(c.server);
  const parts: Buffer[] = [Buffer.from('REDOUBT-FN1\n', 'latin1')];
  for (const lib of st.libraries.values()) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(lib.code.length);
    parts.push(len, lib.code);
  }
  const body = Buffer.concat(parts);
  c.reply.bulk(Buffer.concat([body, Buffer.from(sha1hex(body).slice(0, 16), 'latin1')]));
}

// FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]
function functionRestore(c: Client, argv: Buffer[]): void {
  let policy = 'append';
  if (argv.length === 4) {
    if (is(argv[3], 'flush')) policy = 'flush';
    else if (is(argv[3], 'append')) policy = 'append';
    else if (is(argv[3], 'replace')) policy = 'replace';
    else {
      c.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
  } else if (argv.length > 4) {
    c.reply.error(E.syntax);
    return;
  }
  const p = argv[2];
  const magic = Buffer.from('REDOUBT-FN1\n', 'latin1');
  const body = p.subarray(0, Math.max(0, p.length - 16));
  if (
    p.length < magic.length + 16 ||
    !p.subarray(0, magic.length).equals(magic) ||
    sha1hex(body).slice(0, 16) !== p.toString('latin1', p.length - 16)
  ) {
    c.reply.error('ERR payload version or checksum are wrong');
    return;
  }
  const codes: Buffer[] = [];
  for (let i = magic.length; i < body.length; ) {
    if (i + 4 > body.length) {
      c.reply.error('ERR payload version or checksum are wrong');
      return;
    }
    const n = body.readUInt32BE(i);
    codes.push(body.subarray(i + 4, i + 4 + n));
    i += 4 + n;
  }
  const st = scripting(c.server);
  if (policy === 'flush') st.flushFunctions();
  for (const code of codes) {
    const r = st.loadLibrary(code, policy === 'replace');
    if ('err' in r) {
      c.reply.error(r.err);
      return;
    }
  }
  c.server.dirty++;
  c.reply.ok();
}

const scriptTips = 'request_policy:all_nodes response_policy:all_succeeded';

export const scriptingCommands: CommandDef[] = [
  {
    name: 'eval',
    arity: -3,
    flags: 'noscript stale skip_monitor no_mandatory_keys',
    acl: '@scripting',
    getKeys: evalKeys,
    handler: evalCmd,
  },
  {
    name: 'evalsha',
    arity: -3,
    flags: 'noscript stale skip_monitor no_mandatory_keys',
    acl: '@scripting',
    getKeys: evalKeys,
    handler: evalshaCmd,
  },
  {
    name: 'eval_ro',
    arity: -3,
    flags: 'readonly noscript stale skip_monitor no_mandatory_keys',
    acl: '@scripting',
    getKeys: evalKeys,
    handler: evalRoCmd,
  },
  {
    name: 'evalsha_ro',
    arity: -3,
    flags: 'readonly noscript stale skip_monitor no_mandatory_keys',
    acl: '@scripting',
    getKeys: evalKeys,
    handler: evalshaRoCmd,
  },
  {
    name: 'fcall',
    arity: -3,
    flags: 'noscript stale skip_monitor no_mandatory_keys',
    acl: '@scripting',
    getKeys: evalKeys,
    handler: fcallCmd,
  },
  {
    name: 'fcall_ro',
    arity: -3,
    flags: 'readonly noscript stale skip_monitor no_mandatory_keys',
    acl: '@scripting',
    getKeys: evalKeys,
    handler: fcallRoCmd,
  },
  {
    name: 'script',
    arity: -2,
    flags: '',
    subcommands: [
      {
        name: 'help',
        arity: 2,
        flags: 'loading stale',
        acl: '@scripting',
        handler: (c) => help(c, SCRIPT_HELP),
      },
      {
        name: 'exists',
        arity: -3,
        flags: 'noscript',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:agg_logical_and',
        handler: scriptExists,
      },
      {
        name: 'flush',
        arity: -2,
        flags: 'noscript',
        acl: '@scripting',
        tips: scriptTips,
        handler: scriptFlush,
      },
      { name: 'debug', arity: 3, flags: 'noscript', acl: '@scripting', handler: scriptDebug },
      {
        name: 'kill',
        arity: 2,
        flags: 'noscript allow_busy',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:one_succeeded',
        handler: scriptKill,
      },
      {
        name: 'load',
        arity: 3,
        flags: 'noscript stale',
        acl: '@scripting',
        tips: scriptTips,
        handler: scriptLoad,
      },
    ],
  },
  {
    name: 'function',
    arity: -2,
    flags: '',
    subcommands: [
      {
        name: 'delete',
        arity: 3,
        flags: 'write noscript',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:all_succeeded',
        handler: functionDelete,
      },
      { name: 'dump', arity: 2, flags: 'noscript', acl: '@scripting', handler: functionDump },
      {
        name: 'kill',
        arity: 2,
        flags: 'noscript allow_busy',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:one_succeeded',
        handler: functionKill,
      },
      {
        name: 'flush',
        arity: -2,
        flags: 'write noscript',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:all_succeeded',
        handler: functionFlush,
      },
      {
        name: 'restore',
        arity: -3,
        flags: 'write denyoom noscript',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:all_succeeded',
        handler: functionRestore,
      },
      {
        name: 'load',
        arity: -3,
        flags: 'write denyoom noscript',
        acl: '@scripting',
        tips: 'request_policy:all_shards response_policy:all_succeeded',
        handler: functionLoad,
      },
      {
        name: 'list',
        arity: -2,
        flags: 'noscript',
        acl: '@scripting',
        tips: 'nondeterministic_output_order',
        handler: functionList,
      },
      {
        name: 'help',
        arity: 2,
        flags: 'loading stale',
        acl: '@scripting',
        handler: (c) => help(c, FUNCTION_HELP),
      },
      {
        name: 'stats',
        arity: 2,
        flags: 'noscript allow_busy',
        acl: '@scripting',
        tips: 'nondeterministic_output request_policy:all_shards response_policy:special',
        handler: functionStats,
      },
    ],
  },
];
