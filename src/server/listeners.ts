// Listeners: one TCP server per bind address (none when port is 0), the same for tls-port (TLS
// handshake and certificates in src/security/tls.ts) and an optional Unix socket.
// The process umask is 077, so the socket file is 0700 from creation and only then relaxed to
// unixsocketperm: no other user can connect in between.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { isAbsolute, join } from 'node:path';
import { configureTls, isTlsListener, markTlsListener, tlsConnection } from '../security/tls';
import { acceptConnection } from './connection';
import type { Server } from './server';

export class ListenError extends Error {}

function listenTcp(
  s: Server,
  host: string,
  port: number,
  onConnection: (sock: net.Socket) => void,
): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer({ noDelay: true }, onConnection);
    srv.once('error', reject);
    srv.listen({ host, port, backlog: s.config.num('tcp-backlog'), ipv6Only: host.includes(':') }, () => {
      srv.removeListener('error', reject);
      srv.on('error', (e) => s.log.warning(`Listener error on ${host}:${port}: ${e.message}`));
      resolve(srv);
    });
  });
}

function listenUnix(s: Server, path: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((sock) => acceptConnection(s, sock, true));
    srv.once('error', reject);
    srv.listen({ path, backlog: s.config.num('tcp-backlog') }, () => {
      srv.removeListener('error', reject);
      resolve(srv);
    });
  });
}

/** sockaddr_un.sun_path holds 108 bytes including the terminating NUL. */
const UNIX_PATH_MAX = 108;

/** The socket path each server bound, so shutdown removes that file even if `dir` changed since. */
const boundSocket = new WeakMap<Server, string>();

/** A relative unixsocket is relative to `dir`, as in Redis (which runs from its data directory). */
export function unixSocketPath(s: Server): string {
  const p = s.config.str('unixsocket');
  return p === '' || isAbsolute(p) ? p : join(s.config.str('dir'), p);
}

/** Removes a stale socket file at `path`; refuses to touch anything that is not a socket. */
function clearStaleSocket(path: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new ListenError(`unixsocket ${path} exists and is not a socket; refusing to remove it`);
  }
  fs.unlinkSync(path);
}

/** Binds `port` on every bind address; `kind` names it in messages ("tcp", "tls"). */
async function bindPort(
  s: Server,
  port: number,
  kind: string,
  onConnection: (sock: net.Socket) => void,
): Promise<net.Server[]> {
  const out: net.Server[] = [];
  let bound = 0;
  for (let addr of s.config.list('bind')) {
    const optional = addr.startsWith('-');
    if (optional) addr = addr.slice(1);
    const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
    try {
      const srv = await listenTcp(s, host, port, onConnection);
      s.listeners.push(srv);
      out.push(srv);
      bound++;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (
        optional &&
        (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT' || err.code === 'EINVAL')
      ) {
        s.log.notice(`Skipping optional bind address ${host}: ${err.code}`);
        continue;
      }
      s.log.warning(
        `Warning: Could not create server ${kind.toUpperCase()} listening socket ${host}:${port}: ${err.message}`,
      );
      throw new ListenError(`Failed listening on port ${port} (${kind}), aborting.`);
    }
  }
  if (bound === 0) throw new ListenError(`Failed listening on port ${port} (${kind}), aborting.`);
  return out;
}

export async function startListeners(s: Server): Promise<void> {
  const port = s.config.num('port');
  if (port !== 0) {
    const bound = await bindPort(s, port, 'tcp', (sock) => acceptConnection(s, sock, false));
    s.actualPort = (bound[bound.length - 1].address() as net.AddressInfo).port;
  }
  const tlsPort = s.config.num('tls-port');
  if (tlsPort !== 0) {
    // certificates and keys are loaded (and checked) before the port opens
    const err = configureTls(s);
    if (err !== null) throw new ListenError(`Failed to configure TLS: ${err}`);
    const bound = await bindPort(s, tlsPort, 'tls', (sock) => tlsConnection(s, sock));
    for (const l of bound) markTlsListener(l);
  }
  const path = unixSocketPath(s);
  if (path !== '') {
    // libuv would silently truncate a longer path and bind somewhere else entirely
    const len = Buffer.byteLength(path);
    if (len > UNIX_PATH_MAX - 1) {
      throw new ListenError(
        `Failed opening Unix socket: unix socket path too long (${len}), must be under ${UNIX_PATH_MAX}`,
      );
    }
    clearStaleSocket(path);
    try {
      const srv = await listenUnix(s, path);
      const perm = s.config.num('unixsocketperm');
      if (perm !== 0) fs.chmodSync(path, perm);
      s.listeners.push(srv);
      boundSocket.set(s, path);
    } catch (e) {
      throw new ListenError(`Failed opening Unix socket ${path}: ${(e as Error).message}`);
    }
  }
}

export function describeListeners(s: Server): string[] {
  const out: string[] = [];
  for (const l of s.listeners) {
    const a = l.address();
    if (typeof a === 'string') out.push(`unix:${a}`);
    else if (a) {
      const kind = isTlsListener(l) ? 'tls' : 'tcp';
      out.push(`${kind}:${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`);
    }
  }
  return out;
}

export async function closeListeners(s: Server): Promise<void> {
  const path = boundSocket.get(s) ?? '';
  await Promise.all(s.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
  s.listeners = [];
  if (path !== '') {
    try {
      if (fs.lstatSync(path).isSocket()) fs.unlinkSync(path);
    } catch {
      // already gone
    }
  }
}
