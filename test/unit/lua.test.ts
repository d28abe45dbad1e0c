// The fengari adjustments (src/scripting/lua.ts) that make it behave as Lua 5.1: checked
// directly, so an upgrade of fengari that breaks one fails here.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmtNumber, lauxlib, lua, toStr } from '../../src/scripting/lua';
import { openStdlib, Rand48 } from '../../src/scripting/stdlib';

function run(code: string): string {
  const L = lauxlib.luaL_newstate();
  openStdlib(L, new Rand48());
  const b = Buffer.from(code, 'latin1');
  assert.equal(lauxlib.luaL_loadbufferx(L, b, b.length, '@t', 't'), lua.LUA_OK);
  const st = lua.lua_pcall(L, 0, 1, 0);
  const out = toStr(L, -1) ?? '';
  return st === lua.LUA_OK ? out : `error: ${out}`;
}

describe('lua 5.1 compatibility of fengari', () => {
  it('numbers are doubles printed with %.14g', () => {
    assert.equal(run('return tostring(10/2)'), '5');
    assert.equal(run('return tostring(100000 * 100000)'), '10000000000');
    assert.equal(run('return tostring(2^53)'), '9.007199254741e+15');
    assert.equal(run('return tostring(123456789012345)'), '1.2345678901234e+14');
    assert.equal(run("return tostring(tonumber('0xffffffff'))"), '4294967295');
    assert.equal(run('return 1 .. ""'), '1');
    assert.equal(run('return tostring(#"abc" * 2^40)'), '3298534883328');
  });
  it('fmtNumber matches C', () => {
    assert.equal(fmtNumber(0.1), '0.1');
    assert.equal(fmtNumber(1e15), '1e+15');
    assert.equal(fmtNumber(Number.NaN), '-nan');
    assert.equal(fmtNumber(-Infinity), '-inf');
  });
  it('5.1 library', () => {
    assert.equal(run('return tostring(unpack({7}))'), '7');
    assert.equal(run('return string.format("%d", 3.9)'), '3');
    assert.equal(run('return _VERSION'), 'Lua 5.1');
    assert.equal(run('return tostring(math.pow(2, 3))'), '8');
    assert.equal(run('return tostring(loadstring("\\27Lua"))'), 'nil');
    assert.equal(run('return tostring(rawlen)'), 'nil');
  });
});
