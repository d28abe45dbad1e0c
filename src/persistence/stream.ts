// Streams in RDB files (RDB_TYPE_STREAM_LISTPACKS_2, Redis 7.0; RDB_TYPE_STREAM_LISTPACKS from
// 5.0-6.2 is read too).
//
// A stream is saved as its radix tree of listpack nodes, each keyed by its master ID (16 bytes:
// ms and seq as big-endian u64), then length, last ID, first ID, max deleted ID, entries added,
// and the consumer groups (name, last delivered ID, entries read, the group PEL with delivery
// time and count per ID, and the consumers with their seen time and their PEL IDs).
//
// Node listpack: a master entry [count, deleted, n, field1..fieldn, 0], then per entry
// [flags, ms-diff, seq-diff, (n, f1, v1, ... | v1..vn when flags has SAMEFIELDS), lp-count].
// IDs in a node are deltas from the master ID (wrapping u64 arithmetic, stored as int64).
//
// The data model here is logical (live entries, groups, PELs): the store's StreamValue is
// converted to and from StreamData through its public API. Entries that were deleted but still
// sit flagged in Redis's nodes are not kept, so a stream that had deletions saves its nodes
// without them (same content, different bytes than Redis for such streams).

import type { Value } from '../store/db';
import {
  Consumer,
  MAX_ID,
  type Nack,
  norm,
  type StreamID as StoreId,
  StreamValue,
  ZERO_ID,
} from '../store/stream';
import { RdbError } from './errors';
import { decodeListpack, ListpackBuilder, type LpValue, lpString } from './listpack';
import { type RdbReader, type RdbWriter, T } from './rdbio';

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface StreamEntry {
  id: StreamId;
  /** field, value, field, value... (latin1) */
  fields: string[];
}

export interface StreamNack {
  id: StreamId;
  deliveryTime: number;
  deliveryCount: number;
  /** owning consumer's name (null: none, which Redis tolerates outside deep sanitization) */
  consumer: string | null;
}

export interface StreamConsumer {
  name: string;
  seenTime: number;
  /** IDs of this consumer's pending entries, ascending */
  pending: StreamId[];
}

export interface StreamGroup {
  name: string;
  lastId: StreamId;
  /** entries read counter; -1n = unknown (SCG_INVALID_ENTRIES_READ) */
  entriesRead: bigint;
  /** the group PEL, ascending by ID */
  pel: StreamNack[];
  /** consumers by name, ascending (bytewise) */
  consumers: StreamConsumer[];
}

export interface StreamData {
  /** live entries, ascending by ID */
  entries: StreamEntry[];
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: bigint;
  /** by name, ascending (bytewise) */
  groups: StreamGroup[];
}

/** Converts between the store's stream type and StreamData. */
export function streamToData(v: StreamValue): StreamData {
  const id = (x: StoreId): StreamId => ({ ms: BigInt(x.ms), seq: BigInt(x.seq) });
  const entries: StreamEntry[] = [];
  v.range(ZERO_ID, MAX_ID, false, (eid, fv) => {
    entries.push({ id: id(eid), fields: fv.map((b) => b.toString('latin1')) });
    return true;
  });
  const groups: StreamGroup[] = [];
  for (const g of v.sortedGroups()) {
    const pel: StreamNack[] = [];
    g.pel.walk((nid, n) => {
      pel.push({
        id: id(nid),
        deliveryTime: n.deliveryTime,
        deliveryCount: n.deliveryCount,
        consumer: n.consumer?.name ?? null,
      });
      return true;
    });
    const consumers: StreamConsumer[] = g.sortedConsumers().map((c) => {
      const pending: StreamId[] = [];
      c.pel.walk((nid) => {
        pending.push(id(nid));
        return true;
      });
      return { name: c.name, seenTime: c.seenTime, pending };
    });
    groups.push({ name: g.name, lastId: id(g.lastId), entriesRead: BigInt(g.entriesRead), pel, consumers });
  }
  return {
    entries,
    lastId: id(v.lastId),
    firstId: id(v.firstId),
    maxDeletedId: id(v.maxDeletedId),
    entriesAdded: BigInt(v.entriesAdded),
    groups,
  };
}

/** Builds a stream value (nodes split by XADD's rules under the current limits). */
export function streamFromData(d: StreamData, lim: StreamNodeLimits): StreamValue {
  const id = (x: StreamId): StoreId => ({ ms: norm(x.ms), seq: norm(x.seq) });
  const s = new StreamValue();
  for (const e of d.entries) {
    s.append(
      id(e.id),
      e.fields.map((f) => Buffer.from(f, 'latin1')),
      lim.bytes,
      lim.entries,
    );
  }
  s.lastId = id(d.lastId);
  s.firstId = id(d.firstId);
  s.maxDeletedId = id(d.maxDeletedId);
  s.entriesAdded = signed(d.entriesAdded);
  for (const g of d.groups) {
    const cg = s.createGroup(g.name, id(g.lastId), signed(g.entriesRead));
    if (cg === undefined) throw new RdbError('duplicated consumer group name');
    const nacks = new Map<string, Nack>();
    for (const n of g.pel) {
      const nack: Nack = { deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: null };
      cg.pel.set(id(n.id), nack);
      nacks.set(`${n.id.ms}-${n.id.seq}`, nack);
    }
    for (const c of g.consumers) {
      const cons = new Consumer(c.name, c.seenTime);
      cg.consumers.set(c.name, cons);
      for (const pid of c.pending) {
        const nack = nacks.get(`${pid.ms}-${pid.seq}`) as Nack;
        nack.consumer = cons;
        cons.pel.set(id(pid), nack);
      }
    }
  }
  return s;
}

/** An int64 as the store keeps it (number when safe). */
function signed(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

export function isStream(v: Value): v is StreamValue {
  return v instanceof StreamValue;
}

export function cmpId(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function idBytes(id: StreamId): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(id.ms, 0);
  b.writeBigUInt64BE(id.seq, 8);
  return b;
}

function readRawId(r: RdbReader): StreamId {
  const b = r.bytes(16);
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

function readLenId(r: RdbReader): StreamId {
  const ms = r.len64();
  const seq = r.len64();
  return { ms, seq };
}

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

export interface StreamNodeLimits {
  /** stream-node-max-bytes (0 = no limit but the 1 GB cap) */
  bytes: number;
  /** stream-node-max-entries (0 = no limit) */
  entries: number;
}

/** Splits entries into nodes as XADD does, so a stream built by XADD saves like Redis's. */
function buildNodes(entries: StreamEntry[], lim: StreamNodeLimits): { master: StreamId; lp: Buffer }[] {
  const out: { master: StreamId; lp: Buffer }[] = [];
  const maxBytes = lim.bytes === 0 || lim.bytes > 1 << 30 ? 1 << 30 : lim.bytes;
  let lp: ListpackBuilder | null = null;
  let master: StreamId = { ms: 0n, seq: 0n };
  let masterFields: string[] = [];
  let count = 0;
  const items: LpValue[] = [];
  const finish = () => {
    if (lp === null) return;
    // the master entry's count is only known at the end: build the real listpack now
    const b = new ListpackBuilder(lp.bytes + 16);
    b.appendInt(count);
    b.appendInt(0);
    b.appendInt(masterFields.length);
    for (const f of masterFields) b.append(f);
    b.appendInt(0);
    for (const it of items) {
      if (typeof it === 'string') b.append(it);
      else b.appendInt(it);
    }
    out.push({ master, lp: b.finish() });
    lp = null;
    items.length = 0;
  };
  for (const e of entries) {
    const n = e.fields.length / 2;
    let tot = 0;
    for (const f of e.fields) tot += f.length;
    if (lp !== null && (lp.bytes + tot >= maxBytes || (lim.entries > 0 && count >= lim.entries))) finish();
    if (lp === null) {
      lp = new ListpackBuilder(256);
      master = e.id;
      masterFields = [];
      for (let i = 0; i < e.fields.length; i += 2) masterFields.push(e.fields[i]);
      count = 0;
      // size tracking mirrors the real listpack: master entry first
      lp.appendInt(1);
      lp.appendInt(0);
      lp.appendInt(n);
      for (const f of masterFields) lp.append(f);
      lp.appendInt(0);
    }
    count++;
    let same = n === masterFields.length;
    if (same) {
      for (let i = 0; i < n; i++) {
        if (e.fields[i * 2] !== masterFields[i]) {
          same = false;
          break;
        }
      }
    }
    const msDiff = BigInt.asIntN(64, e.id.ms - master.ms);
    const seqDiff = BigInt.asIntN(64, e.id.seq - master.seq);
    const add = (v: LpValue) => {
      items.push(v);
      if (typeof v === 'string') lp?.append(v);
      else lp?.appendInt(v);
    };
    add(same ? FLAG_SAMEFIELDS : 0);
    add(toNum(msDiff));
    add(toNum(seqDiff));
    if (same) {
      for (let i = 0; i < n; i++) add(e.fields[i * 2 + 1]);
      add(n + 3);
    } else {
      add(n);
      for (const f of e.fields) add(f);
      add(n * 2 + 4);
    }
  }
  finish();
  return out;
}

function toNum(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** Writes a stream value (after the type byte) as RDB_TYPE_STREAM_LISTPACKS_2. */
export function writeStream(w: RdbWriter, d: StreamData, lim: StreamNodeLimits): void {
  const nodes = buildNodes(d.entries, lim);
  w.len(nodes.length);
  for (const n of nodes) {
    w.string(idBytes(n.master));
    w.string(n.lp);
  }
  w.len(d.entries.length);
  w.len(d.lastId.ms);
  w.len(d.lastId.seq);
  w.len(d.firstId.ms);
  w.len(d.firstId.seq);
  w.len(d.maxDeletedId.ms);
  w.len(d.maxDeletedId.seq);
  w.len(d.entriesAdded);
  w.len(d.groups.length);
  for (const g of d.groups) {
    w.string(Buffer.from(g.name, 'latin1'));
    w.len(g.lastId.ms);
    w.len(g.lastId.seq);
    w.len(BigInt.asUintN(64, g.entriesRead));
    w.len(g.pel.length);
    for (const p of g.pel) {
      w.raw(idBytes(p.id));
      w.msTime(p.deliveryTime);
      w.len(p.deliveryCount);
    }
    w.len(g.consumers.length);
    for (const c of g.consumers) {
      w.string(Buffer.from(c.name, 'latin1'));
      w.msTime(c.seenTime);
      w.len(c.pending.length);
      for (const id of c.pending) w.raw(idBytes(id));
    }
  }
}

function lpInt(v: LpValue | undefined): bigint {
  if (v === undefined) throw new RdbError('stream listpack: truncated entry');
  if (typeof v === 'string') throw new RdbError('stream listpack: integer expected');
  return BigInt(v);
}

function lpSmall(v: LpValue | undefined): number {
  const n = lpInt(v);
  if (n < 0n || n > 0xffffffffn) throw new RdbError('stream listpack: bad count');
  return Number(n);
}

/** Reads a stream value (after the type byte) of type 15 or 19. */
export function readStream(r: RdbReader, type: number): StreamData {
  const v2 = type === T.STREAM_LISTPACKS_2;
  const nodes = r.count(2);
  const entries: StreamEntry[] = [];
  let prev: StreamId | null = null;
  for (let i = 0; i < nodes; i++) {
    const key = r.stringView();
    if (key.length !== 16) throw new RdbError('stream node key is not a 128-bit ID');
    const master = { ms: key.readBigUInt64BE(0), seq: key.readBigUInt64BE(8) };
    const lp = decodeListpack(r.stringView());
    if (lp.length === 0) throw new RdbError('empty listpack inside stream');
    let p = 0;
    const count = lpSmall(lp[p++]);
    const deleted = lpSmall(lp[p++]);
    const nf = lpSmall(lp[p++]);
    if (p + nf > lp.length) throw new RdbError('stream listpack: truncated master entry');
    const masterFields = lp.slice(p, p + nf).map(lpString);
    p += nf;
    if (lpInt(lp[p++]) !== 0n) throw new RdbError('stream listpack: bad master terminator');
    let live = 0;
    let dead = 0;
    while (p < lp.length) {
      const start = p;
      const flags = lpSmall(lp[p++]);
      const ms = BigInt.asUintN(64, master.ms + lpInt(lp[p++]));
      const seq = BigInt.asUintN(64, master.seq + lpInt(lp[p++]));
      const id = { ms, seq };
      let fields: string[];
      if (flags & FLAG_SAMEFIELDS) {
        if (p + nf > lp.length) throw new RdbError('stream listpack: truncated entry');
        fields = [];
        for (let k = 0; k < nf; k++) fields.push(masterFields[k], lpString(lp[p++]));
      } else {
        const n = lpSmall(lp[p++]);
        if (p + n * 2 > lp.length) throw new RdbError('stream listpack: truncated entry');
        fields = [];
        for (let k = 0; k < n * 2; k++) fields.push(lpString(lp[p++]));
      }
      const lpCount = lpSmall(lp[p++]);
      if (lpCount !== p - start - 1) throw new RdbError('stream listpack: bad entry count');
      if (flags & FLAG_DELETED) {
        dead++;
        continue;
      }
      live++;
      if (prev !== null && cmpId(prev, id) >= 0) throw new RdbError('stream IDs out of order');
      prev = id;
      entries.push({ id, fields });
    }
    if (live !== count || dead !== deleted) throw new RdbError('stream listpack: entry counts mismatch');
  }
  const length = r.len64();
  if (length !== BigInt(entries.length)) throw new RdbError('stream length mismatch');
  const lastId = readLenId(r);
  let firstId: StreamId;
  let maxDeletedId: StreamId;
  let entriesAdded: bigint;
  if (v2) {
    firstId = readLenId(r);
    maxDeletedId = readLenId(r);
    entriesAdded = r.len64();
  } else {
    maxDeletedId = { ms: 0n, seq: 0n };
    entriesAdded = length;
    firstId = entries.length > 0 ? entries[0].id : { ms: 0n, seq: 0n };
  }
  if (prev !== null && cmpId(prev, lastId) > 0) throw new RdbError('stream last ID below an entry');
  const d: StreamData = { entries, lastId, firstId, maxDeletedId, entriesAdded, groups: [] };
  const ngroups = r.count(2);
  for (let g = 0; g < ngroups; g++) {
    const name = r.latin1();
    const glast = readLenId(r);
    let entriesRead: bigint;
    if (v2) entriesRead = BigInt.asIntN(64, r.len64());
    else entriesRead = estimateDistance(d, glast);
    const pel: StreamNack[] = [];
    const byId = new Map<string, StreamNack>();
    const npel = r.count(17);
    let prevPel: StreamId | null = null;
    for (let i = 0; i < npel; i++) {
      const id = readRawId(r);
      const deliveryTime = r.msTime();
      const deliveryCount = r.len();
      if (prevPel !== null && cmpId(prevPel, id) >= 0) throw new RdbError('stream PEL out of order');
      prevPel = id;
      const nack: StreamNack = { id, deliveryTime, deliveryCount, consumer: null };
      pel.push(nack);
      byId.set(`${id.ms}-${id.seq}`, nack);
    }
    const consumers: StreamConsumer[] = [];
    const nc = r.count(10);
    for (let i = 0; i < nc; i++) {
      const cname = r.latin1();
      const seenTime = r.msTime();
      if (consumers.some((c) => c.name === cname)) throw new RdbError('duplicated consumer name');
      const np = r.count(16);
      const pending: StreamId[] = [];
      for (let k = 0; k < np; k++) {
        const id = readRawId(r);
        const nack = byId.get(`${id.ms}-${id.seq}`);
        if (nack === undefined) throw new RdbError('consumer PEL entry not found in the group PEL');
        if (nack.consumer !== null) throw new RdbError('duplicated consumer PEL entry');
        nack.consumer = cname;
        pending.push(id);
      }
      consumers.push({ name: cname, seenTime, pending });
    }
    if (d.groups.some((x) => x.name === name)) throw new RdbError('duplicated consumer group name');
    d.groups.push({ name, lastId: glast, entriesRead, pel, consumers });
  }
  return d;
}

/** Redis's estimate of a group's entries-read counter for streams saved before 7.0. */
function estimateDistance(d: StreamData, id: StreamId): bigint {
  const length = BigInt(d.entries.length);
  if (d.entriesAdded === 0n) return 0n;
  if (length === 0n && cmpId(id, d.lastId) < 1) return d.entriesAdded;
  const cmpLast = cmpId(id, d.lastId);
  if (cmpLast === 0) return d.entriesAdded;
  if (cmpLast > 0) return -1n;
  const cmpFirst = cmpId(id, d.firstId);
  const noTombs = d.maxDeletedId.ms === 0n && d.maxDeletedId.seq === 0n;
  if (noTombs || cmpId(d.maxDeletedId, d.firstId) < 0) {
    if (cmpFirst < 0) return d.entriesAdded - length;
    if (cmpFirst === 0) return d.entriesAdded - length + 1n;
  }
  return -1n;
}
