// A minimal RESP2 client for the audit: one request at a time over TCP, a Unix socket or TLS.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';

export type Reply = string | number | null | ReplyError | Reply[];

export class ReplyError {
  constructor(readonly message: string) {}
}

export interface ConnectOptions {
  host: string;
  port: number;
  socket?: string;
  tls?: { cacert?: string; cert?: string; key?: string; insecure?: boolean; servername?: string };
  timeoutMs?: number;
}

/** Parses one reply from buf at pos; returns [reply, next] or null when incomplete. */
export function parseReply(buf: Buffer, pos: number): [Reply, number] | null {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return null;
  const t = String.fromCharCode(buf[pos]);
  const line = buf.toString('latin1', pos + 1, eol);
  const next = eol + 2;
  switch (t) {
    case '+':
      return [line, next];
    case '-':
      return [new ReplyError(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.toString('latin1', next, next + n), next + n + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const out: Reply[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (r === null) return null;
        out.push(r[0]);
        p = r[1];
      }
      return [out, p];
    }
    default:
      throw new Error(`protocol error: unexpected byte ${JSON.stringify(t)}`);
  }
}

export class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private closedErr: Error | null = null;

  private constructor(
    readonly sock: net.Socket,
    readonly timeoutMs: number,
  ) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.pump();
    });
    const fail = (e: Error) => {
      this.closedErr = e;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(e);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed by the server')));
  }

  static connect(o: ConnectOptions): Promise<Conn> {
    const timeoutMs = o.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let sock: net.Socket;
      const ev = o.tls ? 'secureConnect' : 'connect';
      if (o.tls) {
        sock = tls.connect({
          ...(o.socket ? { path: o.socket } : { host: o.host, port: o.port }),
          ca: o.tls.cacert ? fs.readFileSync(o.tls.cacert) : undefined,
          cert: o.tls.cert ? fs.readFileSync(o.tls.cert) : undefined,
          key: o.tls.key ? fs.readFileSync(o.tls.key) : undefined,
          rejectUnauthorized: !o.tls.insecure,
          servername: o.tls.servername ?? (net.isIP(o.host) ? undefined : o.host),
        });
      } else {
        sock = o.socket ? net.connect(o.socket) : net.connect(o.port, o.host);
      }
      const t = setTimeout(() => {
        sock.destroy();
        reject(new Error('connect timed out'));
      }, timeoutMs);
      sock.once(ev, () => {
        clearTimeout(t);
        sock.removeListener('error', onErr);
        resolve(new Conn(sock, timeoutMs));
      });
      const onErr = (e: Error) => {
        clearTimeout(t);
        reject(e);
      };
      sock.once('error', onErr);
    });
  }

  private pump(): void {
    if (this.waiting === null) return;
    const r = parseReply(this.buf, 0);
    if (r === null) return;
    this.buf = this.buf.subarray(r[1]);
    const w = this.waiting;
    this.waiting = null;
    w.resolve(r[0]);
  }

  call(...args: string[]): Promise<Reply> {
    if (this.closedErr) return Promise.reject(this.closedErr);
    let out = `*${args.length}\r\n`;
    for (const a of args) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no reply to ${args[0]} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting = {
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
      this.sock.write(Buffer.from(out, 'latin1'));
      this.pump();
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
