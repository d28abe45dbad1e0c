// Every command group, registered in one table.

import { bitCommands } from './bitops';
import { connectionCommands } from './connection';
import { keysCommands } from './keys';
import { listCommands } from './list';
import { pubsubCommands } from './pubsub';
import { stringCommands } from './string';
import { txCommands } from './tx';
import type { CommandDef } from './types';

// one group per line, so parallel additions don't collide
export const allCommandGroups: CommandDef[][] = [
  connectionCommands,
  stringCommands,
  bitCommands,
  keysCommands,
  txCommands,
  listCommands,
  pubsubCommands,
];
