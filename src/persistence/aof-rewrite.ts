// The AOF base as commands (aof-use-rdb-preamble no): `<appendfilename>.<n>.base.aof`, laid out
// as Redis 7.0's rewriteAppendOnlyFile writes it, so redis-server loads it and redoubt loads
// Redis's: per non-empty database a SELECT, then per key the commands that rebuild its value -
// SET for a string; RPUSH, SADD, ZADD, HMSET with at most 64 items (pairs) per command; for a
// stream XADD per entry (XADD ... MAXLEN 0 0-1 for an empty one), XSETID with ENTRIESADDED and
// MAXDELETEDID, XGROUP CREATE ... ENTRIESREAD per group, then per consumer either an XCLAIM
// ... TIME RETRYCOUNT JUSTID FORCE per pending entry or XGROUP CREATECONSUMER - and PEXPIREAT
// for a key with a TTL. With aof-timestamp-enabled the file starts with a #TS: annotation.
//
// It is written through snapshot.ts as a SnapshotFormat, from the same point-in-time view as
// the RDB base (keys walked in slices, copy-on-write before a write touches a key not written
// yet).

import type { Entry } from '../store/db';
import { HashValue } from '../store/hash';
import { ListValue } from '../store/list';
import { SetValue } from '../store/set';
import { ZSetValue } from '../store/zset';
import type { RdbWriter } from './rdbio';
import type { SnapshotFormat } from './snapshot';
import { isStream, type StreamId, streamToData } from './stream';
import { d2string } from './values';

/** Items (or field/value, score/member pairs) per command, as Redis's AOF_REWRITE_ITEMS_PER_CMD. */
export const ITEMS_PER_CMD = 64;

type Arg = string | Uint8Array;

/** One command in RESP (strings are latin1: one char per byte). */
function emit(w: RdbWriter, args: Arg[]): void {
  w.rawLatin1(`*${args.length}\r\n`);
  for (const a of args) {
    w.rawLatin1(`$${a.length}\r\n`);
    if (typeof a === 'string') w.rawLatin1(a);
    else w.raw(a);
    w.rawLatin1('\r\n');
  }
}

function idStr(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** Emits `cmd key items...` in batches of ITEMS_PER_CMD items of `width` args each. */
function batched(w: RdbWriter, cmd: string, key: string, items: Iterable<Arg[]>): void {
  let args: Arg[] = [cmd, key];
  let n = 0;
  for (const it of items) {
    for (const a of it) args.push(a);
    if (++n === ITEMS_PER_CMD) {
      emit(w, args);
      args = [cmd, key];
      n = 0;
    }
  }
  if (n > 0) emit(w, args);
}

function* listItems(l: ListValue): Iterable<Arg[]> {
  const n = l.length;
  for (let i = 0; i < n; i++) yield [l.get(i) as Buffer];
}

function* setItems(v: SetValue): Iterable<Arg[]> {
  for (const m of v.members()) yield [m];
}

function* hashItems(v: HashValue): Iterable<Arg[]> {
  for (const n of v.map.nodes()) yield [n.key, n.value];
}

function* zsetItems(v: ZSetValue): Iterable<Arg[]> {
  for (const it of v.items()) yield [d2string(it.score), it.member];
}

/** The commands that rebuild one key (its value, then its TTL). */
export function writeKeyCommands(w: RdbWriter, e: Entry): void {
  const key = e.key;
  const v = e.value;
  if (v instanceof Uint8Array) {
    emit(w, ['SET', key, v]);
  } else if (v instanceof ListValue) {
    batched(w, 'RPUSH', key, listItems(v));
  } else if (v instanceof SetValue) {
    batched(w, 'SADD', key, setItems(v));
  } else if (v instanceof ZSetValue) {
    batched(w, 'ZADD', key, zsetItems(v));
  } else if (v instanceof HashValue) {
    batched(w, 'HMSET', key, hashItems(v));
  } else if (isStream(v)) {
    writeStreamCommands(w, key, v);
  } else {
    throw new Error(`no AOF rewrite for values of type ${(v as { kind?: string }).kind ?? typeof v}`);
  }
  if (e.expires !== 0) emit(w, ['PEXPIREAT', key, String(e.expires)]);
}

function writeStreamCommands(w: RdbWriter, key: string, v: Parameters<typeof streamToData>[0]): void {
  const d = streamToData(v);
  if (d.entries.length > 0) {
    for (const en of d.entries) emit(w, ['XADD', key, idStr(en.id), ...en.fields]);
  } else {
    // an empty stream is created by an XADD trimmed away at once (at 0-1, the smallest ID XADD
    // takes: the last ID may be 0-0, as after XGROUP CREATE ... MKSTREAM); XSETID sets it below
    emit(w, ['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  // the last ID and counters as they were (XDEL/XTRIM leave them beyond the last entry)
  emit(w, [
    'XSETID',
    key,
    idStr(d.lastId),
    'ENTRIESADDED',
    String(d.entriesAdded),
    'MAXDELETEDID',
    idStr(d.maxDeletedId),
  ]);
  for (const g of d.groups) {
    emit(w, ['XGROUP', 'CREATE', key, g.name, idStr(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
    const nacks = new Map<string, { deliveryTime: number; deliveryCount: number }>();
    for (const n of g.pel) nacks.set(idStr(n.id), n);
    for (const c of g.consumers) {
      if (c.pending.length === 0) {
        emit(w, ['XGROUP', 'CREATECONSUMER', key, g.name, c.name]);
        continue;
      }
      for (const id of c.pending) {
        const ids = idStr(id);
        const n = nacks.get(ids);
        emit(w, [
          'XCLAIM',
          key,
          g.name,
          c.name,
          '0',
          ids,
          'TIME',
          String(n?.deliveryTime ?? 0),
          'RETRYCOUNT',
          String(n?.deliveryCount ?? 0),
          'JUSTID',
          'FORCE',
        ]);
      }
    }
  }
}

/** The SnapshotFormat of a command-format AOF base. */
export function aofBaseFormat(timestampSec: number | null): SnapshotFormat {
  return {
    header(w) {
      if (timestampSec !== null) w.rawLatin1(`#TS:${timestampSec}\r\n`);
    },
    db(w, id) {
      emit(w, ['SELECT', String(id)]);
    },
    key(w, e) {
      writeKeyCommands(w, e);
    },
    footer(w) {
      w.flush();
      return Buffer.alloc(0);
    },
  };
}
