// The deterministic form of an executed write command, as Redis propagates it to the AOF:
// relative expiry times become absolute (SET EX → SET PXAT, EXPIRE → PEXPIREAT, RESTORE ttl →
// ABSTTL), results that depend on floating point or time are stated as values (INCRBYFLOAT → SET
// KEEPTTL), generated stream IDs are written out (XADD * → XADD <id>). It runs after the command,
// so it describes the key as the command left it. SPOP states its own (dispatch propagateAs).

import { is } from '../commands/args';
import type { Client } from '../server/client';
import type { Entry } from '../store/db';
import { idStr, StreamValue } from '../store/stream';
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
      return [xaddWithId(c, argv)];
    default:
      return [argv];
  }
}

/** XADD with the ID the stream actually got in place of `*` / `<ms>-*`. */
function xaddWithId(c: Client, argv: Buffer[]): Buffer[] {
  let i = 2;
  if (i < argv.length && is(argv[i], 'nomkstream')) i++;
  while (i < argv.length && (is(argv[i], 'maxlen') || is(argv[i], 'minid'))) {
    i++;
    if (i < argv.length && (argv[i].toString('latin1') === '~' || argv[i].toString('latin1') === '=')) i++;
    i++; // threshold
    if (i < argv.length && is(argv[i], 'limit')) i += 2;
  }
  if (i >= argv.length) return argv;
  const id = argv[i].toString('latin1');
  if (!id.includes('*')) return argv;
  const e = peek(c, argv[1]);
  if (e === undefined || !(e.value instanceof StreamValue)) return argv;
  const out = argv.slice();
  out[i] = Buffer.from(idStr(e.value.lastId), 'latin1');
  return out;
}
