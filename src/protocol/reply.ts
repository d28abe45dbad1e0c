// Reply writer: encodes RESP2/RESP3 into slabs, handed to the socket once per read batch.
// A region of a slab is never written again after it was handed out, so no copy is needed
// when flushing; values are always copied in, so the store may mutate its buffers freely.

import { formatDouble17 } from './format';

const SLAB = 64 * 1024;
const CRLF = 0x0a0d; // little-endian "\r\n"

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
    this.pos += this.slab.write(s, this.pos, 'latin1');
  }

  rawBuf(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.slab, this.pos);
    this.pos += b.length;
  }

  private line(prefix: string, s: string): void {
    this.ensure(s.length + 3);
    const slab = this.slab;
    slab[this.pos++] = prefix.charCodeAt(0);
    this.pos += slab.write(s, this.pos, 'latin1');
    slab.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
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
    this.line(':', typeof n === 'bigint' ? n.toString() : String(n));
  }

  bulk(b: Buffer): void {
    const len = b.length;
    this.ensure(len + 16);
    const slab = this.slab;
    slab[this.pos++] = 36;
    this.pos += slab.write(String(len), this.pos, 'latin1');
    slab.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
    if (len < 64) {
      for (let i = 0; i < len; i++) slab[this.pos + i] = b[i];
    } else {
      b.copy(slab, this.pos);
    }
    this.pos += len;
    slab.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
  }

  /** Bulk string from a latin1 JS string (keys, formatted numbers). */
  bulkStr(s: string): void {
    const len = s.length;
    this.ensure(len + 16);
    const slab = this.slab;
    slab[this.pos++] = 36;
    this.pos += slab.write(String(len), this.pos, 'latin1');
    slab.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
    this.pos += slab.write(s, this.pos, 'latin1');
    slab.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
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
    this.line('*', String(n));
  }

  /** A map of n pairs (RESP2: a flat array of 2n). */
  map(n: number): void {
    if (this.proto === 3) this.line('%', String(n));
    else this.line('*', String(n * 2));
  }

  set(n: number): void {
    this.line(this.proto === 3 ? '~' : '*', String(n));
  }

  push(n: number): void {
    this.line(this.proto === 3 ? '>' : '*', String(n));
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
