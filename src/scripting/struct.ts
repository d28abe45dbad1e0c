// The `struct` library Redis ships (pack/unpack/size of binary records), from its documented
// format: ">" big endian, "<" little endian, "=" native, "![n]" alignment, "x" pad byte,
// "b/B" char, "h/H" short, "l/L" long, "T" size_t, "i/I[n]" n-byte int, "f" float,
// "d" double, "c[n]" fixed string (c0: whole string / length from the previous value),
// "s" zero-terminated string.

import { type LuaState, lauxlib, lua, raiseAt, setFuncs } from './lua';

const MAXINTSIZE = 32;
const NATIVE_ALIGN = 8;

interface State {
  little: boolean;
  align: number;
}

class FormatReader {
  i = 0;
  constructor(
    readonly f: Buffer,
    readonly L: LuaState,
  ) {}

  num(def: number): number {
    if (this.i >= this.f.length || this.f[this.i] < 48 || this.f[this.i] > 57) return def;
    let a = 0;
    do {
      a = a * 10 + (this.f[this.i++] - 48);
    } while (
      this.i < this.f.length &&
      this.f[this.i] >= 48 &&
      this.f[this.i] <= 57 &&
      a <= (2 ** 31 - 10) / 10
    );
    return a;
  }
}

/** Size of the option `opt`, reading its numeric suffix; null for options that set state. */
function optSize(L: LuaState, r: FormatReader, opt: string, st: State): number | null {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
      return 8;
    case 'f':
      return 4;
    case 'd':
      return 8;
    case 'x':
      return 1;
    case 'c':
      return r.num(1);
    case 'i':
    case 'I': {
      const sz = r.num(4);
      if (sz > MAXINTSIZE) raiseAt(L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    case 's':
    case ' ':
      return 0;
    case '>':
      st.little = false;
      return null;
    case '<':
      st.little = true;
      return null;
    case '=':
      st.little = true;
      return null;
    case '!':
      st.align = r.num(NATIVE_ALIGN);
      return null;
    default:
      return raiseAt(L, `invalid format option '${opt}'`);
  }
}

function gap(opt: string, size: number, pos: number, st: State): number {
  if (opt === 'c' || opt === 's' || opt === 'x' || opt === ' ') return 0;
  let align = size;
  if (align <= 1) return 0;
  if (align > st.align) align = st.align;
  if ((align & (align - 1)) !== 0) return 0;
  return (align - (pos & (align - 1))) & (align - 1);
}

function packInt(out: number[], v: bigint, size: number, little: boolean): void {
  const bytes: number[] = [];
  let x = BigInt.asUintN(Math.min(size, 8) * 8, v);
  for (let i = 0; i < size; i++) {
    if (i < 8) {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
    } else {
      bytes.push(v < 0n ? 0xff : 0);
    }
  }
  if (!little) bytes.reverse();
  out.push(...bytes);
}

function toInt(d: number): bigint {
  if (!Number.isFinite(d)) return 0n;
  const t = Math.trunc(d);
  if (Math.abs(t) >= 2 ** 64) return 0n;
  return BigInt(t);
}

// struct.pack (fmt, v1, v2, ...)
function pack(L: LuaState): number {
  const f = Buffer.from(lauxlib.luaL_checklstring(L, 1));
  const r = new FormatReader(f, L);
  const st: State = { little: true, align: 1 };
  const out: number[] = [];
  let arg = 2;
  while (r.i < f.length) {
    const opt = String.fromCharCode(f[r.i++]);
    const size = optSize(L, r, opt, st);
    if (size === null) continue;
    const g = gap(opt, size, out.length, st);
    for (let k = 0; k < g; k++) out.push(0);
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        packInt(out, toInt(lauxlib.luaL_checknumber(L, arg++)), size, st.little);
        break;
      case 'x':
        out.push(0);
        break;
      case 'f':
      case 'd': {
        const b = Buffer.alloc(size);
        const v = lauxlib.luaL_checknumber(L, arg++);
        if (size === 4) {
          if (st.little) b.writeFloatLE(v);
          else b.writeFloatBE(v);
        } else if (st.little) b.writeDoubleLE(v);
        else b.writeDoubleBE(v);
        out.push(...b);
        break;
      }
      case 'c':
      case 's': {
        const s = lauxlib.luaL_checklstring(L, arg);
        let l = s.length;
        if (opt === 'c' && size !== 0) {
          if (l < size) lauxlib.luaL_argerror(L, arg, 'string too short');
          l = size;
        }
        for (let k = 0; k < l; k++) out.push(s[k]);
        if (opt === 's') out.push(0);
        arg++;
        break;
      }
    }
  }
  const b = Buffer.from(out);
  lua.lua_pushlstring(L, b, b.length);
  return 1;
}

// struct.unpack (fmt, data [, init])
function unpack(L: LuaState): number {
  const f = Buffer.from(lauxlib.luaL_checklstring(L, 1));
  const data = Buffer.from(lauxlib.luaL_checklstring(L, 2));
  let pos = Math.trunc(lauxlib.luaL_optnumber(L, 3, 1)) - 1;
  if (pos < 0) lauxlib.luaL_argerror(L, 3, 'offset must be 1 or greater');
  const r = new FormatReader(f, L);
  const st: State = { little: true, align: 1 };
  let n = 0;
  let prev = 0;
  while (r.i < f.length) {
    const opt = String.fromCharCode(f[r.i++]);
    let size = optSize(L, r, opt, st);
    if (size === null) continue;
    pos += gap(opt, size, pos, st);
    if (!(pos + size <= data.length)) lauxlib.luaL_argerror(L, 2, 'data string too short');
    lua.lua_checkstack(L, 2);
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        const signed = opt === 'b' || opt === 'h' || opt === 'l' || opt === 'i';
        let v = 0n;
        for (let k = 0; k < size; k++) {
          const byte = data[pos + (st.little ? size - 1 - k : k)];
          v = (v << 8n) | BigInt(byte);
        }
        if (signed && size > 0) v = BigInt.asIntN(size * 8, v);
        prev = Number(v);
        lua.lua_pushnumber(L, prev);
        n++;
        break;
      }
      case 'x':
        break;
      case 'f':
      case 'd': {
        const v =
          size === 4
            ? st.little
              ? data.readFloatLE(pos)
              : data.readFloatBE(pos)
            : st.little
              ? data.readDoubleLE(pos)
              : data.readDoubleBE(pos);
        lua.lua_pushnumber(L, v);
        n++;
        break;
      }
      case 'c': {
        if (size === 0) {
          if (n === 0 || lua.lua_type(L, -1) !== lua.LUA_TNUMBER)
            raiseAt(L, 'format `c0` needs a previous size');
          size = Math.trunc(prev);
          lua.lua_pop(L, 1);
          n--;
          if (!(pos + size <= data.length)) lauxlib.luaL_argerror(L, 2, 'data string too short');
        }
        const s = data.subarray(pos, pos + size);
        lua.lua_pushlstring(L, Uint8Array.prototype.slice.call(s), s.length);
        n++;
        break;
      }
      case 's': {
        const e = data.indexOf(0, pos);
        if (e < 0) raiseAt(L, 'unfinished string in data');
        size = e - pos + 1;
        const s = data.subarray(pos, e);
        lua.lua_pushlstring(L, Uint8Array.prototype.slice.call(s), s.length);
        n++;
        break;
      }
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return n + 1;
}

// struct.size (fmt)
function size(L: LuaState): number {
  const f = Buffer.from(lauxlib.luaL_checklstring(L, 1));
  const r = new FormatReader(f, L);
  const st: State = { little: true, align: 1 };
  let pos = 0;
  while (r.i < f.length) {
    const opt = String.fromCharCode(f[r.i++]);
    const sz = optSize(L, r, opt, st);
    if (sz === null) continue;
    if (opt === 's' || (opt === 'c' && sz === 0))
      lauxlib.luaL_argerror(L, 1, "options 'c0' - 's' have undefined sizes");
    pos += gap(opt, sz, pos, st) + sz;
  }
  lua.lua_pushnumber(L, pos);
  return 1;
}

export function openStruct(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setFuncs(L, { pack, unpack, size });
  lua.lua_setglobal(L, 'struct');
}
