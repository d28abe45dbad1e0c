// String commands.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { is, key, parseInt64 } from './args';
import { lookupWrite, notify, readString, setKey } from './keyspace';
import type { CommandDef } from './types';

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const EX = 16;
const PX = 32;
const EXAT = 64;
const PXAT = 128;
const EXPIRE_FLAGS = EX | PX | EXAT | PXAT;
/** LLONG_MAX as a double, and LLONG_MAX / 1000 (largest seconds value Redis accepts). */
const INT64_MAX_F = 2 ** 63;
const INT64_MAX_MS_SECONDS = 2 ** 63 / 1000;

/**
 * Converts an expire argument to an absolute ms time, or writes the error and returns -1.
 * `unitFlag` is one of EX PX EXAT PXAT.
 */
function expireArg(c: Client, arg: Buffer, unitFlag: number, cmdName: string): number {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(E.notInt);
    return -1;
  }
  let ms = typeof v === 'bigint' ? Number(v) : v;
  const seconds = unitFlag === EX || unitFlag === EXAT;
  if (ms <= 0 || (seconds && ms > INT64_MAX_MS_SECONDS)) {
    c.reply.error(E.invalidExpire(cmdName));
    return -1;
  }
  if (seconds) ms *= 1000;
  if (unitFlag === EX || unitFlag === PX) ms += c.server.clock.now();
  if (ms <= 0 || ms > INT64_MAX_F) {
    c.reply.error(E.invalidExpire(cmdName));
    return -1;
  }
  return ms;
}

/** Shared by SET, SETNX, SETEX, PSETEX, GETSET. Returns false if it replied with an error. */
function setGeneric(
  c: Client,
  k: Buffer,
  val: Buffer,
  flags: number,
  expires: number,
  okReply: boolean,
): void {
  const name = key(k);
  if (flags & GET) {
    const old = readString(c, name);
    if (old === null) return; // WRONGTYPE already written
    if (old === undefined) c.reply.nullBulk();
    else c.reply.bulk(old);
  }
  if (flags & (NX | XX)) {
    const found = lookupWrite(c, name) !== undefined;
    if ((flags & NX && found) || (flags & XX && !found)) {
      if (!(flags & GET)) {
        if (okReply) c.reply.nullBulk();
        else c.reply.raw(':0\r\n');
      }
      return;
    }
  }
  setKey(c, name, Buffer.from(val), expires, (flags & KEEPTTL) !== 0);
  notify(c, '$', 'set', name);
  if (expires !== 0) notify(c, 'g', 'expire', name);
  if (!(flags & GET)) {
    if (okReply) c.reply.raw('+OK\r\n');
    else c.reply.raw(':1\r\n');
  }
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//   PXAT unix-time-milliseconds | KEEPTTL]
function set(c: Client, argv: Buffer[]): void {
  let flags = 0;
  let expArg: Buffer | null = null;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    const next = j + 1 < argv.length ? argv[j + 1] : null;
    if (is(a, 'nx') && !(flags & XX)) flags |= NX;
    else if (is(a, 'xx') && !(flags & NX)) flags |= XX;
    else if (is(a, 'get')) flags |= GET;
    else if (is(a, 'keepttl') && !(flags & EXPIRE_FLAGS)) flags |= KEEPTTL;
    else if (next !== null && !(flags & (KEEPTTL | EXPIRE_FLAGS))) {
      let f = 0;
      if (is(a, 'ex')) f = EX;
      else if (is(a, 'px')) f = PX;
      else if (is(a, 'exat')) f = EXAT;
      else if (is(a, 'pxat')) f = PXAT;
      if (f === 0) {
        c.reply.error(E.syntax);
        return;
      }
      flags |= f;
      expArg = next;
      j++;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  let expires = 0;
  if (expArg !== null) {
    expires = expireArg(c, expArg, flags & EXPIRE_FLAGS, 'set');
    if (expires < 0) return;
  }
  setGeneric(c, argv[1], argv[2], flags, expires, true);
}

// SETNX key value
function setnx(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv[1], argv[2], NX, 0, false);
}

// SETEX key seconds value
function setex(c: Client, argv: Buffer[]): void {
  const expires = expireArg(c, argv[2], EX, 'setex');
  if (expires < 0) return;
  setGeneric(c, argv[1], argv[3], 0, expires, true);
}

// PSETEX key milliseconds value
function psetex(c: Client, argv: Buffer[]): void {
  const expires = expireArg(c, argv[2], PX, 'psetex');
  if (expires < 0) return;
  setGeneric(c, argv[1], argv[3], 0, expires, true);
}

// GETSET key value
function getset(c: Client, argv: Buffer[]): void {
  setGeneric(c, argv[1], argv[2], GET, 0, true);
}

// GET key
function get(c: Client, argv: Buffer[]): void {
  const v = readString(c, key(argv[1]));
  if (v === null) return;
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

export const stringCommands: CommandDef[] = [
  { name: 'get', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], acl: '@string', handler: get },
  { name: 'set', arity: -3, flags: 'write denyoom', keys: [1, 1, 1], acl: '@string', handler: set },
  { name: 'setnx', arity: 3, flags: 'write denyoom fast', keys: [1, 1, 1], acl: '@string', handler: setnx },
  { name: 'setex', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], acl: '@string', handler: setex },
  { name: 'psetex', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], acl: '@string', handler: psetex },
  { name: 'getset', arity: 3, flags: 'write denyoom fast', keys: [1, 1, 1], acl: '@string', handler: getset },
];
