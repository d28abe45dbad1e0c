// A Lua state for scripts (EVAL) or functions (FCALL), with Redis's `redis` API, the sandbox,
// and the machinery that runs a script atomically while keeping the server responsive:
//
//  - A script runs in a Lua thread, resumed synchronously. A count hook fires every
//    HOOK_EVERY VM instructions; it checks SCRIPT KILL, the memory limit and the time.
//  - Past busy-reply-threshold the hook yields the thread back to JavaScript. The calling
//    client stays blocked, the server enters "busy" mode, and the thread is resumed in short
//    slices from setImmediate, so the event loop runs in between: other clients get -BUSY
//    (a dispatcher gate), SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE are served. While busy
//    the script holds a call-nesting level (so blocked clients are not served and commands
//    the script calls never block) and active expiry is paused: nothing else touches the data.
//  - Where the thread cannot yield (inside MULTI/EXEC, inside a user coroutine, a C-call
//    boundary such as a table.sort comparator) the script cannot be interrupted by SCRIPT
//    KILL; it is stopped with an error once it runs past HARD_LIMIT instead of hanging.

import { createHash } from 'node:crypto';
import * as v8 from 'node:v8';
import { Flag } from '../commands/types';
import { formatDouble17 } from '../protocol/format';
import { ReplyWriter } from '../protocol/reply';
import { Client } from '../server/client';
import { flushPending, processInput } from '../server/connection';
import { addGate, call, holdCallDepth, setPropagationOff } from '../server/dispatch';
import type { Server } from '../server/server';
import { openBit } from './bit';
import { openCjson } from './cjson';
import { openCmsgpack } from './cmsgpack';
import { ConversionError, pushReply, writeLuaValue } from './convert';
import {
  allocation,
  type JsFunction,
  type LuaState,
  lauxlib,
  lua,
  pushStr,
  raise,
  raiseAt,
  setFuncs,
  setReadonly,
  toBuf,
  toStr,
} from './lua';
import { openStdlib, type Rand48 } from './stdlib';
import { openStruct } from './struct';

/** VM instructions between two hook calls. */
const HOOK_EVERY = 1000;
/** Length of one slice while busy, before the event loop gets a turn (ms). */
const SLICE_MS = 20;
/** A script that cannot yield is stopped after max(busy-reply-threshold, this) ms. */
const HARD_LIMIT_MIN = 5000;
/** Heap growth a single script may cause. */
const MEMORY_LIMIT = 1024 * 1024 * 1024;

export const BUSY_EVAL =
  'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const BUSY_FUNCTION =
  'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const KILLED_MSG = 'Script killed by user with SCRIPT KILL...';

export interface RunSpec {
  /** The calling client (gets the reply). */
  caller: Client;
  /** sha1 for EVAL, function name for FCALL: shown in error messages. */
  name: string;
  /** EVAL_RO / FCALL_RO / no-writes flag: write commands are refused. */
  readOnly: boolean;
  /** allow-oom flag */
  allowOom: boolean;
  /** Pushes the function and its arguments onto the thread; returns the argument count. */
  push: (T: LuaState) => number;
  /** Called when the run is over (reply written), for stats of FUNCTION STATS. */
  command: string;
}

export interface Run {
  spec: RunSpec;
  thread: LuaState;
  nargs: number;
  start: number;
  sliceStart: number;
  /** -1 until measured */
  heapStart: number;
  hookTicks: number;
  threshold: number;
  hardLimit: number;
  sliceable: boolean;
  busy: boolean;
  hookYield: boolean;
  killed: boolean;
  /** Why the run is being stopped (SCRIPT KILL, time limit, memory). */
  killMsg: string;
  timeoutMsg: string;
  wrote: boolean;
  resp: 2 | 3;
  /** redis.set_repl flags: REPL_AOF 1 | REPL_REPLICA 2 (the AOF is all redoubt propagates to) */
  repl: number;
  savedActiveExpire: boolean;
}

/** A Lua state and the script runs on it. */
/** Engines running a script past busy-reply-threshold (between its time slices), any server. */
const busyEngines = new Set<LuaEngine>();

/** While a script is busy, other clients of its server get -BUSY (but allow_busy commands). */
const busyGate = addGate({
  on: false,
  check(c, cmd) {
    if (cmd.flags & Flag.AllowBusy) return null;
    for (const e of busyEngines)
      if (e.server === c.server) return e.kind === 'eval' ? BUSY_EVAL : BUSY_FUNCTION;
    return null;
  },
});

export class LuaEngine {
  readonly L: LuaState;
  /** The client scripts run commands as. */
  readonly fake: Client;
  run: Run | null = null;
  private registry = new Map<string, boolean>();

  constructor(
    readonly server: Server,
    readonly kind: 'eval' | 'function',
    rand: Rand48,
  ) {
    const L = lauxlib.luaL_newstate();
    this.L = L;
    this.fake = new Client(server, 0, null, server.dbs[0], server.clock.now(), 512 * 1024 * 1024, true);
    lua.lua_atnativeerror(L, (L) => {
      const e = lua.lua_touserdata(L, 1);
      const msg =
        e instanceof RangeError && /call stack/.test(e.message)
          ? 'stack overflow'
          : e instanceof RangeError
            ? 'not enough memory'
            : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      pushStr(L, msg);
      return 1;
    });
    openStdlib(L, rand);
    this.replacePcall();
    openBit(L);
    openStruct(L);
    openCjson(L);
    openCmsgpack(L);
    this.openRedis();
    lua.lua_pushcfunction(L, (L) => {
      // Redis defines this global as its error handler; scripts only see that it exists
      lua.lua_settop(L, 1);
      return 1;
    });
    lua.lua_setglobal(L, '__redis__err__handler');
    lua.lua_createtable(L, 0, 0);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.scripts');
    this.protectGlobals();
    lua.lua_sethook(L, (T) => this.hook(T), lua.LUA_MASKCOUNT, HOOK_EVERY);
  }

  // ---- sandbox ----

  private protectGlobals(): void {
    const L = this.L;
    // reading a missing global is an error; every library table and the globals are read-only
    lua.lua_pushglobaltable(L);
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushcfunction(L, (L) => {
      const name = toStr(L, 2) ?? '?';
      return raiseAt(L, `Script attempted to access nonexistent global variable '${name}'`);
    });
    lua.lua_setfield(L, -2, '__index');
    setReadonly(L, -1, true);
    lua.lua_setmetatable(L, -2);
    for (const lib of [
      'string',
      'table',
      'math',
      'coroutine',
      'bit',
      'struct',
      'cjson',
      'cmsgpack',
      'redis',
    ]) {
      lua.lua_getfield(L, -1, lib);
      setReadonly(L, -1, true);
      lua.lua_pop(L, 1);
    }
    setReadonly(L, -1, true);
    lua.lua_pop(L, 1);
    // the string metatable (its __index is the string library)
    pushStr(L, '');
    lua.lua_getmetatable(L, -1);
    setReadonly(L, -1, true);
    lua.lua_pop(L, 2);
  }

  /** Sets a global despite the read-only globals table (KEYS, ARGV). */
  setGlobal(name: string): void {
    const L = this.L;
    lua.lua_pushglobaltable(L);
    setReadonly(L, -1, false);
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, name);
    setReadonly(L, -1, true);
    lua.lua_pop(L, 1);
  }

  /**
   * pcall that returns a Redis error table's message as a string, as Redis's pcall does, and
   * that a hook may yield through (a continuation, like the standard pcall).
   */
  private replacePcall(): void {
    const finish = (L: LuaState, status: number, extra: number): number => {
      if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
        lua.lua_pushboolean(L, false);
        lua.lua_pushvalue(L, -2);
        if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
          lua.lua_getfield(L, -1, 'err');
          if (lua.lua_type(L, -1) === lua.LUA_TSTRING) lua.lua_replace(L, -2);
          else lua.lua_pop(L, 1);
        } else if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
          const s = toStr(L, -1)!;
          const t = to51Message(s);
          if (t !== s) {
            lua.lua_pop(L, 1);
            pushStr(L, t);
          }
        }
        return 2;
      }
      return lua.lua_gettop(L) - extra;
    };
    lua.lua_pushcfunction(this.L, (L) => {
      lauxlib.luaL_checkany(L, 1);
      lua.lua_pushboolean(L, true);
      lua.lua_insert(L, 1);
      const st = lua.lua_pcallk(L, lua.lua_gettop(L) - 2, lua.LUA_MULTRET, 0, 0, finish);
      return finish(L, st, 0);
    });
    lua.lua_setglobal(this.L, 'pcall');
  }

  // ---- the redis table ----

  private openRedis(): void {
    const L = this.L;
    lua.lua_createtable(L, 0, 32);
    setFuncs(L, {
      call: (L) => this.redisCall(L, true),
      pcall: (L) => this.redisCall(L, false),
      error_reply: (L) => {
        if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
          return pushErrTable(L, 'ERR wrong number or type of arguments');
        }
        let msg = toStr(L, 1)!;
        if (msg.startsWith('-')) msg = msg.slice(1);
        return pushErrTable(L, msg);
      },
      status_reply: (L) => {
        if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
          return pushErrTable(L, 'ERR wrong number or type of arguments');
        }
        lua.lua_createtable(L, 0, 1);
        lua.lua_pushvalue(L, 1);
        lua.lua_setfield(L, -2, 'ok');
        return 1;
      },
      sha1hex: (L) => {
        if (lua.lua_gettop(L) !== 1) return raiseErr(L, 'ERR wrong number of arguments');
        const b = toBuf(L, 1) ?? Buffer.alloc(0);
        pushStr(L, sha1hex(b));
        return 1;
      },
      log: (L) => {
        const argc = lua.lua_gettop(L);
        if (argc < 2) return raiseErr(L, 'ERR redis.log() requires two arguments or more.');
        if (!lua.lua_isnumber(L, 1)) return raiseErr(L, 'ERR First argument must be a number (log level).');
        const level = lua.lua_tonumber(L, 1);
        if (!(level >= 0 && level <= 3)) return raiseErr(L, 'ERR Invalid debug level.');
        const parts: string[] = [];
        for (let i = 2; i <= argc; i++) parts.push(toBuf(L, i)?.toString('utf8') ?? '');
        const levels = ['debug', 'verbose', 'notice', 'warning'] as const;
        this.server.log.log(levels[Math.trunc(level)], parts.join(' '));
        return 0;
      },
      setresp: (L) => {
        const r = this.run;
        if (lua.lua_gettop(L) !== 1) return raiseErr(L, 'ERR redis.setresp() requires one argument.');
        const v = lua.lua_tonumber(L, 1);
        if (v !== 2 && v !== 3) return raiseErr(L, 'ERR RESP version must be 2 or 3.');
        if (r !== null) r.resp = v;
        return 0;
      },
      set_repl: (L) => {
        if (lua.lua_gettop(L) !== 1) return raiseErr(L, 'ERR redis.set_repl() requires two arguments.');
        const v = lua.lua_tonumber(L, 1);
        if (!(v >= 0 && v <= 3 && Number.isInteger(v))) {
          return raiseErr(
            L,
            'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.',
          );
        }
        if (this.run !== null) this.run.repl = v;
        return 0;
      },
      replicate_commands: (L) => {
        lua.lua_pushboolean(L, true);
        return 1;
      },
      breakpoint: (L) => {
        lua.lua_pushboolean(L, false);
        return 1;
      },
      debug: () => 0,
      acl_check_cmd: (L) => {
        const argc = lua.lua_gettop(L);
        if (argc === 0)
          return raiseErr(L, 'ERR Please specify at least one argument for this redis lib call');
        const argv: Buffer[] = [];
        for (let i = 1; i <= argc; i++) argv.push(toBuf(L, i) ?? Buffer.alloc(0));
        let cmd = this.server.commands.get(argv[0].toString('latin1'));
        if (cmd !== undefined && cmd.subcommands !== null && argc >= 2) {
          cmd = cmd.subcommands.get(argv[1].toString('latin1').toLowerCase());
        }
        if (cmd === undefined) return raiseErr(L, 'ERR Invalid command passed to redis.acl_check_cmd()');
        // the caller's user, as redis.call is checked
        lua.lua_pushboolean(L, this.server.acl.allows(this.run?.spec.caller ?? this.fake, cmd, argv));
        return 1;
      },
    });
    const consts: [string, number][] = [
      ['LOG_DEBUG', 0],
      ['LOG_VERBOSE', 1],
      ['LOG_NOTICE', 2],
      ['LOG_WARNING', 3],
      ['REPL_NONE', 0],
      ['REPL_AOF', 1],
      ['REPL_SLAVE', 2],
      ['REPL_REPLICA', 2],
      ['REPL_ALL', 3],
    ];
    for (const [k, v] of consts) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, k);
    }
    pushStr(L, this.server.redisVersion);
    lua.lua_setfield(L, -2, 'REDIS_VERSION');
    const [maj, min, patch] = this.server.redisVersion.split('.').map(Number);
    lua.lua_pushnumber(L, (maj << 16) | (min << 8) | patch);
    lua.lua_setfield(L, -2, 'REDIS_VERSION_NUM');
    lua.lua_setglobal(L, 'redis');
  }

  /** redis.call / redis.pcall: runs a command as the script's client, inline. */
  private redisCall(L: LuaState, raiseErrors: boolean): number {
    const fail = (msg: string): number => (raiseErrors ? raiseErr(L, msg) : pushErrTable(L, msg));
    const r = this.run;
    const argc = lua.lua_gettop(L);
    if (argc === 0) return fail('ERR Please specify at least one argument for this redis lib call');
    const argv: Buffer[] = new Array(argc);
    for (let i = 1; i <= argc; i++) {
      const t = lua.lua_type(L, i);
      if (t === lua.LUA_TNUMBER) {
        const n = lua.lua_tonumber(L, i);
        argv[i - 1] = Buffer.from(Number.isNaN(n) ? '-nan' : formatDouble17(n), 'latin1');
      } else if (t === lua.LUA_TSTRING) {
        argv[i - 1] = toBuf(L, i)!;
      } else {
        return fail('ERR Lua redis lib command arguments must be strings or integers');
      }
    }
    if (r === null) return fail('ERR redis.call is not available now');
    const s = this.server;
    let cmd = s.commands.get(argv[0].toString('latin1'));
    if (cmd !== undefined && cmd.subcommands !== null && argc >= 2) {
      cmd = cmd.subcommands.get(argv[1].toString('latin1').toLowerCase());
    }
    if (cmd === undefined) return fail('ERR Unknown Redis command called from script');
    const arity = cmd.arity;
    if ((arity > 0 && argc !== arity) || argc < -arity) {
      return fail('ERR Wrong number of args calling Redis command from script');
    }
    if (cmd.flags & Flag.Noscript) return fail('ERR This Redis command is not allowed from script');
    if (cmd.flags & Flag.Write) {
      if (r.spec.readOnly) return fail('ERR Write commands are not allowed from read-only scripts.');
      r.wrote = true;
    }
    // ACL: the script runs as its caller (a denial is logged with context "lua")
    const denied = s.acl.scriptDenied(r.spec.caller, cmd, argv, r.spec.command);
    if (denied !== null) return fail(denied);
    const c = this.fake;
    c.reply.proto = r.resp;
    // the commands a script runs after redis.set_repl without REPL_AOF stay out of the AOF
    setPropagationOff((r.repl & 1) === 0);
    try {
      call(s, c, cmd, argv);
    } finally {
      setPropagationOff(false);
    }
    const pieces = c.reply.take();
    const reply = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
    const err = pushReply(L, reply);
    if (err !== null) return fail(err);
    return 1;
  }

  // ---- compiling ----

  /** Compiles `body` and stores the function under `key`; returns an error message or null. */
  compile(key: string, body: Buffer, chunk: string): string | null {
    const L = this.L;
    const st = lauxlib.luaL_loadbufferx(L, body, body.length, `@${chunk}`, 't');
    if (st !== lua.LUA_OK) {
      const msg = to51Message(toStr(L, -1) ?? 'unknown error');
      lua.lua_pop(L, 1);
      return msg;
    }
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.scripts');
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, key);
    lua.lua_pop(L, 1);
    this.registry.set(key, true);
    return null;
  }

  has(key: string): boolean {
    return this.registry.has(key);
  }

  /** Pushes the stored function `key` onto thread T. */
  pushFunction(T: LuaState, key: string): void {
    lua.lua_getfield(T, lua.LUA_REGISTRYINDEX, 'redoubt.scripts');
    lua.lua_getfield(T, -1, key);
    lua.lua_remove(T, -2);
  }

  forget(key: string): void {
    const L = this.L;
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.scripts');
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, key);
    lua.lua_pop(L, 1);
    this.registry.delete(key);
  }

  forgetAll(): void {
    lua.lua_createtable(this.L, 0, 0);
    lua.lua_setfield(this.L, lua.LUA_REGISTRYINDEX, 'redoubt.scripts');
    this.registry.clear();
  }

  // ---- running ----

  /**
   * Runs a script for `spec.caller`. The reply is written when it finishes; that may be after
   * this returns (busy mode), with the caller blocked meanwhile.
   */
  start(spec: RunSpec, sliceable: boolean): void {
    const L = this.L;
    const T = lua.lua_newthread(L);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.running');
    const nargs = spec.push(T);
    const threshold = this.server.config.num('busy-reply-threshold');
    const run = this.newRun(spec, T, nargs, threshold, Math.max(threshold, HARD_LIMIT_MIN), sliceable);
    this.fake.db = spec.caller.db;
    this.fake.user = spec.caller.user;
    this.run = run;
    this.resume(run);
  }

  private newRun(
    spec: RunSpec,
    T: LuaState,
    nargs: number,
    threshold: number,
    hardLimit: number,
    sliceable: boolean,
  ): Run {
    const now = performance.now();
    return {
      spec,
      thread: T,
      nargs,
      start: now,
      sliceStart: now,
      heapStart: -1,
      hookTicks: 0,
      threshold,
      hardLimit,
      sliceable,
      busy: false,
      hookYield: false,
      killed: false,
      killMsg: KILLED_MSG,
      timeoutMsg: `Script exceeded the time limit (${Math.round(hardLimit)} ms) where it could not be interrupted`,
      wrote: false,
      resp: 2,
      repl: 3,
      savedActiveExpire: this.server.activeExpireEnabled,
    };
  }

  /** Stores the value at the top of the main state's stack as registry function `key`. */
  store(key: string): void {
    const L = this.L;
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.scripts');
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, key);
    lua.lua_pop(L, 1);
    this.registry.set(key, true);
  }

  /**
   * Runs stored function `key` to completion, synchronously and without arguments (library
   * code of FUNCTION LOAD). Returns null, or the error message.
   */
  runSync(key: string, limitMs: number, timeoutMsg: string): string | null {
    const L = this.L;
    const T = lua.lua_newthread(L);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.running');
    this.pushFunction(T, key);
    const spec: RunSpec = {
      caller: this.fake,
      name: key,
      readOnly: true,
      allowOom: false,
      push: () => 0,
      command: '',
    };
    const run = this.newRun(spec, T, 0, limitMs, limitMs, false);
    run.timeoutMsg = timeoutMsg;
    this.run = run;
    let st: number;
    try {
      st = lua.lua_resume(T, null, 0);
    } finally {
      this.run = null;
    }
    let err: string | null = null;
    lua.lua_checkstack(T, 8);
    if (st !== lua.LUA_OK) {
      if (run.killed) err = run.killMsg;
      else if (lua.lua_type(T, -1) === lua.LUA_TTABLE) {
        lua.lua_getfield(T, -1, 'err');
        err = toStr(T, -1) ?? 'Unknown error';
      } else err = to51Message(toStr(T, -1) ?? 'Unknown error');
    }
    lua.lua_settop(T, 0);
    lua.lua_pushnil(L);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.running');
    return err;
  }

  private resume(run: Run): void {
    run.sliceStart = performance.now();
    run.hookYield = false;
    allocation.check = (L) => this.checkMemory(L, run, true);
    let st: number;
    try {
      st = lua.lua_resume(run.thread, null, run.nargs);
    } finally {
      allocation.check = null;
    }
    run.nargs = 0;
    if (st === lua.LUA_YIELD && run.hookYield) {
      if (!run.busy) this.enterBusy(run);
      setImmediate(() => this.resume(run));
      return;
    }
    this.finish(run, st);
  }

  private enterBusy(run: Run): void {
    const s = this.server;
    run.busy = true;
    busyEngines.add(this);
    busyGate.on = true;
    // the script keeps a nesting level while the event loop runs between its slices
    holdCallDepth(1);
    run.savedActiveExpire = s.activeExpireEnabled;
    s.activeExpireEnabled = false;
    const c = run.spec.caller;
    c.blockedOn = { kind: 'script', argv: [], deadline: 0, timer: null, keys: [], onTimeout: null };
    s.log.warning(
      `Slow script detected: still in execution after ${Math.round(performance.now() - run.start)} milliseconds. ` +
        `You can try killing the script using the ${this.kind === 'eval' ? 'SCRIPT' : 'FUNCTION'} KILL command.`,
    );
  }

  private finish(run: Run, status: number): void {
    const s = this.server;
    const T = run.thread;
    const c = run.spec.caller;
    const w = new ReplyWriter();
    w.proto = c.reply.proto;
    if (status === lua.LUA_OK) {
      if (lua.lua_gettop(T) === 0) lua.lua_pushnil(T);
      try {
        writeLuaValue(T, 1, w, run.resp === 3);
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        w.take();
        w.error(`ERR ${e.message}`);
      }
    } else if (status === lua.LUA_YIELD) {
      w.error(this.errorReply(run, 'attempt to yield across metamethod/C-call boundary', false));
    } else {
      w.error(this.errorFromStack(run));
    }
    lua.lua_settop(T, 0);
    lua.lua_pushnil(this.L);
    lua.lua_setfield(this.L, lua.LUA_REGISTRYINDEX, 'redoubt.running');
    this.run = null;
    const pieces = w.take();
    if (w.errors > 0) {
      c.reply.errors++;
      c.reply.lastError = w.lastError;
    }
    if (!run.busy) {
      for (const p of pieces) c.reply.rawBuf(p);
      return;
    }
    // a busy run ends outside of any command: finish it like a command that was blocked
    busyEngines.delete(this);
    busyGate.on = busyEngines.size > 0;
    s.activeExpireEnabled = run.savedActiveExpire;
    holdCallDepth(-1);
    if (w.errors > 0) s.countError(w.lastError);
    if (c.closed) return;
    c.blockedOn = null;
    for (const p of pieces) c.reply.rawBuf(p);
    for (const h of s.afterCommandHooks) h(c);
    processInput(s, c);
    s.pendingFlush.add(c);
    flushPending(s);
  }

  /** The error reply for a script that raised an error (the error value is on the thread). */
  private errorFromStack(run: Run): string {
    const T = run.thread;
    lua.lua_checkstack(T, 8);
    let msg: string;
    let verbatim = false;
    if (run.killed) {
      msg = run.killMsg;
    } else if (lua.lua_type(T, -1) === lua.LUA_TTABLE) {
      lua.lua_getfield(T, -1, 'err');
      if (lua.lua_type(T, -1) === lua.LUA_TSTRING) {
        msg = toStr(T, -1)!;
        verbatim = true;
      } else {
        msg = 'Unknown error';
      }
      lua.lua_pop(T, 1);
    } else if (lua.lua_type(T, -1) === lua.LUA_TSTRING || lua.lua_type(T, -1) === lua.LUA_TNUMBER) {
      msg = to51Message(toStr(T, -1)!);
    } else if (lua.lua_type(T, -1) === lua.LUA_TBOOLEAN) {
      msg = lua.lua_toboolean(T, -1) ? 'true' : 'false';
    } else if (lua.lua_type(T, -1) === lua.LUA_TNIL) {
      msg = 'nil';
    } else {
      msg = toStr(T, -1) ?? 'Unknown error';
    }
    return this.errorReply(run, msg, verbatim);
  }

  private errorReply(run: Run, msg: string, verbatim: boolean): string {
    const T = run.thread;
    // position: the innermost Lua function on the thread's stack
    const ar = new lua.lua_Debug();
    let where = '?';
    for (let level = 0; lua.lua_getstack(T, level, ar) !== 0; level++) {
      lua.lua_getinfo(T, 'Sl', ar);
      if (ar.currentline > 0 && ar.source !== null) {
        where = `${Buffer.from(ar.source).toString('latin1')}:${ar.currentline}`;
        break;
      }
    }
    const body = verbatim ? msg : `ERR ${msg}`;
    return `${body} script: ${run.spec.name}, on ${where}.`;
  }

  // ---- the hook: kill, memory, time ----

  private hook(T: LuaState): void {
    const run = this.run;
    if (run === null) return;
    if (run.killed) raiseAt(T, run.killMsg, 0);
    if ((++run.hookTicks & 3) === 0) this.checkMemory(T, run, false);
    const now = performance.now();
    const elapsed = now - run.start;
    if (elapsed < run.threshold) return;
    if (run.sliceable && T === run.thread && lua.lua_isyieldable(T)) {
      if (!run.busy || now - run.sliceStart >= SLICE_MS) {
        run.hookYield = true;
        lua.lua_yield(T, 0);
      }
      return;
    }
    if (elapsed >= run.hardLimit && !run.busy) {
      run.killed = true;
      run.killMsg = run.timeoutMsg;
      raiseAt(T, run.killMsg, 0);
    }
  }

  private checkMemory(T: LuaState, run: Run, fromAlloc: boolean): void {
    const h = v8.getHeapStatistics();
    const used = h.used_heap_size + h.external_memory;
    if (run.heapStart < 0) {
      run.heapStart = used;
      return;
    }
    const limit = Math.min(MEMORY_LIMIT, (h.heap_size_limit - h.used_heap_size) / 2);
    if (used - run.heapStart > limit) {
      // stays set: a pcall in the script cannot swallow it
      run.killed = true;
      run.killMsg = 'not enough memory';
      if (fromAlloc) raise(T, run.killMsg);
      raiseAt(T, run.killMsg, 0);
    }
  }

  // ---- SCRIPT KILL / FUNCTION KILL ----

  /** Returns null when the kill was accepted, else the error reply. */
  kill(): string | null {
    const run = this.run;
    if (run === null || !run.busy) return 'NOTBUSY No scripts in execution right now.';
    if (run.wrote) {
      return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
    }
    run.killed = true;
    return null;
  }
}

/** Lua 5.3 names the variable after the type; 5.1 before it: "attempt to call field 'f' (a nil value)". */
export function to51Message(s: string): string {
  return s
    .replace(/attempt to (.+?) a (\w+) value \((\w+) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)")
    .replace(/ near <eof>$/, " near '<eof>'")
    .replace(/^(.*:\d+: )syntax error near /, "$1'=' expected near ");
}

function pushErrTable(L: LuaState, msg: string): number {
  lua.lua_createtable(L, 0, 1);
  pushStr(L, msg);
  lua.lua_setfield(L, -2, 'err');
  return 1;
}

/** Raises a Redis error table {err=msg}. */
function raiseErr(L: LuaState, msg: string): never {
  pushErrTable(L, msg);
  return lua.lua_error(L);
}

export function sha1hex(b: Buffer | string): string {
  return createHash('sha1').update(b).digest('hex');
}

export type { JsFunction };
