// rename-command as Redis 7.0 does it: the command answers to its new name only, and everything
// that names it (errors, COMMAND INFO) uses its original name, so the new (secret) name is never
// revealed to a client that does not know it.

import { diffSuite } from './harness';

const RENAME = ['--rename-command', 'CONFIG', 'cfg-7f3a9', '--rename-command', 'FLUSHALL', ''];

diffSuite(
  'rename-command',
  {
    'old names are unknown, the new one works': [
      ['CONFIG', 'GET', 'maxclients'],
      ['FLUSHALL'],
      ['cfg-7f3a9', 'GET', 'maxclients'],
      ['CFG-7F3A9', 'GET', 'maxclients'],
    ],
    'errors name the original command': [['cfg-7f3a9', 'GET'], ['cfg-7f3a9', 'nosuch'], ['cfg-7f3a9']],
    'COMMAND INFO and GETKEYS by the new name, nothing by the old ones': [
      // subcommands come in Redis's (seeded hash) dict order: compared order-free
      { cmd: ['COMMAND', 'INFO', 'config', 'cfg-7f3a9', 'flushall', 'cfg-7f3a9|get'], mode: 'sorted' },
      ['COMMAND', 'INFO', 'cfg-7f3a9|get'],
      ['COMMAND', 'GETKEYS', 'cfg-7f3a9', 'GET', 'x'],
    ],
  },
  { redoubtArgs: RENAME, redisArgs: RENAME },
);
