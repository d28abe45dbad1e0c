// Conversions between Redis replies and Lua values, as Redis 7.0 does them:
//  reply → Lua: the RESP bytes a command wrote for the script's client are parsed into Lua
//  values (RESP2 or RESP3 table, chosen by redis.setresp);
//  Lua → reply: a script's return value is written for the calling client.

import { formatDouble17 } from '../protocol/format';
import type { ReplyWriter } from '../protocol/reply';
import { type LuaState, lua, pushBuf, pushStr, toBuf } from './lua';

const CR = 0x0d;

class ReplyParser {
  pos = 0;
  constructor(readonly b: Buffer) {}

  line(): string {
    const end = this.b.indexOf(CR, this.pos);
    const s = this.b.toString('latin1', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  bytes(n: number): Buffer {
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n + 2;
    return out;
  }
}

function pushField(L: LuaState, field: string, push: () => void): void {
  lua.lua_createtable(L, 0, 1);
  push();
  lua.lua_setfield(L, -2, field);
}

/** Pushes the Lua form of one reply; returns the error message for a top-level error reply. */
function pushValue(L: LuaState, p: ReplyParser): void {
  lua.lua_checkstack(L, 4);
  const t = p.b[p.pos++];
  switch (t) {
    case 0x2b: {
      // + status → {ok=...}
      const s = p.line();
      pushField(L, 'ok', () => pushStr(L, s));
      return;
    }
    case 0x2d: {
      // - error → {err=...}
      const s = p.line();
      pushField(L, 'err', () => pushStr(L, s));
      return;
    }
    case 0x3a: // : integer → number
      lua.lua_pushnumber(L, Number(p.line()));
      return;
    case 0x24: // $ bulk → string, $-1 → false
    case 0x3d: {
      // = verbatim → {verbatim_string={format=, string=}}
      const n = Number(p.line());
      if (n < 0) {
        lua.lua_pushboolean(L, false);
        return;
      }
      const data = p.bytes(n);
      if (t === 0x24) {
        pushBuf(L, data);
        return;
      }
      pushField(L, 'verbatim_string', () => {
        lua.lua_createtable(L, 0, 2);
        pushBuf(L, data.subarray(0, 3));
        lua.lua_setfield(L, -2, 'format');
        pushBuf(L, data.subarray(4));
        lua.lua_setfield(L, -2, 'string');
      });
      return;
    }
    case 0x2a: // * array
    case 0x3e: {
      // > push
      const n = Number(p.line());
      if (n < 0) {
        lua.lua_pushboolean(L, false);
        return;
      }
      lua.lua_createtable(L, n, 0);
      for (let i = 1; i <= n; i++) {
        pushValue(L, p);
        lua.lua_rawseti(L, -2, i);
      }
      return;
    }
    case 0x25: {
      // % map → {map={k=v...}}
      const n = Number(p.line());
      pushField(L, 'map', () => {
        lua.lua_createtable(L, 0, n);
        for (let i = 0; i < n; i++) {
          pushValue(L, p);
          pushValue(L, p);
          if (lua.lua_type(L, -2) === lua.LUA_TNIL) lua.lua_pop(L, 2);
          else lua.lua_rawset(L, -3);
        }
      });
      return;
    }
    case 0x7e: {
      // ~ set → {set={member=true...}}
      const n = Number(p.line());
      pushField(L, 'set', () => {
        lua.lua_createtable(L, 0, n);
        for (let i = 0; i < n; i++) {
          pushValue(L, p);
          lua.lua_pushboolean(L, true);
          if (lua.lua_type(L, -2) === lua.LUA_TNIL) lua.lua_pop(L, 2);
          else lua.lua_rawset(L, -3);
        }
      });
      return;
    }
    case 0x5f: // _ null → nil
      p.line();
      lua.lua_pushnil(L);
      return;
    case 0x2c: {
      // , double → {double=n}
      const d = parseDouble(p.line());
      pushField(L, 'double', () => lua.lua_pushnumber(L, d));
      return;
    }
    case 0x23: // # boolean
      lua.lua_pushboolean(L, p.line() === 't');
      return;
    case 0x28: {
      // ( big number → {big_number=...}
      const s = p.line();
      pushField(L, 'big_number', () => pushStr(L, s));
      return;
    }
    case 0x7c: {
      // | attributes: skipped, the value follows
      const n = Number(p.line());
      for (let i = 0; i < n * 2; i++) {
        pushValue(L, p);
        lua.lua_pop(L, 1);
      }
      pushValue(L, p);
      return;
    }
    default:
      lua.lua_pushnil(L);
      p.pos = p.b.length;
  }
}

function parseDouble(s: string): number {
  if (s === 'inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  if (s === 'nan' || s === '-nan') return Number.NaN;
  return Number(s);
}

/**
 * Pushes the Lua value of a command's reply. A top-level error reply is not pushed: its
 * message (without the "-") is returned instead, for redis.call to raise or redis.pcall to wrap.
 */
export function pushReply(L: LuaState, reply: Buffer): string | null {
  if (reply.length === 0) {
    lua.lua_pushnil(L);
    return null;
  }
  const p = new ReplyParser(reply);
  if (reply[0] === 0x2d) {
    p.pos = 1;
    return p.line();
  }
  pushValue(L, p);
  return null;
}

/** Redis truncates a Lua number to a long long; out of range (and NaN) gives INT64_MIN. */
export function luaNumberToInt(n: number): number | bigint {
  if (!(Math.abs(n) < 2 ** 63)) return -(2n ** 63n);
  const t = Math.trunc(n);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

/** Reply nesting deeper than this (self-referencing tables) ends the conversion with an error. */
const MAX_DEPTH = 1000;
/** Total values a reply may hold; beyond it the conversion fails rather than running away. */
const MAX_NODES = 10_000_000;

export class ConversionError extends Error {}

function strField(L: LuaState, idx: number, name: string): Buffer | null {
  lua.lua_getfield(L, idx, name);
  const b = lua.lua_type(L, -1) === lua.LUA_TSTRING ? toBuf(L, -1) : null;
  lua.lua_pop(L, 1);
  return b;
}

/**
 * Writes the Lua value at `idx` as a reply. `resp3` is the script's protocol (redis.setresp):
 * it decides how booleans are converted; the writer's protocol decides the encoding.
 */
export function writeLuaValue(L: LuaState, idx: number, w: ReplyWriter, resp3: boolean): void {
  const budget = { nodes: 0 };
  write(L, lua.lua_absindex(L, idx), w, resp3, 0, budget);
}

function write(
  L: LuaState,
  idx: number,
  w: ReplyWriter,
  resp3: boolean,
  depth: number,
  budget: { nodes: number },
): void {
  if (++budget.nodes > MAX_NODES || depth > MAX_DEPTH || !lua.lua_checkstack(L, 4)) {
    throw new ConversionError('reached lua stack limit');
  }
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      w.bulk(toBuf(L, idx)!);
      return;
    case lua.LUA_TBOOLEAN:
      if (resp3) w.bool(lua.lua_toboolean(L, idx));
      else if (lua.lua_toboolean(L, idx)) w.int(1);
      else w.nullBulk();
      return;
    case lua.LUA_TNUMBER:
      w.int(luaNumberToInt(lua.lua_tonumber(L, idx)));
      return;
    case lua.LUA_TTABLE:
      writeTable(L, idx, w, resp3, depth, budget);
      return;
    default:
      w.nullBulk();
  }
}

function writeTable(
  L: LuaState,
  idx: number,
  w: ReplyWriter,
  resp3: boolean,
  depth: number,
  budget: { nodes: number },
): void {
  const err = strField(L, idx, 'err');
  if (err !== null) {
    w.error(err.toString('latin1'));
    return;
  }
  const ok = strField(L, idx, 'ok');
  if (ok !== null) {
    w.simple(ok.toString('latin1').replace(/[\r\n]/g, ' '));
    return;
  }
  lua.lua_getfield(L, idx, 'double');
  if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    const s = Number.isNaN(d) ? '-nan' : formatDouble17(d);
    if (w.proto === 3) w.raw(`,${s}\r\n`);
    else w.bulkStr(s);
    return;
  }
  lua.lua_pop(L, 1);
  const big = strField(L, idx, 'big_number');
  if (big !== null) {
    w.bigNumber(big.toString('latin1').replace(/[\r\n]/g, ' '));
    return;
  }
  lua.lua_getfield(L, idx, 'map');
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const m = lua.lua_gettop(L);
    let n = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, m)) {
      n++;
      lua.lua_pop(L, 1);
    }
    w.map(n);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, m)) {
      const top = lua.lua_gettop(L);
      write(L, top - 1, w, resp3, depth + 1, budget);
      write(L, top, w, resp3, depth + 1, budget);
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  lua.lua_getfield(L, idx, 'set');
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const m = lua.lua_gettop(L);
    let n = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, m)) {
      n++;
      lua.lua_pop(L, 1);
    }
    w.set(n);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, m)) {
      write(L, lua.lua_gettop(L) - 1, w, resp3, depth + 1, budget);
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  lua.lua_getfield(L, idx, 'verbatim_string');
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const v = lua.lua_gettop(L);
    const s = strField(L, v, 'string');
    const f = strField(L, v, 'format');
    lua.lua_pop(L, 1);
    if (s !== null && f !== null) {
      if (w.proto === 3) {
        w.raw(`=${s.length + 4}\r\n${f.toString('latin1').slice(0, 3).padEnd(3, ' ')}:`);
        w.rawBuf(s);
        w.raw('\r\n');
      } else {
        w.bulk(s);
      }
      return;
    }
  } else {
    lua.lua_pop(L, 1);
  }
  // an array: elements 1..n up to the first nil
  let n = 0;
  for (;;) {
    const t = lua.lua_rawgeti(L, idx, n + 1);
    lua.lua_pop(L, 1);
    if (t === lua.LUA_TNIL) break;
    n++;
  }
  w.array(n);
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, idx, i);
    write(L, lua.lua_gettop(L), w, resp3, depth + 1, budget);
    lua.lua_pop(L, 1);
  }
}
