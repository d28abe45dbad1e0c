// A raw RESP client for tests: sends commands and returns replies as raw bytes and decoded values.

import * as net from 'node:net';

export type RespValue =
  | string
  | number
  | bigint
  | null
  | boolean
  | Buffer
  | RespError
  | RespValue[]
  | { map: [RespValue, RespValue][] }
  | { set: RespValue[] }
  | { push: RespValue[] }
  | { double: string }
  | { verbatim: string };

export class RespError {
  constructor(readonly message: string) {}
}

/** Returns the offset just past one complete reply starting at `pos`, or -1 if incomplete. */
export function replyEnd(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const t = String.fromCharCode(buf[pos]);
  const head = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  switch (t) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '(':
    case '#':
    case '_':
      return p;
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return p;
      return buf.length >= p + n + 2 ? p + n + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(head);
      if (n < 0) return p;
      if (t === '%' || t === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p);
        if (p < 0) return -1;
      }
      if (t === '|') return replyEnd(buf, p); // attribute precedes the real reply
      return p;
    }
    default:
      throw new Error(
        `bad reply type byte ${JSON.stringify(t)} in ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}`,
      );
  }
}

/** Decodes one reply; returns [value, end]. */
export function decode(buf: Buffer, pos: number): [RespValue, number] {
  const nl = buf.indexOf('\r\n', pos);
  const t = String.fromCharCode(buf[pos]);
  const head = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  switch (t) {
    case '+':
      return [head, p];
    case '-':
      return [new RespError(head), p];
    case ':':
      return [Number.isSafeInteger(Number(head)) ? Number(head) : BigInt(head), p];
    case ',':
      return [{ double: head }, p];
    case '(':
      return [BigInt(head), p];
    case '#':
      return [head === 't', p];
    case '_':
      return [null, p];
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return [null, p];
      const b = Buffer.from(buf.subarray(p, p + n));
      if (t === '=') return [{ verbatim: b.toString() }, p + n + 2];
      if (t === '!') return [new RespError(b.toString()), p + n + 2];
      return [b, p + n + 2];
    }
    case '*':
    case '~':
    case '>': {
      const n = Number(head);
      if (n < 0) return [null, p];
      const out: RespValue[] = [];
      for (let i = 0; i < n; i++) {
        const [v, e] = decode(buf, p);
        out.push(v);
        p = e;
      }
      if (t === '~') return [{ set: out }, p];
      if (t === '>') return [{ push: out }, p];
      return [out, p];
    }
    case '%': {
      const n = Number(head);
      const out: [RespValue, RespValue][] = [];
      for (let i = 0; i < n; i++) {
        const [k, e1] = decode(buf, p);
        const [v, e2] = decode(buf, e1);
        out.push([k, v]);
        p = e2;
      }
      return [{ map: out }, p];
    }
    default:
      throw new Error(`cannot decode type ${t}`);
  }
}

/** Encodes a command as a RESP multibulk. */
export function encode(args: (string | Buffer | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A connection that sends commands and reads replies in order, as raw bytes. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private closedErr: Error | null = null;
  readonly closed: Promise<void>;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    this.closed = new Promise((r) => sock.on('close', () => r()));
    sock.on('close', () => {
      this.closedErr = new Error('connection closed');
      for (const w of this.waiters.splice(0)) w.reject(this.closedErr);
    });
    sock.on('error', () => {});
  }

  static connect(opts: { port?: number; host?: string; path?: string }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const sock = opts.path
        ? net.connect({ path: opts.path })
        : net.connect({ port: opts.port as number, host: opts.host ?? '127.0.0.1' });
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        resolve(new RawClient(sock));
      });
      sock.once('error', reject);
    });
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const end = replyEnd(this.buf, 0);
      if (end < 0) return;
      const reply = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      this.waiters.shift()?.resolve(Buffer.from(reply));
    }
  }

  /** Waits for the next reply (raw bytes). */
  next(timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closedErr && replyEnd(this.buf, 0) < 0) {
        reject(this.closedErr);
        return;
      }
      const w = {
        resolve: (b: Buffer) => {
          clearTimeout(t);
          resolve(b);
        },
        reject: (e: Error) => {
          clearTimeout(t);
          reject(e);
        },
      };
      // a timed-out waiter is removed, so the next reply goes to the next caller
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error('timeout waiting for reply'));
      }, timeoutMs);
      this.waiters.push(w);
      this.drain();
    });
  }

  /** Sends raw bytes. */
  write(b: Buffer | string): void {
    this.sock.write(b);
  }

  /** Sends a command and returns its raw reply. */
  async raw(...args: (string | Buffer | number)[]): Promise<Buffer> {
    this.sock.write(encode(args));
    return this.next();
  }

  /** Sends a command and returns the decoded reply. */
  async call(...args: (string | Buffer | number)[]): Promise<RespValue> {
    return decode(await this.raw(...args), 0)[0];
  }

  /** Bytes received but not consumed as a reply. */
  leftover(): Buffer {
    return this.buf;
  }

  close(): void {
    this.sock.destroy();
  }
}
