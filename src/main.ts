// Entry point: `redoubt [/path/to/redoubt.conf] [--directive value ...]`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTool, runTool, TOOLS_USAGE } from './cli';
import { keygen } from './cli/keygen';
import { rekey } from './cli/rekey';
import { argsToConfigText, ConfigError, ConfigLoader } from './config/load';
import { startupChecks } from './security/startup';
import { describeListeners, ListenError, startListeners } from './server/listeners';
import { REDIS_VERSION, REDOUBT_VERSION, Server } from './server/server';
import { shutdown } from './server/shutdown';

const USAGE = `Usage: redoubt [/path/to/redoubt.conf] [options] [-]
       redoubt - (read config from stdin)
       redoubt -v or --version
       redoubt -h or --help

Examples:
       redoubt (run the server with embedded defaults)
       redoubt /etc/redis/redis.conf
       redoubt --port 7777
       redoubt /etc/myredis.conf --loglevel verbose
       redoubt --unixsocket /run/redoubt.sock --unixsocketperm 600 --port 0
`;

export function versionLine(): string {
  return `redoubt v=${REDOUBT_VERSION} redis_compat=${REDIS_VERSION} node=${process.version} bits=64`;
}

/** Builds a server from command-line arguments; throws ConfigError. */
export function configure(args: string[], warn: (m: string) => void): Server {
  const s = new Server();
  // one loading pass: the command line continues the file (repeatable directives such as
  // save add to the file's lines, as with redis-server)
  const loader = new ConfigLoader(s.config, { warn });
  // arguments arrive decoded as UTF-8; the config works on bytes (latin1), as files are read
  let rest = args.map((a) => Buffer.from(a, 'utf8').toString('latin1'));
  if (rest.length > 0 && !rest[0].startsWith('--')) {
    const file = rest[0];
    rest = rest.slice(1);
    if (file === '-') {
      loader.loadText(fs.readFileSync(0, 'latin1'), 'stdin');
    } else {
      s.configFile = path.resolve(file);
      loader.loadFile(file);
    }
  }
  if (rest.length > 0) loader.loadText(argsToConfigText(rest), '');
  return s;
}

export async function main(args: string[]): Promise<void> {
  // `redoubt keygen|rekey ...`: encryption-at-rest key tools, no server
  if (args[0] === 'keygen' || args[0] === 'rekey') {
    const io = { out: (m: string) => process.stdout.write(m), err: (m: string) => process.stderr.write(m) };
    process.exitCode = args[0] === 'keygen' ? keygen(args.slice(1), io) : rekey(args.slice(1), io);
    return;
  }
  // `redoubt audit|passwd|cert|tunnel|firewall|check-config ...`: operator tools, no server
  if (isTool(args[0])) {
    const code = await runTool(args);
    process.exitCode = code;
    return;
  }
  if (args.includes('-v') || args.includes('--version')) {
    process.stdout.write(`${versionLine()}\n`);
    return;
  }
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(USAGE + TOOLS_USAGE);
    return;
  }
  // Every file we create (data, sockets, rewritten config) is private from its creation.
  process.umask(0o077);
  const warnings: string[] = [];
  let s: Server;
  try {
    s = configure(args, (m) => warnings.push(m));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.format(REDOUBT_VERSION));
      process.exit(1);
    }
    throw e;
  }
  try {
    s.log.setFile(s.config.str('logfile'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'No such file or directory'
        : code === 'EACCES'
          ? 'Permission denied'
          : (e as Error).message;
    process.stderr.write(`Can't open the log file: ${why}\n`);
    process.exit(1);
  }
  s.log.level = s.config.str('loglevel') as 'notice';
  s.log.notice('oO0OoO0OoO0Oo redoubt is starting oO0OoO0OoO0Oo');
  s.log.notice(
    `redoubt version=${REDOUBT_VERSION}, redis_version=${REDIS_VERSION}, pid=${process.pid}, just started`,
  );
  if (s.configFile === '') s.log.warning('No config file specified, using the default config.');
  else s.log.notice('Configuration loaded');
  for (const w of warnings) s.log.warning(w);
  try {
    await s.prepareDataDir();
    if (!startupChecks(s)) process.exit(1);
    await s.startup();
    await startListeners(s);
    await s.loadData();
  } catch (e) {
    if (e instanceof ListenError || e instanceof Error) {
      s.log.warning(e.message);
      process.exit(1);
    }
    throw e;
  }
  const pidfile = s.config.str('pidfile');
  if (pidfile !== '') fs.writeFileSync(pidfile, `${process.pid}\n`, { mode: 0o644 });
  s.startCron();
  const onSignal = (sig: string) => {
    s.log.warning(`Received ${sig} scheduling shutdown...`);
    void shutdown(s, {});
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  s.log.notice('Server initialized');
  for (const l of describeListeners(s)) s.log.notice(`Listening on ${l}`);
  s.log.notice('Ready to accept connections');
}
