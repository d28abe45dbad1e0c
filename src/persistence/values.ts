// One value in RDB form: the type byte and the encoding Redis 7.0 writes for the value's
// encoding (quicklist 2 for lists, listpack or plain hash, intset or plain set, listpack or
// ZSET_2 sorted set, stream listpacks 2), and the reader for every type Redis 7.0 can load,
// including the ziplist, zipmap and quicklist-1 encodings of older files.
//
// Loaded values get the encoding Redis would give them under the current configuration
// (hash-max-listpack-*, set-max-intset-entries, zset-max-listpack-*).

import { formatDouble17 } from '../protocol/format';
import type { Server } from '../server/server';
import type { Value } from '../store/db';
import { HashValue } from '../store/hash';
import { ListValue } from '../store/list';
import { SetValue } from '../store/set';
import { ZSetValue } from '../store/zset';
import { RdbError } from './errors';
import { decodeIntset, encodeIntset } from './intset';
import { decodeListpack, ListpackBuilder, type LpValue, lpString } from './listpack';
import { type RdbReader, type RdbWriter, T } from './rdbio';
import {
  isStream,
  readStream,
  type StreamNodeLimits,
  streamFromData,
  streamToData,
  writeStream,
} from './stream';
import { decodeZiplist, decodeZipmap } from './ziplist';

export interface ValueOptions {
  /** list-max-listpack-size */
  listFill: number;
  hashEntries: number;
  hashValue: number;
  setIntset: number;
  zsetEntries: number;
  zsetValue: number;
  stream: StreamNodeLimits;
}

function num(s: Server, name: string, def: number): number {
  try {
    return s.config.num(name);
  } catch {
    return def;
  }
}

export function valueOptions(s: Server): ValueOptions {
  return {
    listFill: num(s, 'list-max-listpack-size', -2),
    hashEntries: num(s, 'hash-max-listpack-entries', 512),
    hashValue: num(s, 'hash-max-listpack-value', 64),
    setIntset: num(s, 'set-max-intset-entries', 512),
    zsetEntries: num(s, 'zset-max-listpack-entries', 128),
    zsetValue: num(s, 'zset-max-listpack-value', 64),
    stream: { bytes: num(s, 'stream-node-max-bytes', 4096), entries: num(s, 'stream-node-max-entries', 100) },
  };
}

export const defaultValueOptions: ValueOptions = {
  listFill: -2,
  hashEntries: 512,
  hashValue: 64,
  setIntset: 512,
  zsetEntries: 128,
  zsetValue: 64,
  stream: { bytes: 4096, entries: 100 },
};

// ---- writing ----

/** Redis's d2string: integers without a fraction part, %.17g otherwise. */
export function d2string(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Number.POSITIVE_INFINITY) return 'inf';
  if (d === Number.NEGATIVE_INFINITY) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (d > -4503599627370495 && d < 4503599627370496 && Number.isInteger(d)) return String(d);
  return formatDouble17(d);
}

const OPT_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const PACKED_THRESHOLD = 1 << 30;

/** quicklist's _quicklistNodeAllowInsert for an element of `sz` bytes (7.0 rules). */
function allowInsert(nodeBytes: number, count: number, fill: number, sz: number): boolean {
  if (sz >= PACKED_THRESHOLD) return false;
  // an over-estimate of the entry's size (8 bytes of overhead), as 7.0.15 does
  const newSz = nodeBytes + sz + 8;
  if (fill < 0) {
    const off = -fill - 1;
    if (off < OPT_LEVEL.length && newSz <= OPT_LEVEL[off]) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count < Math.min(fill, 1 << 15);
}

function writeList(w: RdbWriter, l: ListValue, fill: number): void {
  // nodes as RPUSH of every element would build them, so a pushed list saves like Redis's
  const nodes: { plain: boolean; data: Buffer }[] = [];
  let cur: ListpackBuilder | null = null;
  const n = l.length;
  for (let i = 0; i < n; i++) {
    const b = l.get(i) as Buffer;
    if (b.length >= PACKED_THRESHOLD) {
      if (cur !== null) nodes.push({ plain: false, data: cur.finish() });
      cur = null;
      nodes.push({ plain: true, data: b });
      continue;
    }
    if (cur === null || !allowInsert(cur.bytes, cur.count, fill, b.length)) {
      if (cur !== null) nodes.push({ plain: false, data: cur.finish() });
      cur = new ListpackBuilder(Math.min(8192, 64 + b.length * 2));
    }
    cur.append(b);
  }
  if (cur !== null) nodes.push({ plain: false, data: cur.finish() });
  w.len(nodes.length);
  for (const node of nodes) {
    w.len(node.plain ? 1 : 2);
    w.string(node.data);
  }
}

/** The type byte, then the key for a key record (a DUMP payload has none). */
function head(w: RdbWriter, type: number, key: string | null): void {
  w.byte(type);
  if (key !== null) w.string(key);
}

/** Writes the type byte, the key if given, and the value. */
export function writeValue(w: RdbWriter, v: Value, o: ValueOptions, key: string | null = null): void {
  if (v instanceof Uint8Array) {
    head(w, T.STRING, key);
    w.string(v);
    return;
  }
  if (v instanceof ListValue) {
    head(w, T.LIST_QUICKLIST_2, key);
    writeList(w, v, o.listFill);
    return;
  }
  if (v instanceof HashValue) {
    if (v.listpack) {
      head(w, T.HASH_LISTPACK, key);
      const lp = new ListpackBuilder(64 + v.payloadBytes + v.size * 4);
      for (const n of v.map.nodes()) {
        lp.append(n.key);
        lp.append(n.value);
      }
      w.string(lp.finish());
    } else {
      head(w, T.HASH, key);
      w.len(v.size);
      for (const n of v.map.nodes()) {
        w.string(n.key);
        w.string(n.value);
      }
    }
    return;
  }
  if (v instanceof SetValue) {
    if (v.intset) {
      head(w, T.SET_INTSET, key);
      w.string(encodeIntset(v.map.keys()));
    } else {
      head(w, T.SET, key);
      w.len(v.size);
      for (const m of v.map.keys()) w.string(m);
    }
    return;
  }
  if (v instanceof ZSetValue) {
    const items = v.items();
    if (v.packed) {
      head(w, T.ZSET_LISTPACK, key);
      const lp = new ListpackBuilder(64 + items.length * 16);
      for (const it of items) {
        lp.append(it.member);
        lp.append(d2string(it.score));
      }
      w.string(lp.finish());
    } else {
      // greatest first, as Redis writes them (so loading can insert at the head)
      head(w, T.ZSET_2, key);
      w.len(items.length);
      for (let i = items.length - 1; i >= 0; i--) {
        w.string(items[i].member);
        w.double(items[i].score);
      }
    }
    return;
  }
  if (isStream(v)) {
    head(w, T.STREAM_LISTPACKS_2, key);
    writeStream(w, streamToData(v), o.stream);
    return;
  }
  throw new Error(`no RDB encoding for values of type ${(v as { kind?: string }).kind ?? typeof v}`);
}

// ---- reading ----

function parseScore(v: LpValue): number {
  if (typeof v !== 'string') return Number(v);
  const t = v.trim();
  let d: number;
  if (/^[+-]?inf(inity)?$/i.test(t)) d = t.startsWith('-') ? -Infinity : Infinity;
  else d = t === '' ? Number.NaN : Number(t);
  if (Number.isNaN(d)) throw new RdbError(`bad score '${v}'`);
  return d;
}

function newHash(o: ValueOptions, pairs: number): HashValue {
  const h = new HashValue();
  if (pairs > o.hashEntries) h.listpack = false;
  return h;
}

function hashFromPairs(flat: LpValue[], o: ValueOptions): HashValue | null {
  if (flat.length % 2 !== 0) throw new RdbError('hash with an odd number of elements');
  if (flat.length === 0) return null;
  const lim = { entries: o.hashEntries, value: o.hashValue };
  const h = newHash(o, flat.length / 2);
  for (let i = 0; i < flat.length; i += 2) {
    if (!h.set(lpString(flat[i]), lpString(flat[i + 1]), lim)) throw new RdbError('duplicate hash field');
  }
  return h;
}

function zsetFromPairs(flat: LpValue[], o: ValueOptions): ZSetValue | null {
  if (flat.length % 2 !== 0) throw new RdbError('sorted set with an odd number of elements');
  if (flat.length === 0) return null;
  const z = new ZSetValue(true);
  let maxLen = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const m = lpString(flat[i]);
    if (z.has(m)) throw new RdbError('duplicate sorted set member');
    z.add(m, parseScore(flat[i + 1]));
    if (m.length > maxLen) maxLen = m.length;
  }
  z.packed = z.size <= o.zsetEntries && maxLen <= o.zsetValue;
  return z;
}

function listFrom(items: LpValue[], into: ListValue): void {
  for (const v of items) into.pushTail(Buffer.from(lpString(v), 'latin1'));
}

/** Reads one value of `type`; null for an empty collection (Redis skips those keys). */
export function readValue(r: RdbReader, type: number, o: ValueOptions): Value | null {
  switch (type) {
    case T.STRING:
      return r.string();
    case T.LIST: {
      const n = r.count();
      const l = new ListValue(Math.min(n, 1024));
      for (let i = 0; i < n; i++) l.pushTail(r.string());
      return l.length === 0 ? null : l;
    }
    case T.LIST_ZIPLIST: {
      const l = new ListValue();
      listFrom(decodeZiplist(r.stringView()), l);
      return l.length === 0 ? null : l;
    }
    case T.LIST_QUICKLIST:
    case T.LIST_QUICKLIST_2: {
      const nodes = r.count();
      const l = new ListValue();
      for (let i = 0; i < nodes; i++) {
        if (type === T.LIST_QUICKLIST) {
          listFrom(decodeZiplist(r.stringView()), l);
          continue;
        }
        const container = r.len();
        if (container === 1) l.pushTail(r.string());
        else if (container === 2) listFrom(decodeListpack(r.stringView()), l);
        else throw new RdbError(`quicklist node with unknown container ${container}`);
      }
      return l.length === 0 ? null : l;
    }
    case T.SET: {
      const n = r.count();
      if (n === 0) return null;
      const s = new SetValue(n <= o.setIntset);
      for (let i = 0; i < n; i++) {
        if (!s.add(r.latin1(), o.setIntset)) throw new RdbError('duplicate set member');
      }
      return s;
    }
    case T.SET_INTSET: {
      const members = decodeIntset(r.stringView());
      if (members.length === 0) return null;
      const s = new SetValue(true);
      for (const m of members) s.add(m, o.setIntset);
      return s;
    }
    case T.ZSET:
    case T.ZSET_2: {
      const n = r.count(2);
      if (n === 0) return null;
      const z = new ZSetValue(true);
      let maxLen = 0;
      for (let i = 0; i < n; i++) {
        const m = r.latin1();
        const score = type === T.ZSET_2 ? r.double() : r.stringDouble();
        if (Number.isNaN(score)) throw new RdbError('sorted set with a NaN score');
        if (z.has(m)) throw new RdbError('duplicate sorted set member');
        z.add(m, score);
        if (m.length > maxLen) maxLen = m.length;
      }
      z.packed = n <= o.zsetEntries && maxLen <= o.zsetValue;
      return z;
    }
    case T.ZSET_ZIPLIST:
      return zsetFromPairs(decodeZiplist(r.stringView()), o);
    case T.ZSET_LISTPACK:
      return zsetFromPairs(decodeListpack(r.stringView()), o);
    case T.HASH: {
      const n = r.count(2);
      if (n === 0) return null;
      const lim = { entries: o.hashEntries, value: o.hashValue };
      const h = newHash(o, n);
      for (let i = 0; i < n; i++) {
        const f = r.latin1();
        const v = r.latin1();
        if (!h.set(f, v, lim)) throw new RdbError('duplicate hash field');
      }
      return h;
    }
    case T.HASH_ZIPMAP:
      return hashFromPairs(decodeZipmap(r.stringView()), o);
    case T.HASH_ZIPLIST:
      return hashFromPairs(decodeZiplist(r.stringView()), o);
    case T.HASH_LISTPACK:
      return hashFromPairs(decodeListpack(r.stringView()), o);
    case T.STREAM_LISTPACKS:
    case T.STREAM_LISTPACKS_2:
      return streamFromData(readStream(r, type), o.stream);
    case T.MODULE_PRE_GA:
    case T.MODULE_2:
      throw new RdbError('the data holds a module value type, which redoubt does not support (no modules)');
    default:
      throw new RdbError(`unknown value type ${type}`);
  }
}

/** Whether a type byte is a value type (not an opcode). */
export function isValueType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}
