// Reply writer: encodes RESP2/RESP3 into slabs, handed to the socket once per read batch.
// A region of a slab is never written again after it was handed out, so no copy is needed
// when flushing; values are always copied in, so the store may mutate its buffers freely.

import { decimalDigits, formatDouble17 } from './format';

const SLAB = 64 * 1024;

export type Proto = 2 | 3;

export class ReplyWriter {
  proto: Proto = 2;
  /** Error replies written so far (the dispatcher counts failed calls with it). */
  errors = 0;
  lastError = '';
  private slab: Buffer = Buffer.allocUnsafe(SLAB);
  private pos = 0;
  private start = 0;
  private pieces: Buffer[] = [];
  private piecesLen = 0;

  /** Bytes buffered and not yet taken. */
  size(): number {
    return this.piecesLen + this.pos - this.start;
  }

  private cut(): void {
    if (this.pos > this.start) {
      this.pieces.push(this.slab.subarray(this.start, this.pos));
      this.piecesLen += this.pos - this.start;
      this.start = this.pos;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    this.cut();
    this.slab = Buffer.allocUnsafe(Math.max(n, SLAB));
    this.pos = 0;
    this.start = 0;
  }

  /** Takes everything written so far, in order. */
  take(): Buffer[] {
    this.cut();
    const p = this.pieces;
    this.pieces = [];
    this.piecesLen = 0;
    // start a fresh slab if little room is left, so small replies stay contiguous
    if (this.slab.length - this.pos < 1024) {
      this.slab = Buffer.allocUnsafe(SLAB);
      this.pos = 0;
      this.start = 0;
    }
    return p;
  }

  raw(s: string): void {
    this.ensure(s.length);
    this.put(s);
  }

  /** Writes a latin1 string at pos (room already ensured). Short strings are copied by a JS
   *  loop: cheaper than a Buffer.write call into C++ (same bytes: the low byte of each char). */
  private put(s: string): void {
    const len = s.length;
    if (len > 32) {
      this.pos += this.slab.write(s, this.pos, 'latin1');
      return;
    }
    const slab = this.slab;
    const p = this.pos;
    for (let i = 0; i < len; i++) slab[p + i] = s.charCodeAt(i);
    this.pos = p + len;
  }

  /** Writes a non-negative safe integer in decimal at pos (room for 16 digits ensured). */
  private putUint(n: number): void {
    const slab = this.slab;
    if (n < 10) {
      slab[this.pos++] = 48 + n;
      return;
    }
    let p = this.pos + decimalDigits(n);
    this.pos = p;
    // small integers divide in int32 arithmetic (most lengths and counters)
    while (n > 0x7fffffff) {
      const q = Math.floor(n / 10);
      slab[--p] = 48 + (n - q * 10);
      n = q;
    }
    while (n >= 10) {
      const q = (n / 10) | 0;
      slab[--p] = 48 + (n - q * 10);
      n = q;
    }
    slab[--p] = 48 + n;
  }

  rawBuf(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.slab, this.pos);
    this.pos += b.length;
  }

  private line(prefix: string, s: string): void {
    this.ensure(s.length + 3);
    this.slab[this.pos++] = prefix.charCodeAt(0);
    this.put(s);
    this.crlf();
  }

  private crlf(): void {
    const p = this.pos;
    this.slab[p] = 13;
    this.slab[p + 1] = 10;
    this.pos = p + 2;
  }

  /** A header line "<prefix><n>\r\n" for a count or length. */
  private header(prefix: number, n: number): void {
    if (!(n >= 0 && Number.isSafeInteger(n))) {
      this.line(String.fromCharCode(prefix), String(n));
      return;
    }
    this.ensure(24);
    this.slab[this.pos++] = prefix;
    this.putUint(n);
    this.crlf();
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  simple(s: string): void {
    this.line('+', s);
  }

  /** An error reply; `msg` includes the code (e.g. "ERR syntax error"). Newlines are removed. */
  error(msg: string): void {
    this.errors++;
    this.lastError = msg;
    // as Redis: trailing newlines are dropped, any others become spaces
    if (msg.indexOf('\r') >= 0 || msg.indexOf('\n') >= 0)
      msg = msg.replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
    this.line('-', msg);
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      this.ensure(24);
      const slab = this.slab;
      slab[this.pos++] = 58; // ':'
      if (n < 0) {
        slab[this.pos++] = 45; // '-'
        n = -n;
      }
      this.putUint(n);
      this.crlf();
      return;
    }
    this.line(':', typeof n === 'bigint' ? n.toString() : String(n));
  }

  bulk(b: Buffer): void {
    const len = b.length;
    this.ensure(len + 24);
    const slab = this.slab;
    slab[this.pos++] = 36;
    this.putUint(len);
    this.crlf();
    const p = this.pos;
    if (len < 64) {
      for (let i = 0; i < len; i++) slab[p + i] = b[i];
    } else {
      b.copy(slab, p);
    }
    this.pos = p + len;
    this.crlf();
  }

  /** Bulk string from a latin1 JS string (keys, formatted numbers). */
  bulkStr(s: string): void {
    const len = s.length;
    this.ensure(len + 24);
    this.slab[this.pos++] = 36;
    this.putUint(len);
    this.crlf();
    this.put(s);
    this.crlf();
  }

  /** Bulk string from UTF-8 text we produce ourselves (INFO, CLIENT LIST). */
  bulkText(s: string): void {
    this.bulk(Buffer.from(s, 'utf8'));
  }

  nullBulk(): void {
    this.raw(this.proto === 3 ? '_\r\n' : '$-1\r\n');
  }

  nullArray(): void {
    this.raw(this.proto === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    this.header(42, n); // '*'
  }

  /** A map of n pairs (RESP2: a flat array of 2n). */
  map(n: number): void {
    if (this.proto === 3)
      this.header(37, n); // '%'
    else this.header(42, n * 2);
  }

  set(n: number): void {
    this.header(this.proto === 3 ? 126 : 42, n); // '~' or '*'
  }

  push(n: number): void {
    this.header(this.proto === 3 ? 62 : 42, n); // '>' or '*'
  }

  double(d: number): void {
    if (this.proto === 3) this.line(',', formatDouble17(d));
    else this.bulkStr(formatDouble17(d));
  }

  bool(b: boolean): void {
    if (this.proto === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? ':1\r\n' : ':0\r\n');
  }

  bigNumber(s: string): void {
    if (this.proto === 3) this.line('(', s);
    else this.bulkStr(s);
  }

  /** Verbatim string (RESP3 "=len\r\ntxt:..."), a bulk string in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.proto !== 3) {
      this.bulkText(s);
      return;
    }
    const b = Buffer.from(s, 'utf8');
    this.line('=', String(b.length + 4));
    this.raw(format + ':');
    this.rawBuf(b);
    this.raw('\r\n');
  }

  /** An array of bulk strings. */
  bulks(items: Buffer[]): void {
    this.array(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]);
  }

  bulkStrs(items: string[]): void {
    this.array(items.length);
    for (let i = 0; i < items.length; i++) this.bulkStr(items[i]);
  }
}

/** Pre-encoded shared replies, as Redis's shared objects. */
export const shared = {
  ok: '+OK\r\n',
  pong: '+PONG\r\n',
  queued: '+QUEUED\r\n',
  czero: ':0\r\n',
  cone: ':1\r\n',
};
