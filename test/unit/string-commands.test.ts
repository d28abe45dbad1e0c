// The string and bitmap command declarations against COMMAND INFO of a real redis-server 7.0:
// arity, flags, key positions and ACL categories.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bitCommands } from '../../src/commands/bitops';
import { stringCommands } from '../../src/commands/string';
import { CommandTable } from '../../src/commands/table';
import { RawClient, type RespValue } from '../helpers/resp';
import { type Running, redisServerPath, startRedis } from '../helpers/servers';

const table = new CommandTable([stringCommands, bitCommands]);
const names = [...stringCommands, ...bitCommands].map((d) => d.name);

/** Bulk or simple string reply as text. */
function text(v: RespValue): string {
  if (typeof v === 'string') return v;
  assert.ok(Buffer.isBuffer(v), `expected a string, got ${String(v)}`);
  return v.toString('latin1');
}

describe('string command declarations match redis-server', {
  skip: redisServerPath() === null ? 'redis-server not installed' : false,
}, () => {
  let redis: Running | null = null;
  let cli: RawClient;
  before(async () => {
    redis = await startRedis();
    cli = await RawClient.connect({ port: (redis as Running).port });
  });
  after(async () => {
    cli?.close();
    await redis?.stop();
  });
  for (const name of names) {
    it(name, async () => {
      const info = (await cli.call('COMMAND', 'INFO', name)) as RespValue[];
      const row = info[0] as RespValue[];
      const cmd = table.get(name);
      assert.ok(cmd);
      assert.equal(text(row[0]), name);
      assert.equal(Number(row[1]), cmd.arity, 'arity');
      const flags = (row[2] as RespValue[]).map(text).sort();
      assert.deepEqual([...cmd.flagNames].sort(), flags, 'flags');
      assert.deepEqual(
        [cmd.firstKey, cmd.lastKey, cmd.step],
        [Number(row[3]), Number(row[4]), Number(row[5])],
      );
      const cats = (row[6] as RespValue[]).map((c) => text(c).slice(1));
      assert.deepEqual(cmd.categories, cats, 'ACL categories');
    });
  }
});
