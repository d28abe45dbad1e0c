// Native TLS (replaces an stunnel in front of the server): a TLS port next to the TCP one (or
// alone, with `port 0`), mutual TLS with client certificates, certificates reloaded by CONFIG SET
// without dropping connections, and optionally a client certificate's CN as its user.
//
// Each TLS port is a plain net.Server: the accept filters (allow-from, lockouts, protected mode)
// run on the raw socket before any handshake work, then the socket is handed ('connection'
// event) to one tls.Server that never listens itself, the handshake "engine". CONFIG SET
// replaces the engine's secure context (setSecureContext): established connections keep theirs,
// new handshakes use the new one. Settings the engine takes at creation (client certificate
// request, handshake timeout) make a new engine; handshakes in flight finish on the old one.
//
// Client certificates are verified by OpenSSL, but the decision is ours (rejectUnauthorized is
// off): after the handshake a certificate that failed verification (or a missing one with
// tls-auth-clients yes) closes the connection with a one-line error, counted and logged with the
// peer address and the verification result. Nothing secret is ever logged: the key passphrase
// only goes to OpenSSL, and OpenSSL's error texts name files and reasons, never key material.

import { constants as C } from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { admitConnection, startClient } from '../server/connection';
import { addInfoFields } from '../server/info';
import type { Server } from '../server/server';
import { checkSecretFile, formatFinding } from './files';

/** What CONFIG SET answers when the new TLS settings don't work (Redis 7.0's text). */
export const TLS_UPDATE_FAILED = 'Unable to update TLS configuration. Check server logs.';

/** A certificate chain or key is a few KB; anything this large is not one. */
const MAX_PEM_BYTES = 1024 * 1024;
/** Bounds for tls-ca-cert-dir: files read, and bytes in all. */
const MAX_CA_DIR_FILES = 4096;
const MAX_CA_DIR_BYTES = 64 * 1024 * 1024;
/** A cached session larger than this is not kept (sessions are a few KB). */
const MAX_SESSION_BYTES = 64 * 1024;
/** A rejected client gets this long to read its error line before the socket is destroyed. */
const REJECT_LINGER_MS = 1000;

class TlsConfigError extends Error {}

interface CachedSession {
  data: Buffer;
  expires: number;
}

class TlsState {
  /** the handshake engine; null while TLS is not in use */
  engine: tls.Server | null = null;
  /** the creation-time settings of `engine` */
  engineKey = '';
  /** handshakes in progress (they count against maxclients) */
  handshaking = 0;
  handshakeFailures = 0;
  /** server-side session cache for session-ID resumption (TLS 1.2 clients without tickets) */
  readonly sessions = new Map<string, CachedSession>();
  lastFailureLog = 0;
  suppressedFailures = 0;
}

const states = new WeakMap<Server, TlsState>();

function state(s: Server): TlsState {
  let st = states.get(s);
  if (st === undefined) {
    st = new TlsState();
    states.set(s, st);
  }
  return st;
}

/** Whether `user` names an existing, enabled ACL user (replaceable, e.g. by tests or an ACL
 *  layer that wants more than `on`). */
let certUserCheck: (s: Server, user: string) => boolean = (s, user) => s.acl.get(user)?.enabled === true;

export function setCertUserCheck(f: (s: Server, user: string) => boolean): void {
  certUserCheck = f;
}

/** TLS listeners (for describeListeners). */
const tlsListeners = new WeakSet<net.Server>();

export function markTlsListener(l: net.Server): void {
  tlsListeners.add(l);
}

export function isTlsListener(l: net.Server): boolean {
  return tlsListeners.has(l);
}

export function tlsActive(s: Server): boolean {
  return (states.get(s)?.engine ?? null) !== null;
}

// ---------------------------------------------------------------------------------------------
// Building the secure context from the configuration

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'No such file or directory';
  if (err.code === 'EACCES') return 'Permission denied';
  return err.message ?? String(e);
}

/**
 * Reads a small regular file. Opened non-blocking and checked with fstat, so a FIFO or device
 * named by mistake (or on purpose) neither hangs the server nor feeds it endless bytes.
 */
function readSmallFile(file: string, what: string, limit = MAX_PEM_BYTES): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new TlsConfigError(`Cannot read ${what} ${file}: ${errText(e)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new TlsConfigError(`${what} ${file} is not a regular file`);
    if (st.size > limit) throw new TlsConfigError(`${what} ${file} is too large (${st.size} bytes)`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The private key holds a secret: same permission rule as the config files holding one. */
function checkKeyPermissions(s: Server, file: string): void {
  const mode = s.config.str('permission-check');
  if (mode === 'no') return;
  const findings = checkSecretFile(file);
  for (const f of findings) s.log.warning(formatFinding(f));
  if (findings.length > 0 && mode === 'yes') {
    throw new TlsConfigError(
      `refusing to load the private key ${file} with unsafe permissions (fix them, or set ` +
        `'permission-check warn' to accept the risk)`,
    );
  }
}

const PEM_CERT = '-----BEGIN CERTIFICATE-----';

/** Trusted CAs for client certificates: tls-ca-cert-file and every certificate file in tls-ca-cert-dir. */
function caCertificates(s: Server): Buffer[] {
  const out: Buffer[] = [];
  const file = s.config.str('tls-ca-cert-file');
  if (file !== '') out.push(readSmallFile(file, 'tls-ca-cert-file'));
  const dir = s.config.str('tls-ca-cert-dir');
  if (dir !== '') {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch (e) {
      throw new TlsConfigError(`Cannot read tls-ca-cert-dir ${dir}: ${errText(e)}`);
    }
    if (names.length > MAX_CA_DIR_FILES) {
      throw new TlsConfigError(`tls-ca-cert-dir ${dir} has more than ${MAX_CA_DIR_FILES} entries`);
    }
    let total = 0;
    for (const name of names) {
      let pem: Buffer;
      try {
        pem = readSmallFile(path.join(dir, name), 'CA certificate');
      } catch {
        continue; // subdirectories, unreadable or oversized files: not certificates
      }
      if (!pem.includes(PEM_CERT)) continue;
      total += pem.length;
      if (total > MAX_CA_DIR_BYTES) throw new TlsConfigError(`tls-ca-cert-dir ${dir} is too large`);
      out.push(pem);
    }
  }
  return out;
}

const PROTOCOL_NAMES = ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'];
const VERSIONS: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const NO_VERSION_FLAGS = [C.SSL_OP_NO_TLSv1, C.SSL_OP_NO_TLSv1_1, C.SSL_OP_NO_TLSv1_2, C.SSL_OP_NO_TLSv1_3];

/**
 * tls-protocols: space-separated names, case-insensitive; empty = TLSv1.2 and TLSv1.3, as Redis.
 * Node takes a min/max range; a gap inside it ("TLSv1.1 TLSv1.3") is closed with SSL_OP_NO_*.
 */
export function protocolRange(spec: string): {
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  secureOptions: number;
} {
  const on = [false, false, true, true];
  const words = spec.split(' ').filter((w) => w !== '');
  if (words.length > 0) {
    on.fill(false);
    for (const w of words) {
      const i = PROTOCOL_NAMES.indexOf(w.toLowerCase());
      if (i < 0) {
        throw new TlsConfigError(
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.",
        );
      }
      on[i] = true;
    }
  }
  const lo = on.indexOf(true);
  const hi = on.lastIndexOf(true);
  let secureOptions = 0;
  for (let i = lo; i <= hi; i++) if (!on[i]) secureOptions |= NO_VERSION_FLAGS[i];
  return { minVersion: VERSIONS[lo], maxVersion: VERSIONS[hi], secureOptions };
}

/**
 * Node takes TLS 1.2 ciphers and TLS 1.3 suites in one list; a list without one of the two
 * would disable that protocol, so the side not configured keeps Node's defaults.
 */
export function cipherList(ciphers: string, suites: string): string | undefined {
  if (ciphers === '' && suites === '') return undefined;
  const defaults = tls.DEFAULT_CIPHERS.split(':');
  const d13 = defaults.filter((x) => x.startsWith('TLS_')).join(':');
  const d12 = defaults.filter((x) => !x.startsWith('TLS_')).join(':');
  return `${suites === '' ? d13 : suites}:${ciphers === '' ? d12 : ciphers}`;
}

function contextOptions(s: Server): tls.SecureContextOptions {
  const cfg = s.config;
  const certFile = cfg.str('tls-cert-file');
  const keyFile = cfg.str('tls-key-file');
  if (certFile === '') throw new TlsConfigError('tls-cert-file is not set');
  if (keyFile === '') throw new TlsConfigError('tls-key-file is not set');
  const cert = readSmallFile(certFile, 'tls-cert-file');
  checkKeyPermissions(s, keyFile);
  const key = readSmallFile(keyFile, 'tls-key-file');
  const ca = caCertificates(s);
  if (ca.length === 0 && cfg.str('tls-auth-clients') !== 'no') {
    throw new TlsConfigError(
      'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients is enabled',
    );
  }
  const range = protocolRange(cfg.str('tls-protocols'));
  let secureOptions = range.secureOptions;
  const caching = cfg.bool('tls-session-caching');
  // no caching = no resumption at all: no session tickets either
  if (!caching) secureOptions |= C.SSL_OP_NO_TICKET;
  const opts: tls.SecureContextOptions = {
    cert,
    key,
    minVersion: range.minVersion,
    maxVersion: range.maxVersion,
    secureOptions,
    honorCipherOrder: cfg.bool('tls-prefer-server-ciphers'),
  };
  if (ca.length > 0) opts.ca = ca;
  const ciphers = cipherList(cfg.str('tls-ciphers'), cfg.str('tls-ciphersuites'));
  if (ciphers !== undefined) opts.ciphers = ciphers;
  // config strings hold bytes (latin1); OpenSSL gets the passphrase's bytes back as UTF-8
  const pass = cfg.str('tls-key-file-pass');
  if (pass !== '') opts.passphrase = Buffer.from(pass, 'latin1').toString('utf8');
  const timeout = cfg.num('tls-session-cache-timeout');
  if (caching && timeout > 0) opts.sessionTimeout = timeout;
  return opts;
}

// ---------------------------------------------------------------------------------------------
// The handshake engine

function newEngine(s: Server, st: TlsState, opts: tls.SecureContextOptions): tls.Server {
  const engine = tls.createServer({
    ...opts,
    requestCert: s.config.str('tls-auth-clients') !== 'no',
    rejectUnauthorized: false,
    handshakeTimeout: s.config.num('tls-handshake-timeout'),
  });
  engine.on('secureConnection', (sock: tls.TLSSocket) => onSecure(s, st, sock));
  engine.on('tlsClientError', (err: Error, sock: tls.TLSSocket) => onClientError(s, st, err, sock));
  engine.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
    storeSession(s, st, id, data);
    done();
  });
  engine.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
    done(null, loadSession(s, st, id));
  });
  return engine;
}

function engineKey(s: Server): string {
  return `${s.config.str('tls-auth-clients') !== 'no'}|${s.config.num('tls-handshake-timeout')}`;
}

/**
 * (Re)builds the TLS configuration from the config: returns null, or why it failed (the running
 * configuration is then unchanged).
 */
export function configureTls(s: Server): string | null {
  const st = state(s);
  try {
    const opts = contextOptions(s);
    const key = engineKey(s);
    if (st.engine !== null && st.engineKey === key) {
      st.engine.setSecureContext(opts);
    } else {
      st.engine = newEngine(s, st, opts);
      st.engineKey = key;
    }
  } catch (e) {
    return e instanceof TlsConfigError ? e.message : `${(e as Error).message}`.trim();
  }
  // sessions and tickets of the previous context were verified against the previous CAs: they
  // must not resume (setSecureContext also made new ticket keys)
  st.sessions.clear();
  return null;
}

/**
 * The apply hook of the TLS directives: while TLS is in use, a change reconfigures it (files are
 * re-read); otherwise nothing is checked until TLS starts, as Redis.
 */
export function applyTls(s: Server): string | undefined {
  if (!tlsActive(s)) return undefined;
  const err = configureTls(s);
  if (err === null) {
    s.log.notice('TLS configuration reloaded');
    return undefined;
  }
  s.log.warning(`Failed to update the TLS configuration: ${err}`);
  return TLS_UPDATE_FAILED;
}

/** A connection accepted on a TLS port: filters first, then the handshake. */
export function tlsConnection(s: Server, raw: net.Socket): void {
  const st = state(s);
  const engine = st.engine;
  if (engine === null) {
    raw.destroy();
    return;
  }
  if (!admitConnection(s, raw, false)) return;
  // handshakes in progress hold memory and CPU like clients do
  if (s.clients.size + st.handshaking >= s.config.num('maxclients')) {
    s.stats.rejectedConnections++;
    raw.on('error', () => {});
    raw.destroy();
    return;
  }
  raw.setNoDelay(true);
  st.handshaking++;
  engine.emit('connection', raw);
}

function hasPeerCertificate(sock: tls.TLSSocket): boolean {
  const c = sock.getPeerCertificate();
  return c !== null && typeof c === 'object' && Object.keys(c).length > 0;
}

function peerName(sock: tls.TLSSocket): string {
  const a = sock.remoteAddress;
  if (a === undefined) return 'a client that already left';
  return a.includes(':') ? `[${a}]:${sock.remotePort}` : `${a}:${sock.remotePort}`;
}

/** Escapes what could disturb a log line (certificate names come from the client). */
function printable(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function onSecure(s: Server, st: TlsState, sock: tls.TLSSocket): void {
  if (st.handshaking > 0) st.handshaking--;
  const mode = s.config.str('tls-auth-clients');
  if (mode !== 'no' && !sock.authorized) {
    const presented = hasPeerCertificate(sock);
    // optional: no certificate is fine, a bad one is not
    if (presented || mode === 'yes') {
      const why = presented
        ? `certificate rejected (${String(sock.authorizationError)})`
        : 'no client certificate';
      handshakeFailed(s, st, peerName(sock), why);
      sock.on('error', () => {});
      sock.end(`-ERR TLS client ${presented ? 'certificate rejected' : 'certificate required'}\r\n`);
      setTimeout(() => sock.destroy(), REJECT_LINGER_MS).unref();
      return;
    }
  }
  let user: string | null = null;
  if (sock.authorized && s.config.str('tls-auth-clients-user') === 'cn') user = certUser(s, sock);
  startClient(s, sock, false, user);
}

/** The user named by a verified client certificate's CN, if that user exists and is on. */
function certUser(s: Server, sock: tls.TLSSocket): string | null {
  const cn: unknown = sock.getPeerCertificate().subject?.CN;
  // several CNs (an array) are ambiguous: no mapping
  if (typeof cn !== 'string' || cn === '') return null;
  // user names are byte strings (latin1); Node decoded the CN as UTF-8
  const user = Buffer.from(cn, 'utf8').toString('latin1');
  if (!certUserCheck(s, user)) {
    s.log.verbose(`TLS client ${peerName(sock)}: certificate CN '${printable(cn)}' names no enabled user`);
    return null;
  }
  s.log.verbose(`TLS client ${peerName(sock)} authenticated by certificate as '${printable(cn)}'`);
  return user;
}

function onClientError(s: Server, st: TlsState, err: Error, sock: tls.TLSSocket): void {
  if (st.handshaking > 0) st.handshaking--;
  const e = err as NodeJS.ErrnoException & { reason?: string };
  let why: string;
  if (e.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') why = 'handshake timeout';
  else if (e.code === 'ECONNRESET') why = 'connection closed during the handshake';
  else why = `${e.reason ?? 'error'} (${e.code ?? 'no code'})`;
  // a peer that just connects and leaves (a TCP health check, a port scan) is counted, but only
  // logged at verbose level
  handshakeFailed(s, st, peerName(sock), why, e.code === 'ECONNRESET' ? 'verbose' : 'notice');
  // the engine leaves a failed socket open: close it
  sock.destroy();
}

/** Counts a failed handshake and logs it, at most one line a second (scanners are noisy). */
function handshakeFailed(
  s: Server,
  st: TlsState,
  peer: string,
  why: string,
  level: 'notice' | 'verbose' = 'notice',
): void {
  st.handshakeFailures++;
  if (!s.log.enabled(level)) return;
  const now = Date.now();
  if (now - st.lastFailureLog < 1000) {
    st.suppressedFailures++;
    return;
  }
  const more = st.suppressedFailures > 0 ? ` (and ${st.suppressedFailures} more since the last message)` : '';
  s.log.log(level, `TLS handshake failed from ${peer}: ${why}${more}`);
  st.lastFailureLog = now;
  st.suppressedFailures = 0;
}

// ---------------------------------------------------------------------------------------------
// Session cache: tls-session-cache-size entries for tls-session-cache-timeout seconds. Size 0
// keeps none (OpenSSL would read 0 as unlimited; unbounded memory is not offered here).

function storeSession(s: Server, st: TlsState, id: Buffer, data: Buffer): void {
  const size = s.config.num('tls-session-cache-size');
  const timeout = s.config.num('tls-session-cache-timeout');
  if (!s.config.bool('tls-session-caching') || size <= 0 || timeout <= 0) return;
  if (data.length > MAX_SESSION_BYTES) return;
  const k = id.toString('hex');
  st.sessions.delete(k);
  while (st.sessions.size >= size) {
    const oldest = st.sessions.keys().next();
    if (oldest.done) break;
    st.sessions.delete(oldest.value);
  }
  st.sessions.set(k, { data: Buffer.from(data), expires: Date.now() + timeout * 1000 });
}

function loadSession(s: Server, st: TlsState, id: Buffer): Buffer | null {
  if (!s.config.bool('tls-session-caching')) return null;
  const k = id.toString('hex');
  const e = st.sessions.get(k);
  if (e === undefined) return null;
  if (e.expires <= Date.now()) {
    st.sessions.delete(k);
    return null;
  }
  return e.data;
}

addInfoFields('stats', (s) => [['tls_handshake_failures', states.get(s)?.handshakeFailures ?? 0]]);
