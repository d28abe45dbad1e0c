// Native TLS, tested with real clients (redis-cli --tls, ioredis, node-redis, node's tls) and a
// throw-away PKI made by openssl: TCP and TLS side by side or TLS only, mutual TLS and what it
// rejects (no certificate, another CA, an expired certificate, TLS 1.1, plaintext, a stalled
// handshake), certificate reload without dropping connections, certificate CN → user, the key
// passphrase kept secret, key file permissions, session resumption. Loopback only.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants as C } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { encryptKey, fingerprint256, type Issued, TestCA } from '../helpers/certs';
import { decode, encode, RawClient, RespError, type RespValue, replyEnd } from '../helpers/resp';
import { BIN, freePort, type Running, startRedoubt, tmpDir } from '../helpers/servers';

const PASS = 'key-pass-7f3e9a1c';
const WRONG_PASS = 'not-the-pass-41b2';
const PW = 'tcp-secret-93c1';
const TLS_UPDATE_FAILED = 'ERR CONFIG SET failed (possibly related to argument';

interface Pki {
  base: string;
  ca: TestCA;
  serverA: Issued;
  serverB: Issued;
  mitm: Issued;
  clientDefault: Issued;
  clientAlice: Issued;
  expired: Issued;
  foreign: Issued;
  /** serverA's key encrypted with PASS */
  encKeyA: string;
  /** the paths the main server is configured with (contents replaced by the reload test) */
  liveCert: string;
  liveKey: string;
}

function makePki(): Pki {
  const base = tmpDir('redoubt-tls-');
  const ca = new TestCA(path.join(base, 'ca'), 'redoubt test CA');
  const other = new TestCA(path.join(base, 'other'), 'another CA');
  const san = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
  const serverA = ca.issue({ cn: 'localhost', san, name: 'server-a' });
  const serverB = ca.issue({ cn: 'localhost', san, name: 'server-b' });
  const mitm = ca.issue({ cn: 'other.test', san: ['DNS:other.test'], name: 'mitm' });
  const clientDefault = ca.issue({ cn: 'default', usage: 'client', name: 'client-default' });
  const clientAlice = ca.issue({ cn: 'alice', usage: 'client', name: 'client-alice' });
  const expired = ca.issue({ cn: 'default', usage: 'client', name: 'client-expired', expired: true });
  const foreign = other.issue({ cn: 'default', usage: 'client', name: 'client-foreign' });
  const encKeyA = encryptKey(serverA.key, PASS, path.join(base, 'server-a-enc.key'));
  const liveCert = path.join(base, 'live.crt');
  const liveKey = path.join(base, 'live.key');
  fs.copyFileSync(serverA.cert, liveCert);
  fs.copyFileSync(encKeyA, liveKey);
  fs.chmodSync(liveKey, 0o600);
  return {
    base,
    ca,
    serverA,
    serverB,
    mitm,
    clientDefault,
    clientAlice,
    expired,
    foreign,
    encKeyA,
    liveCert,
    liveKey,
  };
}

interface Talk {
  replies: RespValue[];
  /** client-side TLS/socket error, if any */
  error: NodeJS.ErrnoException | null;
  closed: boolean;
  fingerprint: string;
  reused: boolean;
  session: Buffer | null;
}

interface TalkOptions extends tls.ConnectionOptions {
  client?: Issued;
  commands?: string[][];
  timeoutMs?: number;
}

/**
 * Opens a TLS connection to 127.0.0.1 (verifying the server as `localhost` with the test CA
 * unless told otherwise), sends the commands once the handshake is done and collects the
 * replies until all came, the connection ends, or the timeout.
 */
function talk(port: number, pki: Pki, o: TalkOptions = {}): Promise<Talk> {
  const { client, commands = [['PING']], timeoutMs = 4000, ...rest } = o;
  return new Promise((resolve) => {
    const out: Talk = {
      replies: [],
      error: null,
      closed: false,
      fingerprint: '',
      reused: false,
      session: null,
    };
    let buf = Buffer.alloc(0);
    const sock = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: fs.readFileSync(pki.ca.cert),
      cert: client ? fs.readFileSync(client.cert) : undefined,
      key: client ? fs.readFileSync(client.key) : undefined,
      ...rest,
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      // a session ticket may arrive just after the first reply
      setImmediate(() => resolve(out));
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('session', (s: Buffer) => {
      out.session = s;
    });
    sock.on('secureConnect', () => {
      out.fingerprint = sock.getPeerCertificate().fingerprint256 ?? '';
      out.reused = sock.isSessionReused();
      if (commands.length === 0) {
        setTimeout(finish, 200);
        return;
      }
      sock.write(Buffer.concat(commands.map((c) => encode(c))));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = replyEnd(buf, 0);
        if (end < 0) break;
        out.replies.push(decode(buf, 0)[0]);
        buf = buf.subarray(end);
      }
      if (out.replies.length >= commands.length) setTimeout(finish, out.session ? 0 : 50);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      out.error = e;
      finish();
    });
    sock.on('close', () => {
      out.closed = true;
      finish();
    });
  });
}

/** A TLS connection that stays open for several exchanges. */
async function openTls(
  port: number,
  pki: Pki,
  client: Issued,
): Promise<{ sock: tls.TLSSocket; call: (...a: string[]) => Promise<RespValue> }> {
  const sock = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: fs.readFileSync(pki.ca.cert),
    cert: fs.readFileSync(client.cert),
    key: fs.readFileSync(client.key),
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('secureConnect', () => resolve());
    sock.once('error', reject);
  });
  let buf = Buffer.alloc(0);
  const waiting: ((v: RespValue) => void)[] = [];
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const end = replyEnd(buf, 0);
      if (end < 0 || waiting.length === 0) break;
      const v = decode(buf, 0)[0];
      buf = buf.subarray(end);
      waiting.shift()?.(v);
    }
  });
  sock.on('error', () => {});
  const call = (...a: string[]) =>
    new Promise<RespValue>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout')), 4000);
      waiting.push((v) => {
        clearTimeout(t);
        resolve(v);
      });
      sock.write(encode(a));
    });
  return { sock, call };
}

/** Bulk strings decode as Buffers: text, recursively, for comparisons. */
function text(v: RespValue | undefined): unknown {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (Array.isArray(v)) return v.map((x) => text(x));
  return v;
}

function errMsg(v: RespValue | undefined): string {
  return v instanceof RespError ? v.message : '';
}

function rejected(t: Talk): boolean {
  return !t.replies.some((r) => r === 'PONG') && (t.closed || t.error !== null);
}

function redisCli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('redis-cli', args, { encoding: 'utf8', timeout: 10000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

function runToExit(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 15000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function infoField(c: RawClient, name: string): Promise<number> {
  const info = String(await c.call('INFO', 'stats'));
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  assert.ok(m, `${name} in INFO stats`);
  return Number(m[1]);
}

/** Polls until `f` holds (the server's counters move right after the client sees the close). */
async function eventually(f: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('TLS', () => {
  let pki: Pki;
  let srv: Running;
  let tlsPort: number;
  let admin: RawClient;

  before(async () => {
    pki = makePki();
    tlsPort = await freePort();
    srv = await startRedoubt({
      args: [
        '--requirepass',
        PW,
        '--tls-port',
        String(tlsPort),
        '--tls-cert-file',
        pki.liveCert,
        '--tls-key-file',
        pki.liveKey,
        '--tls-key-file-pass',
        PASS,
        '--tls-ca-cert-file',
        pki.ca.cert,
        '--tls-auth-clients-user',
        'cn',
        '--tls-handshake-timeout',
        '800',
      ],
    });
    admin = await RawClient.connect({ port: srv.port });
    assert.equal(await admin.call('AUTH', PW), 'OK');
  });

  after(async () => {
    admin?.close();
    await srv?.stop();
    // the passphrase reached the server on its command line; it must never be printed
    assert.ok(!srv.output().includes(PASS), 'the key passphrase appears in the log');
    assert.ok(!srv.output().includes(WRONG_PASS), 'a tried passphrase appears in the log');
    if (pki) fs.rmSync(pki.base, { recursive: true, force: true });
  });

  it('listens on TCP and TLS side by side; redis-cli --tls with a client certificate', async () => {
    assert.match(srv.output(), new RegExp(`Listening on tls:127\\.0\\.0\\.1:${tlsPort}`));
    assert.match(srv.output(), new RegExp(`Listening on tcp:127\\.0\\.0\\.1:${srv.port}`));
    const plain = redisCli([
      '-h',
      '127.0.0.1',
      '-p',
      String(srv.port),
      '--no-auth-warning',
      '-a',
      PW,
      'PING',
    ]);
    assert.equal(plain.out, 'PONG');
    const tlsArgs = ['-h', '127.0.0.1', '-p', String(tlsPort), '--tls', '--cacert', pki.ca.cert];
    const cert = ['--cert', pki.clientDefault.cert, '--key', pki.clientDefault.key];
    // CN=default: authenticated by the certificate, no password
    assert.equal(redisCli([...tlsArgs, ...cert, 'SET', 'tls:k', 'over tls']).out, 'OK');
    assert.equal(redisCli([...tlsArgs, ...cert, 'GET', 'tls:k']).out, 'over tls');
    assert.equal(text(await admin.call('GET', 'tls:k')), 'over tls');
    // TLS port, no client certificate: refused
    const noCert = redisCli([...tlsArgs, 'PING']);
    assert.notEqual(noCert.out, 'PONG');
    // plain RESP to the TLS port: no reply
    const wrongSide = redisCli(['-h', '127.0.0.1', '-p', String(tlsPort), 'PING']);
    assert.notEqual(wrongSide.out, 'PONG');
  });

  it('serves ioredis and node-redis over TLS', async () => {
    const tlsOpts = {
      ca: fs.readFileSync(pki.ca.cert),
      cert: fs.readFileSync(pki.clientDefault.cert),
      key: fs.readFileSync(pki.clientDefault.key),
      servername: 'localhost',
    };
    const io = new Redis({
      host: '127.0.0.1',
      port: tlsPort,
      tls: tlsOpts,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    await io.connect();
    assert.equal(await io.set('tls:io', 'ioredis'), 'OK');
    assert.equal(await io.get('tls:io'), 'ioredis');
    await io.quit();

    const nr = createClient({
      socket: { host: '127.0.0.1', port: tlsPort, tls: true, ...tlsOpts, reconnectStrategy: false },
    });
    nr.on('error', () => {});
    await nr.connect();
    assert.equal(await nr.ping(), 'PONG');
    assert.equal(await nr.get('tls:io'), 'ioredis');
    await nr.quit();
  });

  it('rejects no certificate, another CA, an expired certificate, TLS 1.1 and plaintext; counts them', async () => {
    const before = await infoField(admin, 'tls_handshake_failures');
    const noCert = await talk(tlsPort, pki);
    assert.ok(rejected(noCert), JSON.stringify(noCert.replies));
    assert.match(errMsg(noCert.replies[0]) || String(noCert.error?.code), /certificate required|ECONNRESET/);
    const foreign = await talk(tlsPort, pki, { client: pki.foreign });
    assert.ok(rejected(foreign), 'certificate from another CA accepted');
    const expired = await talk(tlsPort, pki, { client: pki.expired });
    assert.ok(rejected(expired), 'expired certificate accepted');
    // TLS 1.1 needs OpenSSL security level 0 on the client side to be offered at all
    const old = await talk(tlsPort, pki, {
      client: pki.clientDefault,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    assert.ok(rejected(old), 'TLS 1.1 accepted');
    assert.match(String(old.error?.code), /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);
    // the same client at TLS 1.2 gets in: what failed above was the protocol version
    const v12 = await talk(tlsPort, pki, { client: pki.clientDefault, maxVersion: 'TLSv1.2' });
    assert.deepEqual(v12.replies, ['PONG']);
    // plaintext RESP to the TLS port
    const plain = await RawClient.connect({ port: tlsPort });
    plain.write(encode(['PING']));
    await plain.closed;
    assert.equal(plain.leftover().toString('latin1').includes('PONG'), false);
    await eventually(async () => (await infoField(admin, 'tls_handshake_failures')) >= before + 5);
    assert.equal(await infoField(admin, 'tls_handshake_failures'), before + 5);
    // logged, with the peer address and a reason (at most a line a second)
    assert.match(srv.output(), /TLS handshake failed from 127\.0\.0\.1:\d+: no client certificate/);
    // a good certificate still works
    assert.deepEqual((await talk(tlsPort, pki, { client: pki.clientDefault })).replies, ['PONG']);
  });

  it('drops a handshake that does not complete within tls-handshake-timeout', async () => {
    const before = await infoField(admin, 'tls_handshake_failures');
    const t0 = Date.now();
    const s = net.connect({ host: '127.0.0.1', port: tlsPort });
    s.on('error', () => {});
    await new Promise<void>((r) => s.on('close', () => r()));
    const took = Date.now() - t0;
    assert.ok(took >= 700 && took < 4000, `closed after ${took} ms`);
    await eventually(async () => (await infoField(admin, 'tls_handshake_failures')) === before + 1);
    // a half-sent ClientHello stalls the same way
    const t1 = Date.now();
    const h = net.connect({ host: '127.0.0.1', port: tlsPort }, () =>
      h.write(Buffer.from([0x16, 0x03, 0x01, 0x02])),
    );
    h.on('error', () => {});
    await new Promise<void>((r) => h.on('close', () => r()));
    assert.ok(Date.now() - t1 < 4000);
  });

  it('maps a verified certificate CN to its user (tls-auth-clients-user cn)', async () => {
    // CN=default: no AUTH needed although requirepass is set
    assert.deepEqual((await talk(tlsPort, pki, { client: pki.clientDefault })).replies, ['PONG']);
    // CN=alice names no user: connected, but must authenticate
    const alice = await talk(tlsPort, pki, { client: pki.clientAlice });
    assert.match(errMsg(alice.replies[0]), /^NOAUTH/);
    assert.deepEqual(
      (await talk(tlsPort, pki, { client: pki.clientAlice, commands: [['AUTH', PW], ['PING']] })).replies,
      ['OK', 'PONG'],
    );
    // once alice is an enabled ACL user, her certificate logs her in; disabled, it does not
    assert.equal(await admin.call('ACL', 'SETUSER', 'alice', 'on', '>alice-pw', '+@all', '~*'), 'OK');
    const asAlice = await talk(tlsPort, pki, {
      client: pki.clientAlice,
      commands: [['ACL', 'WHOAMI'], ['PING']],
    });
    assert.deepEqual(text(asAlice.replies), ['alice', 'PONG']);
    assert.equal(await admin.call('ACL', 'SETUSER', 'alice', 'off'), 'OK');
    assert.match(errMsg((await talk(tlsPort, pki, { client: pki.clientAlice })).replies[0]), /^NOAUTH/);
    assert.equal(await admin.call('ACL', 'DELUSER', 'alice'), 1);
    // default switched off: CN=default gets nothing either
    assert.equal(await admin.call('ACL', 'SETUSER', 'default', 'off'), 'OK');
    assert.match(errMsg((await talk(tlsPort, pki, { client: pki.clientDefault })).replies[0]), /^NOAUTH/);
    assert.equal(await admin.call('ACL', 'SETUSER', 'default', 'on'), 'OK');
    // off: the certificate admits the connection, nothing more
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-auth-clients-user', 'off'), 'OK');
    const off = await talk(tlsPort, pki, { client: pki.clientDefault });
    assert.match(errMsg(off.replies[0]), /^NOAUTH/);
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-auth-clients-user', 'cn'), 'OK');
    // an expired certificate naming a user gets nothing (verified certificates only)
    assert.ok(rejected(await talk(tlsPort, pki, { client: pki.expired })));
  });

  it('tls-auth-clients optional and no', async () => {
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-auth-clients', 'optional'), 'OK');
    // no certificate: connected (and must authenticate)
    const none = await talk(tlsPort, pki);
    assert.match(errMsg(none.replies[0]), /^NOAUTH/);
    // a certificate is still verified when given
    assert.ok(rejected(await talk(tlsPort, pki, { client: pki.foreign })));
    assert.deepEqual((await talk(tlsPort, pki, { client: pki.clientDefault })).replies, ['PONG']);
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-auth-clients', 'no'), 'OK');
    // not asked for: a foreign certificate is not even looked at, and maps to no user
    const foreign = await talk(tlsPort, pki, { client: pki.foreign });
    assert.match(errMsg(foreign.replies[0]), /^NOAUTH/);
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-auth-clients', 'yes'), 'OK');
    assert.ok(rejected(await talk(tlsPort, pki)));
  });

  it('reloads certificates on CONFIG SET without dropping connections', async () => {
    const fpA = fingerprint256(pki.serverA.cert);
    const fpB = fingerprint256(pki.serverB.cert);
    const fpM = fingerprint256(pki.mitm.cert);
    const kept = await openTls(tlsPort, pki, pki.clientDefault);
    assert.equal(kept.sock.getPeerCertificate().fingerprint256, fpA);
    assert.equal(await kept.call('PING'), 'PONG');

    // new files
    assert.equal(
      await admin.call('CONFIG', 'SET', 'tls-cert-file', pki.serverB.cert, 'tls-key-file', pki.serverB.key),
      'OK',
    );
    assert.equal(await kept.call('SET', 'tls:kept', '1'), 'OK');
    assert.equal((await talk(tlsPort, pki, { client: pki.clientDefault })).fingerprint, fpB);

    // the same paths with new contents: CONFIG SET re-reads them
    assert.equal(
      await admin.call('CONFIG', 'SET', 'tls-cert-file', pki.liveCert, 'tls-key-file', pki.liveKey),
      'OK',
    );
    assert.equal((await talk(tlsPort, pki, { client: pki.clientDefault })).fingerprint, fpA);
    fs.copyFileSync(pki.mitm.cert, pki.liveCert);
    fs.copyFileSync(pki.mitm.key, pki.liveKey);
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-cert-file', pki.liveCert), 'OK');

    // now the server presents a certificate (from the trusted CA) for another name: a client
    // checking the host name refuses it, as it would refuse a man in the middle
    const byName = await talk(tlsPort, pki, { client: pki.clientDefault });
    assert.equal(byName.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.deepEqual(byName.replies, []);
    const byIp = await talk(tlsPort, pki, { client: pki.clientDefault, servername: undefined });
    assert.equal(byIp.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    const asOther = await talk(tlsPort, pki, { client: pki.clientDefault, servername: 'other.test' });
    assert.equal(asOther.fingerprint, fpM);
    assert.deepEqual(asOther.replies, ['PONG']);

    // a certificate that does not match the key: refused, the running one stays
    const bad = await admin.call('CONFIG', 'SET', 'tls-cert-file', pki.serverA.cert);
    assert.ok(errMsg(bad).startsWith(TLS_UPDATE_FAILED), String(errMsg(bad)));
    assert.match(errMsg(bad), /Unable to update TLS configuration\. Check server logs\.$/);
    assert.deepEqual(text(await admin.call('CONFIG', 'GET', 'tls-cert-file')), [
      'tls-cert-file',
      pki.liveCert,
    ]);
    assert.equal(
      (await talk(tlsPort, pki, { client: pki.clientDefault, servername: 'other.test' })).fingerprint,
      fpM,
    );
    assert.match(srv.output(), /Failed to update the TLS configuration: .*key values mismatch/);

    // the first connection lived through all of it
    assert.equal(text(await kept.call('GET', 'tls:kept')), '1');
    kept.sock.destroy();

    // back to A, with the encrypted key
    fs.copyFileSync(pki.serverA.cert, pki.liveCert);
    fs.copyFileSync(pki.encKeyA, pki.liveKey);
    assert.equal(
      await admin.call('CONFIG', 'SET', 'tls-cert-file', pki.liveCert, 'tls-key-file', pki.liveKey),
      'OK',
    );
    assert.equal((await talk(tlsPort, pki, { client: pki.clientDefault })).fingerprint, fpA);
  });

  it('keeps tls-key-file-pass secret', async () => {
    assert.deepEqual(text(await admin.call('CONFIG', 'GET', 'tls-key-file-pass')), [
      'tls-key-file-pass',
      '(redacted)',
    ]);
    const all = (await admin.call('CONFIG', 'GET', 'tls-*')) as RespValue[];
    assert.ok(!all.map(String).some((v) => v.includes(PASS)));
    // a wrong passphrase cannot decrypt the key: refused, the old one stays in use
    const r = await admin.call('CONFIG', 'SET', 'tls-key-file-pass', WRONG_PASS);
    assert.match(errMsg(r), /Unable to update TLS configuration/);
    assert.ok(!errMsg(r).includes(WRONG_PASS));
    assert.deepEqual((await talk(tlsPort, pki, { client: pki.clientDefault })).replies, ['PONG']);
    // the redaction marker itself is refused as a value
    assert.match(
      errMsg(await admin.call('CONFIG', 'SET', 'tls-key-file-pass', '(redacted)')),
      /redaction marker/,
    );
  });

  it('resumes sessions when tls-session-caching is on, not when off', async () => {
    const opts = { client: pki.clientDefault };
    const first = await talk(tlsPort, pki, opts);
    assert.ok(first.session, 'no session ticket');
    const again = await talk(tlsPort, pki, { ...opts, session: first.session ?? undefined });
    assert.equal(again.reused, true);
    assert.deepEqual(again.replies, ['PONG']);
    // TLS 1.2 without tickets: the server's session-ID cache
    const noTicket = { ...opts, maxVersion: 'TLSv1.2' as const, secureOptions: C.SSL_OP_NO_TICKET };
    const id1 = await talk(tlsPort, pki, noTicket);
    assert.ok(id1.session);
    const id2 = await talk(tlsPort, pki, { ...noTicket, session: id1.session ?? undefined });
    assert.equal(id2.reused, true);

    assert.equal(await admin.call('CONFIG', 'SET', 'tls-session-caching', 'no'), 'OK');
    const a = await talk(tlsPort, pki, opts);
    const b = await talk(tlsPort, pki, { ...opts, session: a.session ?? first.session ?? undefined });
    assert.equal(b.reused, false);
    assert.deepEqual(b.replies, ['PONG']);
    const c = await talk(tlsPort, pki, { ...noTicket, session: id1.session ?? undefined });
    assert.equal(c.reused, false);
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-session-caching', 'yes'), 'OK');
  });

  it('refuses bad TLS settings while TLS is in use', async () => {
    for (const [name, value] of [
      ['tls-protocols', 'TLSv1.4'],
      ['tls-ciphers', 'NO-SUCH-CIPHER'],
      ['tls-ca-cert-file', path.join(pki.base, 'missing.crt')],
    ]) {
      const r = await admin.call('CONFIG', 'SET', name, value);
      assert.match(errMsg(r), /Unable to update TLS configuration/, `${name} ${value}`);
    }
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-protocols', 'tlsv1.3'), 'OK');
    assert.ok(rejected(await talk(tlsPort, pki, { client: pki.clientDefault, maxVersion: 'TLSv1.2' })));
    assert.deepEqual((await talk(tlsPort, pki, { client: pki.clientDefault })).replies, ['PONG']);
    assert.equal(await admin.call('CONFIG', 'SET', 'tls-protocols', ''), 'OK');
    // as port and bind, tls-port is fixed at start-up
    assert.match(errMsg(await admin.call('CONFIG', 'SET', 'tls-port', '1')), /can't set immutable config/);
  });
});

describe('TLS start-up', () => {
  let pki: Pki;
  before(() => {
    pki = makePki();
  });
  after(() => {
    if (pki) fs.rmSync(pki.base, { recursive: true, force: true });
  });

  const tlsArgs = (p: Pki, port: number, key = p.serverA.key): string[] => [
    '--tls-port',
    String(port),
    '--tls-cert-file',
    p.serverA.cert,
    '--tls-key-file',
    key,
    '--tls-ca-cert-file',
    p.ca.cert,
  ];

  it('port 0 + tls-port: TLS only', async () => {
    const port = await freePort();
    const srv = await startRedoubt({ noPort: true, args: ['--port', '0', ...tlsArgs(pki, port)] });
    try {
      assert.match(srv.output(), /Listening on tls:/);
      assert.doesNotMatch(srv.output(), /Listening on tcp:/);
      assert.deepEqual((await talk(port, pki, { client: pki.clientDefault })).replies, ['PONG']);
    } finally {
      await srv.stop();
    }
  });

  it('refuses a private key readable by group or others', async () => {
    const open = path.join(pki.base, 'open.key');
    fs.copyFileSync(pki.serverA.key, open);
    fs.chmodSync(open, 0o644);
    const dir = path.join(tmpDir(), 'data');
    const r = runToExit([
      '--port',
      String(await freePort()),
      '--dir',
      dir,
      ...tlsArgs(pki, await freePort(), open),
    ]);
    assert.equal(r.status, 1, r.out);
    assert.match(
      r.out,
      new RegExp(`${open} holds secrets and is accessible by group or others \\(mode 0644\\)`),
    );
    assert.match(r.out, new RegExp(`Fix: chmod 0600 ${open}`));
    assert.match(r.out, /Failed to configure TLS/);
  });

  it('fails to start on a wrong passphrase, a missing CA, or no certificate, without printing secrets', async () => {
    const dir = path.join(tmpDir(), 'data');
    const port = await freePort();
    const wrong = runToExit([
      '--port',
      String(port),
      '--dir',
      dir,
      ...tlsArgs(pki, await freePort(), pki.encKeyA),
      '--tls-key-file-pass',
      WRONG_PASS,
    ]);
    assert.equal(wrong.status, 1, wrong.out);
    assert.match(wrong.out, /Failed to configure TLS/);
    assert.ok(!wrong.out.includes(WRONG_PASS), wrong.out);
    const noCa = runToExit([
      '--port',
      String(port),
      '--dir',
      dir,
      '--tls-port',
      String(await freePort()),
      '--tls-cert-file',
      pki.serverA.cert,
      '--tls-key-file',
      pki.serverA.key,
    ]);
    assert.equal(noCa.status, 1, noCa.out);
    assert.match(noCa.out, /tls-ca-cert-file or tls-ca-cert-dir must be specified/);
    const noCert = runToExit(['--port', String(port), '--dir', dir, '--tls-port', String(await freePort())]);
    assert.equal(noCert.status, 1, noCert.out);
    assert.match(noCert.out, /tls-cert-file is not set/);
  });

  it('loads trusted CAs from tls-ca-cert-dir; tls-auth-clients no needs no CA', async () => {
    const caDir = path.join(pki.base, 'cas');
    fs.mkdirSync(caDir);
    fs.copyFileSync(pki.ca.cert, path.join(caDir, 'test-ca.pem'));
    fs.writeFileSync(path.join(caDir, 'README'), 'not a certificate\n');
    const port = await freePort();
    const args = [
      '--tls-port',
      String(port),
      '--tls-cert-file',
      pki.serverA.cert,
      '--tls-key-file',
      pki.serverA.key,
    ];
    const srv = await startRedoubt({ args: [...args, '--tls-ca-cert-dir', caDir] });
    try {
      assert.deepEqual((await talk(port, pki, { client: pki.clientDefault })).replies, ['PONG']);
      assert.ok(rejected(await talk(port, pki, { client: pki.foreign })));
    } finally {
      await srv.stop();
    }
    const port2 = await freePort();
    const open = await startRedoubt({
      args: [
        '--tls-port',
        String(port2),
        '--tls-cert-file',
        pki.serverA.cert,
        '--tls-key-file',
        pki.serverA.key,
        '--tls-auth-clients',
        'no',
      ],
    });
    try {
      assert.deepEqual((await talk(port2, pki)).replies, ['PONG']);
    } finally {
      await open.stop();
    }
  });
});
