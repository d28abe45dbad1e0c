// The `cmsgpack` library as Redis ships it (lua-cmsgpack behaviour): pack(...) encodes each
// argument as MessagePack and concatenates them; unpack / unpack_one / unpack_limit decode.
// Numbers with an integer value become MessagePack integers (smallest form), others float32
// when exact, else float64; tables with keys 1..n become arrays, others maps; tables nested
// deeper than 16 are encoded as nil.

import { type LuaState, lauxlib, lua, pushStr, raiseAt, setFuncs, toBuf } from './lua';

const MAX_NESTING = 16;

class Out {
  buf = Buffer.allocUnsafe(64);
  n = 0;
  ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(nb, 0, 0, this.n);
    this.buf = nb;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.n++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.n);
    this.n += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.n);
    this.n += 4;
  }
}

function encodeInt(o: Out, n: number): void {
  if (n >= 0) {
    if (n <= 127) o.byte(n);
    else if (n <= 0xff) {
      o.byte(0xcc);
      o.byte(n);
    } else if (n <= 0xffff) {
      o.byte(0xcd);
      o.u16(n);
    } else if (n <= 0xffffffff) {
      o.byte(0xce);
      o.u32(n);
    } else {
      o.byte(0xcf);
      o.ensure(8);
      o.buf.writeBigUInt64BE(BigInt(n) & 0xffffffffffffffffn, o.n);
      o.n += 8;
    }
  } else if (n >= -32) {
    o.byte(n & 0xff);
  } else if (n >= -128) {
    o.byte(0xd0);
    o.byte(n & 0xff);
  } else if (n >= -32768) {
    o.byte(0xd1);
    o.u16(n & 0xffff);
  } else if (n >= -2147483648) {
    o.byte(0xd2);
    o.u32(n >>> 0);
  } else {
    o.byte(0xd3);
    o.ensure(8);
    o.buf.writeBigInt64BE(BigInt(n), o.n);
    o.n += 8;
  }
}

const f32 = new Float32Array(1);

function encodeNumber(o: Out, n: number): void {
  if (Number.isFinite(n) && Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
    encodeInt(o, n);
    return;
  }
  f32[0] = n;
  if (f32[0] === n || (Number.isNaN(n) && false)) {
    o.byte(0xca);
    o.ensure(4);
    o.buf.writeFloatBE(n, o.n);
    o.n += 4;
  } else {
    o.byte(0xcb);
    o.ensure(8);
    o.buf.writeDoubleBE(n, o.n);
    o.n += 8;
  }
}

function encodeBytes(o: Out, b: Uint8Array): void {
  const len = b.length;
  if (len < 32) o.byte(0xa0 | len);
  else if (len <= 0xff) {
    o.byte(0xd9);
    o.byte(len);
  } else if (len <= 0xffff) {
    o.byte(0xda);
    o.u16(len);
  } else {
    o.byte(0xdb);
    o.u32(len);
  }
  o.bytes(b);
}

/** Array length if keys are exactly 1..n, else -1. */
function arrayLen(L: LuaState, idx: number): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx)) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
      lua.lua_pop(L, 1);
      return -1;
    }
    const k = lua.lua_tonumber(L, -1);
    if (!Number.isInteger(k) || k < 1) {
      lua.lua_pop(L, 1);
      return -1;
    }
    if (k > max) max = k;
    count++;
  }
  return count === max ? max : -1;
}

function encodeValue(L: LuaState, idx: number, o: Out, level: number): void {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      encodeBytes(o, lua.lua_tolstring(L, idx)!);
      return;
    case lua.LUA_TBOOLEAN:
      o.byte(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
      return;
    case lua.LUA_TNUMBER:
      encodeNumber(o, lua.lua_tonumber(L, idx));
      return;
    case lua.LUA_TTABLE: {
      if (level >= MAX_NESTING) {
        o.byte(0xc0);
        return;
      }
      lua.lua_checkstack(L, 4);
      const n = arrayLen(L, idx);
      if (n >= 0) {
        if (n <= 15) o.byte(0x90 | n);
        else if (n <= 0xffff) {
          o.byte(0xdc);
          o.u16(n);
        } else {
          o.byte(0xdd);
          o.u32(n);
        }
        for (let i = 1; i <= n; i++) {
          lua.lua_rawgeti(L, idx, i);
          encodeValue(L, lua.lua_gettop(L), o, level + 1);
          lua.lua_pop(L, 1);
        }
        return;
      }
      let count = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) {
        lua.lua_pop(L, 1);
        count++;
      }
      if (count <= 15) o.byte(0x80 | count);
      else if (count <= 0xffff) {
        o.byte(0xde);
        o.u16(count);
      } else {
        o.byte(0xdf);
        o.u32(count);
      }
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) {
        const top = lua.lua_gettop(L);
        encodeValue(L, top - 1, o, level + 1);
        encodeValue(L, top, o, level + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    default:
      o.byte(0xc0);
  }
}

// ---- decoding ----

class Missing extends Error {}
class Bad extends Error {}

class In {
  constructor(
    readonly b: Buffer,
    public p: number,
  ) {}
  need(k: number): void {
    if (this.p + k > this.b.length) throw new Missing();
  }
  u8(): number {
    this.need(1);
    return this.b[this.p++];
  }
  take(k: number): Buffer {
    this.need(k);
    const s = this.b.subarray(this.p, this.p + k);
    this.p += k;
    return s;
  }
}

function decodeValue(L: LuaState, i: In, depth: number): void {
  lua.lua_checkstack(L, 4);
  if (depth > 1000) throw new Bad();
  const t = i.u8();
  if (t <= 0x7f) lua.lua_pushnumber(L, t);
  else if (t >= 0xe0) lua.lua_pushnumber(L, t - 256);
  else if ((t & 0xe0) === 0xa0) pushBytes(L, i.take(t & 0x1f));
  else if ((t & 0xf0) === 0x90) decodeArray(L, i, t & 0x0f, depth);
  else if ((t & 0xf0) === 0x80) decodeMap(L, i, t & 0x0f, depth);
  else decodeTyped(L, i, t, depth);
}

function readNum(i: In, size: number, read: (b: Buffer, p: number) => number): number {
  i.need(size);
  const v = read(i.b, i.p);
  i.p += size;
  return v;
}

function decodeTyped(L: LuaState, i: In, t: number, depth: number): void {
  switch (t) {
    case 0xc0:
      lua.lua_pushnil(L);
      break;
    case 0xc2:
      lua.lua_pushboolean(L, false);
      break;
    case 0xc3:
      lua.lua_pushboolean(L, true);
      break;
    case 0xcc:
      lua.lua_pushnumber(L, i.u8());
      break;
    case 0xcd:
      lua.lua_pushnumber(
        L,
        readNum(i, 2, (b, p) => b.readUInt16BE(p)),
      );
      break;
    case 0xce:
      lua.lua_pushnumber(
        L,
        readNum(i, 4, (b, p) => b.readUInt32BE(p)),
      );
      break;
    case 0xcf:
      lua.lua_pushnumber(
        L,
        readNum(i, 8, (b, p) => Number(b.readBigUInt64BE(p))),
      );
      break;
    case 0xd0:
      lua.lua_pushnumber(
        L,
        readNum(i, 1, (b, p) => b.readInt8(p)),
      );
      break;
    case 0xd1:
      lua.lua_pushnumber(
        L,
        readNum(i, 2, (b, p) => b.readInt16BE(p)),
      );
      break;
    case 0xd2:
      lua.lua_pushnumber(
        L,
        readNum(i, 4, (b, p) => b.readInt32BE(p)),
      );
      break;
    case 0xd3:
      lua.lua_pushnumber(
        L,
        readNum(i, 8, (b, p) => Number(b.readBigInt64BE(p))),
      );
      break;
    case 0xca:
      lua.lua_pushnumber(
        L,
        readNum(i, 4, (b, p) => b.readFloatBE(p)),
      );
      break;
    case 0xcb:
      lua.lua_pushnumber(
        L,
        readNum(i, 8, (b, p) => b.readDoubleBE(p)),
      );
      break;
    case 0xd9:
    case 0xc4:
      pushBytes(L, i.take(i.u8()));
      break;
    case 0xda:
    case 0xc5:
      pushBytes(L, i.take(readNum(i, 2, (b, p) => b.readUInt16BE(p))));
      break;
    case 0xdb:
    case 0xc6:
      pushBytes(L, i.take(readNum(i, 4, (b, p) => b.readUInt32BE(p))));
      break;
    case 0xdc:
      decodeArray(
        L,
        i,
        readNum(i, 2, (b, p) => b.readUInt16BE(p)),
        depth,
      );
      break;
    case 0xdd:
      decodeArray(
        L,
        i,
        readNum(i, 4, (b, p) => b.readUInt32BE(p)),
        depth,
      );
      break;
    case 0xde:
      decodeMap(
        L,
        i,
        readNum(i, 2, (b, p) => b.readUInt16BE(p)),
        depth,
      );
      break;
    case 0xdf:
      decodeMap(
        L,
        i,
        readNum(i, 4, (b, p) => b.readUInt32BE(p)),
        depth,
      );
      break;
    default:
      throw new Bad();
  }
}

function pushBytes(L: LuaState, s: Buffer): void {
  lua.lua_pushlstring(L, Uint8Array.prototype.slice.call(s), s.length);
}

function decodeArray(L: LuaState, i: In, n: number, depth: number): void {
  // every element takes at least one byte: a huge count with little data fails before allocating
  i.need(n);
  lua.lua_createtable(L, 0, 0);
  for (let k = 1; k <= n; k++) {
    decodeValue(L, i, depth + 1);
    lua.lua_rawseti(L, -2, k);
  }
}

function decodeMap(L: LuaState, i: In, n: number, depth: number): void {
  i.need(n * 2);
  lua.lua_createtable(L, 0, 0);
  for (let k = 0; k < n; k++) {
    decodeValue(L, i, depth + 1);
    decodeValue(L, i, depth + 1);
    if (
      lua.lua_type(L, -2) === lua.LUA_TNIL ||
      (lua.lua_type(L, -2) === lua.LUA_TNUMBER && Number.isNaN(lua.lua_tonumber(L, -2)))
    ) {
      lua.lua_pop(L, 2);
    } else {
      lua.lua_rawset(L, -3);
    }
  }
}

/** Decodes up to `limit` objects (0 = all) from offset; returns [count, next offset]. */
function unpackFrom(L: LuaState, data: Buffer, offset: number, limit: number): [number, number] {
  const i = new In(data, offset);
  let n = 0;
  const top = lua.lua_gettop(L);
  try {
    while (i.p < data.length && (limit === 0 || n < limit)) {
      decodeValue(L, i, 0);
      n++;
    }
  } catch (e) {
    lua.lua_settop(L, top);
    if (e instanceof Missing) raiseAt(L, 'Missing bytes in input.');
    if (e instanceof Bad) raiseAt(L, 'Bad data format in input.');
    throw e;
  }
  return [n, i.p >= data.length ? -1 : i.p];
}

export function openCmsgpack(L: LuaState): void {
  lua.lua_createtable(L, 0, 8);
  setFuncs(L, {
    pack: (L) => {
      const n = lua.lua_gettop(L);
      if (n === 0) return raiseAt(L, 'MessagePack pack needs input.');
      const o = new Out();
      for (let k = 1; k <= n; k++) encodeValue(L, k, o, 0);
      lua.lua_pushlstring(L, Uint8Array.prototype.slice.call(o.buf, 0, o.n), o.n);
      return 1;
    },
    unpack: (L) => {
      const data = toBuf(L, 1) ?? Buffer.from(lauxlib.luaL_checklstring(L, 1));
      lua.lua_settop(L, 0);
      const [n] = unpackFrom(L, data, 0, 0);
      return n;
    },
    unpack_one: (L) => {
      const data = Buffer.from(lauxlib.luaL_checklstring(L, 1));
      const offset = Math.trunc(lauxlib.luaL_optnumber(L, 2, 0));
      lua.lua_settop(L, 0);
      lua.lua_pushnumber(L, 0);
      const [n, next] = unpackFrom(L, data, Math.max(0, offset), 1);
      lua.lua_pushnumber(L, next);
      lua.lua_replace(L, 1);
      return n + 1;
    },
    unpack_limit: (L) => {
      const data = Buffer.from(lauxlib.luaL_checklstring(L, 1));
      const limit = Math.trunc(lauxlib.luaL_checknumber(L, 2));
      const offset = Math.trunc(lauxlib.luaL_optnumber(L, 3, 0));
      lua.lua_settop(L, 0);
      lua.lua_pushnumber(L, 0);
      const [n, next] = unpackFrom(L, data, Math.max(0, offset), Math.max(0, limit));
      lua.lua_pushnumber(L, next);
      lua.lua_replace(L, 1);
      return n + 1;
    },
  });
  for (const [k, v] of [
    ['_NAME', 'cmsgpack'],
    ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
    ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
  ]) {
    pushStr(L, v);
    lua.lua_setfield(L, -2, k);
  }
  lua.lua_setglobal(L, 'cmsgpack');
}
