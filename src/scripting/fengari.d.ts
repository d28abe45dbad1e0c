// Type declarations for the parts of fengari (a Lua VM in JavaScript, npm "fengari") that the
// scripting engine uses. fengari ships no types; these follow its C-API-shaped exports.

declare module 'fengari' {
  /** A Lua string: bytes. */
  export type LuaString = Uint8Array;
  /** A lua_State (main state or thread). Opaque. */
  export interface LuaState {
    readonly __luaState: unique symbol;
  }
  export type JsFunction = (L: LuaState) => number;
  export type KFunction = (L: LuaState, status: number, ctx: number) => number;
  export class lua_Debug {
    currentline: number;
    source: LuaString | null;
    short_src: LuaString | null;
    what: LuaString | null;
  }
  export type Hook = (L: LuaState, ar: lua_Debug) => void;

  export const lua: {
    lua_Debug: typeof lua_Debug;
    LUA_OK: number;
    LUA_YIELD: number;
    LUA_ERRRUN: number;
    LUA_ERRSYNTAX: number;
    LUA_ERRMEM: number;
    LUA_ERRERR: number;
    LUA_MULTRET: number;
    LUA_REGISTRYINDEX: number;
    LUA_RIDX_GLOBALS: number;
    LUA_MASKCOUNT: number;
    LUA_TNONE: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TLIGHTUSERDATA: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_TFUNCTION: number;
    LUA_TUSERDATA: number;
    LUA_TTHREAD: number;
    lua_absindex(L: LuaState, idx: number): number;
    lua_atnativeerror(L: LuaState, f: JsFunction): JsFunction;
    lua_call(L: LuaState, nargs: number, nresults: number): void;
    lua_callk(L: LuaState, nargs: number, nresults: number, ctx: number, k: KFunction | null): void;
    lua_checkstack(L: LuaState, n: number): boolean;
    lua_concat(L: LuaState, n: number): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_error(L: LuaState): never;
    lua_gc(L: LuaState, what: number, data: number): number;
    lua_getfield(L: LuaState, idx: number, k: LuaString | string): number;
    lua_getglobal(L: LuaState, name: LuaString | string): number;
    lua_getinfo(L: LuaState, what: LuaString | string, ar: lua_Debug): number;
    lua_getmetatable(L: LuaState, idx: number): boolean;
    lua_getstack(L: LuaState, level: number, ar: lua_Debug): number;
    lua_gettop(L: LuaState): number;
    lua_insert(L: LuaState, idx: number): void;
    lua_isnumber(L: LuaState, idx: number): boolean;
    lua_isstring(L: LuaState, idx: number): boolean;
    lua_isyieldable(L: LuaState): boolean;
    lua_load(
      L: LuaState,
      reader: (L: LuaState, data: unknown) => LuaString | null,
      data: unknown,
      chunkname: LuaString | string,
      mode: LuaString | string | null,
    ): number;
    lua_newtable(L: LuaState): void;
    lua_newthread(L: LuaState): LuaState;
    lua_next(L: LuaState, idx: number): boolean;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_pcallk(
      L: LuaState,
      nargs: number,
      nresults: number,
      msgh: number,
      ctx: number,
      k: KFunction | null,
    ): number;
    lua_pop(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, b: boolean | number): void;
    lua_pushglobaltable(L: LuaState): void;
    lua_pushcfunction(L: LuaState, f: JsFunction): void;
    lua_pushcclosure(L: LuaState, f: JsFunction, n: number): void;
    lua_upvalueindex(i: number): number;
    lua_pushjsfunction(L: LuaState, f: JsFunction): void;
    lua_pushlightuserdata(L: LuaState, p: unknown): void;
    lua_pushliteral(L: LuaState, s: string): LuaString;
    lua_pushlstring(L: LuaState, s: LuaString, len: number): LuaString;
    lua_pushnil(L: LuaState): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushinteger(L: LuaState, n: number): void;
    lua_pushstring(L: LuaState, s: LuaString | string): LuaString;
    lua_pushvalue(L: LuaState, idx: number): void;
    lua_rawequal(L: LuaState, a: number, b: number): boolean;
    lua_rawget(L: LuaState, idx: number): number;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawlen(L: LuaState, idx: number): number;
    lua_rawset(L: LuaState, idx: number): void;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
    lua_remove(L: LuaState, idx: number): void;
    lua_replace(L: LuaState, idx: number): void;
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
    lua_setfield(L: LuaState, idx: number, k: LuaString | string): void;
    lua_setglobal(L: LuaState, name: LuaString | string): void;
    lua_sethook(L: LuaState, f: Hook | null, mask: number, count: number): void;
    lua_setmetatable(L: LuaState, idx: number): void;
    lua_settop(L: LuaState, idx: number): void;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_tojsstring(L: LuaState, idx: number): string;
    lua_tolstring(L: LuaState, idx: number): LuaString | null;
    lua_tonumber(L: LuaState, idx: number): number;
    lua_tonumberx(L: LuaState, idx: number): number | false;
    lua_topointer(L: LuaState, idx: number): unknown;
    lua_touserdata(L: LuaState, idx: number): unknown;
    lua_type(L: LuaState, idx: number): number;
    lua_typename(L: LuaState, t: number): LuaString;
    lua_xmove(from: LuaState, to: LuaState, n: number): void;
    lua_yield(L: LuaState, n: number): number;
  };

  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_argerror(L: LuaState, arg: number, msg: LuaString | string): never;
    luaL_checkany(L: LuaState, arg: number): void;
    luaL_checkinteger(L: LuaState, arg: number): number;
    luaL_checklstring(L: LuaState, arg: number): LuaString;
    luaL_checknumber(L: LuaState, arg: number): number;
    luaL_checkstack(L: LuaState, n: number, msg: LuaString | string | null): void;
    luaL_checktype(L: LuaState, arg: number, t: number): void;
    luaL_error(L: LuaState, fmt: LuaString | string, ...args: unknown[]): never;
    luaL_loadbufferx(
      L: LuaState,
      buff: LuaString,
      size: number,
      name: LuaString | string,
      mode: LuaString | string | null,
    ): number;
    luaL_optinteger(L: LuaState, arg: number, def: number): number;
    luaL_optnumber(L: LuaState, arg: number, def: number): number;
    luaL_requiref(L: LuaState, name: LuaString | string, f: JsFunction, glb: boolean | number): void;
    luaL_tolstring(L: LuaState, idx: number): LuaString;
    luaL_typename(L: LuaState, idx: number): LuaString;
    luaL_where(L: LuaState, level: number): void;
  };

  export const lualib: {
    luaopen_base: JsFunction;
    luaopen_coroutine: JsFunction;
    luaopen_math: JsFunction;
    luaopen_string: JsFunction;
    luaopen_table: JsFunction;
  };

  export function to_luastring(s: string, cache?: boolean): LuaString;
  export function to_jsstring(s: LuaString, from?: number, to?: number, replacement_char?: boolean): string;
}
