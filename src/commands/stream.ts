// Stream commands, Redis 7.0 semantics: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XGROUP
// XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO XSETID. XREAD/XREADGROUP BLOCK park the
// client through server/blocking.ts; XADD signals the key so waiters are served after the
// command, with what arrived after the ID they wait for.

import { totalmem } from 'node:os';
import { E } from '../protocol/errors';
import {
  blockForKeys,
  canBlock,
  isBlockedOnKeys,
  propagate,
  signalKeyAsReady,
  unblockClient,
} from '../server/blocking';
import type { Client } from '../server/client';
import { callDepth, propagateAs } from '../server/dispatch';
import { serverInitHooks } from '../server/hooks';
import { copyBytes } from '../store/bytes';
import type { Db, Entry } from '../store/db';
import {
  addI,
  Consumer,
  type ConsumerGroup,
  cmpId,
  decrId,
  type I64,
  idEq,
  idStr,
  incrId,
  isZeroId,
  MAX_ID,
  type Nack,
  norm,
  type StreamID,
  StreamValue,
  Trim,
  type TrimArgs,
  U64_MAX,
  ZERO_ID,
} from '../store/stream';
import { is, key, parseInt64 } from './args';
import { lookupRead, lookupWrite, modified, notify, setKey } from './keyspace';
import type { CommandDef } from './types';

const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const ERR_ID_SMALL = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
const ERR_ID_ZERO = 'ERR The ID specified in XADD must be greater than 0-0';
const ERR_EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';
const ERR_START_ID = 'ERR invalid start ID for the interval';
const ERR_END_ID = 'ERR invalid end ID for the interval';
/** XREAD without COUNT that blocks is served at most this many entries per stream. */
const XREAD_BLOCKED_DEFAULT_COUNT = 1000;
const LLONG_MAX = 9223372036854775807n;

// ---- argument parsing ----

/** The argument as C code sees it: latin1, cut at the first NUL byte. */
function cstr(b: Buffer): string {
  const i = b.indexOf(0);
  return (i < 0 ? b : b.subarray(0, i)).toString('latin1');
}

/** A name for an error message (printed with %s in Redis: cut at the first NUL). */
function cname(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

const STRICT_LL = /^(?:0|-?[1-9][0-9]*)$/;
const STRTOULL = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;

/** Redis's string2ull: a strict int64 that is not negative, else strtoull over the whole string. */
function string2ull(s: string): bigint | null {
  if (s.length > 0 && s.length <= 20 && STRICT_LL.test(s)) {
    const v = BigInt(s);
    if (v <= LLONG_MAX && v >= -LLONG_MAX - 1n) return v < 0n ? null : v;
  }
  const m = STRTOULL.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > U64_MAX) return null;
  return m[1] === '-' ? (U64_MAX + 1n - v) & U64_MAX : v;
}

interface ParsedId {
  id: StreamID;
  /** false for "<ms>-*" (XADD only) */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: "-" and "+" (unless strict), "<ms>", "<ms>-<seq>", and with
 * `seqAuto` "<ms>-*". Writes the error when `c` is given; returns null when invalid.
 */
function parseIdGeneric(
  c: Client | null,
  arg: Buffer,
  missingSeq: bigint,
  strict: boolean,
  seqAuto: boolean,
): ParsedId | null {
  const fail = (): null => {
    if (c !== null) c.reply.error(ERR_INVALID_ID);
    return null;
  };
  if (arg.length > 127) return fail();
  const s = cstr(arg);
  if (strict && (s === '-' || s === '+')) return fail();
  if (s === '-') return { id: ZERO_ID, seqGiven: true };
  if (s === '+') return { id: MAX_ID, seqGiven: true };
  const dash = s.indexOf('-');
  const ms = string2ull(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return fail();
  let seq: bigint;
  let seqGiven = true;
  if (dash >= 0) {
    const rest = s.slice(dash + 1);
    if (seqAuto && rest === '*') {
      seq = 0n;
      seqGiven = false;
    } else {
      const v = string2ull(rest);
      if (v === null) return fail();
      seq = v;
    }
  } else {
    seq = missingSeq;
  }
  return { id: { ms: norm(ms), seq: norm(seq) }, seqGiven };
}

/** A stream ID as streamParseIDOrReply (accepts - and +). */
function parseId(c: Client, arg: Buffer, missingSeq = 0n): StreamID | null {
  return parseIdGeneric(c, arg, missingSeq, false, false)?.id ?? null;
}

/** A stream ID as streamParseStrictIDOrReply (no - or +). */
function parseStrictId(c: Client | null, arg: Buffer, missingSeq = 0n): StreamID | null {
  return parseIdGeneric(c, arg, missingSeq, true, false)?.id ?? null;
}

/** A range bound: "(" makes it exclusive (then strict). */
function parseIntervalId(c: Client, arg: Buffer, missingSeq: bigint): { id: StreamID; ex: boolean } | null {
  if (arg.length > 1 && arg[0] === 40) {
    const id = parseStrictId(c, arg.subarray(1), missingSeq);
    return id === null ? null : { id, ex: true };
  }
  const id = parseId(c, arg, missingSeq);
  return id === null ? null : { id, ex: false };
}

/** Start of an interval, moved past the ID when exclusive; null after the error. */
function parseStart(c: Client, arg: Buffer): StreamID | null {
  const r = parseIntervalId(c, arg, 0n);
  if (r === null) return null;
  if (!r.ex) return r.id;
  const n = incrId(r.id);
  if (n === null) c.reply.error(ERR_START_ID);
  return n;
}

/** End of an interval, moved before the ID when exclusive; null after the error. */
function parseEnd(c: Client, arg: Buffer): StreamID | null {
  const r = parseIntervalId(c, arg, U64_MAX);
  if (r === null) return null;
  if (!r.ex) return r.id;
  const n = decrId(r.id);
  if (n === null) c.reply.error(ERR_END_ID);
  return n;
}

/** getLongLongFromObjectOrReply: null after writing `msg`. */
function llArg(c: Client, b: Buffer, msg: string = E.notInt): number | bigint | null {
  const v = parseInt64(b);
  if (v === null) c.reply.error(msg);
  return v;
}

/** A long long argument as a number (values beyond 2^53 only compare with counts). */
function llNum(c: Client, b: Buffer, msg: string = E.notInt): number | null {
  const v = llArg(c, b, msg);
  return v === null ? null : Number(v);
}

// ---- value access ----

function readStream(c: Client, k: string): StreamValue | undefined | null {
  const e = lookupRead(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof StreamValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

function writeStream(c: Client, k: string): StreamValue | undefined | null {
  const e = lookupWrite(c, k);
  if (e === undefined) return undefined;
  if (!(e.value instanceof StreamValue)) {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value;
}

/** A change that Redis counts as dirty without signalling the key (XACK, XREADGROUP...). */
function touched(c: Client, k: string, n = 1): void {
  const e: Entry | undefined = c.db.dict.get(k);
  if (e !== undefined) c.db.account(e);
  c.server.dirty += n;
}

function now(c: Client): number {
  return c.server.clock.now();
}

// ---- replies ----

function replyId(c: Client, id: StreamID): void {
  c.reply.bulkStr(idStr(id));
}

function replyEntry(c: Client, id: StreamID, fv: Buffer[]): void {
  c.reply.array(2);
  replyId(c, id);
  c.reply.array(fv.length);
  for (let i = 0; i < fv.length; i++) c.reply.bulk(fv[i]);
}

/** An entry by exact ID as XCLAIM/XAUTOCLAIM/XINFO print it, or a null when missing. */
function replyEntryOrNull(c: Client, s: StreamValue, id: StreamID): void {
  const fv = s.get(id);
  if (fv === undefined) c.reply.nullBulk();
  else replyEntry(c, id, fv);
}

function replyI64OrNull(c: Client, v: I64 | null): void {
  if (v === null) c.reply.nullBulk();
  else c.reply.int(v);
}

/** Reply length written once the entries are known (Redis's deferred length). */
function collect(s: StreamValue, start: StreamID, end: StreamID, rev: boolean, count: number) {
  const out: [StreamID, Buffer[]][] = [];
  s.range(start, end, rev, (id, fv) => {
    out.push([id, fv]);
    return count === 0 || out.length < count;
  });
  return out;
}

/**
 * streamReplyWithRange for a group read: entries after `start`, delivered to `consumer`
 * (added to the PELs unless noack), moving the group's last ID and read counter.
 */
function replyGroupRange(
  c: Client,
  s: StreamValue,
  start: StreamID,
  count: number,
  g: ConsumerGroup,
  consumer: Consumer,
  noack: boolean,
  k: string,
  recs: Buffer[][],
  t: number,
): void {
  const items = collect(s, start, MAX_ID, false, count);
  c.reply.array(items.length);
  for (const [id, fv] of items) {
    if (cmpId(id, g.lastId) > 0) {
      if (g.entriesRead !== -1 && !s.rangeHasTombstones(id, undefined)) {
        g.entriesRead = addI(g.entriesRead, 1);
      } else if (s.entriesAdded !== 0) {
        g.entriesRead = s.estimateDistanceFromFirstEverEntry(id);
      }
      g.lastId = id;
    }
    replyEntry(c, id, fv);
    if (!noack) {
      const old = g.pel.get(id);
      if (old === undefined) {
        const nack: Nack = { deliveryTime: t, deliveryCount: 1, consumer };
        g.pel.set(id, nack);
        consumer.pel.set(id, nack);
      } else {
        // already pending (the group's ID was moved back): it now belongs to this consumer
        if (old.consumer !== null) old.consumer.pel.delete(id);
        old.consumer = consumer;
        old.deliveryTime = t;
        old.deliveryCount = 1;
        consumer.pel.set(id, old);
      }
      recs.push(xclaimRecord(k, g, id, g.pel.get(id) as Nack));
    }
  }
}

/**
 * The consumer's own pending entries from `start` (XREADGROUP with an explicit ID). Each entry
 * served again gets a new delivery time and count, recorded as an XCLAIM (Redis 7.0 writes
 * nothing for these, so a reload forgets the redelivery).
 */
function replyConsumerHistory(
  c: Client,
  s: StreamValue,
  start: StreamID,
  count: number,
  consumer: Consumer,
  g: ConsumerGroup,
  k: string,
  recs: Buffer[][],
  t: number,
): void {
  const ids: StreamID[] = [];
  consumer.pel.walk((id) => {
    ids.push(id);
    return count === 0 || ids.length < count;
  }, start);
  c.reply.array(ids.length);
  for (const id of ids) {
    const fv = s.get(id);
    if (fv === undefined) {
      // pending but deleted from the stream: the ID with a null body
      c.reply.array(2);
      replyId(c, id);
      c.reply.nullArray();
    } else {
      replyEntry(c, id, fv);
      const nack = consumer.pel.get(id) as Nack;
      nack.deliveryTime = t;
      nack.deliveryCount++;
      recs.push(xclaimRecord(k, g, id, nack));
    }
  }
}

function lookupConsumer(g: ConsumerGroup, name: string, t: number, refresh = true): Consumer | undefined {
  const cons = g.consumers.get(name);
  if (cons !== undefined && refresh) cons.seenTime = t;
  return cons;
}

/** streamCreateConsumer: undefined when it exists; notifies and counts as dirty. */
function createConsumer(c: Client, g: ConsumerGroup, name: string, k: string): Consumer | undefined {
  if (g.consumers.has(name)) return undefined;
  const cons = new Consumer(name, now(c));
  g.consumers.set(name, cons);
  c.server.dirty++;
  notify(c, 'x', 'xgroup-createconsumer', k);
  return cons;
}

function lookupOrCreateConsumer(c: Client, g: ConsumerGroup, name: string, k: string): Consumer {
  return lookupConsumer(g, name, now(c)) ?? (createConsumer(c, g, name, k) as Consumer);
}

// ---- propagation (AOF) ----
// Group reads and claims depend on the clock and on the PEL, so they are written as their
// outcome, in the shapes Redis uses: per delivered or claimed entry an idempotent XCLAIM that
// states the delivery time and count, XGROUP SETID for the group's last ID and entries-read,
// XGROUP CREATECONSUMER for a consumer no XCLAIM creates.

function lat(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group-last-id> */
function xclaimRecord(k: string, g: ConsumerGroup, id: StreamID, nack: Nack): Buffer[] {
  return [
    lat('XCLAIM'),
    lat(k),
    lat(g.name),
    lat(nack.consumer?.name ?? ''),
    lat('0'),
    lat(idStr(id)),
    lat('TIME'),
    lat(String(nack.deliveryTime)),
    lat('RETRYCOUNT'),
    lat(String(nack.deliveryCount)),
    lat('FORCE'),
    lat('JUSTID'),
    lat('LASTID'),
    lat(idStr(g.lastId)),
  ];
}

/** XGROUP SETID <key> <group> <last-id> ENTRIESREAD <n> */
function setIdRecord(k: string, g: ConsumerGroup): Buffer[] {
  return [
    lat('XGROUP'),
    lat('SETID'),
    lat(k),
    lat(g.name),
    lat(idStr(g.lastId)),
    lat('ENTRIESREAD'),
    lat(String(g.entriesRead)),
  ];
}

function createConsumerRecord(k: string, g: ConsumerGroup, name: string): Buffer[] {
  return [lat('XGROUP'), lat('CREATECONSUMER'), lat(k), lat(g.name), lat(name)];
}

/** Records of a read served outside a command (a blocked client): one transaction. */
function propagateServed(c: Client, recs: Buffer[][]): void {
  if (recs.length === 0) return;
  if (recs.length === 1) {
    propagate(c, recs[0]);
    return;
  }
  propagate(c, [lat('MULTI')]);
  for (const r of recs) propagate(c, r);
  propagate(c, [lat('EXEC')]);
}

/**
 * A group read of `k` for `name`: the consumer (created when new), then the reply built by
 * `body`, then its records. `body` pushes an XCLAIM per entry it adds to a PEL; a moved last ID
 * adds XGROUP SETID (which also carries entries-read, that XCLAIM cannot: Redis 7.0 wrote it
 * only for NOACK reads and lost entries-read on reload; later Redis writes it always,
 * redis#12898), and a new consumer no XCLAIM creates gets XGROUP CREATECONSUMER (7.0 only for
 * NOACK; later Redis also for an empty read, redis#14963).
 */
function groupRead(
  c: Client,
  k: string,
  g: ConsumerGroup,
  name: string,
  recs: Buffer[][],
  body: (consumer: Consumer, recs: Buffer[][]) => void,
): Consumer {
  let consumer = lookupConsumer(g, name, now(c));
  const created = consumer === undefined;
  if (consumer === undefined) consumer = createConsumer(c, g, name, k) as Consumer;
  const lastBefore = g.lastId;
  const own: Buffer[][] = [];
  body(consumer, own);
  if (created && own.length === 0) recs.push(createConsumerRecord(k, g, name));
  for (const r of own) recs.push(r);
  if (!idEq(g.lastId, lastBefore)) recs.push(setIdRecord(k, g));
  return consumer;
}

// ---- XADD / XTRIM ----

interface AddTrimArgs {
  trim: TrimArgs;
  /** index of the ID argument (XADD) */
  idPos: number;
  id: StreamID | null;
  seqGiven: boolean;
  noMkstream: boolean;
}

/** streamParseAddOrTrimArgsOrReply; null after writing the error. */

/**
 * The part MAXLEN and MINID share: one strategy only, and an optional `~` or `=` before the
 * threshold. Returns how many arguments the operator took (0 or 1), or -1 after an error.
 */
function trimPrefix(c: Client, trim: AddTrimArgs['trim'], argv: Buffer[], i: number, more: number): number {
  if (trim.strategy !== Trim.None) {
    c.reply.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
    return -1;
  }
  trim.approx = false;
  const next = cstr(argv[i + 1]);
  if (more >= 2 && next === '~') {
    trim.approx = true;
    return 1;
  }
  return more >= 2 && next === '=' ? 1 : 0;
}

function parseAddTrim(c: Client, argv: Buffer[], xadd: boolean): AddTrimArgs | null {
  const trim: TrimArgs = { strategy: Trim.None, maxlen: -1, minid: ZERO_ID, approx: false, limit: 0 };
  const out: AddTrimArgs = { trim, idPos: 0, id: null, seqGiven: false, noMkstream: false };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt.length >= 1 && opt[0] === 42 && (opt.length === 1 || opt[1] === 0)) {
      break; // "*": auto ID
    } else if (is(opt, 'maxlen') && more > 0) {
      const skip = trimPrefix(c, trim, argv, i, more);
      if (skip < 0) return null;
      i += skip;
      const v = llArg(c, argv[i + 1]);
      if (v === null) return null;
      if (v < 0) {
        c.reply.error('ERR The MAXLEN argument must be >= 0.');
        return null;
      }
      trim.maxlen = Number(v);
      i++;
      trim.strategy = Trim.Maxlen;
    } else if (is(opt, 'minid') && more > 0) {
      const skip = trimPrefix(c, trim, argv, i, more);
      if (skip < 0) return null;
      i += skip;
      const id = parseStrictId(c, argv[i + 1]);
      if (id === null) return null;
      trim.minid = id;
      i++;
      trim.strategy = Trim.Minid;
    } else if (is(opt, 'limit') && more > 0) {
      const v = llArg(c, argv[i + 1]);
      if (v === null) return null;
      if (v < 0) {
        c.reply.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      trim.limit = Number(v);
      limitGiven = true;
      i++;
    } else if (xadd && is(opt, 'nomkstream')) {
      out.noMkstream = true;
    } else if (xadd) {
      const p = parseIdGeneric(c, opt, 0n, true, true);
      if (p === null) return null;
      out.id = p.id;
      out.seqGiven = p.seqGiven;
      break;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  if (trim.limit !== 0 && trim.strategy === Trim.None) {
    c.reply.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && trim.strategy === Trim.None) {
    c.reply.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (limitGiven) {
    // an AOF being replayed holds approximate trims made exact with their LIMIT kept, and the
    // limit does not apply to them (as Redis for its AOF and master clients)
    if (!trim.approx && c.server.replaying) trim.limit = 0;
    else if (!trim.approx) {
      c.reply.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (trim.approx) {
    const n = 100 * c.server.config.num('stream-node-max-entries');
    trim.limit = n <= 0 || n > 10000 ? 10000 : n;
  } else {
    trim.limit = 0;
  }
  out.idPos = i;
  return out;
}

function nodeLimits(c: Client): [number, number] {
  return [c.server.config.num('stream-node-max-bytes'), c.server.config.num('stream-node-max-entries')];
}

// XADD key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] * | id field value [field value ...]
function xadd(c: Client, argv: Buffer[]): void {
  const a = parseAddTrim(c, argv, true);
  if (a === null) return;
  const fieldPos = a.idPos + 1;
  const nf = argv.length - fieldPos;
  if (nf < 2 || nf % 2 === 1) {
    c.reply.error(E.wrongArgs('xadd'));
    return;
  }
  if (a.id !== null && a.seqGiven && isZeroId(a.id)) {
    c.reply.error(ERR_ID_ZERO);
    return;
  }
  const k = key(argv[1]);
  let s = writeStream(c, k);
  if (s === null) return;
  let created = false;
  if (s === undefined) {
    if (a.noMkstream) {
      c.reply.nullBulk();
      return;
    }
    s = new StreamValue();
    setKey(c, k, s);
    created = true;
  }
  if (idEq(s.lastId, MAX_ID)) {
    c.reply.error(ERR_EXHAUSTED);
    return;
  }
  let id: StreamID;
  if (a.id !== null) {
    if (a.seqGiven) id = a.id;
    else if (s.lastId.ms === a.id.ms) {
      if (s.lastId.seq === U64_MAX) {
        c.reply.error(ERR_ID_SMALL);
        return;
      }
      id = incrId(s.lastId) as StreamID;
    } else id = a.id;
    if (cmpId(id, s.lastId) <= 0) {
      c.reply.error(ERR_ID_SMALL);
      return;
    }
  } else {
    id = s.nextAutoId(now(c));
  }
  let total = 0;
  for (let j = fieldPos; j < argv.length; j++) total += argv[j].length;
  if (total > 1 << 30) {
    c.reply.error('ERR Elements are too large to be stored');
    return;
  }
  // owned copies: the arguments are views of the connection's read buffer
  const fv: Buffer[] = new Array(nf);
  for (let j = 0; j < nf; j++) fv[j] = copyBytes(argv[fieldPos + j]);
  const [maxBytes, maxEntries] = nodeLimits(c);
  s.append(id, fv, maxBytes, maxEntries);
  replyId(c, id);
  if (created) c.db.account(c.db.dict.get(k) as Entry);
  else modified(c, k);
  notify(c, 'x', 'xadd', k);
  if (a.trim.strategy !== Trim.None && s.trim(a.trim) > 0) {
    notify(c, 'x', 'xtrim', k);
    c.db.account(c.db.dict.get(k) as Entry);
  }
  // an existing stream grew: its waiters may be served (a new key is signalled by the Db)
  if (!created) signalKeyAsReady(c.db, k);
}

// XTRIM key MAXLEN | MINID [= | ~] threshold [LIMIT count]
function xtrim(c: Client, argv: Buffer[]): void {
  const a = parseAddTrim(c, argv, false);
  if (a === null) return;
  const k = key(argv[1]);
  const s = writeStream(c, k);
  if (s === null) return;
  if (s === undefined) {
    c.reply.int(0);
    return;
  }
  const deleted = s.trim(a.trim);
  if (deleted > 0) {
    notify(c, 'x', 'xtrim', k);
    modified(c, k);
    c.server.dirty += deleted - 1;
  }
  c.reply.int(deleted);
}

// ---- reading ----

// XLEN key
function xlen(c: Client, argv: Buffer[]): void {
  const s = readStream(c, key(argv[1]));
  if (s === null) return;
  c.reply.int(s === undefined ? 0 : s.length);
}

function xrangeGeneric(c: Client, argv: Buffer[], rev: boolean): void {
  const start = parseStart(c, rev ? argv[3] : argv[2]);
  if (start === null) return;
  const end = parseEnd(c, rev ? argv[2] : argv[3]);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j], 'count') && j + 1 < argv.length) {
      const v = llNum(c, argv[j + 1]);
      if (v === null) return;
      count = Math.max(v, 0);
      j++;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const s = readStream(c, key(argv[1]));
  if (s === null) return;
  if (s === undefined) {
    c.reply.array(0);
    return;
  }
  if (count === 0) {
    c.reply.nullArray();
    return;
  }
  const items = collect(s, start, end, rev, count === -1 ? 0 : count);
  c.reply.array(items.length);
  for (const [id, fv] of items) replyEntry(c, id, fv);
}

// XRANGE key start end [COUNT count]
function xrange(c: Client, argv: Buffer[]): void {
  xrangeGeneric(c, argv, false);
}

// XREVRANGE key end start [COUNT count]
function xrevrange(c: Client, argv: Buffer[]): void {
  xrangeGeneric(c, argv, true);
}

// XDEL key id [id ...]
function xdel(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const s = writeStream(c, k);
  if (s === null) return;
  if (s === undefined) {
    c.reply.int(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = parseStrictId(c, argv[j]);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstEntry = false;
  for (const id of ids) {
    if (s.delete(id)) {
      if (idEq(id, s.firstId)) firstEntry = true;
      if (cmpId(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
      deleted++;
    }
  }
  if (deleted > 0) {
    if (s.length === 0) s.firstId = ZERO_ID;
    else if (firstEntry) s.firstId = s.edgeId(false) as StreamID;
    modified(c, k);
    notify(c, 'x', 'xdel', k);
    c.server.dirty += deleted - 1;
  }
  c.reply.int(deleted);
}

// ---- XREAD / XREADGROUP ----

interface ReadArgs {
  count: number;
  /** ms epoch deadline, 0 = forever, -1 = no BLOCK */
  deadline: number;
  noack: boolean;
  group: string | null;
  consumer: string | null;
  keys: string[];
  /** per stream: the ID to read after; null for ">" */
  ids: (StreamID | null)[];
}

function parseRead(c: Client, argv: Buffer[], group: boolean): ReadArgs | null {
  let deadline = -1;
  let count = 0;
  let streamsArg = 0;
  let nstreams = 0;
  let groupName: string | null = null;
  let consumerName: string | null = null;
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (is(o, 'block') && more > 0) {
      i++;
      const v = parseInt64(argv[i]);
      if (v === null) {
        c.reply.error('ERR timeout is not an integer or out of range');
        return null;
      }
      if (v < 0) {
        c.reply.error('ERR timeout is negative');
        return null;
      }
      const t = now(c);
      // beyond LLONG_MAX the C sum wraps negative: a deadline already past
      if (v > 0 && BigInt(v) > LLONG_MAX - BigInt(t)) deadline = 1;
      else deadline = v === 0 ? 0 : t + Number(v);
    } else if (is(o, 'count') && more > 0) {
      i++;
      const v = llNum(c, argv[i]);
      if (v === null) return null;
      count = Math.max(v, 0);
    } else if (is(o, 'streams') && more > 0) {
      streamsArg = i + 1;
      nstreams = argv.length - streamsArg;
      if (nstreams % 2 !== 0) {
        // the same text for XREADGROUP, as Redis 7.0
        c.reply.error(
          "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
        );
        return null;
      }
      nstreams /= 2;
      break;
    } else if (is(o, 'group') && more >= 2) {
      if (!group) {
        c.reply.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      groupName = key(argv[i + 1]);
      consumerName = key(argv[i + 2]);
      i += 2;
    } else if (is(o, 'noack')) {
      if (!group) {
        c.reply.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      noack = true;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  if (streamsArg === 0) {
    c.reply.error(E.syntax);
    return null;
  }
  if (group && groupName === null) {
    c.reply.error('ERR Missing GROUP option for XREADGROUP');
    return null;
  }
  const keys: string[] = [];
  const ids: (StreamID | null)[] = [];
  for (let i = streamsArg + nstreams; i < argv.length; i++) {
    const k = key(argv[i - nstreams]);
    const e = lookupRead(c, k);
    if (e !== undefined && !(e.value instanceof StreamValue)) {
      c.reply.error(E.wrongType);
      return null;
    }
    const s = e?.value as StreamValue | undefined;
    if (groupName !== null && (s === undefined || s.group(groupName) === undefined)) {
      c.reply.error(
        `NOGROUP No such key '${cname(k)}' or consumer group '${cname(groupName)}' in XREADGROUP with GROUP option`,
      );
      return null;
    }
    keys.push(k);
    const a = cstr(argv[i]);
    if (a === '$') {
      if (group) {
        c.reply.error(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
        return null;
      }
      ids.push(s !== undefined ? s.lastId : ZERO_ID);
      continue;
    }
    if (a === '>') {
      if (!group) {
        c.reply.error(
          'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
        );
        return null;
      }
      ids.push(null);
      continue;
    }
    const id = parseStrictId(c, argv[i]);
    if (id === null) return null;
    ids.push(id);
  }
  return { count, deadline, noack, group: groupName, consumer: consumerName, keys, ids };
}

/** XREAD: entries after `gt`, as one [key, entries] element. */
function replyReadKey(c: Client, k: string, s: StreamValue, gt: StreamID, count: number): void {
  if (c.reply.proto === 2) c.reply.array(2);
  c.reply.bulkStr(k);
  const start = incrId(gt) ?? ZERO_ID;
  const items = collect(s, start, MAX_ID, false, count);
  c.reply.array(items.length);
  for (const [id, fv] of items) replyEntry(c, id, fv);
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
function xread(c: Client, argv: Buffer[]): void {
  readGeneric(c, argv, false);
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
function xreadgroup(c: Client, argv: Buffer[]): void {
  readGeneric(c, argv, true);
}

function readGeneric(c: Client, argv: Buffer[], group: boolean): void {
  const a = parseRead(c, argv, group);
  if (a === null) return;
  const served: (() => void)[] = [];
  const recs: Buffer[][] = [];
  const t = now(c);
  for (let i = 0; i < a.keys.length; i++) {
    const k = a.keys[i];
    const e = lookupRead(c, k);
    if (e === undefined) continue;
    const s = e.value as StreamValue;
    if (a.group !== null) {
      const g = s.group(a.group) as ConsumerGroup;
      let history = false;
      let gt: StreamID | null = a.ids[i];
      let serve = false;
      if (gt !== null) {
        serve = true;
        history = true;
      } else if (s.length > 0) {
        const maxid = s.edgeId(true) as StreamID;
        if (cmpId(maxid, g.lastId) > 0) {
          serve = true;
          gt = g.lastId;
        }
      }
      if (serve) {
        const from = gt as StreamID;
        served.push(() => {
          // the consumer comes into existence only when something is served to it
          const consumer = groupRead(c, k, g, a.consumer as string, recs, (consumer, own) => {
            if (c.reply.proto === 2) c.reply.array(2);
            c.reply.bulkStr(k);
            const start = incrId(from) ?? ZERO_ID;
            // one time for the whole command, as Redis's command time snapshot
            if (history) replyConsumerHistory(c, s, start, a.count, consumer, g, k, own, t);
            else replyGroupRange(c, s, start, a.count, g, consumer, a.noack, k, own, t);
          });
          consumer.seenTime = t;
          touched(c, k);
        });
      }
    } else if (s.length > 0) {
      const gt = a.ids[i] as StreamID;
      const maxid = s.edgeId(true) as StreamID;
      if (cmpId(maxid, gt) > 0) served.push(() => replyReadKey(c, k, s, gt, a.count));
    }
  }
  if (served.length > 0) {
    if (c.reply.proto === 2) c.reply.array(served.length);
    else c.reply.map(served.length);
    for (const f of served) f();
    if (a.group !== null) propagateAs(recs);
    return;
  }
  if (a.deadline === -1 || !canBlock(c)) {
    c.reply.nullArray();
    return;
  }
  // block: each key remembers the first ID given for it
  const waitFor = new Map<string, StreamID | null>();
  for (let i = 0; i < a.keys.length; i++) if (!waitFor.has(a.keys[i])) waitFor.set(a.keys[i], a.ids[i]);
  const count = a.count !== 0 ? a.count : XREAD_BLOCKED_DEFAULT_COUNT;
  const keys = [...waitFor.keys()];
  blockForKeys(c, keys, a.deadline, (k) => serveBlocked(c, k, waitFor, count, a), undefined, argv);
  if (a.group !== null) groupWaiters.set(c, { db: c.db, keys });
}

/**
 * Clients blocked in XREADGROUP. As Redis 7.0.15, they are unblocked with an error when a key
 * they wait on stops being a stream (deleted, expired, overwritten, renamed, flushed, swapped
 * away); XREAD readers keep waiting. Checked after every command (so a key deleted and created
 * again within one MULTI is no deletion) and on the cron (active expiry).
 */
const groupWaiters = new Map<Client, { db: Db; keys: string[] }>();
const ERR_KEY_GONE = 'UNBLOCKED the stream key no longer exists';

function checkGroupWaiters(): void {
  if (groupWaiters.size === 0) return;
  for (const [c, w] of groupWaiters) {
    if (!isBlockedOnKeys(c)) {
      groupWaiters.delete(c);
      continue;
    }
    for (const k of w.keys) {
      const e = w.db.get(k);
      if (e === undefined || !(e.value instanceof StreamValue)) {
        groupWaiters.delete(c);
        unblockClient(c, ERR_KEY_GONE);
        break;
      }
    }
  }
}

serverInitHooks.push((s) => {
  // commands run by EXEC or a script are checked once, after the top-level command
  s.afterCommandHooks.push(() => {
    if (groupWaiters.size > 0 && callDepth() === 0) checkGroupWaiters();
  });
  s.cronHooks.push(checkGroupWaiters);
});

/** A blocked XREAD/XREADGROUP client, when `k` got new entries (or lost its group). */
function serveBlocked(
  c: Client,
  k: string,
  waitFor: Map<string, StreamID | null>,
  count: number,
  a: ReadArgs,
): boolean {
  const e = c.db.get(k);
  if (e === undefined || !(e.value instanceof StreamValue)) return false;
  const s = e.value;
  let gt = waitFor.get(k) ?? ZERO_ID;
  let g: ConsumerGroup | undefined;
  if (a.group !== null) {
    g = s.group(a.group);
    if (g === undefined) {
      c.reply.error('NOGROUP the consumer group this client was blocked on no longer exists');
      return true;
    }
    gt = g.lastId;
  }
  if (cmpId(s.lastId, gt) <= 0) return false;
  const start = incrId(gt) ?? ZERO_ID;
  if (c.reply.proto === 2) {
    c.reply.array(1);
    c.reply.array(2);
  } else c.reply.map(1);
  c.reply.bulkStr(k);
  if (g !== undefined) {
    const group = g;
    const recs: Buffer[][] = [];
    groupRead(c, k, group, a.consumer as string, recs, (consumer, own) =>
      replyGroupRange(c, s, start, count, group, consumer, a.noack, k, own, now(c)),
    );
    touched(c, k);
    propagateServed(c, recs);
  } else {
    const items = collect(s, start, MAX_ID, false, count);
    c.reply.array(items.length);
    for (const [id, fv] of items) replyEntry(c, id, fv);
  }
  return true;
}

// ---- XGROUP ----

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

function subSyntaxError(c: Client, argv: Buffer[], cmd: string): void {
  c.reply.error(
    `ERR unknown subcommand or wrong number of arguments for '${cname(argv[1].toString('latin1')).slice(0, 128)}'. Try ${cmd} HELP.`,
  );
}

// XGROUP CREATE | SETID | DESTROY | CREATECONSUMER | DELCONSUMER key group ...
function xgroup(c: Client, argv: Buffer[]): void {
  const sub = argv[1];
  const create = is(sub, 'create');
  const setid = is(sub, 'setid');
  let mkstream = false;
  let entriesRead: I64 = -1;
  for (let i = 5; i < argv.length; ) {
    if (create && is(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((create || setid) && is(argv[i], 'entriesread') && i + 1 < argv.length) {
      const v = llArg(c, argv[i + 1]);
      if (v === null) return;
      if (v < 0 && v !== -1) {
        c.reply.error('ERR value for ENTRIESREAD must be positive or -1');
        return;
      }
      entriesRead = v;
      i += 2;
    } else {
      subSyntaxError(c, argv, 'XGROUP');
      return;
    }
  }
  const k = key(argv[2]);
  const s = writeStream(c, k);
  if (s === null) return;
  if (s === undefined && !(create && mkstream)) {
    c.reply.error(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
    return;
  }
  const gname = key(argv[3]);
  const g = s?.group(gname);
  if (g === undefined && (setid || is(sub, 'createconsumer') || is(sub, 'delconsumer'))) {
    c.reply.error(`NOGROUP No such consumer group '${cname(gname)}' for key name '${cname(k)}'`);
    return;
  }
  if (create) {
    if (argv.length > 8) {
      subSyntaxError(c, argv, 'XGROUP');
      return;
    }
    let id: StreamID;
    if (cstr(argv[4]) === '$') id = s !== undefined ? s.lastId : ZERO_ID;
    else {
      const p = parseStrictId(c, argv[4]);
      if (p === null) return;
      id = p;
    }
    let st = s;
    if (st === undefined) {
      st = new StreamValue();
      setKey(c, k, st);
      c.server.dirty--; // Redis's dbAdd is not a dirty change by itself
    }
    if (st.createGroup(gname, id, entriesRead) !== undefined) {
      c.reply.ok();
      touched(c, k);
      notify(c, 'x', 'xgroup-create', k);
    } else {
      c.reply.error('BUSYGROUP Consumer Group name already exists');
    }
    return;
  }
  const st = s as StreamValue;
  if (setid) {
    if (argv.length !== 5 && argv.length !== 7) {
      subSyntaxError(c, argv, 'XGROUP');
      return;
    }
    let id: StreamID;
    if (cstr(argv[4]) === '$') id = st.lastId;
    else {
      const p = parseId(c, argv[4]);
      if (p === null) return;
      id = p;
    }
    const gg = g as ConsumerGroup;
    gg.lastId = id;
    gg.entriesRead = entriesRead;
    c.reply.ok();
    touched(c, k);
    notify(c, 'x', 'xgroup-setid', k);
    return;
  }
  if (is(sub, 'destroy')) {
    if (g !== undefined) {
      st.groups?.delete(gname);
      c.reply.int(1);
      touched(c, k);
      notify(c, 'x', 'xgroup-destroy', k);
      // blocked XREADGROUP clients of this group get their NOGROUP error
      signalKeyAsReady(c.db, k);
    } else c.reply.int(0);
    return;
  }
  if (is(sub, 'createconsumer')) {
    const created = createConsumer(c, g as ConsumerGroup, key(argv[4]), k);
    if (created !== undefined) touched(c, k, 0);
    c.reply.int(created !== undefined ? 1 : 0);
    return;
  }
  // DELCONSUMER: an unknown consumer is no change
  const gg = g as ConsumerGroup;
  const cname4 = key(argv[4]);
  if (!gg.consumers.has(cname4)) {
    c.reply.int(0);
    return;
  }
  c.reply.int(gg.deleteConsumer(cname4));
  touched(c, k);
  notify(c, 'x', 'xgroup-delconsumer', k);
}

// XGROUP HELP
function xgroupHelp(c: Client): void {
  c.reply.array(XGROUP_HELP.length);
  for (const l of XGROUP_HELP) c.reply.simple(l);
}

// ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM ----

// XACK key group id [id ...]
function xack(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const s = readStream(c, k);
  if (s === null) return;
  const g = s?.group(key(argv[2]));
  if (g === undefined) {
    c.reply.int(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = parseStrictId(c, argv[j]);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.get(id);
    if (nack === undefined) continue;
    g.pel.delete(id);
    nack.consumer?.pel.delete(id);
    acked++;
  }
  if (acked > 0) touched(c, k, acked);
  c.reply.int(acked);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
function xpending(c: Client, argv: Buffer[]): void {
  const justInfo = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) {
    c.reply.error(E.syntax);
    return;
  }
  let minIdle = 0;
  let count = 0;
  let start = ZERO_ID;
  let end = MAX_ID;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let si = 3;
    if (is(argv[3], 'idle')) {
      const v = llNum(c, argv[4]);
      if (v === null) return;
      minIdle = v;
      if (argv.length < 8) {
        c.reply.error(E.syntax);
        return;
      }
      si += 2;
    }
    const n = llNum(c, argv[si + 2]);
    if (n === null) return;
    count = Math.max(n, 0);
    const st = parseStart(c, argv[si]);
    if (st === null) return;
    start = st;
    const en = parseEnd(c, argv[si + 1]);
    if (en === null) return;
    end = en;
    if (si + 3 < argv.length) consumerName = key(argv[si + 3]);
  }
  const k = key(argv[1]);
  const gname = key(argv[2]);
  const s = readStream(c, k);
  if (s === null) return;
  const g = s?.group(gname);
  if (g === undefined) {
    c.reply.error(`NOGROUP No such key '${cname(k)}' or consumer group '${cname(gname)}'`);
    return;
  }
  if (justInfo) {
    c.reply.array(4);
    c.reply.int(g.pel.size);
    const first = g.pel.first();
    if (first === undefined) {
      c.reply.nullBulk();
      c.reply.nullBulk();
      c.reply.nullArray();
      return;
    }
    replyId(c, first);
    replyId(c, g.pel.last() as StreamID);
    const withPending = g.sortedConsumers().filter((x) => x.pel.size > 0);
    c.reply.array(withPending.length);
    for (const cons of withPending) {
      c.reply.array(2);
      c.reply.bulkStr(cons.name);
      c.reply.bulkStr(String(cons.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const cons = g.consumers.get(consumerName);
    if (cons === undefined) {
      c.reply.array(0);
      return;
    }
    pel = cons.pel;
  }
  const t = now(c);
  const rows: [StreamID, Nack][] = [];
  if (count > 0 && cmpId(start, end) <= 0) {
    pel.walk((id, nack) => {
      if (cmpId(id, end) > 0) return false;
      if (minIdle && t - nack.deliveryTime < minIdle) return true;
      rows.push([id, nack]);
      return rows.length < count;
    }, start);
  }
  c.reply.array(rows.length);
  for (const [id, nack] of rows) {
    c.reply.array(4);
    replyId(c, id);
    c.reply.bulkStr((nack.consumer as Consumer).name);
    c.reply.int(Math.max(0, t - nack.deliveryTime));
    c.reply.int(nack.deliveryCount);
  }
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
function xclaim(c: Client, argv: Buffer[]): void {
  const k = key(argv[1]);
  const gname = key(argv[2]);
  const s = readStream(c, k);
  if (s === null) return;
  const g = s?.group(gname);
  if (s === undefined || g === undefined) {
    c.reply.error(`NOGROUP No such key '${cname(k)}' or consumer group '${cname(gname)}'`);
    return;
  }
  let minIdle = llNum(c, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = parseStrictId(null, argv[j]);
    if (id === null) break;
    ids.push(id);
  }
  const t = now(c);
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justId = false;
  let lastId = ZERO_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (is(opt, 'force')) force = true;
    else if (is(opt, 'justid')) justId = true;
    else if (is(opt, 'idle') && more > 0) {
      j++;
      const v = llNum(c, argv[j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (v === null) return;
      deliveryTime = t - v;
    } else if (is(opt, 'time') && more > 0) {
      j++;
      const v = llNum(c, argv[j], 'ERR Invalid TIME option argument for XCLAIM');
      if (v === null) return;
      deliveryTime = v;
    } else if (is(opt, 'retrycount') && more > 0) {
      j++;
      const v = llNum(c, argv[j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (v === null) return;
      retryCount = v;
    } else if (is(opt, 'lastid') && more > 0) {
      j++;
      const id = parseStrictId(c, argv[j]);
      if (id === null) return;
      lastId = id;
    } else {
      c.reply.error(`ERR Unrecognized XCLAIM option '${cstr(opt)}'`);
      return;
    }
  }
  let dirty = 0;
  let lastIdMoved = false;
  if (cmpId(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    lastIdMoved = true;
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > t) deliveryTime = t;
  } else deliveryTime = t;
  let consumer: Consumer | undefined;
  const out: (() => void)[] = [];
  const recs: Buffer[][] = [];
  for (const id of ids) {
    let nack = g.pel.get(id);
    if (!s.has(id)) {
      // the entry is gone: drop its pending entry (written as the XCLAIM of its old state, which
      // drops it on replay too)
      if (nack !== undefined) {
        recs.push(xclaimRecord(k, g, id, nack));
        g.pel.delete(id);
        nack.consumer?.pel.delete(id);
        dirty++;
        lastIdMoved = false;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { deliveryTime: t, deliveryCount: 1, consumer: null };
      g.pel.set(id, nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle && t - nack.deliveryTime < minIdle) continue;
    if (consumer === undefined) consumer = lookupOrCreateConsumer(c, g, key(argv[3]), k);
    if (nack.consumer !== consumer) nack.consumer?.pel.delete(id);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.set(id, nack);
      nack.consumer = consumer;
    }
    if (justId) out.push(() => replyId(c, id));
    else out.push(() => replyEntryOrNull(c, s, id));
    recs.push(xclaimRecord(k, g, id, nack));
    dirty++;
    lastIdMoved = false;
  }
  if (lastIdMoved) {
    dirty++;
    recs.push(setIdRecord(k, g));
  }
  c.reply.array(out.length);
  for (const f of out) f();
  if (dirty > 0) touched(c, k, dirty);
  propagateAs(recs);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
function xautoclaim(c: Client, argv: Buffer[]): void {
  let minIdle = llNum(c, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  const start = parseStart(c, argv[5]);
  if (start === null) return;
  let count = 100;
  let justId = false;
  const maxCount = 576460752303423487n; // LONG_MAX / 16
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'count') && more > 0) {
      const v = parseInt64(argv[j + 1]);
      if (v === null || v < 1 || BigInt(v) > maxCount) {
        c.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(v);
      j++;
    } else if (is(argv[j], 'justid')) justId = true;
    else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const k = key(argv[1]);
  const gname = key(argv[2]);
  const s = readStream(c, k);
  if (s === null) return;
  const g = s?.group(gname);
  if (s === undefined || g === undefined) {
    c.reply.error(`NOGROUP No such key '${cname(k)}' or consumer group '${cname(gname)}'`);
    return;
  }
  // Redis allocates COUNT IDs up front and fails when the allocation cannot be made
  if (count * 16 > totalmem()) {
    c.reply.error('ERR Insufficient memory, failed allocating transient memory, COUNT too high.');
    return;
  }
  let attempts = count * 10;
  const t = now(c);
  const name = key(argv[3]);
  let consumer: Consumer | undefined;
  const claimed: StreamID[] = [];
  const deleted: StreamID[] = [];
  const recs: Buffer[][] = [];
  let dirty = 0;
  let cur: [StreamID, Nack] | undefined = g.pel.ceil(start);
  let next: StreamID | undefined;
  while (true) {
    if (attempts-- <= 0 || count <= 0) {
      // the cursor for the next call: the entry after the last one looked at
      next = cur?.[0];
      break;
    }
    if (cur === undefined) break;
    const [id, nack] = cur;
    if (!s.has(id)) {
      recs.push(xclaimRecord(k, g, id, nack));
      g.pel.delete(id);
      nack.consumer?.pel.delete(id);
      deleted.push(id);
      dirty++;
      count--;
      cur = g.pel.ceil(id);
      continue;
    }
    const after = incrId(id);
    const advance = (): [StreamID, Nack] | undefined => (after === null ? undefined : g.pel.ceil(after));
    if (minIdle && t - nack.deliveryTime < minIdle) {
      cur = advance();
      continue;
    }
    if (consumer === undefined) consumer = lookupOrCreateConsumer(c, g, name, k);
    if (nack.consumer !== consumer) nack.consumer?.pel.delete(id);
    nack.deliveryTime = t;
    if (!justId) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.set(id, nack);
      nack.consumer = consumer;
    }
    claimed.push(id);
    recs.push(xclaimRecord(k, g, id, nack));
    count--;
    dirty++;
    cur = advance();
  }
  c.reply.array(3);
  replyId(c, next ?? ZERO_ID);
  c.reply.array(claimed.length);
  for (const id of claimed) {
    if (justId) replyId(c, id);
    else replyEntryOrNull(c, s, id);
  }
  c.reply.array(deleted.length);
  for (const id of deleted) replyId(c, id);
  if (dirty > 0) touched(c, k, dirty);
  propagateAs(recs);
}

// ---- XINFO ----

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

// XINFO HELP
function xinfoHelp(c: Client): void {
  c.reply.array(XINFO_HELP.length);
  for (const l of XINFO_HELP) c.reply.simple(l);
}

/** The stream for XINFO: "no such key" when missing; null after an error. */
function xinfoStreamArg(c: Client, argv: Buffer[]): StreamValue | null {
  const s = readStream(c, key(argv[2]));
  if (s === null) return null;
  if (s === undefined) {
    c.reply.error(E.noKey);
    return null;
  }
  return s;
}

// XINFO CONSUMERS key group
function xinfoConsumers(c: Client, argv: Buffer[]): void {
  const s = xinfoStreamArg(c, argv);
  if (s === null) return;
  const gname = key(argv[3]);
  const g = s.group(gname);
  if (g === undefined) {
    c.reply.error(`NOGROUP No such consumer group '${cname(gname)}' for key name '${cname(key(argv[2]))}'`);
    return;
  }
  const t = now(c);
  const list = g.sortedConsumers();
  c.reply.array(list.length);
  for (const cons of list) {
    c.reply.map(3);
    c.reply.bulkStr('name');
    c.reply.bulkStr(cons.name);
    c.reply.bulkStr('pending');
    c.reply.int(cons.pel.size);
    c.reply.bulkStr('idle');
    c.reply.int(Math.max(0, t - cons.seenTime));
  }
}

// XINFO GROUPS key
function xinfoGroups(c: Client, argv: Buffer[]): void {
  const s = xinfoStreamArg(c, argv);
  if (s === null) return;
  const list = s.sortedGroups();
  c.reply.array(list.length);
  for (const g of list) {
    c.reply.map(6);
    c.reply.bulkStr('name');
    c.reply.bulkStr(g.name);
    c.reply.bulkStr('consumers');
    c.reply.int(g.consumers.size);
    c.reply.bulkStr('pending');
    c.reply.int(g.pel.size);
    c.reply.bulkStr('last-delivered-id');
    replyId(c, g.lastId);
    c.reply.bulkStr('entries-read');
    replyI64OrNull(c, g.entriesRead === -1 ? null : g.entriesRead);
    c.reply.bulkStr('lag');
    replyI64OrNull(c, s.lag(g));
  }
}

// XINFO STREAM key [FULL [COUNT count]]
function xinfoStream(c: Client, argv: Buffer[]): void {
  const s = xinfoStreamArg(c, argv);
  if (s === null) return;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc > 0) {
    if ((optc !== 1 && optc !== 3) || !is(argv[3], 'full') || (optc === 3 && !is(argv[4], 'count'))) {
      subSyntaxError(c, argv, 'XINFO');
      return;
    }
    full = true;
    if (optc === 3) {
      const v = llNum(c, argv[5]);
      if (v === null) return;
      count = v < 0 ? 10 : v;
    }
  }
  const r = c.reply;
  r.map(full ? 9 : 10);
  r.bulkStr('length');
  r.int(s.length);
  r.bulkStr('radix-tree-keys');
  r.int(s.nodeCount);
  r.bulkStr('radix-tree-nodes');
  r.int(s.raxNodeCount());
  r.bulkStr('last-generated-id');
  replyId(c, s.lastId);
  r.bulkStr('max-deleted-entry-id');
  replyId(c, s.maxDeletedId);
  r.bulkStr('entries-added');
  r.int(s.entriesAdded);
  r.bulkStr('recorded-first-entry-id');
  replyId(c, s.firstId);
  if (!full) {
    r.bulkStr('groups');
    r.int(s.groups?.size ?? 0);
    const first = s.edgeId(false);
    const last = s.edgeId(true);
    r.bulkStr('first-entry');
    if (first === undefined) r.nullBulk();
    else replyEntry(c, first, s.get(first) as Buffer[]);
    r.bulkStr('last-entry');
    if (last === undefined) r.nullBulk();
    else replyEntry(c, last, s.get(last) as Buffer[]);
    return;
  }
  r.bulkStr('entries');
  const items = collect(s, ZERO_ID, MAX_ID, false, count);
  r.array(items.length);
  for (const [id, fv] of items) replyEntry(c, id, fv);
  r.bulkStr('groups');
  const groups = s.sortedGroups();
  r.array(groups.length);
  for (const g of groups) {
    r.map(7);
    r.bulkStr('name');
    r.bulkStr(g.name);
    r.bulkStr('last-delivered-id');
    replyId(c, g.lastId);
    r.bulkStr('entries-read');
    replyI64OrNull(c, g.entriesRead === -1 ? null : g.entriesRead);
    r.bulkStr('lag');
    replyI64OrNull(c, s.lag(g));
    r.bulkStr('pel-count');
    r.int(g.pel.size);
    r.bulkStr('pending');
    const pend: [StreamID, Nack][] = [];
    g.pel.walk((id, nack) => {
      pend.push([id, nack]);
      return count === 0 || pend.length < count;
    });
    r.array(pend.length);
    for (const [id, nack] of pend) {
      r.array(4);
      replyId(c, id);
      r.bulkStr((nack.consumer as Consumer).name);
      r.int(nack.deliveryTime);
      r.int(nack.deliveryCount);
    }
    r.bulkStr('consumers');
    const conss = g.sortedConsumers();
    r.array(conss.length);
    for (const cons of conss) {
      r.map(4);
      r.bulkStr('name');
      r.bulkStr(cons.name);
      r.bulkStr('seen-time');
      r.int(cons.seenTime);
      r.bulkStr('pel-count');
      r.int(cons.pel.size);
      r.bulkStr('pending');
      const cp: [StreamID, Nack][] = [];
      cons.pel.walk((id, nack) => {
        cp.push([id, nack]);
        return count === 0 || cp.length < count;
      });
      r.array(cp.length);
      for (const [id, nack] of cp) {
        r.array(3);
        replyId(c, id);
        r.int(nack.deliveryTime);
        r.int(nack.deliveryCount);
      }
    }
  }
}

// ---- XSETID ----

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
function xsetid(c: Client, argv: Buffer[]): void {
  const id = parseStrictId(c, argv[2]);
  if (id === null) return;
  let entriesAdded: I64 = -1;
  let maxDel = ZERO_ID;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    if (is(argv[i], 'entriesadded') && more > 0) {
      const v = llArg(c, argv[i + 1]);
      if (v === null) return;
      if (v < 0) {
        c.reply.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = v;
      i += 2;
    } else if (is(argv[i], 'maxdeletedid') && more > 0) {
      const v = parseStrictId(c, argv[i + 1]);
      if (v === null) return;
      if (cmpId(id, v) < 0) {
        c.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxDel = v;
      i += 2;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const k = key(argv[1]);
  const s = writeStream(c, k);
  if (s === null) return;
  if (s === undefined) {
    c.reply.error(E.noKey);
    return;
  }
  if (s.length > 0) {
    const maxid = s.edgeId(true) as StreamID;
    if (cmpId(id, maxid) < 0) {
      c.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      c.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!isZeroId(maxDel)) s.maxDeletedId = maxDel;
  c.reply.ok();
  // counted as a change but not signalled to WATCH, as Redis 7.0.15
  touched(c, k);
  notify(c, 'x', 'xsetid', k);
}

// ---- key positions ----

/**
 * Keys of XREAD (startFrom 1) and XREADGROUP (startFrom 4) as Redis 7.0's key specs find them:
 * the first STREAMS word from startFrom on (the last argument is never taken as the keyword),
 * then the first half of what follows it.
 */
function streamsKeys(startFrom: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    let first = 0;
    for (let i = startFrom; i < argv.length - 1; i++) {
      if (is(argv[i], 'streams')) {
        first = i + 1;
        break;
      }
    }
    if (first === 0) return [];
    const last = first + Math.floor((argv.length - first) / 2) - 1;
    const out: number[] = [];
    for (let j = first; j <= last && j < argv.length; j++) out.push(j);
    return out;
  };
}

const K1: [number, number, number] = [1, 1, 1];
const K2: [number, number, number] = [2, 2, 1];

export const streamCommands: CommandDef[] = [
  {
    name: 'xadd',
    arity: -5,
    flags: 'write denyoom fast',
    keys: K1,
    acl: '@stream',
    tips: 'nondeterministic_output',
    handler: xadd,
  },
  { name: 'xlen', arity: 2, flags: 'readonly fast', keys: K1, acl: '@stream', handler: xlen },
  { name: 'xrange', arity: -4, flags: 'readonly', keys: K1, acl: '@stream', handler: xrange },
  { name: 'xrevrange', arity: -4, flags: 'readonly', keys: K1, acl: '@stream', handler: xrevrange },
  { name: 'xdel', arity: -3, flags: 'write fast', keys: K1, acl: '@stream', handler: xdel },
  {
    name: 'xtrim',
    arity: -4,
    flags: 'write',
    keys: K1,
    acl: '@stream',
    tips: 'nondeterministic_output',
    handler: xtrim,
  },
  {
    name: 'xread',
    arity: -4,
    flags: 'readonly blocking',
    acl: '@stream',
    getKeys: streamsKeys(1),
    handler: xread,
  },
  {
    name: 'xreadgroup',
    arity: -7,
    flags: 'write blocking',
    acl: '@stream',
    getKeys: streamsKeys(4),
    handler: xreadgroup,
  },
  {
    name: 'xgroup',
    arity: -2,
    flags: '',
    subcommands: [
      { name: 'create', arity: -5, flags: 'write denyoom', keys: K2, acl: '@stream', handler: xgroup },
      { name: 'setid', arity: -5, flags: 'write', keys: K2, acl: '@stream', handler: xgroup },
      { name: 'destroy', arity: 4, flags: 'write', keys: K2, acl: '@stream', handler: xgroup },
      { name: 'createconsumer', arity: 5, flags: 'write denyoom', keys: K2, acl: '@stream', handler: xgroup },
      { name: 'delconsumer', arity: 5, flags: 'write', keys: K2, acl: '@stream', handler: xgroup },
      { name: 'help', arity: 2, flags: 'loading stale', acl: '@stream', handler: xgroupHelp },
    ],
  },
  { name: 'xack', arity: -4, flags: 'write fast', keys: K1, acl: '@stream', handler: xack },
  {
    name: 'xpending',
    arity: -3,
    flags: 'readonly',
    keys: K1,
    acl: '@stream',
    tips: 'nondeterministic_output',
    handler: xpending,
  },
  {
    name: 'xclaim',
    arity: -6,
    flags: 'write fast',
    keys: K1,
    acl: '@stream',
    tips: 'nondeterministic_output',
    handler: xclaim,
  },
  {
    name: 'xautoclaim',
    arity: -6,
    flags: 'write fast',
    keys: K1,
    acl: '@stream',
    tips: 'nondeterministic_output',
    handler: xautoclaim,
  },
  {
    name: 'xinfo',
    arity: -2,
    flags: '',
    subcommands: [
      { name: 'stream', arity: -3, flags: 'readonly', keys: K2, acl: '@stream', handler: xinfoStream },
      { name: 'help', arity: 2, flags: 'loading stale', acl: '@stream', handler: xinfoHelp },
      { name: 'groups', arity: 3, flags: 'readonly', keys: K2, acl: '@stream', handler: xinfoGroups },
      {
        name: 'consumers',
        arity: 4,
        flags: 'readonly',
        keys: K2,
        acl: '@stream',
        tips: 'nondeterministic_output',
        handler: xinfoConsumers,
      },
    ],
  },
  { name: 'xsetid', arity: -3, flags: 'write denyoom fast', keys: K1, acl: '@stream', handler: xsetid },
];
