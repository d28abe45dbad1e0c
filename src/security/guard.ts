// The connection guard: what happens between accept() and the first command.
// - allow-from: TCP peers outside the allowlist are dropped before a byte is read;
// - protected mode: without any password, only loopback and Unix-socket peers are served;
// - password guessing: failures are counted per source, answered after a growing delay, and
//   after auth-max-failures within auth-failure-window the source is locked out (doubling);
// - unauthenticated connections are capped per source and closed after auth-timeout.
// A "source" is the peer IPv4 address, the /64 of an IPv6 peer (one host usually owns a whole
// /64, so single addresses would be free to rotate), or the socket path for Unix peers
// (Node does not expose SO_PEERCRED, so all local socket users share one bucket).

import { createHash, timingSafeEqual } from 'node:crypto';
import * as net from 'node:net';
import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { setAuthenticator } from '../server/clientops';
import { closeClient, disconnectHooks, flushClient, processInput } from '../server/connection';
import type { Server } from '../server/server';
import { allowed, type Cidr, isLoopback, normalizeAddress, parseCidr } from './network';
import { digestBytes } from './secret';

/** Per-source bookkeeping. */
interface Source {
  failures: number[]; // timestamps (ms) of recent failures, oldest first
  lockedUntil: number;
  lockouts: number;
  lastLockout: number;
  unauthenticated: number;
}

const MAX_SOURCES = 100_000;

export const DENIED_PROTECTED =
  'DENIED redoubt is running in protected mode because protected mode is enabled and no password is set for ' +
  'the default user. In this mode connections are only accepted from the loopback interface and the Unix socket. ' +
  'To accept connections from other hosts, set a password (requirepass, or an ACL user; `redoubt passwd` ' +
  'generates one) and, ideally, restrict sources with allow-from and use TLS. Only if this host is on a trusted ' +
  "network, disable protected mode with 'protected-mode no' in the configuration file.";

export const LOCKED_OUT = 'ERR too many failed authentication attempts from this source; try again later';

export class Guard {
  private sources = new Map<string, Source>();
  private allow: Cidr[] = [];
  private allowText = '';
  /** passwords are kept only as SHA-256 digests */
  private defaultPassHash: Buffer | null = null;
  private clientSource = new WeakMap<Client, string>();
  private authTimers = new WeakMap<Client, NodeJS.Timeout>();
  private lastRejectLog = 0;
  private suppressedRejects = 0;
  private lastLockLog = 0;
  stats = {
    authFailures: 0,
    authLockouts: 0,
    rejectedByAllowlist: 0,
    rejectedByProtectedMode: 0,
    rejectedLockedOut: 0,
  };

  constructor(readonly s: Server) {}

  /** Source key for a socket. */
  sourceOf(socket: net.Socket, unix: boolean): string {
    if (unix) return `unix:${this.s.config.str('unixsocket')}`;
    const a = normalizeAddress(socket.remoteAddress ?? '');
    if (net.isIPv6(a)) return `${v6Prefix64(a)}::/64`;
    return a;
  }

  private source(key: string): Source {
    let src = this.sources.get(key);
    if (src === undefined) {
      if (this.sources.size >= MAX_SOURCES) this.prune(true);
      src = { failures: [], lockedUntil: 0, lockouts: 0, lastLockout: 0, unauthenticated: 0 };
      this.sources.set(key, src);
    }
    return src;
  }

  /** Forgets idle sources; under pressure, also the oldest ones that are not locked. */
  prune(force = false): void {
    const now = this.s.clock.now();
    const window = this.s.config.num('auth-failure-window') * 1000;
    for (const [k, src] of this.sources) {
      while (src.failures.length > 0 && src.failures[0] <= now - window) src.failures.shift();
      const idle = src.failures.length === 0 && src.lockedUntil <= now && src.unauthenticated === 0;
      // the doubling is remembered for a day after the last lockout
      if (idle && (src.lockouts === 0 || now - src.lastLockout > 86_400_000)) this.sources.delete(k);
    }
    if (force && this.sources.size >= MAX_SOURCES) {
      for (const [k, src] of this.sources) {
        if (this.sources.size < MAX_SOURCES * 0.9) break;
        if (src.lockedUntil <= now && src.unauthenticated === 0) this.sources.delete(k);
      }
    }
  }

  lockedOutCount(): number {
    const now = this.s.clock.now();
    let n = 0;
    for (const src of this.sources.values()) if (src.lockedUntil > now) n++;
    return n;
  }

  private allowlist(): Cidr[] {
    const list = this.s.config.list('allow-from');
    const text = list.join(' ');
    if (text !== this.allowText) {
      this.allow = list.map((x) => parseCidr(x)).filter((x): x is Cidr => x !== null);
      this.allowText = text;
    }
    return this.allow;
  }

  /** The accept filter: returns false after closing the socket. */
  accept(socket: net.Socket, unix: boolean): boolean {
    const s = this.s;
    const remote = socket.remoteAddress ?? '';
    if (!unix && !allowed(this.allowlist(), remote)) {
      this.stats.rejectedByAllowlist++;
      s.stats.rejectedConnections++;
      socket.destroy();
      this.logRejected(remote);
      return false;
    }
    const key = this.sourceOf(socket, unix);
    const src = this.sources.get(key);
    const now = s.clock.now();
    if (src !== undefined && src.lockedUntil > now) {
      this.stats.rejectedLockedOut++;
      s.stats.rejectedConnections++;
      socket.end(`-${LOCKED_OUT}\r\n`);
      return false;
    }
    const authRequired = s.authRequired();
    if (!authRequired && !unix && s.config.bool('protected-mode') && !isLoopback(remote)) {
      this.stats.rejectedByProtectedMode++;
      s.stats.rejectedConnections++;
      socket.end(`-${DENIED_PROTECTED}\r\n`);
      return false;
    }
    if (
      authRequired &&
      src !== undefined &&
      src.unauthenticated >= s.config.num('max-unauthenticated-per-source')
    ) {
      s.stats.rejectedConnections++;
      socket.end('-ERR too many unauthenticated connections from this source\r\n');
      return false;
    }
    return true;
  }

  private logRejected(remote: string): void {
    const now = Date.now();
    if (now - this.lastRejectLog < 1000) {
      this.suppressedRejects++;
      return;
    }
    const more =
      this.suppressedRejects > 0 ? ` (and ${this.suppressedRejects} more since the last message)` : '';
    this.s.log.warning(`Rejected connection from ${remote}: not in allow-from${more}`);
    this.lastRejectLog = now;
    this.suppressedRejects = 0;
  }

  /** A client was created: track it as unauthenticated and arm auth-timeout. */
  clientCreated(c: Client): void {
    if (c.socket === null) return;
    const key = this.sourceOf(c.socket, c.unix);
    this.clientSource.set(c, key);
    if (c.authenticated) return;
    this.source(key).unauthenticated++;
    const t = this.s.config.num('auth-timeout');
    if (t > 0) {
      const timer = setTimeout(() => {
        if (!c.authenticated && !c.closed) {
          this.s.log.verbose(
            `Closing client that did not authenticate within ${t}s: id=${c.id} addr=${c.addr}`,
          );
          // unlinked at once (not on the socket's later 'close'), so the source's count of
          // unauthenticated connections is down before the peer can see the close and reconnect
          closeClient(this.s, c);
        }
      }, t * 1000);
      timer.unref();
      this.authTimers.set(c, timer);
    }
  }

  private leaveUnauthenticated(c: Client): void {
    const timer = this.authTimers.get(c);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.authTimers.delete(c);
      const key = this.clientSource.get(c);
      const src = key === undefined ? undefined : this.sources.get(key);
      if (src !== undefined && src.unauthenticated > 0) src.unauthenticated--;
    } else if (!c.authenticated) {
      const key = this.clientSource.get(c);
      const src = key === undefined ? undefined : this.sources.get(key);
      if (src !== undefined && src.unauthenticated > 0) src.unauthenticated--;
    }
  }

  clientGone(c: Client): void {
    if (!c.authenticated) this.leaveUnauthenticated(c);
    else {
      const timer = this.authTimers.get(c);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private seenPass: string | null = null;

  /** Keeps the digest of requirepass current (the config layer may change it at runtime). */
  private syncPassword(): void {
    const p = this.s.config.str('requirepass');
    if (p !== this.seenPass) {
      this.seenPass = p;
      this.defaultPassHash = digestBytes(p);
    }
  }

  hasDefaultPassword(): boolean {
    this.syncPassword();
    return this.defaultPassHash !== null;
  }

  /** Verifies a password; the security layer's authenticator (AUTH, HELLO AUTH). */
  authenticate(c: Client, user: Buffer, pass: Buffer): boolean {
    const s = this.s;
    const key = this.clientSource.get(c) ?? 'internal';
    const src = this.source(key);
    const now = s.clock.now();
    if (src.lockedUntil > now) {
      // no password is even compared while a source is locked out
      c.reply.error(LOCKED_OUT);
      if (!c.authenticated) c.closeAfterReply = true;
      return false;
    }
    const u = user.toString('latin1');
    let ok = false;
    if (this.userCheck !== null) {
      // the ACL layer knows every user, default included (requirepass is default's password)
      ok = this.userCheck(u, pass);
    } else if (u === 'default') {
      this.syncPassword();
      // nopass default user accepts anything, as Redis
      ok = this.defaultPassHash === null || timingSafeEqual(sha256(pass), this.defaultPassHash);
    }
    if (ok) {
      const wasAuth = c.authenticated;
      if (!wasAuth) this.leaveUnauthenticated(c);
      c.setAuthenticated(u);
      return true;
    }
    this.onAuthFailure?.(c, u);
    this.fail(c, src, key, now);
    return false;
  }

  /** ACL layer hook: checks a user's password (an unknown or disabled user fails). */
  userCheck: ((user: string, pass: Buffer) => boolean) | null = null;
  /** ACL layer hook: a failed authentication (the ACL log records it). */
  onAuthFailure: ((c: Client, user: string) => void) | null = null;

  private fail(c: Client, src: Source, key: string, now: number): void {
    const s = this.s;
    this.stats.authFailures++;
    const window = s.config.num('auth-failure-window') * 1000;
    while (src.failures.length > 0 && src.failures[0] <= now - window) src.failures.shift();
    src.failures.push(now);
    const n = src.failures.length;
    if (n >= s.config.num('auth-max-failures')) {
      const base = s.config.num('auth-lockout-time') * 1000;
      const lock = Math.min(base * 2 ** Math.min(src.lockouts, 20), 30 * 86_400_000);
      src.lockouts++;
      src.lastLockout = now;
      src.lockedUntil = now + lock;
      src.failures = [];
      this.stats.authLockouts++;
      s.log.warning(
        `Source ${key} locked out for ${Math.round(lock / 1000)}s after ${n} failed authentication attempts`,
      );
      // its other unauthenticated connections go too: they could keep guessing otherwise
      for (const other of s.clients.values()) {
        if (other !== c && !other.authenticated && this.clientSource.get(other) === key)
          other.socket?.destroy();
      }
      c.reply.error(LOCKED_OUT);
      if (!c.authenticated) c.closeAfterReply = true;
      return;
    }
    if (now - this.lastLockLog > 1000) {
      s.log.notice(`Failed authentication from ${key} (${n} in the current window)`);
      this.lastLockLog = now;
    }
    const delay = Math.min(
      s.config.num('auth-failure-delay') * 2 ** (n - 1),
      s.config.num('auth-failure-max-delay'),
    );
    if (delay <= 0 || c.socket === null) {
      c.reply.error(E.wrongPass);
      return;
    }
    // answer later; the client's further input waits too
    const timer = setTimeout(() => {
      if (c.closed) return;
      c.blockedOn = null;
      c.reply.error(E.wrongPass);
      s.countError(E.wrongPass);
      processInput(s, c);
      flushClient(s, c);
    }, delay);
    c.blockedOn = { kind: 'script', argv: [], deadline: now + delay, timer, keys: [], onTimeout: null };
  }

  info(): [string, string | number][] {
    return [
      ['auth_failures', this.stats.authFailures],
      ['auth_lockouts', this.stats.authLockouts],
      ['locked_out_sources', this.lockedOutCount()],
      ['rejected_connections_by_allowlist', this.stats.rejectedByAllowlist],
      ['rejected_connections_by_protected_mode', this.stats.rejectedByProtectedMode],
      ['rejected_connections_locked_out', this.stats.rejectedLockedOut],
    ];
  }
}

function sha256(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest();
}

function v6Prefix64(a: string): string {
  // first four groups of the expanded address
  const dbl = a.indexOf('::');
  const head = dbl >= 0 ? a.slice(0, dbl) : a;
  const tail = dbl >= 0 ? a.slice(dbl + 2) : '';
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = dbl >= 0 ? [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':');
}

/** Wires the guard into a server. */
export function installGuard(s: Server): Guard {
  const g = new Guard(s);
  s.acceptFilters.push((sock, unix) => g.accept(sock, unix));
  s.clientCreatedHooks.push((c) => g.clientCreated(c));
  disconnectHooks.push((c) => g.clientGone(c));
  setAuthenticator((c, user, pass) => g.authenticate(c, user, pass));
  return g;
}
