// Every command group, registered in one table.

import { connectionCommands } from './connection';
import { keysCommands } from './keys';
import { listCommands } from './list';
import { stringCommands } from './string';
import { txCommands } from './tx';
import type { CommandDef } from './types';

export const allCommandGroups: CommandDef[][] = [connectionCommands, stringCommands, keysCommands, txCommands, listCommands];
