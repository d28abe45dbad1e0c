// Scripting through the binary: a busy script and SCRIPT KILL from another client, sandbox
// escapes, BullMQ-style cjson/cmsgpack code, ioredis defineCommand (EVALSHA then EVAL).

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import { encode, RawClient } from '../helpers/resp';
import { type Running, startRedoubt } from '../helpers/servers';

describe('scripting', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt({ args: ['--busy-reply-threshold', '200'] });
  });
  after(async () => {
    await srv?.stop();
  });

  it('a busy script answers -BUSY to others and SCRIPT KILL stops it', async () => {
    const a = await RawClient.connect({ port: srv.port });
    const b = await RawClient.connect({ port: srv.port });
    try {
      const pending = a.raw('EVAL', 'local i = 0 while true do i = i + 1 end', '0');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(
        (await b.raw('GET', 'x')).toString(),
        '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n',
      );
      assert.equal((await b.raw('SCRIPT', 'KILL')).toString(), '+OK\r\n');
      const r = (await pending).toString();
      assert.match(
        r,
        /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/,
      );
      assert.equal((await b.raw('PING')).toString(), '+PONG\r\n');
      assert.equal((await a.raw('PING')).toString(), '+PONG\r\n');
    } finally {
      a.close();
      b.close();
    }
  });

  it('a script that wrote is UNKILLABLE; pipelined commands of the caller wait for it', async () => {
    const a = await RawClient.connect({ port: srv.port });
    const b = await RawClient.connect({ port: srv.port });
    try {
      const pending = a.raw(
        'EVAL',
        "redis.call('set', KEYS[1], 'v') local t = redis.call('time') local s = tonumber(t[1]) while true do local n = tonumber(redis.call('time')[1]) if n - s >= 2 then break end end return 'done'",
        '1',
        'wk',
      );
      await new Promise((r) => setTimeout(r, 400));
      assert.match((await b.raw('SCRIPT', 'KILL')).toString(), /^-UNKILLABLE /);
      assert.match((await b.raw('FUNCTION', 'KILL')).toString(), /^-BUSY /);
      assert.equal((await pending).toString(), '$4\r\ndone\r\n');
      assert.equal((await b.raw('GET', 'wk')).toString(), '$1\r\nv\r\n');
      assert.equal(
        (await b.raw('SCRIPT', 'KILL')).toString(),
        '-NOTBUSY No scripts in execution right now.\r\n',
      );
    } finally {
      a.close();
      b.close();
    }
  });

  it('a script inside MULTI that cannot be interrupted is stopped at the hard limit', async () => {
    const a = await RawClient.connect({ port: srv.port });
    try {
      await a.raw('CONFIG', 'SET', 'busy-reply-threshold', '100');
      await a.raw('MULTI');
      await a.raw('EVAL', 'while true do end', '0');
      const t0 = Date.now();
      a.write(encode(['EXEC']));
      const r = (await a.next(20000)).toString();
      assert.match(r, /^\*1\r\n-ERR Script exceeded the time limit/);
      assert.ok(Date.now() - t0 < 15000);
      await a.raw('CONFIG', 'SET', 'busy-reply-threshold', '200');
    } finally {
      a.close();
    }
  });

  it('sandbox escapes fail', async () => {
    const c = await RawClient.connect({ port: srv.port });
    try {
      const attempts = [
        "os.execute('touch /tmp/redoubt-pwned')",
        "io.open('/etc/passwd')",
        "require('os')",
        "dofile('/etc/passwd')",
        "loadfile('/etc/passwd')",
        'return loadstring(string.dump(function() return 1 end))()',
        "return loadstring('\\27Lua')()",
        'getmetatable(_G).__index = function() return 1 end',
        'setmetatable(_G, {})',
        "rawset(_G, 'x', 1)",
        'newglobal = 1',
        'string.format = nil',
        'debug.getinfo(1)',
        'return getfenv(1)',
        "package.loadlib('x', 'y')",
      ];
      for (const s of attempts) {
        const r = (await c.raw('EVAL', s, '0')).toString();
        assert.match(r, /^-ERR /, `${s} → ${r}`);
      }
      c.write(
        encode([
          'EVAL',
          'local t = {} local s = string.rep("x", 1000000) for i = 1, 1e9 do t[i] = s .. i end',
          '0',
        ]),
      );
      const huge = (await c.next(60000)).toString();
      assert.match(huge, /^-ERR .*not enough memory/);
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
    } finally {
      c.close();
    }
  });

  it('BullMQ-like cjson / cmsgpack code', async () => {
    const c = await RawClient.connect({ port: srv.port });
    try {
      const script = `
        local opts = cmsgpack.unpack(ARGV[1])
        local data = cjson.decode(ARGV[2])
        local jobId = redis.call('INCR', KEYS[1] .. ':id')
        local jobKey = KEYS[1] .. ':' .. jobId
        redis.call('HMSET', jobKey, 'name', opts.name, 'data', cjson.encode(data), 'opts', cjson.encode(opts),
          'timestamp', opts.timestamp, 'delay', opts.delay or 0, 'priority', opts.priority or 0)
        redis.call('LPUSH', KEYS[1] .. ':wait', jobId)
        redis.call('XADD', KEYS[1] .. ':events', '*', 'event', 'added', 'jobId', jobId)
        local stored = redis.call('HGETALL', jobKey)
        local h = {}
        for i = 1, #stored, 2 do h[stored[i]] = stored[i + 1] end
        return {jobId, h.name, cjson.decode(h.data).n, cmsgpack.pack(opts.attempts, h.timestamp)}`;
      const opts = Buffer.from([
        0x84, 0xa4, 0x6e, 0x61, 0x6d, 0x65, 0xa3, 0x6a, 0x6f, 0x62, 0xa9, 0x74, 0x69, 0x6d, 0x65, 0x73, 0x74,
        0x61, 0x6d, 0x70, 0xcf, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0xa8, 0x61, 0x74, 0x74, 0x65,
        0x6d, 0x70, 0x74, 0x73, 0x03, 0xa5, 0x64, 0x65, 0x6c, 0x61, 0x79, 0x00,
      ]);
      const r = await c.call('EVAL', script, '1', 'bull:q', opts, '{"n":42,"s":"x/y"}');
      assert.ok(Array.isArray(r));
      assert.equal(r[0], 1);
      assert.equal(String(r[1]), 'job');
      assert.equal(r[2], 42);
      // integers stay integers through cmsgpack; 1700000000000 is written back as a number string
      assert.deepEqual([...Buffer.from(r[3] as Buffer)], [0x03, 0xad, ...Buffer.from('1700000000000')]);
    } finally {
      c.close();
    }
  });

  it('ioredis defineCommand: EVALSHA, falling back to EVAL after SCRIPT FLUSH', async () => {
    const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      r.defineCommand('addTwo', {
        numberOfKeys: 1,
        lua: "return redis.call('INCRBY', KEYS[1], ARGV[1]) + 1",
      });
      const cmd = r as unknown as { addTwo(k: string, v: number): Promise<number> };
      assert.equal(await cmd.addTwo('n', 5), 6);
      assert.equal(await cmd.addTwo('n', 5), 11);
      await r.script('FLUSH');
      assert.equal(await cmd.addTwo('n', 1), 12);
    } finally {
      r.disconnect();
    }
  });
});
