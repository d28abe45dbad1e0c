// Persistence commands: SAVE BGSAVE (LASTSAVE is in server.ts) and DUMP RESTORE.

import { RdbError } from '../persistence/errors';
import { createDump, readDump, verifyDump } from '../persistence/rdb';
import { otherSnapshotActive, persistState, saveSync, startBgsave } from '../persistence/save';
import { valueOptions } from '../persistence/values';
import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { callDepth } from '../server/dispatch';
import { is, key, parseInt64 } from './args';
import { lookupRead, lookupWrite, notify } from './keyspace';
import type { CommandDef } from './types';

const IN_PROGRESS = 'ERR Background save already in progress';

// SAVE
function save(c: Client): void {
  const s = c.server;
  if (persistState(s).bg !== null) {
    c.reply.error(IN_PROGRESS);
    return;
  }
  if (saveSync(s)) c.reply.ok();
  else c.reply.error('ERR');
}

// BGSAVE [SCHEDULE]
function bgsave(c: Client, argv: Buffer[]): void {
  // SCHEDULE only matters while another kind of child process runs, which never happens here
  if (argv.length > 1 && !(argv.length === 2 && is(argv[1], 'schedule'))) {
    c.reply.error(E.syntax);
    return;
  }
  const s = c.server;
  const st = persistState(s);
  if (st.bg !== null) {
    c.reply.error(IN_PROGRESS);
  } else if (otherSnapshotActive(s) || callDepth() > 1) {
    // an AOF rewrite runs, or inside EXEC (Redis's in_exec): the cron starts it later
    if (argv.length > 1 || callDepth() > 1) {
      st.scheduled = true;
      c.reply.simple('Background saving scheduled');
    } else {
      c.reply.error(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
      );
    }
  } else if (startBgsave(s)) {
    c.reply.simple('Background saving started');
  } else {
    c.reply.error('ERR');
  }
}

// DUMP key
function dump(c: Client, argv: Buffer[]): void {
  const e = lookupRead(c, key(argv[1]));
  if (e === undefined) {
    c.reply.nullBulk();
    return;
  }
  const s = c.server;
  c.reply.bulk(createDump(e.value, valueOptions(s), s.config.bool('rdbcompression')));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
function restore(c: Client, argv: Buffer[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (is(argv[j], 'replace')) {
      replace = true;
    } else if (is(argv[j], 'absttl')) {
      absttl = true;
    } else if (is(argv[j], 'idletime') && more >= 1 && freq === -1) {
      const v = parseInt64(argv[j + 1]);
      if (v === null) {
        c.reply.error(E.notInt);
        return;
      }
      if (v < 0) {
        c.reply.error('ERR Invalid IDLETIME value, must be >= 0');
        return;
      }
      idle = Number(v);
      j++;
    } else if (is(argv[j], 'freq') && more >= 1 && idle === -1) {
      const v = parseInt64(argv[j + 1]);
      if (v === null) {
        c.reply.error(E.notInt);
        return;
      }
      if (v < 0 || v > 255) {
        c.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        return;
      }
      freq = Number(v);
      j++;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const k = key(argv[1]);
  if (!replace && lookupWrite(c, k) !== undefined) {
    c.reply.error('BUSYKEY Target key name already exists.');
    return;
  }
  const ttlArg = parseInt64(argv[2]);
  if (ttlArg === null) {
    c.reply.error(E.notInt);
    return;
  }
  if (ttlArg < 0) {
    c.reply.error('ERR Invalid TTL value, must be >= 0');
    return;
  }
  const payload = argv[3];
  if (!verifyDump(payload)) {
    c.reply.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  const s = c.server;
  let value: ReturnType<typeof readDump>;
  try {
    value = readDump(payload, valueOptions(s));
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    value = null;
  }
  if (value === null) {
    c.reply.error('ERR Bad data format');
    return;
  }
  const db = c.db;
  let deleted = false;
  if (replace) deleted = db.delete(k);
  const now = s.clock.now();
  let ttl = Number(ttlArg);
  if (ttl !== 0 && !absttl) ttl += now;
  if (ttl !== 0 && ttl <= now) {
    // already expired: the key is gone (deleted if it was replaced)
    if (deleted) {
      notify(c, 'g', 'del', k);
      s.dirty++;
    }
    c.reply.ok();
    return;
  }
  const e = db.set(k, value, ttl);
  const policy = s.config.str('maxmemory-policy');
  if (policy.endsWith('-lfu')) {
    if (freq >= 0) e.lfu = freq;
  } else if (idle >= 0) {
    e.lru = now - idle * 1000;
  }
  notify(c, 'g', 'restore', k);
  s.dirty++;
  c.reply.ok();
}

const KEY1: [number, number, number] = [1, 1, 1];

export const persistenceCommands: CommandDef[] = [
  { name: 'save', arity: 1, flags: 'admin noscript no_async_loading no_multi', handler: save },
  { name: 'bgsave', arity: -1, flags: 'admin noscript no_async_loading', handler: bgsave },
  {
    name: 'dump',
    arity: 2,
    flags: 'readonly',
    keys: KEY1,
    acl: '@keyspace',
    tips: 'nondeterministic_output',
    handler: dump,
  },
  {
    name: 'restore',
    arity: -4,
    flags: 'write denyoom',
    keys: KEY1,
    acl: '@keyspace @dangerous',
    handler: restore,
  },
];
