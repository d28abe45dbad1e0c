// Loads fengari (Lua 5.3 in JavaScript) and adjusts it to behave like the Lua 5.1 that Redis
// embeds, where scripts can tell the difference:
//  - numbers: Lua 5.1 has only doubles, printed with "%.14g" (10/2 prints "5", 2^53 prints
//    "9.007199254741e+15"). fengari has 32-bit integers besides floats, so integer results
//    would wrap at 2^31 and print differently. Numerals, tonumber() and library results are
//    made floats, and both kinds print the 5.1 way.
//  - read-only tables (Redis 7.0 protects the globals and library tables): a flag on the
//    table, checked on every store.
//  - allocation accounting for the memory limit of a running script.
// The adjustments replace exported functions of fengari's modules before the modules that
// capture them at load time are loaded, so this file must be the only place fengari is loaded.
// The version is pinned in package.json; test/unit/lua*.test.ts checks each adjustment.

import type { JsFunction, LuaState, LuaString } from 'fengari';
import { formatG } from '../protocol/format';

/** C's "%.14g" as glibc prints it (0/0 on x86 is a negative NaN: "-nan"). */
export function fmtNumber(n: number): string {
  if (Number.isNaN(n)) return '-nan';
  if (Number.isInteger(n) && Math.abs(n) < 1e21 && Math.abs(n) >= 1e14) return fmtBigInteger(n);
  return formatG(n, 14);
}

/** %.14g of an integer of 15+ digits: C rounds the exact value half to even (JS rounds half up). */
function fmtBigInteger(n: number): string {
  const neg = n < 0;
  const digits = BigInt(Math.abs(n)).toString();
  let head = BigInt(digits.slice(0, 14));
  const rest = digits.slice(14);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  if (first > 5 || (first === 5 && (tail || (head & 1n) === 1n))) head += 1n;
  let h = head.toString();
  let exp = digits.length - 1;
  if (h.length > 14) {
    h = h.slice(0, 14);
    exp++;
  }
  const mant = h.replace(/0+$/, '');
  const m = mant.length > 1 ? `${mant[0]}.${mant.slice(1)}` : mant;
  return `${neg ? '-' : ''}${m}e+${exp < 10 ? '0' : ''}${exp}`;
}

interface TValueLike {
  type: number;
  value: unknown;
  ttisinteger(): boolean;
  setfltvalue(x: number): void;
}
interface TValueClass {
  prototype: { setivalue(this: TValueLike, x: number): void };
}
interface TableLike {
  readonly?: boolean;
}

const req: NodeJS.Require = require;

// defs.js first, as fengari itself does (defs and luaconf require each other)
req('fengari/src/defs.js');
const luaconf = req('fengari/src/luaconf.js') as {
  lua_number2str: (n: number) => string;
  lua_integer2str: (n: number) => string;
  LUA_COMPAT_FLOATSTRING: boolean;
};
luaconf.lua_number2str = fmtNumber;
luaconf.lua_integer2str = fmtNumber;
luaconf.LUA_COMPAT_FLOATSTRING = true;

/** Bytes of Lua strings created since the counter was last reset (memory limit checks). */
export const allocation = { bytes: 0, check: null as ((L: LuaState) => void) | null };

const lstring = req('fengari/src/lstring.js') as {
  luaS_bless: (L: LuaState, s: LuaString) => unknown;
  luaS_new: (L: LuaState, s: LuaString) => unknown;
};
const origBless = lstring.luaS_bless;
const origNew = lstring.luaS_new;
const BIG_STRING = 64 * 1024;
// function expressions, not arrows: fengari calls luaS_new with `new` in one place
// biome-ignore lint/complexity/useArrowFunction: fengari calls it with `new`
lstring.luaS_bless = function (L: LuaState, s: LuaString) {
  if (s.length >= BIG_STRING) noteAlloc(L, s.length);
  return origBless(L, s);
};
// biome-ignore lint/complexity/useArrowFunction: fengari calls it with `new`
lstring.luaS_new = function (L: LuaState, s: LuaString) {
  if (s.length >= BIG_STRING) noteAlloc(L, s.length);
  return origNew(L, s);
};

function noteAlloc(L: LuaState, n: number): void {
  allocation.bytes += n;
  if (allocation.bytes >= 16 * 1024 * 1024 && allocation.check !== null) {
    allocation.bytes = 0;
    allocation.check(L);
  }
}

// the core, in fengari's own load order (lapi.js pulls in the VM; loading lobject.js first
// would hit a require cycle)
req('fengari/src/lapi.js');

const lobject = req('fengari/src/lobject.js') as {
  luaO_str2num: (s: LuaString, o: TValueLike) => number;
  TValue: TValueClass;
};
const defs = req('fengari/src/defs.js') as { constant_types: { LUA_TNUMFLT: number } };
const LUA_TNUMFLT = defs.constant_types.LUA_TNUMFLT;

// every number the VM makes is a float (results of #, string.len, table keys set by the VM...)
lobject.TValue.prototype.setivalue = function (this: TValueLike, x: number): void {
  this.type = LUA_TNUMFLT;
  this.value = x;
};

const origStr2num = lobject.luaO_str2num;
const HEX_INT = /^\s*(-?)0[xX]([0-9a-fA-F]+)\s*$/;
lobject.luaO_str2num = (s, o) => {
  const r = origStr2num(s, o);
  // (integers already come out as floats: setivalue above)
  // hexadecimal integers wrap at 32 bits in fengari; Lua 5.1 reads them as doubles
  if (r !== 0 && s.length > 3 && (s.includes(0x78) || s.includes(0x58))) {
    const m = HEX_INT.exec(Buffer.from(s).toString('latin1'));
    if (m !== null) o.setfltvalue((m[1] === '-' ? -1 : 1) * Number.parseInt(m[2], 16));
  }
  return r;
};

const READONLY_MSG = 'Attempt to modify a readonly table';
const ldebug = req('fengari/src/ldebug.js') as {
  luaG_runerror: (L: LuaState, fmt: LuaString, ...args: unknown[]) => never;
};
const ltable = req('fengari/src/ltable.js') as {
  luaH_setfrom: (L: LuaState, t: TableLike, key: unknown, value: unknown) => void;
};
const origSetfrom = ltable.luaH_setfrom;
ltable.luaH_setfrom = (L, t, key, value) => {
  if (t.readonly === true) readonlyError(L);
  origSetfrom(L, t, key, value);
};

let readonlyMsg: LuaString | null = null;
function readonlyError(L: LuaState): never {
  if (readonlyMsg === null) readonlyMsg = Buffer.from(READONLY_MSG, 'latin1');
  return ldebug.luaG_runerror(L, readonlyMsg);
}

function tableAt(L: LuaState, idx: number): TableLike | null {
  if (lapi.lua_type(L, idx) !== LUA_TTABLE) return null;
  return lapi.lua_topointer(L, idx) as TableLike;
}

const lapi = req('fengari/src/lapi.js') as {
  lua_pushinteger: (L: LuaState, n: number) => void;
  lua_pushnumber: (L: LuaState, n: number) => void;
  lua_rawseti: (L: LuaState, idx: number, n: number) => void;
  lua_setmetatable: (L: LuaState, idx: number) => void;
  lua_topointer: (L: LuaState, idx: number) => unknown;
  lua_type: (L: LuaState, idx: number) => number;
};
const LUA_TTABLE = 5;
lapi.lua_pushinteger = (L, n) => lapi.lua_pushnumber(L, n);
const origRawseti = lapi.lua_rawseti;
lapi.lua_rawseti = (L, idx, n) => {
  const t = tableAt(L, idx);
  if (t !== null && t.readonly === true) readonlyError(L);
  origRawseti(L, idx, n);
};
const origSetmeta = lapi.lua_setmetatable;
lapi.lua_setmetatable = (L, idx) => {
  const t = tableAt(L, idx);
  if (t !== null && t.readonly === true) readonlyError(L);
  origSetmeta(L, idx);
};

// Only now the modules that copy those exports at load time.
const fengari = req('fengari') as typeof import('fengari');

export const { lua, lauxlib, lualib } = fengari;
export type { JsFunction, LuaState, LuaString };

/** Marks the table at `idx` read-only (or writable again). */
export function setReadonly(L: LuaState, idx: number, ro: boolean): void {
  const t = tableAt(L, idx);
  if (t !== null) t.readonly = ro;
}

/** Pushes a Buffer (or latin1 string) as a Lua string; the bytes are copied. */
export function pushBuf(L: LuaState, b: Uint8Array): void {
  if (b.length === 0) lua.lua_pushstring(L, EMPTY);
  else lua.lua_pushlstring(L, Uint8Array.prototype.slice.call(b), b.length);
}

const EMPTY = new Uint8Array(0);

/** Pushes a latin1 JS string as Lua bytes. */
export function pushStr(L: LuaState, s: string): void {
  lua.lua_pushstring(L, Buffer.from(s, 'latin1'));
}

/** The Lua string (or number, converted) at idx as a Buffer copy, or null. */
export function toBuf(L: LuaState, idx: number): Buffer | null {
  const t = lua.lua_type(L, idx);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return null;
  const s = lua.lua_tolstring(L, idx);
  return s === null ? null : Buffer.from(s);
}

/** The Lua string at idx decoded as latin1 (one char per byte). */
export function toStr(L: LuaState, idx: number): string | null {
  const s = lua.lua_tolstring(L, idx);
  return s === null ? null : Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1');
}

/** Raises a Lua error with a message (no position added). */
export function raise(L: LuaState, msg: string): never {
  pushStr(L, msg);
  return lua.lua_error(L);
}

/** Raises a Lua error with the position of the calling Lua code, as luaL_error (a hook, which
 *  has no frame of its own, passes level 0). */
export function raiseAt(L: LuaState, msg: string, level = 1): never {
  lauxlib.luaL_where(L, level);
  pushStr(L, msg);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** Registers JS functions into the table at the top of the stack. */
export function setFuncs(L: LuaState, funcs: Record<string, JsFunction>): void {
  for (const [name, f] of Object.entries(funcs)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, name);
  }
}
