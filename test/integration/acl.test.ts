// ACL users through the binary: key and command restrictions over every route (MULTI, EXEC,
// scripts, SORT, multi-key commands), password rotation without downtime, AUTH / HELLO AUTH,
// requirepass and the default user, `user` config lines, the ACL file (permissions, atomic
// SAVE, all-or-nothing LOAD, fatal start-up errors), throttling, and secrets kept out of logs,
// the ACL log, CLIENT LIST and error replies.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RawClient, RespError, type RespValue } from '../helpers/resp';
import { BIN, freePort, type Running, startRedoubt, tmpDir } from '../helpers/servers';

const FAST_AUTH = ['--auth-failure-delay', '0', '--auth-max-failures', '1000000'];
const NOPERM_KEY = 'NOPERM this user has no permissions to access one of the keys used as arguments';
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function text(v: RespValue): string {
  if (v instanceof RespError) return `ERR:${v.message}`;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return String(v);
}

function errOf(v: RespValue): string {
  assert.ok(v instanceof RespError, `expected an error, got ${JSON.stringify(text(v))}`);
  return v.message;
}

async function client(port: number, user?: string, pass?: string): Promise<RawClient> {
  const c = await RawClient.connect({ port });
  if (user !== undefined) assert.equal(text(await c.call('AUTH', user, pass ?? '')), 'OK');
  return c;
}

/** Runs the binary to completion (start-up refusals); returns status and output. */
function runToExit(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 15000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('ACL: a user limited to ~app:* and +@read reaches nothing else', () => {
  let srv: Running;
  let admin: RawClient;
  let reader: RawClient;

  before(async () => {
    srv = await startRedoubt({ args: FAST_AUTH });
    admin = await client(srv.port);
    for (const cmd of [
      ['SET', 'app:1', 'a'],
      ['SET', 'secret', 's'],
      ['RPUSH', 'app:list', '2', '1'],
      ['RPUSH', 'secretlist', 'x'],
      ['SADD', 'app:set', 'm'],
      ['SADD', 'secretset', 'n'],
      ['ZADD', 'app:z', '1', 'm'],
      ['ZADD', 'secretz', '1', 'n'],
      ['HSET', 'app:h', 'f', 'v'],
      ['HSET', 'secreth', 'f', 'v'],
      ['SET', 'w_1', '5'],
      ['ACL', 'SETUSER', 'reader', 'on', '>rpass', '~app:*', '+@read'],
    ]) {
      const r = await admin.call(...cmd);
      assert.ok(!(r instanceof RespError), `${cmd.join(' ')}: ${text(r)}`);
    }
    reader = await client(srv.port, 'reader', 'rpass');
  });
  after(async () => {
    admin?.close();
    reader?.close();
    await srv?.stop();
  });

  it('reads its keys', async () => {
    assert.equal(text(await reader.call('GET', 'app:1')), 'a');
    assert.deepEqual(((await reader.call('LRANGE', 'app:list', '0', '-1')) as Buffer[]).map(text), [
      '2',
      '1',
    ]);
    assert.equal(text(await reader.call('HGET', 'app:h', 'f')), 'v');
    assert.equal(text(await reader.call('EXISTS', 'app:1', 'app:h')), '2');
  });

  it('every read command on another key is refused', async () => {
    const reads: string[][] = [
      ['GET', 'secret'],
      ['MGET', 'app:1', 'secret'],
      ['STRLEN', 'secret'],
      ['GETRANGE', 'secret', '0', '-1'],
      ['EXISTS', 'app:1', 'secret'],
      ['TYPE', 'secret'],
      ['TTL', 'secret'],
      ['OBJECT', 'ENCODING', 'secret'],
      ['LRANGE', 'secretlist', '0', '-1'],
      ['LINDEX', 'secretlist', '0'],
      ['SMEMBERS', 'secretset'],
      ['SUNION', 'app:set', 'secretset'],
      ['SINTER', 'secretset', 'app:set'],
      ['SINTERCARD', '2', 'app:set', 'secretset'],
      ['ZRANGE', 'secretz', '0', '-1'],
      ['ZUNION', '2', 'app:z', 'secretz'],
      ['ZINTER', '2', 'secretz', 'app:z'],
      ['ZDIFF', '2', 'app:z', 'secretz'],
      ['HGETALL', 'secreth'],
      ['HGET', 'secreth', 'f'],
      ['LCS', 'app:1', 'secret'],
      ['BITCOUNT', 'secret'],
      ['SSCAN', 'secretset', '0'],
      ['SORT_RO', 'secretlist'],
      ['LPOS', 'secretlist', 'x'],
    ];
    for (const cmd of reads) {
      const r = await reader.call(...cmd);
      assert.ok(r instanceof RespError, `${cmd.join(' ')} answered ${text(r)}`);
      assert.equal(r.message, NOPERM_KEY, cmd.join(' '));
    }
  });

  it('no write command runs, on any key', async () => {
    for (const cmd of [
      ['SET', 'app:1', 'x'],
      ['DEL', 'app:1'],
      ['RENAME', 'app:1', 'app:2'],
      ['COPY', 'secret', 'app:copy'],
      ['LMOVE', 'secretlist', 'app:list', 'LEFT', 'LEFT'],
      ['SINTERSTORE', 'app:out', 'secretset'],
      ['ZUNIONSTORE', 'app:out', '1', 'secretz'],
      ['SORT', 'secretlist', 'STORE', 'app:out'],
      ['FLUSHALL'],
      ['EXPIRE', 'app:1', '1'],
    ]) {
      const r = await reader.call(...cmd);
      assert.match(
        errOf(r),
        /^NOPERM this user has no permissions to run the '[a-z|]+' command$/,
        cmd.join(' '),
      );
    }
    assert.equal(text(await admin.call('GET', 'app:1')), 'a');
    assert.equal(text(await admin.call('EXISTS', 'app:copy', 'app:out', 'app:2')), '0');
  });

  it('MULTI refuses the command when queued, and EXEC checks again with the current rules', async () => {
    // +@read has no MULTI: give it, as a transaction user would have
    await admin.call('ACL', 'SETUSER', 'reader', '+multi', '+exec', '+discard');
    assert.equal(text(await reader.call('MULTI')), 'OK');
    assert.equal(errOf(await reader.call('GET', 'secret')), NOPERM_KEY);
    assert.equal(text(await reader.call('GET', 'app:1')), 'QUEUED');
    assert.match(errOf(await reader.call('EXEC')), /^EXECABORT/);
    // queued while allowed, refused at EXEC after the rules changed
    assert.equal(text(await reader.call('MULTI')), 'OK');
    assert.equal(text(await reader.call('GET', 'app:1')), 'QUEUED');
    assert.equal(text(await reader.call('STRLEN', 'app:1')), 'QUEUED');
    await admin.call('ACL', 'SETUSER', 'reader', 'resetkeys', '~other:*');
    const r = (await reader.call('EXEC')) as RespValue[];
    assert.equal(r.length, 2);
    for (const x of r) {
      assert.match(errOf(x), /^NOPERM ACLs rules changed .* no permission to touch the specified keys$/);
    }
    await admin.call('ACL', 'SETUSER', 'reader', 'resetkeys', '~app:*');
    const log = (await admin.call('ACL', 'LOG', '1')) as RespValue[][];
    assert.deepEqual(log[0].slice(0, 10).map(text), [
      'count',
      '2',
      'reason',
      'key',
      'context',
      'multi',
      'object',
      'app:1',
      'username',
      'reader',
    ]);
  });

  it('SORT BY / GET patterns are refused, so no other key is read through them', async () => {
    assert.deepEqual(((await reader.call('SORT_RO', 'app:list')) as Buffer[]).map(text), ['1', '2']);
    assert.equal(
      errOf(await reader.call('SORT_RO', 'app:list', 'BY', 'w_*')),
      'ERR BY option of SORT denied due to insufficient ACL permissions.',
    );
    assert.equal(
      errOf(await reader.call('SORT_RO', 'app:list', 'GET', 'secret')),
      'ERR GET option of SORT denied due to insufficient ACL permissions.',
    );
  });

  it('a script runs as its caller: redis.call cannot reach other keys', async () => {
    await admin.call('ACL', 'SETUSER', 'reader', '+eval');
    assert.equal(text(await reader.call('EVAL', "return redis.call('get','app:1')", '0')), 'a');
    assert.match(
      errOf(await reader.call('EVAL', "return redis.call('get','secret')", '0')),
      /^ERR The user executing the script can't access at least one of the keys/,
    );
    assert.match(
      errOf(await reader.call('EVAL', "return redis.call('set','app:1','x')", '0')),
      /^ERR The user executing the script can't run this command or subcommand/,
    );
    assert.equal(errOf(await reader.call('EVAL', 'return 1', '1', 'secret')), NOPERM_KEY);
    await admin.call('ACL', 'SETUSER', 'reader', '-eval');
    assert.equal(text(await admin.call('GET', 'app:1')), 'a');
  });

  it('KEYS, SCAN and RANDOMKEY list key names unfiltered, as Redis does (values stay closed)', async () => {
    const keys = ((await reader.call('KEYS', '*')) as Buffer[]).map(text);
    assert.ok(keys.includes('secret') && keys.includes('app:1'), keys.join(','));
    const scan = (await reader.call('SCAN', '0', 'COUNT', '1000')) as RespValue[];
    assert.ok(((scan[1] as Buffer[]) ?? []).map(text).includes('secret'));
    assert.ok(!((await reader.call('RANDOMKEY')) instanceof RespError));
    assert.equal(errOf(await reader.call('GET', 'secret')), NOPERM_KEY);
  });

  it('channels: the user has none, so it cannot subscribe to keyspace notifications either', async () => {
    await admin.call('ACL', 'SETUSER', 'reader', '+subscribe', '+psubscribe');
    assert.equal(
      errOf(await reader.call('SUBSCRIBE', '__keyspace@0__:secret')),
      'NOPERM this user has no permissions to access one of the channels used as arguments',
    );
    assert.equal(
      errOf(await reader.call('PSUBSCRIBE', '*')),
      'NOPERM this user has no permissions to access one of the channels used as arguments',
    );
    await admin.call('ACL', 'SETUSER', 'reader', '-subscribe', '-psubscribe');
  });

  it('read-only and write-only patterns (%R~ / %W~)', async () => {
    await admin.call('ACL', 'SETUSER', 'rw', 'on', 'nopass', '+@all', '%R~r:*', '%W~w:*');
    await admin.call('SET', 'r:1', 'v');
    const c = await client(srv.port, 'rw', 'x');
    try {
      assert.equal(text(await c.call('GET', 'r:1')), 'v');
      assert.equal(errOf(await c.call('SET', 'r:1', 'x')), NOPERM_KEY);
      assert.equal(text(await c.call('SET', 'w:1', 'x')), 'OK');
      assert.equal(errOf(await c.call('GET', 'w:1')), NOPERM_KEY);
      assert.equal(errOf(await c.call('SET', 'w:1', 'y', 'GET')), NOPERM_KEY);
      assert.equal(errOf(await c.call('INCR', 'w:1')), NOPERM_KEY);
      assert.equal(text(await c.call('EXISTS', 'w:1')), '1');
      assert.equal(text(await c.call('COPY', 'r:1', 'w:2')), '1');
      assert.equal(errOf(await c.call('COPY', 'w:2', 'r:2')), NOPERM_KEY);
    } finally {
      c.close();
    }
  });
});

describe('ACL: passwords, authentication and the default user', () => {
  let srv: Running;
  const opened: RawClient[] = [];
  const conn = async (user?: string, pass?: string) => {
    const c = await client(srv.port, user, pass);
    opened.push(c);
    return c;
  };

  before(async () => {
    srv = await startRedoubt({ args: FAST_AUTH });
  });
  after(async () => {
    for (const c of opened) c.close();
    await srv?.stop();
  });

  it('password rotation without downtime: add a second password, switch clients, remove the first', async () => {
    const admin = await conn();
    assert.equal(text(await admin.call('ACL', 'SETUSER', 'svc', 'on', '>old-pass', '~*', '+@all')), 'OK');
    const a = await conn('svc', 'old-pass');
    assert.equal(text(await a.call('SET', 'k', '1')), 'OK');
    // step 1: the new password is added; both work
    await admin.call('ACL', 'SETUSER', 'svc', '>new-pass');
    const b = await conn('svc', 'new-pass');
    const a2 = await conn('svc', 'old-pass');
    const passwords = (await admin.call('ACL', 'GETUSER', 'svc')) as RespValue[];
    assert.equal((passwords[3] as RespValue[]).length, 2);
    // step 2: clients moved over; the old password is removed
    await admin.call('ACL', 'SETUSER', 'svc', '<old-pass');
    const c = await conn();
    assert.equal(errOf(await c.call('AUTH', 'svc', 'old-pass')), WRONGPASS);
    assert.equal(text(await c.call('AUTH', 'svc', 'new-pass')), 'OK');
    // sessions opened with the old password keep working
    for (const x of [a, a2, b]) {
      assert.equal(text(await x.call('INCR', 'k')).length > 0, true);
      assert.equal(text(await x.call('ACL', 'WHOAMI')), 'svc');
    }
    assert.equal(text(await admin.call('GET', 'k')), '4');
  });

  it('AUTH and HELLO 3 AUTH for ACL users; off users and unknown users get WRONGPASS', async () => {
    const admin = await conn();
    await admin.call('ACL', 'SETUSER', 'h', 'on', '>hp', '+@all', '~*');
    await admin.call('ACL', 'SETUSER', 'offu', 'off', '>op', '+@all', '~*');
    const c = await conn();
    const hello = await c.call('HELLO', '3', 'AUTH', 'h', 'hp');
    assert.ok(typeof hello === 'object' && hello !== null && 'map' in hello, text(hello));
    assert.equal(text(await c.call('ACL', 'WHOAMI')), 'h');
    assert.equal(errOf(await c.call('HELLO', '3', 'AUTH', 'h', 'nope')), WRONGPASS);
    assert.equal(errOf(await c.call('AUTH', 'offu', 'op')), WRONGPASS);
    assert.equal(errOf(await c.call('AUTH', 'ghost', 'op')), WRONGPASS);
    assert.equal(text(await c.call('ACL', 'WHOAMI')), 'h');
    const list = ((await admin.call('CLIENT', 'LIST')) as Buffer).toString('latin1');
    assert.match(list, / user=h /);
  });

  it('requirepass is the default password; default off or with ACL passwords needs AUTH', async () => {
    const admin = await conn();
    await admin.call('ACL', 'SETUSER', 'root', 'on', '>rootpw', '+@all', '~*', '&*');
    await admin.call('CONFIG', 'SET', 'requirepass', 'rp');
    const c = await conn();
    assert.equal(errOf(await c.call('GET', 'x')), 'NOAUTH Authentication required.');
    assert.equal(text(await c.call('AUTH', 'rp')), 'OK');
    assert.equal(text(await c.call('ACL', 'WHOAMI')), 'default');
    // the ACL view of the same password
    await admin.call('ACL', 'SETUSER', 'default', '>second');
    const d = await conn();
    assert.equal(text(await d.call('AUTH', 'default', 'second')), 'OK');
    // an empty requirepass makes default nopass again: new clients start authenticated
    await admin.call('CONFIG', 'SET', 'requirepass', '');
    const e = await conn();
    assert.equal(text(await e.call('ACL', 'WHOAMI')), 'default');
    assert.equal(text(await e.call('PING')), 'PONG');
    // default off: nobody can be default, other users still log in
    await admin.call('ACL', 'SETUSER', 'default', 'off');
    const f = await conn();
    assert.equal(errOf(await f.call('PING')), 'NOAUTH Authentication required.');
    assert.equal(errOf(await f.call('AUTH', 'default', 'x')), WRONGPASS);
    assert.equal(text(await f.call('AUTH', 'root', 'rootpw')), 'OK');
    // RESET drops back to the (disabled) default user, unauthenticated
    assert.equal(text(await f.call('RESET')), 'RESET');
    assert.equal(errOf(await f.call('PING')), 'NOAUTH Authentication required.');
    assert.equal(text(await f.call('AUTH', 'root', 'rootpw')), 'OK');
    await f.call('ACL', 'SETUSER', 'default', 'on');
    assert.equal(text(await admin.call('PING')), 'PONG');
  });

  it('ACL DELUSER disconnects the user clients; ACL LIST shows only digests', async () => {
    const admin = await conn();
    await admin.call('ACL', 'SETUSER', 'gone', 'on', '>gp', '+@all', '~*');
    const g = await conn('gone', 'gp');
    assert.equal(text(await admin.call('ACL', 'DELUSER', 'gone')), '1');
    await g.closed;
    const list = ((await admin.call('ACL', 'LIST')) as Buffer[]).map(text).join('\n');
    assert.doesNotMatch(list, /rootpw|old-pass|new-pass/);
    assert.match(list, /user svc on #[0-9a-f]{64} ~\* resetchannels \+@all/);
  });
});

describe('ACL: failed authentication is throttled and logged, and secrets stay out of sight', () => {
  it('lockout after repeated failures of an ACL user; ACL LOG, CLIENT LIST and the log hold no secret', async () => {
    const srv = await startRedoubt({
      args: ['--auth-failure-delay', '0', '--auth-max-failures', '3', '--loglevel', 'debug'],
    });
    const admin = await client(srv.port);
    try {
      const secret = 'Sup3r-s3cret-value';
      assert.equal(text(await admin.call('ACL', 'SETUSER', 'app', 'on', `>${secret}`, '+@all', '~*')), 'OK');
      // a failed removal names the rule without the password
      const e = errOf(await admin.call('ACL', 'SETUSER', 'app', `<${secret}-nope`));
      assert.equal(
        e,
        "ERR Error in ACL SETUSER modifier '<(redacted)': The password you are trying to remove from the user does not exist",
      );
      assert.match(errOf(await admin.call('ACL', 'SETUSER', 'app', `(>${secret} ~x)`)), /'\(\(redacted\)\)'/);
      const c = await RawClient.connect({ port: srv.port });
      assert.equal(errOf(await c.call('AUTH', 'app', `${secret}-wrong1`)), WRONGPASS);
      assert.equal(errOf(await c.call('AUTH', 'app', `${secret}-wrong2`)), WRONGPASS);
      assert.match(
        errOf(await c.call('AUTH', 'app', `${secret}-wrong3`)),
        /too many failed authentication attempts/,
      );
      // (c was already default, as default has no password: it stays connected, locked out)
      assert.match(errOf(await c.call('AUTH', 'app', secret)), /too many failed authentication attempts/);
      c.close();
      // the source is locked out: even the right password is not tried
      const d = await RawClient.connect({ port: srv.port });
      const r = await d.next().catch(() => null);
      assert.ok(r === null || r.toString('latin1').includes('too many failed'));
      d.close();
      const log = (await admin.call('ACL', 'LOG')) as RespValue[][];
      const auth = log.find((x) => text(x[3]) === 'auth');
      assert.ok(auth !== undefined, JSON.stringify(log.map((x) => x.map(text))));
      assert.equal(text(auth[1]), '3');
      assert.equal(text(auth[9]), 'app');
      const everything = [
        JSON.stringify(log.map((x) => x.map(text))),
        ((await admin.call('CLIENT', 'LIST')) as Buffer).toString('latin1'),
        ((await admin.call('ACL', 'LIST')) as Buffer[]).map(text).join('\n'),
        srv.output(),
      ].join('\n');
      assert.ok(!everything.includes(secret), 'a secret leaked');
    } finally {
      admin.close();
      await srv.stop();
    }
  });
});

describe('ACL: users from the config file and from the ACL file', () => {
  it('`user` lines create users at start-up and override requirepass for default', async () => {
    const base = tmpDir();
    const conf = path.join(base, 'r.conf');
    fs.writeFileSync(
      conf,
      'requirepass old\nuser default on >newpass ~* &* +@all\nuser alice on >apw ~app:* +@read\nuser bob\n',
      { mode: 0o600 },
    );
    const srv = await startRedoubt({ config: conf, dir: path.join(base, 'd'), args: FAST_AUTH });
    try {
      const c = await RawClient.connect({ port: srv.port });
      assert.equal(errOf(await c.call('AUTH', 'old')), WRONGPASS);
      assert.equal(text(await c.call('AUTH', 'newpass')), 'OK');
      const list = ((await c.call('ACL', 'LIST')) as Buffer[]).map(text);
      assert.equal(list.length, 3, list.join('\n'));
      assert.match(list[0], /^user alice on #[0-9a-f]{64} ~app:\* resetchannels -@all \+@read$/);
      assert.equal(list[1], 'user bob off resetchannels -@all');
      assert.match(list[2], /^user default on sanitize-payload #[0-9a-f]{64} ~\* &\* \+@all$/);
      assert.match(srv.output(), /The user 'bob' is disabled/);
      assert.doesNotMatch(srv.output(), /newpass|apw/);
      c.close();
    } finally {
      await srv.stop();
    }
  });

  it('a bad `user` line is a fatal config error naming the file and line, without the password', async () => {
    const base = tmpDir();
    const conf = path.join(base, 'r.conf');
    // (Redis names the word at the failing rule's index among the line's words: here, the password)
    fs.writeFileSync(conf, 'port 0\nuser bob >hunter2 on foo\n', { mode: 0o600 });
    const r = runToExit([conf, '--dir', path.join(base, 'd')]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /at line 2/);
    assert.match(r.out, /Error in user declaration '>\(redacted\)': Syntax error/);
    assert.doesNotMatch(r.out, /hunter2/);
    fs.writeFileSync(conf, 'user bob on\nuser bob off\n', { mode: 0o600 });
    const d = runToExit([conf, '--dir', path.join(base, 'd')]);
    assert.equal(d.status, 1);
    assert.match(d.out, /Duplicate user found/);
  });

  it('user lines and an ACL file together are refused', async () => {
    const base = tmpDir();
    const acl = path.join(base, 'users.acl');
    fs.writeFileSync(acl, 'user a on nopass\n', { mode: 0o600 });
    const conf = path.join(base, 'r.conf');
    fs.writeFileSync(conf, `user b on nopass\naclfile ${acl}\n`, { mode: 0o600 });
    const r = runToExit([conf, '--port', String(await freePort()), '--dir', path.join(base, 'd')]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /user lines\) and an ACL file \(aclfile\) at the same time is invalid/);
  });

  it('a bad ACL file line stops start-up with the file and line number; a missing file too', async () => {
    const base = tmpDir();
    const acl = path.join(base, 'users.acl');
    fs.writeFileSync(acl, 'user a on nopass ~* +@all\nuser b on >pw bogus\n', { mode: 0o600 });
    const port = String(await freePort());
    const r = runToExit(['--port', port, '--dir', path.join(base, 'd'), '--aclfile', acl]);
    assert.equal(r.status, 1, r.out);
    assert.ok(r.out.includes(`${acl}:2: Syntax error.`), r.out);
    const m = runToExit([
      '--port',
      port,
      '--dir',
      path.join(base, 'd'),
      '--aclfile',
      path.join(base, 'none.acl'),
    ]);
    assert.equal(m.status, 1, m.out);
    assert.match(m.out, /Error loading ACLs, opening file '.*none\.acl': No such file or directory/);
  });

  it('an ACL file readable by others is refused (permission-check yes), accepted with a warning (warn)', async () => {
    const base = tmpDir();
    const acl = path.join(base, 'users.acl');
    fs.writeFileSync(acl, 'user a on nopass ~* +@all\n');
    fs.chmodSync(acl, 0o644);
    const port = String(await freePort());
    const r = runToExit(['--port', port, '--dir', path.join(base, 'd'), '--aclfile', acl]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /users\.acl holds secrets and is accessible by group or others \(mode 0644\)/);
    const srv = await startRedoubt({
      dir: path.join(base, 'd2'),
      args: ['--aclfile', acl, '--permission-check', 'warn'],
    });
    try {
      assert.match(srv.output(), /Unsafe permissions: .*users\.acl/);
      const c = await client(srv.port);
      assert.ok(((await c.call('ACL', 'USERS')) as Buffer[]).map(text).includes('a'));
      c.close();
    } finally {
      await srv.stop();
    }
  });

  it('ACL SAVE writes the file atomically (0600); ACL LOAD replaces all users or none', async () => {
    const base = tmpDir();
    const acl = path.join(base, 'users.acl');
    fs.writeFileSync(acl, 'user alice on >apw ~* +@all\nuser default on nopass ~* &* +@all\n', {
      mode: 0o600,
    });
    const srv = await startRedoubt({ dir: path.join(base, 'd'), args: ['--aclfile', acl, ...FAST_AUTH] });
    const opened: RawClient[] = [];
    try {
      const admin = await client(srv.port);
      opened.push(admin);
      assert.equal(text(await admin.call('ACL', 'SETUSER', 'bob', 'on', '>bpw', '~b*', '+get')), 'OK');
      assert.equal(text(await admin.call('ACL', 'SAVE')), 'OK');
      assert.equal(fs.statSync(acl).mode & 0o777, 0o600);
      const saved = fs.readFileSync(acl, 'latin1');
      assert.match(
        saved,
        /^user alice on #[0-9a-f]{64} ~\* resetchannels \+@all\nuser bob on #[0-9a-f]{64} ~b\* resetchannels -@all \+get\nuser default on nopass ~\* &\* \+@all\n$/,
      );
      assert.doesNotMatch(saved, /apw|bpw/);
      assert.deepEqual(
        fs.readdirSync(base).filter((f) => f.startsWith('.tmp')),
        [],
        'no temporary file left behind',
      );
      // a bad line anywhere: nothing changes
      const bob = await client(srv.port, 'bob', 'bpw');
      opened.push(bob);
      fs.writeFileSync(acl, `${saved}user carol on >cpw\nuser dave on +nosuchcommand\n`);
      const err = errOf(await admin.call('ACL', 'LOAD'));
      assert.ok(err.includes(`${acl}:5: Error in applying operation '+nosuchcommand'`), err);
      assert.match(err, /no change to the previously active ACL rules was performed$/);
      assert.deepEqual(((await admin.call('ACL', 'USERS')) as Buffer[]).map(text), [
        'alice',
        'bob',
        'default',
      ]);
      assert.equal(await bob.call('GET', 'bx'), null);
      // a good file: replaced, and clients of the old users are disconnected
      fs.writeFileSync(acl, 'user carol on >cpw ~* +@all\n');
      assert.equal(text(await admin.call('ACL', 'LOAD')), 'OK');
      assert.deepEqual(((await admin.call('ACL', 'USERS')) as Buffer[]).map(text), ['carol', 'default']);
      await bob.closed;
      assert.equal(text(await admin.call('PING')), 'PONG');
      const carol = await client(srv.port, 'carol', 'cpw');
      opened.push(carol);
      // the file went missing: an error, and the users stay
      fs.rmSync(acl);
      assert.match(errOf(await admin.call('ACL', 'LOAD')), /^ERR Error loading ACLs, opening file/);
      assert.deepEqual(((await admin.call('ACL', 'USERS')) as Buffer[]).map(text), ['carol', 'default']);
    } finally {
      for (const c of opened) c.close();
      await srv.stop();
    }
  });
});
