// Keyspace (generic) commands: database-wide operations, key lookup/iteration, renames,
// copies and expiry. Values are handled generically (Buffer or ValueLike), so every data
// type works with COPY/MOVE/RENAME/TYPE/OBJECT without this file knowing about it.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import type { Db } from '../store/db';
import { is } from './args';
import type { CommandDef } from './types';

/** Empties a database, signalling every key (WATCH, tracking); returns the number removed. */
function flushDb(c: Client, db: Db): number {
  const n = db.size;
  for (const k of db.dict.keys()) db.modified(k);
  db.clear();
  c.server.dirty += n;
  return n;
}

/** FLUSHDB/FLUSHALL option: SYNC or ASYNC (both clear synchronously here). */
function flushOption(c: Client, argv: Buffer[]): boolean {
  if (argv.length > 2 || (argv.length === 2 && !is(argv[1], 'sync') && !is(argv[1], 'async'))) {
    c.reply.error(E.syntax);
    return false;
  }
  return true;
}

// FLUSHDB [ASYNC | SYNC]
function flushdb(c: Client, argv: Buffer[]): void {
  if (!flushOption(c, argv)) return;
  flushDb(c, c.db);
  c.reply.ok();
}

// FLUSHALL [ASYNC | SYNC]
function flushall(c: Client, argv: Buffer[]): void {
  if (!flushOption(c, argv)) return;
  for (const db of c.server.dbs) flushDb(c, db);
  // counted as a change even on an empty dataset, as Redis does (so it propagates)
  c.server.dirty++;
  c.reply.ok();
}

// DBSIZE
function dbsize(c: Client): void {
  c.reply.int(c.db.size);
}

export const keysCommands: CommandDef[] = [
  { name: 'dbsize', arity: 1, flags: 'readonly fast', acl: '@keyspace', handler: dbsize },
  { name: 'flushdb', arity: -1, flags: 'write', acl: '@keyspace @dangerous', handler: flushdb },
  { name: 'flushall', arity: -1, flags: 'write', acl: '@keyspace @dangerous', handler: flushall },
];
