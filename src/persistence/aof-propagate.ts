// The deterministic form of an executed write command, as Redis propagates it to the AOF:
// relative expiry times become absolute (SET EX → SET PXAT, EXPIRE → PEXPIREAT, RESTORE ttl →
// ABSTTL), results that depend on floating point or time are stated as values (INCRBYFLOAT → SET
// KEEPTTL, HINCRBYFLOAT → HSET), generated stream IDs are written out (XADD * → XADD <id>),
// approximate stream trims become exact. It runs after the command, so it describes the key as
// the command left it. Commands whose outcome is not in the key's state state their own records
// with dispatch's propagateAs (SPOP → SREM, XREADGROUP/XCLAIM → XCLAIM, blocking pops → pops).

import { is } from '../commands/args';
import type { Client } from '../server/client';
import type { Entry } from '../store/db';
import { HashValue } from '../store/hash';
import { idStr, MAX_ID, StreamValue } from '../store/stream';
import { strArgv } from './aof-format';

/** The key's entry without lazy expiry or access-time side effects. */
function peek(c: Client, k: Buffer): Entry | undefined {
  return c.db.dict.get(k.toString('latin1'));
}

function hasAny(argv: Buffer[], from: number, words: string[]): boolean {
  for (let i = from; i < argv.length; i++) for (const w of words) if (is(argv[i], w)) return true;
  return false;
}

/** SET key value [PXAT ms] from the key's current state; DEL when it is gone. */
function stringState(c: Client, k: Buffer, keepttl: boolean): Buffer[][] {
  const e = peek(c, k);
  if (e === undefined) return [strArgv('DEL', k)];
  if (!Buffer.isBuffer(e.value)) return [];
  if (keepttl) return [strArgv('SET', k, e.value, 'KEEPTTL')];
  if (e.expires !== 0) return [strArgv('SET', k, e.value, 'PXAT', String(e.expires))];
  return [strArgv('SET', k, e.value)];
}

/** The TTL state of a key after an expiry command. */
function expiryState(c: Client, k: Buffer): Buffer[][] {
  const e = peek(c, k);
  if (e === undefined) return [strArgv('DEL', k)];
  if (e.expires !== 0) return [strArgv('PEXPIREAT', k, String(e.expires))];
  return [strArgv('PERSIST', k)];
}

export function effectiveCommands(c: Client, name: string, argv: Buffer[]): Buffer[][] {
  switch (name) {
    case 'set':
      // relative and absolute second/ms expiries all become PXAT
      if (hasAny(argv, 3, ['ex', 'px', 'exat', 'pxat'])) return stringState(c, argv[1], false);
      return [argv];
    case 'setex':
    case 'psetex':
      return stringState(c, argv[1], false);
    case 'incrbyfloat':
      return stringState(c, argv[1], true);
    case 'getex':
      return expiryState(c, argv[1]);
    case 'expire':
    case 'pexpire':
    case 'expireat':
    case 'pexpireat':
      return expiryState(c, argv[1]);
    case 'restore': {
      if (hasAny(argv, 4, ['absttl'])) return [argv];
      const e = peek(c, argv[1]);
      const out = argv.slice();
      out[2] = Buffer.from(String(e?.expires ?? 0), 'latin1');
      out.push(Buffer.from('ABSTTL', 'latin1'));
      return [out];
    }
    case 'xadd':
      return [exactTrim(c, xaddWithId(c, argv), true)];
    case 'xtrim':
      return [exactTrim(c, argv, false)];
    case 'hincrbyfloat': {
      // the sum as stored, which replay must not recompute (long double rounding)
      const e = peek(c, argv[1]);
      const v =
        e !== undefined && e.value instanceof HashValue ? e.value.get(argv[2].toString('latin1')) : undefined;
      if (v === undefined) return [argv];
      return [strArgv('HSET', argv[1], argv[2], Buffer.from(v, 'latin1'))];
    }
    case 'getdel':
      return [strArgv('DEL', argv[1])];
    default:
      return [argv];
  }
}

/**
 * XADD/XTRIM with `~`: how much approximate trimming removes depends on the node layout, which a
 * replay need not reproduce, so the trim is written exact (`=`) with the threshold it reached:
 * the length left (MAXLEN) or the first ID still held (MINID), as Redis does. LIMIT stays (a
 * replaying client ignores it with `=`).
 */
function exactTrim(c: Client, argv: Buffer[], xadd: boolean): Buffer[] {
  const { op, minid } = scanTrimArgs(argv, xadd);
  if (op < 0 || op + 1 >= argv.length) return argv;
  const e = peek(c, argv[1]);
  if (e === undefined || !(e.value instanceof StreamValue)) return argv;
  const s = e.value;
  const out = argv.slice();
  out[op] = Buffer.from('=', 'latin1');
  out[op + 1] = Buffer.from(minid ? idStr(s.firstHeldId() ?? MAX_ID) : String(s.length), 'latin1');
  return out;
}

/** XADD with the ID the stream actually got in place of `*` / `<ms>-*`. */
function xaddWithId(c: Client, argv: Buffer[]): Buffer[] {
  const i = scanTrimArgs(argv, true).end;
  if (i >= argv.length) return argv;
  const id = argv[i].toString('latin1');
  if (!id.includes('*')) return argv;
  const e = peek(c, argv[1]);
  if (e === undefined || !(e.value instanceof StreamValue)) return argv;
  const out = argv.slice();
  out[i] = Buffer.from(idStr(e.value.lastId), 'latin1');
  return out;
}

/**
 * The options of XADD/XTRIM (in any order, as their parser takes them): where they end (XADD's
 * ID), the index of a `~` operator (-1 without) and whether the strategy is MINID.
 */
function scanTrimArgs(argv: Buffer[], xadd: boolean): { end: number; op: number; minid: boolean } {
  let i = 2;
  let op = -1;
  let minid = false;
  while (i < argv.length) {
    if (is(argv[i], 'maxlen') || is(argv[i], 'minid')) {
      minid = is(argv[i], 'minid');
      i++;
      const w = i < argv.length ? argv[i].toString('latin1') : '';
      if (w === '~') op = i;
      if (w === '~' || w === '=') i++;
      i++; // the threshold
    } else if (is(argv[i], 'limit')) i += 2;
    else if (xadd && is(argv[i], 'nomkstream')) i++;
    else break;
  }
  return { end: i, op, minid };
}
