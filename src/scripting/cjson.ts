// The `cjson` library as Redis ships it (lua-cjson 2.1 behaviour): cjson.encode / decode with
// its defaults (numbers "%.14g", "/" escaped as "\/", empty tables as "{}", sparse arrays
// refused, nesting limited to 1000), cjson.null, and the configuration functions.

import { fmtNumber, type LuaState, lauxlib, lua, pushStr, raiseAt, setFuncs, toBuf } from './lua';

/** cjson.null: a light userdata, equal only to itself. */
export const CJSON_NULL = { cjsonNull: true };

interface Config {
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  precision: number;
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeInvalidNumbers: boolean | 'null';
  decodeInvalidNumbers: boolean;
  keepBuffer: boolean;
}

function defaults(): Config {
  return {
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    precision: 14,
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeInvalidNumbers: false,
    decodeInvalidNumbers: true,
    keepBuffer: true,
  };
}

// ---- encode ----

const ESCAPES: string[] = [];
for (let i = 0; i < 256; i++) {
  if (i < 0x20 || i === 0x7f) ESCAPES[i] = `\\u${i.toString(16).padStart(4, '0')}`;
}
ESCAPES[0x08] = '\\b';
ESCAPES[0x09] = '\\t';
ESCAPES[0x0a] = '\\n';
ESCAPES[0x0c] = '\\f';
ESCAPES[0x0d] = '\\r';
ESCAPES[0x22] = '\\"';
ESCAPES[0x5c] = '\\\\';
ESCAPES[0x2f] = '\\/';

function escapeString(b: Buffer, out: string[]): void {
  let s = '"';
  let lit = 0;
  for (let i = 0; i < b.length; i++) {
    const e = ESCAPES[b[i]];
    if (e !== undefined) {
      if (i > lit) s += b.toString('latin1', lit, i);
      s += e;
      lit = i + 1;
    }
  }
  if (lit < b.length) s += b.toString('latin1', lit);
  out.push(s + '"');
}

function formatNum(L: LuaState, n: number, cfg: Config): string {
  if (!Number.isFinite(n)) {
    if (cfg.encodeInvalidNumbers === 'null') return 'null';
    if (!cfg.encodeInvalidNumbers) raiseAt(L, 'Cannot serialise number: must not be NaN or Inf');
    return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  }
  return cfg.precision === 14 ? fmtNumber(n) : fmtPrecision(n, cfg.precision);
}

function fmtPrecision(n: number, p: number): string {
  // "%.<p>g"
  const s = n.toPrecision(p);
  if (s.includes('e')) {
    const [m, e] = s.split('e');
    const mm = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const ex = Number.parseInt(e, 10);
    return `${mm}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
  }
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Array length if the table is an array (positive integer keys only), else -1. */
function arrayLength(L: LuaState, idx: number, cfg: Config): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) raiseAt(L, 'Cannot serialise table: excessively sparse array');
    return -1;
  }
  return max;
}

function encodeValue(L: LuaState, idx: number, cfg: Config, depth: number, out: string[]): void {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      escapeString(toBuf(L, idx)!, out);
      return;
    case lua.LUA_TNUMBER:
      out.push(formatNum(L, lua.lua_tonumber(L, idx), cfg));
      return;
    case lua.LUA_TBOOLEAN:
      out.push(lua.lua_toboolean(L, idx) ? 'true' : 'false');
      return;
    case lua.LUA_TNIL:
      out.push('null');
      return;
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === CJSON_NULL) {
        out.push('null');
        return;
      }
      break;
    case lua.LUA_TTABLE: {
      depth++;
      if (depth > cfg.encodeMaxDepth) raiseAt(L, `Cannot serialise, excessive nesting (${depth})`);
      lua.lua_checkstack(L, 4);
      const len = arrayLength(L, idx, cfg);
      if (len > 0) {
        out.push('[');
        for (let i = 1; i <= len; i++) {
          if (i > 1) out.push(',');
          lua.lua_rawgeti(L, idx, i);
          encodeValue(L, lua.lua_gettop(L), cfg, depth, out);
          lua.lua_pop(L, 1);
        }
        out.push(']');
        return;
      }
      out.push('{');
      let first = true;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) {
        if (!first) out.push(',');
        first = false;
        const kt = lua.lua_type(L, -2);
        if (kt === lua.LUA_TSTRING) escapeString(toBuf(L, -2)!, out);
        else if (kt === lua.LUA_TNUMBER) out.push(`"${formatNum(L, lua.lua_tonumber(L, -2), cfg)}"`);
        else raiseAt(L, 'Cannot serialise table: table key must be a number or string');
        out.push(':');
        encodeValue(L, lua.lua_gettop(L), cfg, depth, out);
        lua.lua_pop(L, 1);
      }
      out.push('}');
      return;
    }
  }
  raiseAt(
    L,
    `Cannot serialise ${Buffer.from(lauxlib.luaL_typename(L, idx)).toString('latin1')}: type not supported`,
  );
}

// ---- decode ----

class DecodeError extends Error {}

class Decoder {
  i = 0;
  constructor(
    readonly L: LuaState,
    readonly b: Buffer,
    readonly cfg: Config,
  ) {}

  ws(): void {
    const b = this.b;
    while (
      this.i < b.length &&
      (b[this.i] === 0x20 || b[this.i] === 0x09 || b[this.i] === 0x0a || b[this.i] === 0x0d)
    )
      this.i++;
  }

  /** The name lua-cjson gives the token at the cursor, for error messages. */
  tokenName(): string {
    const c = this.b[this.i];
    if (this.i >= this.b.length) return 'T_END';
    switch (c) {
      case 0x7b:
        return 'T_OBJ_BEGIN';
      case 0x7d:
        return 'T_OBJ_END';
      case 0x5b:
        return 'T_ARR_BEGIN';
      case 0x5d:
        return 'T_ARR_END';
      case 0x2c:
        return 'T_COMMA';
      case 0x3a:
        return 'T_COLON';
      case 0x22:
        return 'T_STRING';
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'T_NUMBER';
    if (this.match('true') || this.match('false')) return 'T_BOOLEAN';
    if (this.match('null')) return 'T_NULL';
    return 'invalid token';
  }

  match(word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.b[this.i + k] !== word.charCodeAt(k)) return false;
    return true;
  }

  fail(expected: string, found?: string): never {
    throw new DecodeError(
      `Expected ${expected} but found ${found ?? this.tokenName()} at character ${this.i + 1}`,
    );
  }

  value(depth: number): void {
    const L = this.L;
    this.ws();
    const c = this.b[this.i];
    if (c === 0x7b) {
      this.object(depth + 1);
      return;
    }
    if (c === 0x5b) {
      this.array(depth + 1);
      return;
    }
    if (c === 0x22) {
      pushBytes(L, this.string());
      return;
    }
    if (
      c === 0x2d ||
      (c !== undefined && c >= 0x30 && c <= 0x39) ||
      c === 0x49 ||
      c === 0x4e ||
      c === 0x69 ||
      c === 0x6e
    ) {
      if (!this.match('null')) {
        lua.lua_pushnumber(L, this.number());
        return;
      }
    }
    if (this.match('true')) {
      this.i += 4;
      lua.lua_pushboolean(L, true);
      return;
    }
    if (this.match('false')) {
      this.i += 5;
      lua.lua_pushboolean(L, false);
      return;
    }
    if (this.match('null')) {
      this.i += 4;
      lua.lua_pushlightuserdata(L, CJSON_NULL);
      return;
    }
    this.fail('value');
  }

  checkDepth(depth: number): void {
    if (depth > this.cfg.decodeMaxDepth) {
      throw new DecodeError(`Found too many nested data structures (${depth}) at character ${this.i + 1}`);
    }
    lua.lua_checkstack(this.L, 4);
  }

  object(depth: number): void {
    const L = this.L;
    this.checkDepth(depth);
    this.i++;
    lua.lua_createtable(L, 0, 0);
    this.ws();
    if (this.b[this.i] === 0x7d) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.b[this.i] !== 0x22) this.fail('object key string');
      pushBytes(L, this.string());
      this.ws();
      if (this.b[this.i] !== 0x3a) this.fail('colon');
      this.i++;
      this.value(depth);
      lua.lua_rawset(L, -3);
      this.ws();
      const c = this.b[this.i];
      if (c === 0x7d) {
        this.i++;
        return;
      }
      if (c !== 0x2c) this.fail('comma or object end');
      this.i++;
    }
  }

  array(depth: number): void {
    const L = this.L;
    this.checkDepth(depth);
    this.i++;
    lua.lua_createtable(L, 0, 0);
    this.ws();
    if (this.b[this.i] === 0x5d) {
      this.i++;
      return;
    }
    for (let n = 1; ; n++) {
      this.value(depth);
      lua.lua_rawseti(L, -2, n);
      this.ws();
      const c = this.b[this.i];
      if (c === 0x5d) {
        this.i++;
        return;
      }
      if (c !== 0x2c) this.fail('comma or array end');
      this.i++;
    }
  }

  string(): Buffer {
    const b = this.b;
    const start = this.i;
    this.i++;
    const out: number[] = [];
    for (;;) {
      if (this.i >= b.length) {
        this.i = start;
        this.fail('value', 'unexpected end of string');
      }
      const c = b[this.i++];
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const e = b[this.i++];
      switch (e) {
        case 0x22:
        case 0x5c:
        case 0x2f:
          out.push(e);
          break;
        case 0x62:
          out.push(8);
          break;
        case 0x66:
          out.push(12);
          break;
        case 0x6e:
          out.push(10);
          break;
        case 0x72:
          out.push(13);
          break;
        case 0x74:
          out.push(9);
          break;
        case 0x75: {
          let cp = this.hex4();
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (b[this.i] !== 0x5c || b[this.i + 1] !== 0x75) this.badEscape(start);
            this.i += 2;
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.badEscape(start);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            this.badEscape(start);
          }
          out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
          break;
        }
        default:
          this.badEscape(start);
      }
    }
    return Buffer.from(out);
  }

  badEscape(start: number): never {
    this.i = start;
    return this.fail('value', 'invalid escape code');
  }

  hex4(): number {
    const s = this.b.toString('latin1', this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(s)) this.badEscape(this.i - 2);
    this.i += 4;
    return Number.parseInt(s, 16);
  }

  number(): number {
    // strtod: decimal, hexadecimal, inf/nan
    const rest = this.b.toString('latin1', this.i, Math.min(this.b.length, this.i + 400));
    const m = /^[-+]?(0[xX][0-9a-fA-F]+|inf(inity)?|nan|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/i.exec(rest);
    if (m === null) this.fail('value', 'invalid number');
    let v: number;
    const t = m[0].toLowerCase();
    if (t.includes('inf') || t.includes('nan')) {
      if (!this.cfg.decodeInvalidNumbers) this.fail('value', 'invalid number');
      v = t.includes('nan') ? Number.NaN : t.startsWith('-') ? -Infinity : Infinity;
    } else if (t.includes('x')) {
      const neg = t.startsWith('-');
      v = Number.parseInt(t.replace(/^[-+]/, ''), 16) * (neg ? -1 : 1);
    } else {
      v = Number(t);
    }
    this.i += m[0].length;
    return v;
  }
}

function pushBytes(L: LuaState, b: Buffer): void {
  lua.lua_pushlstring(L, Uint8Array.prototype.slice.call(b), b.length);
}

function makeModule(L: LuaState): void {
  const cfg = defaults();
  lua.lua_createtable(L, 0, 16);
  setFuncs(L, {
    encode: (L) => {
      if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, 'expected 1 argument');
      const out: string[] = [];
      encodeValue(L, 1, cfg, 0, out);
      const s = Buffer.from(out.join(''), 'latin1');
      lua.lua_pushlstring(L, s, s.length);
      return 1;
    },
    decode: (L) => {
      if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, 'expected 1 argument');
      const b = Buffer.from(lauxlib.luaL_checklstring(L, 1));
      const d = new Decoder(L, b, cfg);
      const top = lua.lua_gettop(L);
      try {
        d.value(0);
        d.ws();
        if (d.i < b.length) d.fail('the end');
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        lua.lua_settop(L, top);
        return raiseAt(L, e.message);
      }
      return 1;
    },
    encode_max_depth: (L) => cfgInt(L, cfg, 'encodeMaxDepth'),
    decode_max_depth: (L) => cfgInt(L, cfg, 'decodeMaxDepth'),
    encode_number_precision: (L) => {
      if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL) {
        const v = Math.trunc(lauxlib.luaL_checknumber(L, 1));
        if (v < 1 || v > 14) lauxlib.luaL_argerror(L, 1, 'expected integer between 1 and 14');
        cfg.precision = v;
      }
      lua.lua_pushnumber(L, cfg.precision);
      return 1;
    },
    encode_keep_buffer: (L) => {
      if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL)
        cfg.keepBuffer = lua.lua_toboolean(L, 1);
      lua.lua_pushboolean(L, cfg.keepBuffer);
      return 1;
    },
    encode_invalid_numbers: (L) => {
      if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL) {
        const isNull = lua.lua_type(L, 1) === lua.LUA_TSTRING && toBuf(L, 1)?.toString() === 'null';
        cfg.encodeInvalidNumbers = isNull ? 'null' : lua.lua_toboolean(L, 1);
      }
      if (cfg.encodeInvalidNumbers === 'null') pushStr(L, 'null');
      else lua.lua_pushboolean(L, cfg.encodeInvalidNumbers);
      return 1;
    },
    decode_invalid_numbers: (L) => {
      if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL)
        cfg.decodeInvalidNumbers = lua.lua_toboolean(L, 1);
      lua.lua_pushboolean(L, cfg.decodeInvalidNumbers);
      return 1;
    },
    encode_sparse_array: (L) => {
      if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL)
        cfg.sparseConvert = lua.lua_toboolean(L, 1);
      if (lua.lua_gettop(L) >= 2 && lua.lua_type(L, 2) !== lua.LUA_TNIL)
        cfg.sparseRatio = Math.trunc(lauxlib.luaL_checknumber(L, 2));
      if (lua.lua_gettop(L) >= 3 && lua.lua_type(L, 3) !== lua.LUA_TNIL)
        cfg.sparseSafe = Math.trunc(lauxlib.luaL_checknumber(L, 3));
      lua.lua_pushboolean(L, cfg.sparseConvert);
      lua.lua_pushnumber(L, cfg.sparseRatio);
      lua.lua_pushnumber(L, cfg.sparseSafe);
      return 3;
    },
    new: (L) => {
      makeModule(L);
      return 1;
    },
  });
  lua.lua_pushlightuserdata(L, CJSON_NULL);
  lua.lua_setfield(L, -2, 'null');
  pushStr(L, 'cjson');
  lua.lua_setfield(L, -2, '_NAME');
  pushStr(L, '2.1.0');
  lua.lua_setfield(L, -2, '_VERSION');
}

function cfgInt(L: LuaState, cfg: Config, field: 'encodeMaxDepth' | 'decodeMaxDepth'): number {
  if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL) {
    const v = Math.trunc(lauxlib.luaL_checknumber(L, 1));
    if (v < 1) lauxlib.luaL_argerror(L, 1, 'expected integer between 1 and 2147483647');
    cfg[field] = v;
  }
  lua.lua_pushnumber(L, cfg[field]);
  return 1;
}

export function openCjson(L: LuaState): void {
  makeModule(L);
  lua.lua_setglobal(L, 'cjson');
}
