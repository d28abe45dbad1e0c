// The `bit` library (LuaBitOp semantics, as Redis ships it): 32-bit operations on numbers,
// results are signed 32-bit integers.

import { type LuaState, lauxlib, lua, pushStr, setFuncs } from './lua';

/** LuaBitOp's argument conversion: round half to even, then keep the low 32 bits, signed. */
export function tobit(n: number): number {
  return (n + 6755399441055744 - 6755399441055744) | 0;
}

function arg(L: LuaState, i: number): number {
  return tobit(lauxlib.luaL_checknumber(L, i));
}

function ret(L: LuaState, v: number): number {
  lua.lua_pushnumber(L, v | 0);
  return 1;
}

function fold(op: (a: number, b: number) => number) {
  return (L: LuaState): number => {
    let v = arg(L, 1);
    const n = lua.lua_gettop(L);
    for (let i = 2; i <= n; i++) v = op(v, arg(L, i));
    return ret(L, v);
  };
}

export function openBit(L: LuaState): void {
  lua.lua_createtable(L, 0, 12);
  setFuncs(L, {
    tobit: (L) => ret(L, arg(L, 1)),
    bnot: (L) => ret(L, ~arg(L, 1)),
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: (L) => ret(L, arg(L, 1) << (arg(L, 2) & 31)),
    rshift: (L) => ret(L, arg(L, 1) >>> (arg(L, 2) & 31)),
    arshift: (L) => ret(L, arg(L, 1) >> (arg(L, 2) & 31)),
    rol: (L) => {
      const b = arg(L, 1);
      const n = arg(L, 2) & 31;
      return ret(L, (b << n) | (b >>> (32 - n)));
    },
    ror: (L) => {
      const b = arg(L, 1);
      const n = arg(L, 2) & 31;
      return ret(L, (b >>> n) | (b << (32 - n)));
    },
    bswap: (L) => {
      const b = arg(L, 1);
      return ret(L, ((b >>> 24) & 0xff) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
    },
    tohex: (L) => {
      const b = arg(L, 1);
      let n = lua.lua_type(L, 2) <= lua.LUA_TNIL ? 8 : arg(L, 2);
      let upper = false;
      if (n < 0) {
        n = -n;
        upper = true;
      }
      if (n > 8) n = 8;
      let s = (b >>> 0)
        .toString(16)
        .padStart(8, '0')
        .slice(8 - n);
      if (upper) s = s.toUpperCase();
      pushStr(L, s);
      return 1;
    },
  });
  lua.lua_setglobal(L, 'bit');
}
