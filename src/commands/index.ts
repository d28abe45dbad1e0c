// Every command group, registered in one table.

import { aofCommands } from '../persistence/aof';
import { aclCommands } from './acl';
import { bitCommands } from './bitops';
import { clientCommands } from './client';
import { configCommands } from './config';
import { connectionCommands } from './connection';
import { geoCommands } from './geo';
import { hashCommands } from './hash';
import { hllCommands } from './hll';
import { introspectCommands } from './introspect';
import { keysCommands } from './keys';
import { listCommands } from './list';
import { persistenceCommands } from './persistence';
import { pubsubCommands } from './pubsub';
import { scriptingCommands } from './scripting';
import { serverCommands } from './server';
import { setCommands } from './set';
import { sortCommands } from './sort';
import { streamCommands } from './stream';
import { stringCommands } from './string';
import { txCommands } from './tx';
// the tracking layer appends its CLIENT subcommands
import './tracking';
import type { CommandDef } from './types';
import { zsetCommands } from './zset';

// one group per line, so parallel additions don't collide
export const allCommandGroups: CommandDef[][] = [
  connectionCommands,
  stringCommands,
  bitCommands,
  keysCommands,
  txCommands,
  listCommands,
  zsetCommands,
  geoCommands,
  hashCommands,
  setCommands,
  hllCommands,
  streamCommands,
  pubsubCommands,
  sortCommands,
  serverCommands,
  clientCommands,
  introspectCommands,
  configCommands,
  aclCommands,
  persistenceCommands,
  aofCommands,
  scriptingCommands,
];
