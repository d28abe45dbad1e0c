// RDB files and DUMP payloads.
//
// File: "REDIS0010", AUX fields (redis-ver, redis-bits, ctime, used-mem, aof-base), then per
// non-empty database SELECTDB n, RESIZEDB size expires, and its keys ([EXPIRETIME_MS t] [IDLE s |
// FREQ f] type key value), then EOF and the CRC-64 of everything before it (little-endian; eight
// zero bytes with rdbchecksum no).
//
// DUMP payload: type + value as in a file, the RDB version as 2 little-endian bytes, and the
// CRC-64 of all that (little-endian).
//
// Loading is incremental (RdbLoader.step parses for a time budget and returns), so the event
// loop keeps answering -LOADING while a large file loads; it fills fresh databases that the
// caller swaps in only once the whole file, checksum included, was read without error.

import type { Db, Entry, Value } from '../store/db';
import { Crc64 } from './crc64';
import { RdbError } from './errors';
import { OP, RDB_VERSION, RdbReader, RdbWriter } from './rdbio';
import { isValueType, readValue, type ValueOptions, writeValue } from './values';

export const MAGIC = 'REDIS';

/** What a key record needs; an Entry has all of it. */
export interface KeyRecord {
  key: string;
  value: Value;
  expires: number;
  lru: number;
  lfu: number;
}

/** maxmemory-policy decides whether IDLE (LRU policies) or FREQ (LFU policies) is saved. */
export type EvictionInfo = 'lru' | 'lfu' | 'none';

export function evictionInfo(policy: string): EvictionInfo {
  if (policy.endsWith('-lru')) return 'lru';
  if (policy.endsWith('-lfu')) return 'lfu';
  return 'none';
}

export interface HeaderInfo {
  redisVersion: string;
  ctime: number;
  usedMem: number;
  /** an AOF base file (aux field aof-base 1, as Redis writes it) */
  aofBase?: boolean;
}

export function writeHeader(w: RdbWriter, h: HeaderInfo): void {
  w.rawLatin1(`${MAGIC}${String(RDB_VERSION).padStart(4, '0')}`);
  const aux = (k: string, v: string) => {
    w.byte(OP.AUX);
    w.string(k);
    w.string(v);
  };
  aux('redis-ver', h.redisVersion);
  aux('redis-bits', '64');
  aux('ctime', String(h.ctime));
  aux('used-mem', String(h.usedMem));
  aux('aof-base', h.aofBase ? '1' : '0');
}

export function writeDbHeader(w: RdbWriter, id: number, size: number, expires: number): void {
  w.byte(OP.SELECTDB);
  w.len(id);
  w.byte(OP.RESIZEDB);
  w.len(size);
  w.len(expires);
}

/** The LFU counter after decay, for FREQ (same rule as OBJECT FREQ). */
export type LfuOf = (r: KeyRecord) => number;

export function writeKey(
  w: RdbWriter,
  r: KeyRecord,
  o: ValueOptions,
  ev: EvictionInfo,
  now: number,
  lfuOf: LfuOf,
): void {
  if (r.expires !== 0) {
    w.byte(OP.EXPIRETIME_MS);
    w.msTime(r.expires);
  }
  if (ev === 'lru') {
    w.byte(OP.IDLE);
    w.len(Math.max(0, Math.floor((now - r.lru) / 1000)));
  } else if (ev === 'lfu') {
    w.byte(OP.FREQ);
    w.byte(Math.max(0, Math.min(255, lfuOf(r))));
  }
  writeValue(w, r.value, o, r.key);
}

/** Writes EOF and flushes; returns the 8 checksum bytes (zeros without rdbchecksum) to append. */
export function writeFooter(w: RdbWriter, checksum: boolean): Buffer {
  w.byte(OP.EOF);
  w.flush();
  return checksum ? w.crc.bytesLE() : Buffer.alloc(8);
}

// ---- DUMP / RESTORE ----

export function createDump(v: Value, o: ValueOptions, compress: boolean): Buffer {
  const w = new RdbWriter({ compress });
  writeValue(w, v, o);
  const body = w.contents();
  const out = Buffer.allocUnsafe(body.length + 10);
  body.copy(out, 0);
  out.writeUInt16LE(RDB_VERSION, body.length);
  new Crc64()
    .update(out, 0, body.length + 2)
    .bytesLE()
    .copy(out, body.length + 2);
  return out;
}

/** Redis's verifyDumpPayload: footer version not newer than ours, and the CRC matches. */
export function verifyDump(p: Buffer): boolean {
  if (p.length < 10) return false;
  const ver = p.readUInt16LE(p.length - 10);
  if (ver > RDB_VERSION) return false;
  const crc = new Crc64().update(p, 0, p.length - 8).bytesLE();
  return crc.equals(p.subarray(p.length - 8));
}

/** Decodes a verified payload; throws RdbError ("Bad data format"). null = empty collection. */
export function readDump(p: Buffer, o: ValueOptions): Value | null {
  const r = new RdbReader(p, 0, p.length - 10);
  const type = r.byte();
  if (!isValueType(type)) throw new RdbError(`bad type ${type}`);
  // bytes after the value are ignored, as Redis does
  return readValue(r, type, o);
}

// ---- loading ----

export interface LoadOptions {
  values: ValueOptions;
  /** verify the CRC (rdbchecksum yes) */
  checksum: boolean;
  /** number of databases configured */
  databases: number;
  now: number;
  /** maxmemory-policy: IDLE/FREQ are applied to keys as Redis's objectSetLRUOrLFU */
  eviction: EvictionInfo;
  log: (msg: string) => void;
}

export interface LoadResult {
  loaded: number;
  expired: number;
  aux: Map<string, string>;
  version: number;
}

/** Parses a whole RDB file from a buffer into `dbs` (fresh databases), a slice at a time. */
export class RdbLoader {
  private readonly r: RdbReader;
  private readonly crc = new Crc64();
  private crcPos = 0;
  version = 0;
  private db: Db | null = null;
  private expires = -1;
  private idle = -1;
  private freq = -1;
  done = false;
  readonly result: LoadResult = { loaded: 0, expired: 0, aux: new Map(), version: 0 };
  private emptySkipped = 0;

  constructor(
    buf: Buffer,
    private readonly dbs: Db[],
    private readonly o: LoadOptions,
  ) {
    this.r = new RdbReader(buf);
    this.header();
  }

  get position(): number {
    return this.r.pos;
  }

  get total(): number {
    return this.r.end;
  }

  private header(): void {
    const r = this.r;
    if (r.remaining < 9) throw new RdbError('file too short for an RDB header');
    const magic = r.bytes(9).toString('latin1');
    if (!magic.startsWith(MAGIC)) throw new RdbError('wrong signature trying to load DB from file');
    const ver = /^\d{4}$/.test(magic.slice(5)) ? Number(magic.slice(5)) : -1;
    if (ver < 1 || ver > RDB_VERSION) throw new RdbError(`can't handle RDB format version ${magic.slice(5)}`);
    this.version = ver;
    this.result.version = ver;
    this.db = this.dbs[0] ?? null;
  }

  /** Parses until `deadline` (performance.now() ms) or the end; returns true when finished. */
  step(deadline: number): boolean {
    const r = this.r;
    let n = 0;
    while (!this.done) {
      if ((++n & 63) === 0 && performance.now() >= deadline) break;
      this.one();
    }
    if (!this.done) {
      this.crc.update(r.buf, this.crcPos, r.pos);
      this.crcPos = r.pos;
    }
    return this.done;
  }

  private one(): void {
    const r = this.r;
    const t = r.byte();
    switch (t) {
      case OP.EXPIRETIME:
        r.need(4);
        this.expires = r.buf.readInt32LE(r.pos) * 1000;
        r.pos += 4;
        return;
      case OP.EXPIRETIME_MS:
        this.expires = r.msTime();
        return;
      case OP.FREQ:
        this.freq = r.byte();
        return;
      case OP.IDLE:
        this.idle = r.len();
        return;
      case OP.EOF:
        this.finish();
        return;
      case OP.SELECTDB: {
        const id = r.len();
        if (id >= this.o.databases) {
          throw new RdbError(
            `data file was created with a server configured to handle more than ${this.o.databases} databases (key in db ${id})`,
          );
        }
        this.db = this.dbs[id];
        return;
      }
      case OP.RESIZEDB:
        r.len();
        r.len();
        return;
      case OP.AUX: {
        const k = r.latin1();
        const v = r.latin1();
        this.result.aux.set(k, v);
        if (k === 'redis-ver') this.o.log(`Loading RDB produced by version ${v}`);
        else if (k === 'ctime') {
          const age = Math.floor(this.o.now / 1000) - Number(v);
          this.o.log(`RDB age ${Math.max(0, age)} seconds`);
        } else if (k === 'used-mem')
          this.o.log(`RDB memory usage when created ${(Number(v) / 1048576).toFixed(2)} Mb`);
        return;
      }
      case OP.MODULE_AUX:
        this.skipModuleAux();
        return;
      case OP.FUNCTION2: {
        r.stringView();
        this.o.log('RDB holds a function library: skipped (redoubt has no FUNCTION support)');
        return;
      }
      case OP.FUNCTION_PRE_GA:
        throw new RdbError('pre-release function format not supported');
      default:
        if (!isValueType(t)) throw new RdbError(`unknown RDB type or opcode ${t} at offset ${r.pos - 1}`);
        this.keyValue(t);
    }
  }

  private keyValue(type: number): void {
    const r = this.r;
    const key = r.latin1();
    const v = readValue(r, type, this.o.values);
    const expires = this.expires;
    const idle = this.idle;
    const freq = this.freq;
    this.expires = -1;
    this.idle = -1;
    this.freq = -1;
    if (v === null) {
      if (this.emptySkipped++ < 10) this.o.log(`rdbLoadObject skipping empty key: ${key}`);
      return;
    }
    const db = this.db;
    if (db === null) throw new RdbError('key outside of any database');
    if (expires !== -1 && expires < this.o.now) {
      if (db.dict.has(key)) throw new RdbError(`duplicated key '${key}' in DB ${db.id}`);
      this.result.expired++;
      return;
    }
    // a duplicate replaces instead of adding: the size tells, without a second lookup
    const size = db.size;
    const e: Entry = db.set(key, v, expires === -1 ? 0 : expires);
    if (db.size === size) throw new RdbError(`duplicated key '${key}' in DB ${db.id}`);
    if (this.o.eviction === 'lfu' && freq >= 0) e.lfu = freq;
    else if (this.o.eviction !== 'lfu' && idle >= 0) e.lru = this.o.now - idle * 1000;
    this.result.loaded++;
  }

  /** Module AUX data: module id, when-opcode, when, then typed fields up to an EOF marker. */
  private skipModuleAux(): void {
    const r = this.r;
    r.len64();
    const whenOp = r.len();
    if (whenOp !== 2) throw new RdbError('bad module AUX when-opcode');
    r.len();
    for (;;) {
      const op = r.len();
      if (op === 0) break;
      if (op === 1 || op === 2) r.len64();
      else if (op === 3) r.bytes(4);
      else if (op === 4) r.bytes(8);
      else if (op === 5) r.stringView();
      else throw new RdbError(`bad module AUX field opcode ${op}`);
    }
    this.o.log('RDB holds module AUX data: skipped (redoubt has no modules)');
  }

  private finish(): void {
    const r = this.r;
    // the checksum covers everything up to and including the EOF byte
    this.crc.update(r.buf, this.crcPos, r.pos);
    this.crcPos = r.pos;
    if (this.version >= 5) {
      r.need(8);
      const stored = r.buf.subarray(r.pos, r.pos + 8);
      r.pos += 8;
      const zero = stored.every((b) => b === 0);
      if (zero) {
        this.o.log('RDB file was saved with checksum disabled: no check performed.');
      } else if (this.o.checksum && !this.crc.bytesLE().equals(stored)) {
        const got = Buffer.from(stored).reverse().toString('hex');
        throw new RdbError(`wrong RDB checksum, expected ${this.crc.hex()} got ${got}`);
      }
    }
    if (r.pos !== r.end)
      throw new RdbError(`${r.end - r.pos} unexpected bytes after the end of the RDB data`);
    this.done = true;
  }
}
