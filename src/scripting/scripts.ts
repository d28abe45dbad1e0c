// Per-server scripting state: the EVAL script cache and its Lua state, the FUNCTION libraries
// and theirs, and the gate that answers -BUSY while a script runs past busy-reply-threshold.

import type { Server } from '../server/server';
import { LuaEngine, sha1hex } from './engine';
import { type LuaState, lua, pushBuf, pushStr, raiseAt, setFuncs, setReadonly, toStr } from './lua';
import { Rand48 } from './stdlib';

export interface FunctionInfo {
  name: string;
  library: Library;
  description: string | null;
  flags: string[];
}

export interface Library {
  name: string;
  code: Buffer;
  functions: Map<string, FunctionInfo>;
}

export class Scripting {
  readonly rand = new Rand48();
  private evalEngine: LuaEngine | null = null;
  private fnEngine: LuaEngine | null = null;
  /** sha1 → body of every script loaded by EVAL or SCRIPT LOAD */
  readonly scripts = new Map<string, Buffer>();
  readonly libraries = new Map<string, Library>();
  readonly functions = new Map<string, FunctionInfo>();
  /** the library whose code is being run by FUNCTION LOAD */
  loading: { lib: Library; fns: Map<string, FunctionInfo> } | null = null;

  constructor(readonly server: Server) {}

  get eval(): LuaEngine {
    if (this.evalEngine === null) this.evalEngine = new LuaEngine(this.server, 'eval', this.rand);
    return this.evalEngine;
  }

  get fn(): LuaEngine {
    if (this.fnEngine === null) {
      this.fnEngine = new LuaEngine(this.server, 'function', this.rand);
      this.installLoadApi(this.fnEngine);
    }
    return this.fnEngine;
  }

  /** The engine running a script, if any. */
  running(): LuaEngine | null {
    if (this.evalEngine?.run) return this.evalEngine;
    if (this.fnEngine?.run) return this.fnEngine;
    return null;
  }

  flushScripts(): void {
    this.scripts.clear();
    // a new Lua state, as Redis (globals and compiled functions go)
    if (this.evalEngine !== null && this.evalEngine.run === null) this.evalEngine = null;
  }

  flushFunctions(): void {
    this.libraries.clear();
    this.functions.clear();
    if (this.fnEngine !== null && this.fnEngine.run === null) this.fnEngine = null;
  }

  /** The `redis` table library code sees while FUNCTION LOAD runs it. */
  private installLoadApi(e: LuaEngine): void {
    const L = e.L;
    lua.lua_createtable(L, 0, 8);
    setFuncs(L, { register_function: (L) => this.registerFunction(L) });
    lua.lua_getglobal(L, 'redis');
    for (const f of ['log', 'setresp']) {
      lua.lua_getfield(L, -1, f);
      lua.lua_setfield(L, -3, f);
    }
    lua.lua_pop(L, 1);
    for (const [k, v] of [
      ['LOG_DEBUG', 0],
      ['LOG_VERBOSE', 1],
      ['LOG_NOTICE', 2],
      ['LOG_WARNING', 3],
    ] as const) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, k);
    }
    pushStr(L, this.server.redisVersion);
    lua.lua_setfield(L, -2, 'REDIS_VERSION');
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushcfunction(L, (L) => {
      const name = toStr(L, 2) ?? '?';
      return raiseAt(L, `Script attempted to access nonexistent global variable '${name}'`);
    });
    lua.lua_setfield(L, -2, '__index');
    lua.lua_setmetatable(L, -2);
    setReadonly(L, -1, true);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.loadapi');
  }

  // redis.register_function(name, callback) | redis.register_function{function_name=, callback=, flags=, description=}
  private registerFunction(L: LuaState): number {
    const ld = this.loading;
    if (ld === null) return raiseAt(L, 'redis.register_function can only be called on FUNCTION LOAD command');
    let name: string | null = null;
    let description: string | null = null;
    const flags: string[] = [];
    const argc = lua.lua_gettop(L);
    if (argc === 1 && lua.lua_type(L, 1) === lua.LUA_TTABLE) {
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1)) {
        const k = lua.lua_type(L, -2) === lua.LUA_TSTRING ? toStr(L, -2) : null;
        if (k === 'function_name') {
          if (lua.lua_type(L, -1) !== lua.LUA_TSTRING)
            return regError(L, 'function_name argument given to redis.register_function must be a string');
          name = toStr(L, -1);
          lua.lua_pop(L, 1);
        } else if (k === 'description') {
          if (lua.lua_type(L, -1) !== lua.LUA_TSTRING)
            return regError(L, 'description argument given to redis.register_function must be a string');
          description = toStr(L, -1);
          lua.lua_pop(L, 1);
        } else if (k === 'callback') {
          if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION)
            return regError(L, 'callback argument given to redis.register_function must be a function');
          lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.pendingfn');
        } else if (k === 'flags') {
          if (lua.lua_type(L, -1) !== lua.LUA_TTABLE)
            return regError(
              L,
              'flags argument to redis.register_function must be a table representing function flags',
            );
          for (let i = 1; ; i++) {
            const t = lua.lua_rawgeti(L, -1, i);
            if (t === lua.LUA_TNIL) {
              lua.lua_pop(L, 1);
              break;
            }
            const f = t === lua.LUA_TSTRING ? toStr(L, -1) : null;
            lua.lua_pop(L, 1);
            if (f === null || !SCRIPT_FLAGS.has(f)) return regError(L, 'unknown flag given');
            flags.push(f);
          }
          lua.lua_pop(L, 1);
        } else {
          return regError(L, 'unknown argument given to redis.register_function');
        }
      }
      if (name === null) return regError(L, 'redis.register_function must get a function name argument');
      lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.pendingfn');
      if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION)
        return regError(L, 'redis.register_function must get a callback argument');
    } else {
      if (argc !== 2) return regError(L, 'wrong number of arguments to redis.register_function');
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING)
        return regError(L, 'first argument to redis.register_function must be a string');
      if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION)
        return regError(L, 'second argument to redis.register_function must be a function');
      name = toStr(L, 1)!;
      lua.lua_pushvalue(L, 2);
    }
    lua.lua_pushnil(L);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.pendingfn');
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      return regError(
        L,
        'Function names can only contain letters, numbers, or underscores(_) and must be at least one character long',
      );
    }
    if (ld.fns.has(name)) return regError(L, 'Function already exists in the library');
    // the callback (top of stack) is kept under a per-load key until the load commits
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.loadfns');
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, name);
    lua.lua_pop(L, 1);
    ld.fns.set(name, { name, library: ld.lib, description, flags });
    return 0;
  }

  /** FUNCTION LOAD: returns the library name or an error reply. */
  loadLibrary(code: Buffer, replace: boolean): { ok: string } | { err: string } {
    const meta = parseLibraryMeta(code);
    if ('err' in meta) return meta;
    const name = meta.name;
    const old = this.libraries.get(name);
    if (old !== undefined && !replace) return { err: `ERR Library '${name}' already exists` };
    const e = this.fn;
    const L = e.L;
    // the shebang line is blanked so line numbers stay those of the code
    const body = Buffer.from(code);
    body.fill(0x20, 0, code.indexOf(0x0a));
    const key = `lib:${name}:load`;
    const cerr = e.compile(key, body, 'user_function');
    if (cerr !== null) return { err: `ERR Error compiling function: ${cerr}` };
    const lib: Library = { name, code, functions: new Map() };
    this.loading = { lib, fns: lib.functions };
    lua.lua_createtable(L, 0, 0);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.loadfns');
    lua.lua_getglobal(L, 'redis');
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.realredis');
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.loadapi');
    e.setGlobal('redis');
    let err: string | null;
    try {
      err = e.runSync(key, 500, 'FUNCTION LOAD timeout');
    } finally {
      this.loading = null;
      lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.realredis');
      e.setGlobal('redis');
      e.forget(key);
    }
    if (err !== null) return { err: `ERR Error registering functions: ${err}` };
    if (lib.functions.size === 0) return { err: 'ERR No functions registered' };
    for (const f of lib.functions.keys()) {
      const other = this.functions.get(f);
      if (other !== undefined && other.library.name !== name)
        return { err: `ERR Function ${f} already exists` };
    }
    // commit: drop the old library's functions, register the new ones
    if (old !== undefined) {
      for (const f of old.functions.keys()) {
        this.functions.delete(f);
        e.forget(`fn:${f}`);
      }
    }
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, 'redoubt.loadfns');
    for (const f of lib.functions.values()) {
      lua.lua_getfield(L, -1, f.name);
      e.store(`fn:${f.name}`);
      this.functions.set(f.name, f);
    }
    lua.lua_pop(L, 1);
    this.libraries.set(name, lib);
    return { ok: name };
  }

  deleteLibrary(name: string): boolean {
    const lib = this.libraries.get(name);
    if (lib === undefined) return false;
    for (const f of lib.functions.keys()) {
      this.functions.delete(f);
      this.fnEngine?.forget(`fn:${f}`);
    }
    this.libraries.delete(name);
    return true;
  }

  /** Loads (compiles) a script body into the cache; returns its sha1 or a compile error. */
  loadScript(body: Buffer): { sha: string } | { err: string } {
    const sha = sha1hex(body);
    const e = this.eval;
    if (e.has(sha)) {
      this.scripts.set(sha, body);
      return { sha };
    }
    const flags = parseShebang(body);
    if ('err' in flags) return flags;
    let code = body;
    if (flags.shebang) {
      code = Buffer.from(body);
      const nl = code.indexOf(0x0a);
      code.fill(0x20, 0, nl < 0 ? code.length : nl);
    }
    const err = e.compile(sha, code, 'user_script');
    if (err !== null) return { err: `ERR Error compiling script (new function): ${err}` };
    this.scripts.set(sha, body);
    return { sha };
  }
}

function regError(L: LuaState, msg: string): never {
  return raiseAt(L, msg);
}

export const SCRIPT_FLAGS = new Set([
  'no-writes',
  'allow-oom',
  'allow-stale',
  'no-cluster',
  'allow-cross-slot-keys',
]);

/** Flags of an EVAL script's "#!lua flags=..." line. */
export function parseShebang(body: Buffer): { shebang: boolean; flags: Set<string> } | { err: string } {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { shebang: false, flags: new Set() };
  const nl = body.indexOf(0x0a);
  const line = body.toString('latin1', 0, nl < 0 ? body.length : nl);
  const parts = line.split(' ').filter((p) => p.length > 0);
  if (parts[0] !== '#!lua') return { err: `ERR Unexpected engine in script shebang: ${parts[0]}` };
  const flags = new Set<string>();
  for (const p of parts.slice(1)) {
    if (!p.startsWith('flags=')) return { err: `ERR Unknown lua shebang option: ${p}` };
    for (const f of p.slice(6).split(',')) {
      if (f === '') continue;
      if (!SCRIPT_FLAGS.has(f)) return { err: `ERR Unexpected flag in script shebang: ${f}` };
      flags.add(f);
    }
  }
  return { shebang: true, flags };
}

function parseLibraryMeta(code: Buffer): { name: string } | { err: string } {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) return { err: 'ERR Missing library metadata' };
  const nl = code.indexOf(0x0a);
  if (nl < 0) return { err: 'ERR Invalid library metadata' };
  const parts = code
    .toString('latin1', 2, nl)
    .split(' ')
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { err: 'ERR Invalid library metadata' };
  if (parts[0] !== 'lua') return { err: `ERR Engine '${parts[0]}' not found` };
  let name: string | null = null;
  for (const p of parts.slice(1)) {
    if (p.startsWith('name=')) name = p.slice(5);
    else return { err: `ERR Invalid metadata value given: ${p}` };
  }
  if (name === null) return { err: 'ERR Library name was not given' };
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    return {
      err: 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long',
    };
  }
  return { name };
}

const states = new WeakMap<Server, Scripting>();

export function scripting(s: Server): Scripting {
  let st = states.get(s);
  if (st === undefined) {
    st = new Scripting(s);
    states.set(s, st);
  }
  return st;
}

export { pushBuf };
