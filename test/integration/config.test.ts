// The configuration through the real binary: a stock Debian redis.conf starts redoubt, config
// errors stop start-up with Redis's fatal message and exit code 1, secrets survive quoting and
// are never shown, rename-command, and CONFIG REWRITE of a live server's file.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { RawClient } from '../helpers/resp';
import {
  BIN,
  freePort,
  type Running,
  redisServerPath,
  skipWithoutRedis,
  startRedoubt,
  tmpDir,
} from '../helpers/servers';

const DEBIAN_CONF = '/etc/redis/redis.conf';

/** Runs the binary to completion (start-up refusals). */
function runToExit(args: string[], timeout = 15000): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function writeConf(dir: string, text: string, name = 'redoubt.conf'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text, { mode: 0o600 });
  return f;
}

async function waitForFile(file: string, re: RegExp, ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // not created yet
    }
    if (re.test(text)) return text;
    if (Date.now() > end) throw new Error(`timeout waiting for ${re} in ${file}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Debian's stock redis.conf", {
  skip: fs.existsSync(DEBIAN_CONF) ? false : `${DEBIAN_CONF} not installed (package redis-server)`,
}, () => {
  it('starts redoubt: implemented directives apply, unsupported ones warn, daemonize is ignored, logfile is honoured', async () => {
    const dir = tmpDir();
    const data = path.join(dir, 'data');
    const log = path.join(dir, 'redoubt.log');
    const pid = path.join(dir, 'redoubt.pid');
    const port = await freePort();
    const proc = spawn(
      process.execPath,
      [BIN, DEBIAN_CONF, '--port', String(port), '--dir', data, '--logfile', log, '--pidfile', pid],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    try {
      const text = await Promise.race([
        waitForFile(log, /Ready to accept connections/, 15000),
        exited.then((c) => {
          throw new Error(`exited with ${c}: ${out}`);
        }),
      ]);
      // the log went to the file, not to stdout
      assert.doesNotMatch(out, /Ready to accept connections/);
      assert.match(text, /'daemonize yes' is ignored/);
      for (const name of ['always-show-logo', 'set-proc-title', 'rdb-del-sync-files', 'jemalloc-bg-thread']) {
        assert.match(
          text,
          new RegExp(`Config directive '${name}' \\(${DEBIAN_CONF}:\\d+\\) is known to Redis 7\\.0`),
        );
      }
      assert.equal(fs.readFileSync(pid, 'utf8').trim(), String(proc.pid));
      const c = await RawClient.connect({ port });
      try {
        assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
        const get = async (n: string) => {
          const r = (await c.call('CONFIG', 'GET', n)) as Buffer[];
          return r[1]?.toString('latin1');
        };
        assert.equal(await get('port'), String(port));
        assert.equal(await get('dir'), data);
        assert.equal(await get('logfile'), log);
        assert.equal(await get('daemonize'), 'yes');
        assert.equal(await get('bind'), '127.0.0.1 -::1');
        assert.equal(await get('databases'), '16');
        assert.equal(await get('appendfilename'), 'appendonly.aof');
        assert.equal(await get('appenddirname'), 'appendonlydir');
        assert.equal(await get('notify-keyspace-events'), '');
        assert.equal(await get('slowlog-max-len'), '128');
        assert.equal(await get('hash-max-listpack-entries'), '512');
        // the file's three lines give Redis's own default
        assert.equal(
          await get('client-output-buffer-limit'),
          'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
        );
      } finally {
        c.close();
      }
    } finally {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  });
});

describe('fatal config errors stop start-up', () => {
  const bad: [string, number, string, string][] = [
    ['port 6379\nfoo bar\n', 2, 'foo bar', 'Bad directive or wrong number of arguments'],
    ['# c\n\nmaxmemory 12xb\n', 3, 'maxmemory 12xb', 'argument must be a memory value'],
    ['timeout "5\n', 1, 'timeout "5', 'Unbalanced quotes in configuration line'],
    ['appendonly perhaps\n', 1, 'appendonly perhaps', "argument must be 'yes' or 'no'"],
    ['rename-command get set\n', 1, 'rename-command get set', 'Target command name already exists'],
  ];
  for (const [text, line, shown, reason] of bad) {
    it(`${JSON.stringify(text)} → exit 1 naming file, line ${line}, text and reason`, () => {
      const dir = tmpDir();
      const conf = writeConf(dir, text);
      const r = runToExit([conf, '--port', '0', '--dir', path.join(dir, 'data')]);
      assert.equal(r.status, 1, r.out + r.err);
      assert.ok(
        r.err.includes(
          `*** FATAL CONFIG FILE ERROR (redoubt 0.1.0) ***\nReading the configuration file ${conf}, at line ${line}\n>>> '${shown}'\n${reason}\n`,
        ),
        r.err,
      );
    });
  }

  it('an include loop is fatal', () => {
    const dir = tmpDir();
    writeConf(dir, 'include a.conf\n', 'b.conf');
    const conf = writeConf(dir, 'timeout 1\ninclude b.conf\n', 'a.conf');
    const r = runToExit([conf, '--port', '0']);
    assert.equal(r.status, 1);
    assert.match(r.err, /include loop: .*a\.conf -> .*b\.conf -> .*a\.conf/);
  });

  it('a missing config file is fatal', () => {
    const r = runToExit(['/nonexistent/redoubt.conf', '--port', '0']);
    assert.equal(r.status, 1);
    assert.match(
      r.err,
      /Fatal error, can't open config file '\/nonexistent\/redoubt\.conf': No such file or directory/,
    );
  });

  it('a bad command-line option is fatal', () => {
    const r = runToExit(['--port', '0', '--maxclients', 'many']);
    assert.equal(r.status, 1);
    assert.match(
      r.err,
      /Reading the configuration file from the command line, at line 2\n>>> 'maxclients many'\nargument couldn't be parsed into an integer/,
    );
  });

  it('an unopenable logfile is fatal', () => {
    const r = runToExit(['--port', '0', '--logfile', '/nonexistent/dir/x.log']);
    assert.equal(r.status, 1);
    assert.match(r.err, /Can't open the log file: No such file or directory/);
  });

  it('a secret is never printed in the fatal message', () => {
    const dir = tmpDir();
    const conf = writeConf(dir, 'requirepass "hunter2\n');
    const r = runToExit([conf, '--port', '0']);
    assert.equal(r.status, 1);
    assert.match(r.err, /Unbalanced quotes/);
    assert.doesNotMatch(r.out + r.err, /hunter2/);
  });
});

describe('secrets and file-only directives through the binary', () => {
  const PASSWORD = `\\:d!&!:Y<p'TXBI0"ys96rfH]lxaA7|E`;

  it("the issue's requirepass line sets the password; CONFIG GET redacts it; it is never logged", async () => {
    const dir = tmpDir();
    const conf = writeConf(dir, `requirepass "\\\\:d!&!:Y<p'TXBI0\\"ys96rfH]lxaA7|E"\nloglevel debug\n`);
    let srv: Running | null = null;
    try {
      srv = await startRedoubt({ config: conf, dir: path.join(dir, 'data') });
      const c = await RawClient.connect({ port: srv.port });
      try {
        assert.match((await c.raw('GET', 'x')).toString(), /^-NOAUTH/);
        assert.match((await c.raw('AUTH', `${PASSWORD}x`)).toString(), /^-WRONGPASS/);
        assert.equal((await c.raw('AUTH', PASSWORD)).toString(), '+OK\r\n');
        assert.equal(
          (await c.raw('CONFIG', 'GET', 'requirepass')).toString(),
          '*2\r\n$11\r\nrequirepass\r\n$10\r\n(redacted)\r\n',
        );
        assert.equal((await c.raw('CONFIG', 'SET', 'requirepass', 'n3w-s3cret')).toString(), '+OK\r\n');
        assert.match(
          (await c.raw('CONFIG', 'SET', 'requirepass', '(redacted)')).toString(),
          /^-ERR CONFIG SET failed/,
        );
      } finally {
        c.close();
      }
      const c2 = await RawClient.connect({ port: srv.port });
      try {
        assert.equal((await c2.raw('AUTH', 'n3w-s3cret')).toString(), '+OK\r\n');
      } finally {
        c2.close();
      }
    } finally {
      await srv?.stop();
    }
    const out = srv?.output() ?? '';
    assert.ok(!out.includes('ys96rfH'), 'the password must not appear in the log');
    assert.ok(!out.includes('n3w-s3cret'), 'the new password must not appear in the log');
  });

  it('rename-command renames and removes commands', async () => {
    const dir = tmpDir();
    const conf = writeConf(dir, 'rename-command flushall ""\nrename-command config my-config\n');
    const srv = await startRedoubt({ config: conf, dir: path.join(dir, 'data') });
    try {
      const c = await RawClient.connect({ port: srv.port });
      try {
        assert.match((await c.raw('FLUSHALL')).toString(), /^-ERR unknown command 'FLUSHALL'/);
        assert.match((await c.raw('CONFIG', 'GET', 'port')).toString(), /^-ERR unknown command 'CONFIG'/);
        const port = String(srv.port);
        assert.equal(
          (await c.raw('MY-CONFIG', 'GET', 'port')).toString(),
          `*2\r\n$4\r\nport\r\n$${port.length}\r\n${port}\r\n`,
        );
      } finally {
        c.close();
      }
    } finally {
      await srv.stop();
    }
  });
});

describe('CONFIG REWRITE on a live server', () => {
  it('rewrites the file in place (mode 0600) and a restart reads the new values back', async () => {
    const dir = tmpDir();
    const data = path.join(dir, 'data');
    const conf = writeConf(
      dir,
      '# my settings\nmaxclients 100\n\n# timeouts\ntimeout 0\nhash-max-ziplist-entries 100\nsave 900 1\nsave 300 10\n' +
        'always-show-logo yes\nrename-command flushall ""\n',
    );
    fs.chmodSync(conf, 0o600);
    let srv = await startRedoubt({ config: conf, dir: data });
    try {
      const c = await RawClient.connect({ port: srv.port });
      try {
        assert.equal(
          (
            await c.raw(
              'CONFIG',
              'SET',
              'maxclients',
              '300',
              'timeout',
              '5',
              'hash-max-listpack-entries',
              '64',
              'save',
              '60 1',
              'maxmemory',
              '3mb',
              'notify-keyspace-events',
              'KEA',
            )
          ).toString(),
          '+OK\r\n',
        );
        assert.equal((await c.raw('CONFIG', 'REWRITE')).toString(), '+OK\r\n');
      } finally {
        c.close();
      }
    } finally {
      await srv.stop();
    }
    const text = fs.readFileSync(conf, 'latin1');
    assert.equal(fs.statSync(conf).mode & 0o777, 0o600);
    const head =
      '# my settings\nmaxclients 300\n\n# timeouts\ntimeout 5\nhash-max-listpack-entries 64\nsave 60 1\n\n' +
      'always-show-logo yes\nrename-command flushall ""\n\n# Generated by CONFIG REWRITE\n';
    assert.ok(text.startsWith(head), text);
    assert.match(text, /^maxmemory 3mb$/m);
    assert.match(text, /^notify-keyspace-events "AKE"$/m);
    // the command line's port and dir differ from the defaults, so they are written too
    assert.match(text, new RegExp(`^port ${srv.port}$`, 'm'));
    assert.match(text, new RegExp(`^dir "${data}"$`, 'm'));
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      ['data', 'redoubt.conf'],
      'no temporary file is left behind',
    );
    // start again from the rewritten file alone (port comes from the file now)
    const port2 = await freePort();
    srv = await startRedoubt({ config: conf, dir: data, noPort: true, args: ['--port', String(port2)] });
    try {
      const c = await RawClient.connect({ port: port2 });
      try {
        const all = (await c.call('CONFIG', 'GET', 'maxclients', 'timeout', 'save', 'maxmemory')) as Buffer[];
        const m = new Map<string, string>();
        for (let i = 0; i < all.length; i += 2) m.set(all[i].toString(), all[i + 1].toString());
        assert.equal(m.get('maxclients'), '300');
        assert.equal(m.get('timeout'), '5');
        assert.equal(m.get('save'), '60 1');
        assert.equal(m.get('maxmemory'), String(3 * 1024 * 1024));
      } finally {
        c.close();
      }
    } finally {
      await srv.stop();
    }
  });

  it('writes the ACL users as redis-server does, and a restart loads them', async (t) => {
    const text = 'port 0\nuser alice on >pw ~* +@all\n# users above\n';
    const steps = [
      ['ACL', 'SETUSER', 'bob', 'on', '>x', '~k*', '+get'],
      ['ACL', 'SETUSER', 'alice', '-@all', '+ping'],
    ];
    const userLines = (f: string) =>
      fs
        .readFileSync(f, 'latin1')
        .split('\n')
        .filter((l) => l.startsWith('user ') && !l.startsWith('user default '));
    // redis-server 7.0 on the same file and commands
    const redisBin = redisServerPath();
    if (redisBin === null) {
      skipWithoutRedis(t);
      return;
    }
    const rdir = tmpDir('rewrite-users-redis-');
    const rconf = writeConf(rdir, text);
    const rport = await freePort();
    const redis = spawn(redisBin, [
      rconf,
      '--port',
      String(rport),
      '--bind',
      '127.0.0.1',
      '--dir',
      rdir,
      '--save',
      '',
    ]);
    try {
      let rc: RawClient | null = null;
      for (let i = 0; i < 100 && rc === null; i++) {
        rc = await RawClient.connect({ port: rport }).catch(() => null);
        if (rc === null) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(rc, 'redis-server started');
      for (const st of steps) assert.equal((await rc.raw(...st)).toString(), '+OK\r\n');
      assert.equal((await rc.raw('CONFIG', 'REWRITE')).toString(), '+OK\r\n');
      rc.close();
    } finally {
      redis.kill('SIGKILL');
    }
    const dir = tmpDir();
    const data = path.join(dir, 'data');
    const conf = writeConf(dir, text);
    const srv = await startRedoubt({ config: conf, dir: data });
    try {
      const c = await RawClient.connect({ port: srv.port });
      try {
        for (const st of steps) assert.equal((await c.raw(...st)).toString(), '+OK\r\n');
        assert.equal((await c.raw('CONFIG', 'REWRITE')).toString(), '+OK\r\n');
      } finally {
        c.close();
      }
    } finally {
      await srv.stop();
    }
    // alice's line is rewritten where it was, bob's appended; hashes only, never the passwords
    const ours = userLines(conf);
    assert.deepEqual(ours, userLines(rconf));
    assert.ok(fs.readFileSync(conf, 'latin1').startsWith(`port ${srv.port}\nuser alice `), 'in place');
    assert.doesNotMatch(fs.readFileSync(conf, 'latin1'), />pw|>x/);
    const port2 = await freePort();
    const again = await startRedoubt({
      config: conf,
      dir: data,
      noPort: true,
      args: ['--port', String(port2)],
    });
    try {
      const c = await RawClient.connect({ port: port2 });
      try {
        assert.equal((await c.raw('AUTH', 'bob', 'x')).toString(), '+OK\r\n');
        assert.equal((await c.raw('GET', 'k1')).toString(), '$-1\r\n');
        assert.match((await c.raw('SET', 'k1', 'v')).toString(), /^-NOPERM/);
      } finally {
        c.close();
      }
    } finally {
      await again.stop();
    }
  });
});
