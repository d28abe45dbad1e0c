// Every command group, registered in one table.

import { connectionCommands } from './connection';
import { keysCommands } from './keys';
import { stringCommands } from './string';
import type { CommandDef } from './types';

export const allCommandGroups: CommandDef[][] = [connectionCommands, stringCommands, keysCommands];
