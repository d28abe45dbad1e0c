// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the directive table (src/config).
// Secrets (requirepass...) are never shown: CONFIG GET answers "" when unset and "(redacted)"
// when set; CONFIG SET refuses to set a secret to that marker.

import { REDACTED } from '../config/config';
import { isLocalPeer, protectedAllowed } from '../config/directives';
import { rewriteConfigFile } from '../config/rewrite';
import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { globMatch } from '../store/glob';
import { is, str } from './args';
import type { CommandDef } from './types';

const ADMIN = 'admin noscript loading stale';

// CONFIG GET parameter [parameter ...]
function configGet(c: Client, argv: Buffer[]): void {
  const cfg = c.server.config;
  // name shown → directive name; case-insensitive keys, the first spelling wins (as Redis)
  const found = new Map<string, [string, string]>();
  const add = (shown: string, name: string) => {
    const k = shown.toLowerCase();
    if (!found.has(k)) found.set(k, [shown, name]);
  };
  for (let i = 2; i < argv.length; i++) {
    const pattern = str(argv[i]);
    if (!/[[*?]/.test(pattern)) {
      const d = cfg.def(pattern);
      if (d !== undefined && !d.fileOnly && !d.unsupported) add(pattern, d.name);
      continue;
    }
    for (const d of cfg.table) {
      if (globMatch(pattern, d.name, true)) add(d.name, d.name);
      if (d.alias !== undefined && globMatch(pattern, d.alias, true)) add(d.alias, d.name);
    }
  }
  c.reply.map(found.size);
  for (const [shown, name] of found.values()) {
    c.reply.bulkStr(shown);
    c.reply.bulkStr(cfg.format(name));
  }
}

// CONFIG SET parameter value [parameter value ...]
function configSet(c: Client, argv: Buffer[]): void {
  if ((argv.length - 2) % 2 !== 0) {
    c.reply.error(E.syntax);
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([str(argv[i]), str(argv[i + 1])]);
  const s = c.server;
  const local = isLocalPeer(c.unix, c.socket?.remoteAddress);
  const err = s.config.setMany(pairs, protectedAllowed(s, local));
  if (err === null) {
    c.reply.ok();
    return;
  }
  if (err.unknown) c.reply.error(`ERR Unknown option or number of arguments for CONFIG SET - '${err.arg}'`);
  else c.reply.error(`ERR CONFIG SET failed (possibly related to argument '${err.arg}') - ${err.reason}`);
}

// CONFIG RESETSTAT
function configResetstat(c: Client): void {
  c.server.resetStats();
  c.reply.ok();
}

// CONFIG REWRITE
function configRewrite(c: Client): void {
  const s = c.server;
  if (s.configFile === '') {
    c.reply.error('ERR The server is running without a config file');
    return;
  }
  try {
    rewriteConfigFile(s.config, s.configFile, s.acl.configLines());
  } catch (e) {
    const msg = (e as Error).message;
    s.log.warning(`CONFIG REWRITE failed: ${msg}`);
    c.reply.error(`ERR Rewriting config file: ${msg}`);
    return;
  }
  s.log.notice('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

// CONFIG HELP
function configHelp(c: Client): void {
  c.reply.array(CONFIG_HELP.length);
  for (const l of CONFIG_HELP) c.reply.simple(l);
}

/**
 * The arguments of a command as they may be shown to others (MONITOR, SLOWLOG, logs): the
 * values CONFIG SET gives to secret directives are replaced by the redaction marker.
 */
export function redactConfigSet(s: Server, argv: Buffer[]): Buffer[] {
  if (argv.length < 4 || !is(argv[0], 'config') || !is(argv[1], 'set')) return argv;
  const out = argv.slice();
  for (let i = 2; i + 1 < out.length; i += 2) {
    if (s.config.def(str(out[i]))?.secret) out[i + 1] = Buffer.from(REDACTED);
  }
  return out;
}

export const configCommands: CommandDef[] = [
  {
    name: 'config',
    arity: -2,
    flags: '',
    subcommands: [
      { name: 'get', arity: -3, flags: ADMIN, handler: configGet },
      {
        name: 'set',
        arity: -4,
        flags: ADMIN,
        tips: 'request_policy:all_nodes response_policy:all_succeeded',
        handler: configSet,
      },
      { name: 'resetstat', arity: 2, flags: ADMIN, handler: configResetstat },
      { name: 'rewrite', arity: 2, flags: ADMIN, handler: configRewrite },
      { name: 'help', arity: 2, flags: 'loading stale', handler: configHelp },
    ],
  },
];
