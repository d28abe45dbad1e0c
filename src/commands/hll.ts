// HyperLogLog commands (PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST), Redis 7.0 semantics, on the
// exact string representation of store/hll.ts. An HLL is a string value: commands that change
// it first "unshare" it (an owned copy, as Redis's dbUnshareStringValue, which also makes
// OBJECT ENCODING report raw) and then edit it.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { propagateAs } from '../server/dispatch';
import type { Entry } from '../store/db';
import {
  cacheValid,
  createHll,
  decodeSparse,
  denseGet,
  denseSet,
  denseSetReg,
  ERR_INVALID_HLL,
  ERR_NOT_HLL,
  estimate,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  invalidateCache,
  isHllString,
  mergeInto,
  patLen,
  rawHisto,
  readCache,
  regHisto,
  SparseWork,
  sparseToDense,
  writeCache,
} from '../store/hll';
import { key } from './args';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import { adoptOwned, growString, newOwnedString } from './string';
import type { CommandDef } from './types';

function sparseMaxBytes(c: Client): number {
  return c.server.config.num('hll-sparse-max-bytes');
}

/** Type and format check (isHLLObjectOrReply); writes the error and returns false. */
function checkHll(c: Client, e: Entry): boolean {
  const v = e.value;
  if (!(v instanceof Uint8Array)) {
    c.reply.error(E.wrongType);
    return false;
  }
  if (!isHllString(v)) {
    c.reply.error(ERR_NOT_HLL);
    return false;
  }
  return true;
}

/** The entry's string as an owned, writable Buffer (stored back into the entry). */
function unshare(e: Entry): Buffer {
  const b = e.value as Buffer;
  return growString(e, b.length, b.length) ?? b;
}

/** Stores sparse bytes edited in a SparseWork into the entry as a new owned string. */
function storeSparse(e: Entry, w: SparseWork): void {
  const nb = newOwnedString(w.len);
  if (nb === null) return;
  nb.set(w.bytes());
  e.value = nb;
}

/**
 * An HLL under edit: dense registers in place in an owned Buffer, or a sparse copy being
 * rewritten. add() mirrors hllAdd/hllSparseSet including the promotion to dense.
 */
class HllEdit {
  dense: Buffer | null = null;
  sparse: SparseWork | null = null;
  changed = false;

  constructor(
    b: Buffer,
    private readonly maxBytes: number,
  ) {
    if (b[4] === HLL_DENSE) this.dense = b;
    else this.sparse = new SparseWork(b);
  }

  /** Raises a register: 1 changed, 0 unchanged, -1 corrupted. */
  set(index: number, count: number, ascending = false): number {
    if (this.dense !== null) return denseSet(this.dense, index, count);
    const w = this.sparse as SparseWork;
    const r = w.set(index, count, this.maxBytes, ascending);
    if (r !== 'promote') {
      if (r === 1) this.changed = true;
      return r;
    }
    const d = sparseToDense(w.bytes());
    if (d === null) return -1;
    adoptOwned(d);
    this.dense = d;
    this.sparse = null;
    this.changed = true;
    return denseSet(d, index, count);
  }

  /** Writes the result into the entry (dense edits were in place unless promoted). */
  commit(e: Entry): void {
    if (this.dense !== null) {
      if (e.value !== this.dense) e.value = this.dense;
    } else if (this.changed) {
      storeSparse(e, this.sparse as SparseWork);
    }
  }

  bytes(): Uint8Array {
    return this.dense ?? (this.sparse as SparseWork).bytes();
  }
}

// PFADD key [element [element ...]]
function pfadd(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  let e = lookupWrite(c, k);
  let updated = 0;
  let created = false;
  if (e === undefined) {
    e = setKey(c, k, adoptOwned(createHll()));
    created = true;
    updated++;
  } else {
    if (!checkHll(c, e)) return;
    unshare(e);
  }
  const h = new HllEdit(e.value as Buffer, sparseMaxBytes(c));
  for (let j = 2; j < argv.length; j++) {
    const { index, count } = patLen(argv[j]);
    const r = h.set(index, count);
    if (r === 1) updated++;
    else if (r === -1) {
      // updates made before the corrupted part stay, unsignalled, as in Redis
      h.commit(e);
      c.db.account(e);
      c.reply.error(ERR_INVALID_HLL);
      return;
    }
  }
  h.commit(e);
  if (updated > 0) {
    invalidateCache(e.value as Buffer);
    if (created) c.db.account(e);
    else modified(c, k);
    notify(c, '$', 'pfadd', k);
    c.server.dirty += updated - 1;
  }
  c.reply.int(updated > 0 ? 1 : 0);
}

// PFCOUNT key [key ...]
function pfcount(c: Client, argv: Buffer[]): void {
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const e = lookupRead(c, key(argv[j]));
      if (e === undefined) continue;
      if (!checkHll(c, e)) return;
      if (!mergeInto(max, e.value as Buffer)) {
        c.reply.error(ERR_INVALID_HLL);
        return;
      }
    }
    c.reply.int(estimate(rawHisto(max)));
    return;
  }
  const k = key(argv[1]);
  const e = lookupRead(c, k);
  if (e === undefined) {
    c.reply.int(0);
    return;
  }
  if (!checkHll(c, e)) return;
  const b = unshare(e);
  if (cacheValid(b)) {
    const v = readCache(b);
    c.reply.int(v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    return;
  }
  const h = regHisto(b);
  if (h === null) {
    c.reply.error(ERR_INVALID_HLL);
    return;
  }
  const card = estimate(h);
  writeCache(b, card);
  // a read command that rewrites the cached value: signalled and propagated like a write, as
  // Redis does
  modified(c, k);
  propagateAs([argv]);
  c.reply.int(card);
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
function pfmerge(c: Client, argv: Buffer[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const e = lookupRead(c, key(argv[j]));
    if (e === undefined) continue;
    if (!checkHll(c, e)) return;
    const b = e.value as Buffer;
    if (b[4] === HLL_DENSE) useDense = true;
    if (!mergeInto(max, b)) {
      c.reply.error(ERR_INVALID_HLL);
      return;
    }
  }
  const k = key(argv[1]);
  let e = lookupWrite(c, k);
  let created = false;
  if (e === undefined) {
    e = setKey(c, k, adoptOwned(createHll()));
    created = true;
  } else {
    unshare(e);
  }
  let b = e.value as Buffer;
  if (useDense && b[4] === HLL_SPARSE) {
    const d = sparseToDense(b);
    if (d === null) {
      c.reply.error(ERR_INVALID_HLL);
      return;
    }
    b = adoptOwned(d);
    e.value = b;
  }
  const h = new HllEdit(b, sparseMaxBytes(c));
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] !== 0) h.set(j, max[j], true);
  }
  h.commit(e);
  invalidateCache(e.value as Buffer);
  if (created) c.db.account(e);
  else modified(c, k);
  notify(c, '$', 'pfadd', k);
  c.reply.ok();
}

// PFDEBUG subcommand key
function pfdebug(c: Client, argv: Buffer[]): void {
  const sub = argv[1].toString('latin1');
  const lower = sub.toLowerCase();
  const e = lookupWrite(c, key(argv[2]));
  if (e === undefined) {
    c.reply.error('ERR The specified key does not exist');
    return;
  }
  if (!checkHll(c, e)) return;
  let b = unshare(e);
  /** Converts to dense in place of the value; false after the corruption error. */
  const toDense = (): boolean => {
    const d = sparseToDense(b);
    if (d === null) {
      c.reply.error(ERR_INVALID_HLL);
      return false;
    }
    b = adoptOwned(d);
    e.value = b;
    c.db.account(e);
    c.server.dirty++; // the encoding change is a write (Redis forces its propagation)
    return true;
  };
  if (lower === 'getreg') {
    if (b[4] === HLL_SPARSE && !toDense()) return;
    c.reply.array(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.reply.int(denseGet(b, j));
  } else if (lower === 'decode') {
    if (b[4] !== HLL_SPARSE) {
      c.reply.error('ERR HLL encoding is not sparse');
      return;
    }
    c.reply.bulkStr(decodeSparse(b));
  } else if (lower === 'encoding') {
    c.reply.simple(b[4] === HLL_DENSE ? 'dense' : 'sparse');
  } else if (lower === 'todense') {
    let conv = 0;
    if (b[4] === HLL_SPARSE) {
      if (!toDense()) return;
      conv = 1;
    }
    c.reply.int(conv);
  } else {
    c.reply.error(`ERR Unknown PFDEBUG subcommand '${cstr(sub)}'`);
  }
}

/** The part of an argument a C string sees (up to the first NUL byte). */
function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

// PFSELFTEST
function pfselftest(c: Client): void {
  const err = selfTest();
  if (err === null) c.reply.ok();
  else c.reply.error(`TESTFAILED ${err}`);
}

/**
 * Checks the register packing and the estimator: dense registers read back what was written,
 * and the sparse and dense forms of the same insertions agree and stay within the expected
 * error (5 standard deviations of 1.04/sqrt(m)).
 */
export function selfTest(): string | null {
  const d = Buffer.alloc(16 + (HLL_REGISTERS * 6) / 8);
  const want = new Uint8Array(HLL_REGISTERS);
  for (let round = 0; round < 100; round++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      want[i] = Math.floor(Math.random() * 64);
      denseSetReg(d, i, want[i]);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (denseGet(d, i) !== want[i]) return `Register error at ${i}`;
    }
  }
  const dense = sparseToDense(createHll()) as Buffer;
  const sparse = new HllEdit(createHll(), Number.MAX_SAFE_INTEGER);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const ele = Buffer.alloc(8);
  let checkpoint = 1;
  for (let n = 1; n <= 100000; n++) {
    ele.writeUInt32LE(n, 0);
    ele.writeUInt32LE(0x5e1f7e57, 4);
    const { index, count } = patLen(ele);
    denseSet(dense, index, count);
    if (sparse.set(index, count) === -1) return 'Sparse representation corrupted';
    if (n === checkpoint) {
      const hd = regHisto(dense);
      const hs = regHisto(sparse.bytes());
      if (hd === null || hs === null) return 'Corrupted HLL during the test';
      const ed = estimate(hd);
      if (estimate(hs) !== ed) return `Sparse and dense estimates differ at ${n}`;
      const maxerr = Math.ceil(relerr * 5 * n);
      if (Math.abs(ed - n) > maxerr) return `Approximation error too high: ${n} vs ${ed}`;
      checkpoint *= 10;
    }
  }
  return null;
}

export const hllCommands: CommandDef[] = [
  {
    name: 'pfadd',
    arity: -2,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    acl: '@hyperloglog',
    handler: pfadd,
  },
  { name: 'pfcount', arity: -2, flags: 'readonly', keys: [1, -1, 1], acl: '@hyperloglog', handler: pfcount },
  {
    name: 'pfmerge',
    arity: -2,
    flags: 'write denyoom',
    keys: [1, -1, 1],
    acl: '@hyperloglog',
    handler: pfmerge,
  },
  {
    name: 'pfdebug',
    arity: 3,
    flags: 'write denyoom admin',
    keys: [2, 2, 1],
    acl: '@hyperloglog',
    handler: pfdebug,
  },
  { name: 'pfselftest', arity: 1, flags: 'admin', acl: '@hyperloglog', handler: pfselftest },
];
