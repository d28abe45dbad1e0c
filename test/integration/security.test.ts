// Hardening, tested as an attacker would try it: another local user, TCP when port is 0,
// password guessing over many connections, allowlist, unauthenticated limits.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { RawClient } from '../helpers/resp';
import { BIN, freePort, startRedoubt, tmpDir } from '../helpers/servers';

const NOBODY = 65534;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const haveSetpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;

/** Runs a command as an unprivileged user; returns its exit status and output. */
function asNobody(cmd: string[]): { status: number | null; out: string } {
  const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...cmd], {
    encoding: 'utf8',
    timeout: 10000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs the server binary to completion (for start-up refusals). */
function runToExit(args: string[], timeout = 15000): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function connectFrom(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects what the server sends until it closes the socket (or timeout). */
function readUntilClose(s: net.Socket, ms = 3000): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    const t = setTimeout(() => resolve({ data, closed: false }), ms);
    s.on('data', (d) => {
      data += d.toString('latin1');
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve({ data, closed: true });
    });
    s.on('error', () => {});
  });
}

describe('data directory and file permissions', () => {
  it('refuses a data directory open to group/others, naming the path and the fix', async () => {
    const base = tmpDir();
    const dir = path.join(base, 'data');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const r = runToExit(['--port', String(port), '--dir', dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`${dir} is accessible by group or others \\(mode 0755\\)`));
    assert.match(r.out, new RegExp(`Fix: chmod 0700 ${dir}`));
  });

  it('permission-check warn starts anyway, with the warning logged', async () => {
    const dir = path.join(tmpDir(), 'data');
    fs.mkdirSync(dir, { mode: 0o750 });
    fs.chmodSync(dir, 0o750);
    const srv = await startRedoubt({ dir, args: ['--permission-check', 'warn'] });
    try {
      assert.match(srv.output(), /Unsafe permissions: .*\(mode 0750\)/);
    } finally {
      await srv.stop();
    }
  });

  it('refuses a data directory owned by another user', {
    skip: !isRoot && 'needs root to chown',
  }, async () => {
    const dir = path.join(tmpDir(), 'data');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, NOBODY, NOBODY);
    const r = runToExit(['--port', String(await freePort()), '--dir', dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /is owned by nobody, not by the user the server runs as/);
    assert.match(r.out, /Fix: chown root /);
  });

  it('creates a missing data directory with mode 0700', async () => {
    const dir = path.join(tmpDir(), 'fresh', 'data');
    const srv = await startRedoubt({ dir });
    try {
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    } finally {
      await srv.stop();
    }
  });

  it('refuses a config file that holds a password and is readable by others', async () => {
    const base = tmpDir();
    const conf = path.join(base, 'redoubt.conf');
    fs.writeFileSync(conf, 'requirepass "s3cr3t-s3cr3t"\n', { mode: 0o644 });
    fs.chmodSync(conf, 0o644);
    const r = runToExit([conf, '--port', String(await freePort()), '--dir', path.join(base, 'd')]);
    assert.equal(r.status, 1, r.out);
    assert.match(
      r.out,
      new RegExp(`${conf} holds secrets and is accessible by group or others \\(mode 0644\\)`),
    );
    assert.match(r.out, new RegExp(`Fix: chmod 0600 ${conf}`));
    assert.ok(!r.out.includes('s3cr3t'), 'the secret itself is never printed');
    fs.chmodSync(conf, 0o600);
    const srv = await startRedoubt({ config: conf, dir: path.join(base, 'd2') });
    await srv.stop();
  });

  it('another local user can read neither the data directory, nor the config, nor use the Unix socket', {
    skip: (!isRoot || !haveSetpriv) && 'needs root and setpriv',
  }, async () => {
    const base = tmpDir();
    fs.chmodSync(base, 0o755); // let nobody reach into the base, as /var/lib would
    const dir = path.join(base, 'data');
    const sock = path.join(base, 'redoubt.sock');
    const conf = path.join(base, 'redoubt.conf');
    fs.writeFileSync(conf, `requirepass "pw-${Date.now()}"\nunixsocket ${sock}\nunixsocketperm 700\n`, {
      mode: 0o600,
    });
    const srv = await startRedoubt({ config: conf, dir });
    try {
      fs.writeFileSync(path.join(dir, 'probe.rdb'), 'data');
      assert.notEqual(asNobody(['ls', dir]).status, 0, 'nobody must not list the data dir');
      assert.notEqual(
        asNobody(['cat', path.join(dir, 'probe.rdb')]).status,
        0,
        'nobody must not read data files',
      );
      assert.notEqual(asNobody(['cat', conf]).status, 0, 'nobody must not read the config');
      const st = fs.statSync(sock);
      assert.ok(st.isSocket());
      assert.equal(st.mode & 0o777, 0o700);
      const r = asNobody(['redis-cli', '-s', sock, 'ping']);
      assert.match(r.out, /Permission denied|Could not connect/);
      assert.ok(!r.out.includes('PONG'));
    } finally {
      await srv.stop();
    }
  });
});

describe('listeners', () => {
  it('port 0 opens no TCP socket at all', async () => {
    const base = tmpDir();
    const sock = path.join(base, 's.sock');
    const srv = await startRedoubt({ noPort: true, args: ['--port', '0', '--unixsocket', sock] });
    try {
      const tcp = fs.readFileSync('/proc/net/tcp', 'utf8') + fs.readFileSync('/proc/net/tcp6', 'utf8');
      const inodes = fs
        .readdirSync(`/proc/${srv.proc.pid}/fd`)
        .map((f) => {
          try {
            return fs.readlinkSync(`/proc/${srv.proc.pid}/fd/${f}`);
          } catch {
            return '';
          }
        })
        .filter((l) => l.startsWith('socket:['))
        .map((l) => l.slice(8, -1));
      // no listening TCP socket (state 0A) belongs to the server process
      const listening = tcp
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[3] === '0A' && inodes.includes(f[9]));
      assert.equal(listening.length, 0, `server listens on TCP: ${JSON.stringify(listening)}`);
      const c = await RawClient.connect({ path: sock });
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      c.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('authentication', () => {
  it('NOAUTH for everything but AUTH/HELLO/QUIT/RESET; AUTH works; CONFIG-free redaction of errors', async () => {
    const srv = await startRedoubt({ args: ['--requirepass', 'correct horse'] });
    try {
      const c = await RawClient.connect({ port: srv.port });
      assert.equal((await c.raw('GET', 'k')).toString(), '-NOAUTH Authentication required.\r\n');
      assert.equal((await c.raw('PING')).toString(), '-NOAUTH Authentication required.\r\n');
      assert.match((await c.raw('HELLO', '3')).toString(), /^-NOAUTH HELLO must be called/);
      assert.equal((await c.raw('RESET')).toString(), '+RESET\r\n');
      assert.equal((await c.raw('AUTH', 'correct horse')).toString(), '+OK\r\n');
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n');
      assert.equal((await c.raw('RESET')).toString(), '+RESET\r\n');
      assert.equal(
        (await c.raw('PING')).toString(),
        '-NOAUTH Authentication required.\r\n',
        'RESET de-authenticates',
      );
      const h = await c.raw('HELLO', '3', 'AUTH', 'default', 'correct horse');
      assert.equal(h[0], '%'.charCodeAt(0));
      assert.equal((await c.raw('QUIT')).toString(), '+OK\r\n');
      assert.ok(!srv.output().includes('correct horse'), 'password never logged');
    } finally {
      await srv.stop();
    }
  });

  it('unauthenticated clients get the small pre-auth protocol limits', async () => {
    const srv = await startRedoubt({ args: ['--requirepass', 'pw'] });
    try {
      const c = await RawClient.connect({ port: srv.port });
      c.write('*11\r\n');
      assert.equal((await c.next()).toString(), '-ERR Protocol error: unauthenticated multibulk length\r\n');
      await c.closed;
      const d = await RawClient.connect({ port: srv.port });
      d.write('*2\r\n$4\r\nAUTH\r\n$20000\r\n');
      assert.equal((await d.next()).toString(), '-ERR Protocol error: unauthenticated bulk length\r\n');
      await d.closed;
    } finally {
      await srv.stop();
    }
  });

  it('password guessing from many connections is locked out; a client from another source is unaffected', async () => {
    const srv = await startRedoubt({
      args: ['--requirepass', 'the-real-password', '--auth-failure-delay', '20', '--auth-max-failures', '10'],
    });
    try {
      // attacker: 100 parallel connections from 127.0.0.2, each guessing until refused
      let answered = 0;
      let wrongpass = 0;
      const attacker = async (i: number) => {
        const s2 = await connectFrom(srv.port, '127.0.0.2').catch(() => null);
        if (s2 === null) return;
        for (let k = 0; k < 5; k++) {
          const reply = await new Promise<string>((resolve) => {
            let buf = '';
            const onData = (d: Buffer) => {
              buf += d.toString('latin1');
              if (buf.endsWith('\r\n')) {
                s2.removeListener('data', onData);
                resolve(buf);
              }
            };
            s2.on('data', onData);
            s2.once('close', () => resolve(buf));
            s2.write(`AUTH guess-${i}-${k}\r\n`);
          });
          if (reply === '') break;
          answered++;
          if (reply.startsWith('-WRONGPASS')) wrongpass++;
          if (reply.startsWith('-ERR too many failed')) break;
        }
        s2.destroy();
      };
      await Promise.all(Array.from({ length: 100 }, (_, i) => attacker(i)));
      // only the first auth-max-failures guesses were ever checked against the password
      assert.ok(wrongpass <= 10, `attacker got ${wrongpass} password checks`);
      assert.ok(answered >= 1);
      // the locked-out source can't even connect now
      const again = await connectFrom(srv.port, '127.0.0.2');
      const r = await readUntilClose(again);
      assert.ok(r.closed);
      assert.match(r.data, /too many failed authentication attempts/);
      // a legitimate client from 127.0.0.1 authenticates at once
      const t0 = Date.now();
      const ok = await RawClient.connect({ port: srv.port });
      assert.equal((await ok.raw('AUTH', 'the-real-password')).toString(), '+OK\r\n');
      assert.equal((await ok.raw('PING')).toString(), '+PONG\r\n');
      ok.close();
      assert.ok(Date.now() - t0 < 2000, 'legitimate AUTH is not delayed');
      assert.match(srv.output(), /Source 127\.0\.0\.2 locked out for 300s/);
      assert.ok(!srv.output().includes('the-real-password'));
    } finally {
      await srv.stop();
    }
  });

  it('failed AUTH replies are delayed exponentially; success is not', async () => {
    const srv = await startRedoubt({ args: ['--requirepass', 'pw', '--auth-failure-delay', '200'] });
    try {
      const c = await RawClient.connect({ port: srv.port });
      let t = Date.now();
      assert.match((await c.raw('AUTH', 'x')).toString(), /^-WRONGPASS/);
      const d1 = Date.now() - t;
      t = Date.now();
      assert.match((await c.raw('AUTH', 'y')).toString(), /^-WRONGPASS/);
      const d2 = Date.now() - t;
      assert.ok(d1 >= 190, `first failure delayed ${d1} ms`);
      assert.ok(d2 >= 390, `second failure delayed ${d2} ms`);
      t = Date.now();
      assert.equal((await c.raw('AUTH', 'pw')).toString(), '+OK\r\n');
      c.close();
    } finally {
      await srv.stop();
    }
  });

  it('unauthenticated connections are closed after auth-timeout and capped per source', async () => {
    const srv = await startRedoubt({
      args: ['--requirepass', 'pw', '--auth-timeout', '2', '--max-unauthenticated-per-source', '3'],
    });
    try {
      const held = await Promise.all([1, 2, 3].map(() => RawClient.connect({ port: srv.port })));
      const fourth = await connectFrom(srv.port, '127.0.0.1');
      const r = await readUntilClose(fourth);
      assert.ok(r.closed);
      assert.match(r.data, /too many unauthenticated connections/);
      // after auth-timeout the held ones are closed by the server
      await Promise.all(held.map((c) => c.closed));
      // an authenticated client is not subject to auth-timeout
      const ok = await RawClient.connect({ port: srv.port });
      assert.equal((await ok.raw('AUTH', 'pw')).toString(), '+OK\r\n');
      await new Promise((res) => setTimeout(res, 2500));
      assert.equal((await ok.raw('PING')).toString(), '+PONG\r\n');
      ok.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('source allowlist', () => {
  it('closes connections from outside allow-from before reading a byte', async () => {
    const srv = await startRedoubt({ args: ['--allow-from', '127.0.0.1/32', '::1'] });
    try {
      const bad = await connectFrom(srv.port, '127.0.0.3');
      bad.write('PING\r\n');
      const r = await readUntilClose(bad);
      assert.ok(r.closed);
      assert.equal(r.data, '', 'nothing is answered');
      const good = await RawClient.connect({ port: srv.port });
      assert.equal((await good.raw('PING')).toString(), '+PONG\r\n');
      good.close();
      assert.match(srv.output(), /Rejected connection from 127\.0\.0\.3: not in allow-from/);
    } finally {
      await srv.stop();
    }
  });

  it('an invalid CIDR is a fatal config error', async () => {
    const r = runToExit([
      '--port',
      String(await freePort()),
      '--dir',
      tmpDir(),
      '--allow-from',
      '10.0.0.0/40',
    ]);
    assert.equal(r.status, 1);
    assert.match(r.out, /FATAL CONFIG FILE ERROR/);
    assert.match(r.out, /Invalid address or CIDR '10\.0\.0\.0\/40'/);
  });
});

describe('secrets at rest and in replies', () => {
  it('requirepass is redacted, rewritten only as a digest, and survives a restart', async () => {
    const base = tmpDir();
    const conf = path.join(base, 'r.conf');
    fs.writeFileSync(conf, 'requirepass "first secret"\n', { mode: 0o600 });
    const srv = await startRedoubt({ config: conf, dir: path.join(base, 'd') });
    const port = srv.port;
    try {
      const c = await RawClient.connect({ port });
      assert.equal((await c.raw('AUTH', 'first secret')).toString(), '+OK\r\n');
      assert.equal(
        (await c.raw('CONFIG', 'GET', 'requirepass')).toString(),
        '*2\r\n$11\r\nrequirepass\r\n$10\r\n(redacted)\r\n',
      );
      assert.equal((await c.raw('CONFIG', 'SET', 'requirepass', 'second secret')).toString(), '+OK\r\n');
      assert.equal((await c.raw('PING')).toString(), '+PONG\r\n', 'the existing session keeps working');
      assert.equal((await c.raw('CONFIG', 'REWRITE')).toString(), '+OK\r\n');
      const text = fs.readFileSync(conf, 'utf8');
      assert.ok(!text.includes('secret'), `no plaintext in the rewritten file:\n${text}`);
      assert.match(text, /^requirepass-sha256 [0-9a-f]{64}$/m);
      assert.equal(fs.statSync(conf).mode & 0o777, 0o600);
      const info = (await c.raw('INFO', 'everything')).toString();
      assert.ok(!info.includes('secret'));
      const d = await RawClient.connect({ port });
      assert.match((await d.raw('AUTH', 'first secret')).toString(), /^-WRONGPASS/);
      d.close();
      c.close();
    } finally {
      await srv.stop();
    }
    assert.ok(!srv.output().includes('secret'), 'never logged');
    const again = await startRedoubt({ config: conf, dir: path.join(base, 'd') });
    try {
      const c = await RawClient.connect({ port: again.port });
      assert.equal((await c.raw('AUTH', 'second secret')).toString(), '+OK\r\n');
      c.close();
    } finally {
      await again.stop();
    }
  });

  it('CONFIG SET of protected paths is refused (the CONFIG SET dir + SAVE attack)', async () => {
    const srv = await startRedoubt();
    try {
      const c = await RawClient.connect({ port: srv.port });
      for (const [name, value] of [
        ['dir', '/root/.ssh'],
        ['dbfilename', 'authorized_keys'],
      ]) {
        const r = (await c.raw('CONFIG', 'SET', name, value)).toString();
        assert.match(
          r,
          new RegExp(
            `^-ERR CONFIG SET failed \\(possibly related to argument '${name}'\\) - can't set protected config`,
          ),
        );
      }
      assert.doesNotMatch((await c.raw('CONFIG', 'GET', 'dir')).toString(), /\.ssh/);
      c.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('rename-command', () => {
  it('removes and moves commands everywhere they can be called by name', async () => {
    const base = tmpDir();
    const conf = path.join(base, 'r.conf');
    fs.writeFileSync(conf, 'rename-command FLUSHALL ""\nrename-command CONFIG cfg-7f3a9\n', { mode: 0o600 });
    const srv = await startRedoubt({ config: conf, dir: path.join(base, 'd') });
    try {
      const c = await RawClient.connect({ port: srv.port });
      assert.match((await c.raw('FLUSHALL')).toString(), /^-ERR unknown command 'FLUSHALL'/);
      assert.match((await c.raw('CONFIG', 'GET', 'port')).toString(), /^-ERR unknown command 'CONFIG'/);
      assert.match((await c.raw('cfg-7f3a9', 'GET', 'maxclients')).toString(), /maxclients/);
      // inside MULTI: the old name is rejected at queue time and aborts EXEC
      await c.raw('MULTI');
      assert.match((await c.raw('FLUSHALL')).toString(), /^-ERR unknown command/);
      assert.match((await c.raw('EXEC')).toString(), /^-EXECABORT/);
      // COMMAND INFO finds the command under its new name only, and, as Redis, names it by its
      // original name: nothing a client can read reveals the new, secret name
      const info = (await c.raw('COMMAND', 'INFO', 'config', 'cfg-7f3a9', 'flushall')).toString();
      assert.match(info, /^\*3\r\n\$-1\r\n\*10\r\n\$6\r\nconfig\r\n/);
      assert.match(info, /\$-1\r\n$/);
      for (const cmd of [
        ['COMMAND'],
        ['COMMAND', 'LIST'],
        ['COMMAND', 'DOCS'],
        ['COMMAND', 'INFO', 'cfg-7f3a9'],
        ['INFO', 'commandstats'],
        ['CLIENT', 'LIST'],
        ['CLIENT', 'INFO'],
      ]) {
        assert.doesNotMatch((await c.raw(...cmd)).toString(), /cfg-7f3a9/, cmd.join(' '));
      }
      const list = (await c.raw('COMMAND', 'LIST')).toString();
      assert.match(list, /\$6\r\nconfig\r\n/);
      assert.doesNotMatch(list, /flushall/);
      c.close();
    } finally {
      await srv.stop();
    }
  });

  it('renaming onto an existing command is a config error', async () => {
    const base = tmpDir();
    const conf = path.join(base, 'r.conf');
    fs.writeFileSync(conf, 'rename-command GET SET\n', { mode: 0o600 });
    const r = runToExit([conf, '--port', String(await freePort()), '--dir', path.join(base, 'd')]);
    assert.equal(r.status, 1);
    assert.match(r.out, /FATAL CONFIG FILE ERROR/);
    assert.match(r.out, /rename-command GET SET/);
  });
});

describe('file paths a client could influence', () => {
  it('SAVE replaces a symlink planted at the dump path instead of writing through it', async () => {
    const base = tmpDir();
    const dir = path.join(base, 'd');
    fs.mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(base, 'victim');
    fs.writeFileSync(victim, 'do not touch');
    // at start-up, a symlink in place of the dump is refused rather than followed
    fs.symlinkSync(victim, path.join(dir, 'dump.rdb'));
    const refused = runToExit(['--port', String(await freePort()), '--dir', dir]);
    assert.equal(refused.status, 1, refused.out);
    assert.match(refused.out, /dump\.rdb is a symbolic link; refusing to follow it/);
    fs.unlinkSync(path.join(dir, 'dump.rdb'));
    const srv = await startRedoubt({ dir });
    try {
      // planted while the server runs
      fs.symlinkSync(victim, path.join(dir, 'dump.rdb'));
      const c = await RawClient.connect({ port: srv.port });
      await c.raw('SET', 'k', 'v');
      assert.equal((await c.raw('SAVE')).toString(), '+OK\r\n');
      c.close();
      assert.equal(fs.readFileSync(victim, 'utf8'), 'do not touch');
      const st = fs.lstatSync(path.join(dir, 'dump.rdb'));
      assert.ok(st.isFile() && !st.isSymbolicLink());
      assert.equal(st.mode & 0o777, 0o600);
    } finally {
      await srv.stop();
    }
  });

  it('dbfilename must be a plain file name', async () => {
    const r = runToExit([
      '--port',
      String(await freePort()),
      '--dir',
      tmpDir(),
      '--dbfilename',
      '../../etc/cron.d/x',
    ]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /FATAL CONFIG FILE ERROR/);
  });
});
