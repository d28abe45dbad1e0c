// The Lua 5.1 standard library as Redis 7.0 exposes it, on top of fengari's 5.3 libraries:
// 5.1-only functions are added (unpack, loadstring, table.getn, math.pow...), 5.3-only ones
// removed, and functions whose behaviour differs visibly are replaced (string.format truncates
// floats for %d as 5.1 does, math.random is Redis's rand48 generator, load takes only a
// function, loadstring refuses bytecode). print, dofile, loadfile, os, io, debug, package and
// require do not exist, as in Redis.

import {
  type JsFunction,
  type LuaState,
  lauxlib,
  lua,
  lualib,
  pushStr,
  raiseAt,
  setFuncs,
  toBuf,
} from './lua';

const { luaL_argerror, luaL_checknumber, luaL_checklstring, luaL_error } = lauxlib;

/** Redis's rand48 state (the C library's default initial state), one per server. */
export class Rand48 {
  x = 0x1234abcd330en;
  seed(s: number): void {
    this.x = ((BigInt(Math.trunc(s)) & 0xffffffffn) << 16n) | 0x330en;
  }
  next(): number {
    this.x = (0x5deece66dn * this.x + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n);
  }
  /** A double in [0, 1), as Redis's math.random. */
  random(): number {
    const MAX = 2147483647;
    return (this.next() % MAX) / MAX;
  }
}

function removeFields(L: LuaState, table: string, names: string[]): void {
  lua.lua_getglobal(L, table);
  for (const n of names) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, n);
  }
  lua.lua_pop(L, 1);
}

function addFuncs(L: LuaState, table: string, funcs: Record<string, JsFunction>): void {
  lua.lua_getglobal(L, table);
  setFuncs(L, funcs);
  lua.lua_pop(L, 1);
}

/** Copies field `from` of a library table to `to` (aliases like string.gfind). */
function alias(L: LuaState, table: string, from: string, to: string): void {
  lua.lua_getglobal(L, table);
  lua.lua_getfield(L, -1, from);
  lua.lua_setfield(L, -2, to);
  lua.lua_pop(L, 1);
}

function checkInt(L: LuaState, arg: number): number {
  // luaL_checkint in 5.1: a double cast to int
  return Math.trunc(luaL_checknumber(L, arg)) | 0;
}

export function openStdlib(L: LuaState, rand: Rand48): void {
  for (const [name, open] of [
    ['_G', lualib.luaopen_base],
    ['table', lualib.luaopen_table],
    ['string', lualib.luaopen_string],
    ['math', lualib.luaopen_math],
    ['coroutine', lualib.luaopen_coroutine],
  ] as const) {
    lauxlib.luaL_requiref(L, name, open, 1);
    lua.lua_pop(L, 1);
  }
  for (const g of ['print', 'dofile', 'loadfile', 'rawlen', 'utf8', 'require', 'package']) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, g);
  }
  pushStr(L, 'Lua 5.1');
  lua.lua_setglobal(L, '_VERSION');

  lua.lua_getglobal(L, 'table');
  lua.lua_getfield(L, -1, 'unpack');
  lua.lua_setglobal(L, 'unpack');
  lua.lua_pop(L, 1);

  lua.lua_getglobal(L, 'tonumber');
  lua.lua_pushcclosure(L, tonumber51, 1);
  lua.lua_setglobal(L, 'tonumber');
  lua.lua_pushcfunction(L, error51);
  lua.lua_setglobal(L, 'error');
  lua.lua_pushcfunction(L, loadstring);
  lua.lua_setglobal(L, 'loadstring');
  lua.lua_pushcfunction(L, load51);
  lua.lua_setglobal(L, 'load');
  lua.lua_pushcfunction(L, (L) => {
    lua.lua_pushnumber(L, Math.floor(process.memoryUsage().heapUsed / 1024));
    return 1;
  });
  lua.lua_setglobal(L, 'gcinfo');
  lua.lua_pushcfunction(L, collectgarbage);
  lua.lua_setglobal(L, 'collectgarbage');

  removeFields(L, 'string', ['pack', 'unpack', 'packsize']);
  alias(L, 'string', 'gmatch', 'gfind');
  addFuncs(L, 'string', { format: strFormat, rep: strRep });

  removeFields(L, 'table', ['pack', 'unpack', 'move']);
  addFuncs(L, 'table', {
    getn: (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      lua.lua_pushnumber(L, lua.lua_rawlen(L, 1));
      return 1;
    },
    setn: (L) => luaL_error(L, "'setn' is obsolete"),
    maxn: (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      let max = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1)) {
        lua.lua_pop(L, 1);
        if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) max = Math.max(max, lua.lua_tonumber(L, -1));
      }
      lua.lua_pushnumber(L, max);
      return 1;
    },
    foreach: (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1)) {
        lua.lua_pushvalue(L, 2);
        lua.lua_pushvalue(L, -3);
        lua.lua_pushvalue(L, -3);
        lua.lua_call(L, 2, 1);
        if (lua.lua_type(L, -1) !== lua.LUA_TNIL) return 1;
        lua.lua_pop(L, 2);
      }
      return 0;
    },
    foreachi: (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
      const n = lua.lua_rawlen(L, 1);
      for (let i = 1; i <= n; i++) {
        lua.lua_pushvalue(L, 2);
        lua.lua_pushnumber(L, i);
        lua.lua_rawgeti(L, 1, i);
        lua.lua_call(L, 2, 1);
        if (lua.lua_type(L, -1) !== lua.LUA_TNIL) return 1;
        lua.lua_pop(L, 1);
      }
      return 0;
    },
  });

  removeFields(L, 'math', ['type', 'tointeger', 'ult', 'maxinteger', 'mininteger']);
  const num1 = (f: (x: number) => number): JsFunction => {
    return (L) => {
      lua.lua_pushnumber(L, f(luaL_checknumber(L, 1)));
      return 1;
    };
  };
  addFuncs(L, 'math', {
    pow: (L) => {
      lua.lua_pushnumber(L, luaL_checknumber(L, 1) ** luaL_checknumber(L, 2));
      return 1;
    },
    atan2: (L) => {
      lua.lua_pushnumber(L, Math.atan2(luaL_checknumber(L, 1), luaL_checknumber(L, 2)));
      return 1;
    },
    ldexp: (L) => {
      lua.lua_pushnumber(L, luaL_checknumber(L, 1) * 2 ** checkInt(L, 2));
      return 1;
    },
    frexp: (L) => {
      const [m, e] = frexp(luaL_checknumber(L, 1));
      lua.lua_pushnumber(L, m);
      lua.lua_pushnumber(L, e);
      return 2;
    },
    log10: num1(Math.log10),
    cosh: num1(Math.cosh),
    sinh: num1(Math.sinh),
    tanh: num1(Math.tanh),
    log: num1(Math.log),
    fmod: (L) => {
      lua.lua_pushnumber(L, luaL_checknumber(L, 1) % luaL_checknumber(L, 2));
      return 1;
    },
    floor: num1(Math.floor),
    ceil: num1(Math.ceil),
    random: (L) => {
      const r = rand.random();
      switch (lua.lua_gettop(L)) {
        case 0:
          lua.lua_pushnumber(L, r);
          break;
        case 1: {
          const u = checkInt(L, 1);
          if (u < 1) luaL_argerror(L, 1, 'interval is empty');
          lua.lua_pushnumber(L, Math.floor(r * u) + 1);
          break;
        }
        case 2: {
          const l = checkInt(L, 1);
          const u = checkInt(L, 2);
          if (l > u) luaL_argerror(L, 2, 'interval is empty');
          lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
          break;
        }
        default:
          return luaL_error(L, 'wrong number of arguments');
      }
      return 1;
    },
    randomseed: (L) => {
      rand.seed(checkInt(L, 1));
      return 0;
    },
  });
  alias(L, 'math', 'fmod', 'mod');
  removeFields(L, 'coroutine', ['isyieldable']);
}

function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = x * 2 ** -e;
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  return [m, e];
}

function collectgarbage(L: LuaState): number {
  const opt = lua.lua_type(L, 1) === lua.LUA_TSTRING ? (lua.lua_tojsstring(L, 1) ?? '') : 'collect';
  if (opt === 'count') {
    lua.lua_pushnumber(L, process.memoryUsage().heapUsed / 1024);
    return 1;
  }
  if (!['collect', 'stop', 'restart', 'step', 'setpause', 'setstepmul'].includes(opt)) {
    return luaL_argerror(L, 1, `invalid option '${opt}'`);
  }
  lua.lua_pushnumber(L, 0);
  return 1;
}

// tonumber (e [, base]): base 10 converts any numeral, as without a base (5.1)
function tonumber51(L: LuaState): number {
  if (lua.lua_gettop(L) >= 2 && lua.lua_type(L, 2) === lua.LUA_TNUMBER && lua.lua_tonumber(L, 2) === 10) {
    lua.lua_settop(L, 1);
  }
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
  return 1;
}

// error (message [, level]): as 5.1, a number message also gets the position prefix
function error51(L: LuaState): number {
  const level = Math.trunc(lauxlib.luaL_optnumber(L, 2, 1));
  lua.lua_settop(L, 1);
  const t = lua.lua_type(L, 1);
  if ((t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) && level > 0) {
    lauxlib.luaL_where(L, level);
    lua.lua_pushvalue(L, 1);
    lua.lua_concat(L, 2);
  }
  return lua.lua_error(L);
}

/** Text chunks only: Redis refuses precompiled bytecode (it starts with ESC). */
function loadText(L: LuaState, code: Uint8Array, name: Uint8Array | string): number {
  if (code.length > 0 && code[0] === 0x1b) {
    lua.lua_pushnil(L);
    pushStr(L, 'binary chunks are not allowed');
    return 2;
  }
  const st = lauxlib.luaL_loadbufferx(L, code, code.length, name, 't');
  if (st !== lua.LUA_OK) {
    lua.lua_pushnil(L);
    lua.lua_insert(L, -2);
    return 2;
  }
  return 1;
}

// loadstring (string [, chunkname]): the chunk is named by its text, [string "..."]
function loadstring(L: LuaState): number {
  const code = luaL_checklstring(L, 1);
  const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? luaL_checklstring(L, 2) : code;
  return loadText(L, code, name);
}

// load (func [, chunkname]): 5.1 reads the chunk from a function
function load51(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION);
  const parts: Buffer[] = [];
  for (;;) {
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 0, 1);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    const b = toBuf(L, -1);
    lua.lua_pop(L, 1);
    if (b === null) return luaL_error(L, 'reader function must return a string');
    if (b.length === 0) break;
    parts.push(b);
  }
  const code = Buffer.concat(parts);
  const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, 2) : '=(load)';
  lua.lua_settop(L, 0);
  return loadText(L, code, name);
}

/** Largest string a script may build with string.rep in one call. */
const MAX_REP = 512 * 1024 * 1024;

// string.rep (s, n): 5.1 has no separator argument
function strRep(L: LuaState): number {
  const s = luaL_checklstring(L, 1);
  const n = Math.trunc(luaL_checknumber(L, 2));
  if (n <= 0 || s.length === 0) {
    lua.lua_pushstring(L, new Uint8Array(0));
    return 1;
  }
  if (s.length * n > MAX_REP) return luaL_error(L, 'not enough memory');
  const out = new Uint8Array(s.length * n);
  for (let i = 0; i < n; i++) out.set(s, i * s.length);
  lua.lua_pushlstring(L, out, out.length);
  return 1;
}

// ---- string.format, as Lua 5.1 (C sprintf per conversion) ----

const FLAGS = '-+ #0';

function strFormat(L: LuaState): number {
  const top = lua.lua_gettop(L);
  const fmt = Buffer.from(luaL_checklstring(L, 1));
  let arg = 1;
  const out: Buffer[] = [];
  let lit = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== 0x25) continue;
    if (i > lit) out.push(fmt.subarray(lit, i));
    i++;
    if (fmt[i] === 0x25) {
      out.push(Buffer.from('%'));
      lit = i + 1;
      continue;
    }
    // spec: flags, width (2 digits max), precision (2 digits max)
    const start = i;
    while (i < fmt.length && FLAGS.includes(String.fromCharCode(fmt[i]))) i++;
    if (i - start > FLAGS.length) return luaL_error(L, 'invalid format (repeated flags)');
    const flags = fmt.toString('latin1', start, i);
    let digits = 0;
    let width = 0;
    while (isDigit(fmt[i])) {
      width = width * 10 + fmt[i++] - 48;
      digits++;
    }
    let prec = -1;
    let pdigits = 0;
    if (fmt[i] === 0x2e) {
      i++;
      prec = 0;
      while (isDigit(fmt[i])) {
        prec = prec * 10 + fmt[i++] - 48;
        pdigits++;
      }
    }
    if (digits > 2 || pdigits > 2) return luaL_error(L, 'invalid format (width or precision too long)');
    if (++arg > top) return luaL_argerror(L, arg, 'no value');
    const conv = fmt[i];
    const spec: Spec = { flags, width, prec };
    switch (conv) {
      case 0x63: // c
        out.push(Buffer.from([checkInt(L, arg) & 0xff]));
        break;
      case 0x64: // d
      case 0x69: // i
        out.push(Buffer.from(fmtInt(luaL_checknumber(L, arg), spec), 'latin1'));
        break;
      case 0x6f: // o
      case 0x75: // u
      case 0x78: // x
      case 0x58: // X
        out.push(Buffer.from(fmtUnsigned(luaL_checknumber(L, arg), spec, conv), 'latin1'));
        break;
      case 0x65: // e
      case 0x45: // E
      case 0x66: // f
      case 0x67: // g
      case 0x47: // G
        out.push(Buffer.from(fmtFloat(luaL_checknumber(L, arg), spec, String.fromCharCode(conv)), 'latin1'));
        break;
      case 0x71: // q
        out.push(quote(luaL_checklstring(L, arg)));
        break;
      case 0x73: {
        // s
        const s = Buffer.from(luaL_checklstring(L, arg));
        if (prec < 0 && s.length >= 100) out.push(s);
        else out.push(pad(prec >= 0 ? s.subarray(0, prec) : s, spec));
        break;
      }
      default:
        return raiseAt(L, `invalid option '%${String.fromCharCode(conv ?? 0)}' to 'format'`);
    }
    lit = i + 1;
  }
  if (lit < fmt.length) out.push(fmt.subarray(lit));
  const res = Buffer.concat(out);
  lua.lua_pushlstring(L, res, res.length);
  return 1;
}

interface Spec {
  flags: string;
  width: number;
  prec: number;
}

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 48 && c <= 57;
}

function pad(b: Buffer, spec: Spec): Buffer {
  if (b.length >= spec.width) return b;
  const fill = Buffer.alloc(spec.width - b.length, 0x20);
  return spec.flags.includes('-') ? Buffer.concat([b, fill]) : Buffer.concat([fill, b]);
}

/** Applies sign, zero padding and width to a formatted magnitude. */
function numPad(body: string, neg: boolean, spec: Spec, prefix = '', zeroOk = true): string {
  let sign = neg ? '-' : spec.flags.includes('+') ? '+' : spec.flags.includes(' ') ? ' ' : '';
  sign += prefix;
  const len = sign.length + body.length;
  if (len >= spec.width) return sign + body;
  if (spec.flags.includes('-')) return sign + body + ' '.repeat(spec.width - len);
  if (spec.flags.includes('0') && zeroOk) return sign + '0'.repeat(spec.width - len) + body;
  return ' '.repeat(spec.width - len) + sign + body;
}

const INT64_MIN = -(2n ** 63n);

/** (long long)d as x86 converts it: out of range gives INT64_MIN. */
function toInt64(d: number): bigint {
  if (!(Math.abs(d) < 2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(d));
}

function fmtInt(d: number, spec: Spec): string {
  const v = toInt64(d);
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (spec.prec >= 0) {
    if (spec.prec === 0 && v === 0n) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  return numPad(digits, neg, spec, '', spec.prec < 0);
}

function fmtUnsigned(d: number, spec: Spec, conv: number): string {
  let v: bigint;
  if (Math.abs(d) < 2 ** 63) v = BigInt.asUintN(64, BigInt(Math.trunc(d)));
  else if (d >= 2 ** 63 && d < 2 ** 64) v = BigInt(d);
  else v = 2n ** 63n;
  const base = conv === 0x6f ? 8 : conv === 0x75 ? 10 : 16;
  let digits = v.toString(base);
  if (conv === 0x58) digits = digits.toUpperCase();
  if (spec.prec >= 0) {
    if (spec.prec === 0 && v === 0n) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  let prefix = '';
  if (spec.flags.includes('#')) {
    if (base === 16 && v !== 0n) prefix = conv === 0x58 ? '0X' : '0x';
    if (base === 8 && !digits.startsWith('0')) digits = '0' + digits;
  }
  return numPad(digits, false, { ...spec, flags: spec.flags.replace(/[+ ]/g, '') }, prefix, spec.prec < 0);
}

/** C's %e / %f / %g of a double, with flags, width and precision. */
export function fmtFloat(d: number, spec: Spec, conv: string): string {
  const upper = conv === 'E' || conv === 'G';
  const neg = d < 0 || Object.is(d, -0) || Number.isNaN(d);
  const a = Math.abs(d);
  let body: string;
  if (!Number.isFinite(a)) {
    body = Number.isNaN(a) ? 'nan' : 'inf';
    if (upper) body = body.toUpperCase();
    return numPad(body, neg, spec, '', false);
  }
  const prec = spec.prec < 0 ? 6 : spec.prec;
  const alt = spec.flags.includes('#');
  const lc = conv.toLowerCase();
  if (lc === 'f') body = fixed(a, prec, alt);
  else if (lc === 'e') body = expo(a, prec, alt);
  else {
    const p = prec === 0 ? 1 : prec;
    const x = a === 0 ? 0 : Number.parseInt(a.toExponential(p - 1).split('e')[1], 10);
    if (p > x && x >= -4) body = fixed(a, p - 1 - x, alt);
    else body = expo(a, p - 1, alt);
    if (!alt && body.includes('.')) {
      const e = body.indexOf('e');
      const mant = e >= 0 ? body.slice(0, e) : body;
      const rest = e >= 0 ? body.slice(e) : '';
      body = mant.replace(/0+$/, '').replace(/\.$/, '') + rest;
    }
  }
  if (upper) body = body.toUpperCase();
  return numPad(body, neg, spec);
}

function fixed(a: number, prec: number, alt: boolean): string {
  let s: string;
  if (a < 1e21) s = a.toFixed(Math.min(prec, 100));
  else s = BigInt(a).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  if (prec > 100) s += '0'.repeat(prec - 100);
  if (alt && prec === 0) s += '.';
  return s;
}

function expo(a: number, prec: number, alt: boolean): string {
  const s = a.toExponential(Math.min(prec, 100));
  const e = s.indexOf('e');
  let mant = s.slice(0, e);
  if (prec > 100) mant += '0'.repeat(prec - 100);
  if (alt && prec === 0) mant += '.';
  const exp = Number.parseInt(s.slice(e + 1), 10);
  const ae = Math.abs(exp);
  return `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
}

function quote(s: Uint8Array): Buffer {
  const out: number[] = [0x22];
  for (const c of s) {
    if (c === 0x22 || c === 0x5c) out.push(0x5c, c);
    else if (c === 0x0a) out.push(0x5c, 0x0a);
    else if (c === 0x0d) out.push(0x5c, 0x72);
    else if (c === 0) out.push(0x5c, 0x30, 0x30, 0x30);
    else out.push(c);
  }
  out.push(0x22);
  return Buffer.from(out);
}
