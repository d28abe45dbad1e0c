// redoubt tunnel: the client side of the stunnel recipe. Listens on a local Unix socket (0600)
// or a loopback port and carries each connection over TLS to a remote redoubt/Redis, verifying
// the server against a CA or a pinned SHA-256 certificate fingerprint. Without verification it
// refuses to start unless --insecure is given.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { isLoopback } from '../security/network';
import { type Io, opt, parseArgs, UsageError } from './args';

export const TUNNEL_USAGE = `Usage: redoubt tunnel --listen PATH|[HOST:]PORT --connect HOST:PORT
                      (--cacert FILE | --pin sha256:HEX | --insecure)
                      [--cert FILE --key FILE] [--servername NAME] [--retries N]
`;

/** "sha256:AB:CD..." or plain hex → lower-case hex without separators; null if malformed. */
export function parsePin(s: string): string | null {
  const m = /^sha256:([0-9a-fA-F:]+)$/.exec(s);
  if (m === null) return null;
  const hex = m[1].replace(/:/g, '').toLowerCase();
  return hex.length === 64 ? hex : null;
}

function hostPort(s: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s) ?? /^()()(\d+)$/.exec(s);
  if (m === null) throw new UsageError(`bad ${what} '${s}' (HOST:PORT)`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new UsageError(`bad port in ${what} '${s}'`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

export function tunnel(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    values: ['listen', 'connect', 'cacert', 'pin', 'cert', 'key', 'servername', 'retries'],
    flags: ['insecure', 'help'],
  });
  if (p.flags.has('help')) {
    io.out(TUNNEL_USAGE);
    return Promise.resolve(0);
  }
  const listen = opt(p, 'listen');
  const connect = opt(p, 'connect');
  if (listen === undefined || connect === undefined)
    throw new UsageError('--listen and --connect are required');
  const remote = hostPort(connect, '--connect');
  const cacert = opt(p, 'cacert');
  const pinText = opt(p, 'pin');
  const pin = pinText === undefined ? undefined : parsePin(pinText);
  if (pin === null) throw new UsageError(`bad --pin '${pinText}' (sha256: and 64 hex digits)`);
  const insecure = p.flags.has('insecure');
  if (cacert === undefined && pin === undefined && !insecure)
    throw new UsageError(
      'refusing to start without verifying the server: give --cacert FILE or --pin sha256:HEX (or --insecure)',
    );
  if (insecure && (cacert !== undefined || pin !== undefined))
    throw new UsageError('--insecure contradicts --cacert/--pin');
  const certFile = opt(p, 'cert');
  const keyFile = opt(p, 'key');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('--cert and --key go together');
  const retries = Number(opt(p, 'retries') ?? '3');
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) throw new UsageError('bad --retries');
  const isUnix = listen.includes('/');
  const local = isUnix ? undefined : hostPort(listen, '--listen');
  if (local !== undefined && !isLoopback(local.host))
    throw new UsageError(`--listen must be a loopback address or a Unix socket path, not ${local.host}`);
  const ca = cacert === undefined ? undefined : fs.readFileSync(cacert);
  const cert = certFile === undefined ? undefined : fs.readFileSync(certFile);
  const key = keyFile === undefined ? undefined : fs.readFileSync(keyFile);
  const servername = opt(p, 'servername') ?? (net.isIP(remote.host) ? undefined : remote.host);
  const log = (m: string) => io.err(`${new Date().toISOString()} tunnel: ${m}\n`);
  if (insecure) {
    io.err(
      '\n!!! WARNING: --insecure: the server certificate is NOT verified. Anyone on the path can\n' +
        '!!! impersonate the server and read or change everything, including the password.\n\n',
    );
  }
  const stats = { total: 0, active: 0, failed: 0, up: 0, down: 0 };
  let seq = 0;

  const open = (attempt: number, onReady: (s: tls.TLSSocket) => void, onFail: (why: string) => void) => {
    const s = tls.connect({
      host: remote.host,
      port: remote.port,
      ca,
      cert,
      key,
      servername,
      rejectUnauthorized: ca !== undefined,
      // with a pin only, the pin is the identity: name checks would reject a pinned IP-only cert
      checkServerIdentity: ca !== undefined ? tls.checkServerIdentity : () => undefined,
    });
    let settled = false;
    s.once('secureConnect', () => {
      if (pin !== undefined) {
        const fp = s.getPeerCertificate().fingerprint256?.replace(/:/g, '').toLowerCase();
        if (fp !== pin) {
          settled = true;
          s.destroy();
          onFail(`certificate pin mismatch: server presented sha256:${fp ?? '(none)'}`);
          return;
        }
      }
      settled = true;
      onReady(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      s.destroy();
      // verification failures are not retried: a different answer would be suspicious
      const transient = e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT';
      if (transient && attempt < retries) {
        log(`connect to ${connect} failed (${e.code}), retry ${attempt + 1}/${retries}`);
        setTimeout(() => open(attempt + 1, onReady, onFail), 200 * 2 ** attempt);
      } else onFail(e.message);
    });
  };

  const server = net.createServer((client) => {
    const id = ++seq;
    stats.total++;
    stats.active++;
    client.pause();
    let closed = false;
    const done = (why?: string) => {
      if (closed) return;
      closed = true;
      stats.active--;
      if (why !== undefined) {
        stats.failed++;
        log(`#${id} failed: ${why}`);
      } else log(`#${id} closed`);
      client.destroy();
    };
    client.on('error', () => done());
    client.on('close', () => done());
    open(
      0,
      (up) => {
        if (closed) {
          up.destroy();
          return;
        }
        log(`#${id} open → ${connect} (${up.getProtocol()}, ${up.getCipher().name})`);
        up.on('data', (d: Buffer) => {
          stats.down += d.length;
        });
        client.on('data', (d: Buffer) => {
          stats.up += d.length;
        });
        client.pipe(up);
        up.pipe(client);
        up.on('error', (e) => done(e.message));
        up.on('close', () => done());
        client.on('close', () => up.destroy());
        client.resume();
      },
      (why) => done(why),
    );
  });

  return new Promise((resolve) => {
    const stop = (sig: string) => {
      log(
        `${sig}: stopping; connections ${stats.total} (failed ${stats.failed}), bytes up ${stats.up} down ${stats.down}`,
      );
      server.close();
      if (isUnix) fs.rmSync(listen, { force: true });
      resolve(0);
      setTimeout(() => process.exit(0), 50).unref();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGUSR1', () =>
      log(
        `stats: connections ${stats.total} active ${stats.active} failed ${stats.failed} bytes up ${stats.up} down ${stats.down}`,
      ),
    );
    server.once('error', (e) => {
      log(`cannot listen on ${listen}: ${e.message}`);
      resolve(2);
    });
    const ready = () => {
      log(
        `listening on ${listen}, forwarding over TLS to ${connect} (${pin !== undefined ? `pin sha256:${pin}` : ca !== undefined ? `CA ${cacert}` : 'UNVERIFIED'})`,
      );
    };
    if (isUnix) {
      // a stale socket from a previous run is removed; anything else at the path is left alone
      try {
        if (fs.lstatSync(listen).isSocket()) fs.unlinkSync(listen);
      } catch {
        // nothing there
      }
      const old = process.umask(0o177);
      server.listen(listen, () => {
        process.umask(old);
        fs.chmodSync(listen, 0o600);
        ready();
      });
    } else {
      server.listen(local!.port, local!.host, ready);
    }
  });
}
