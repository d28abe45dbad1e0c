// `redoubt <subcommand> ...`: the operator tools. Each returns its exit status.

import { type Io, processIo, UsageError } from './args';
import { AUDIT_USAGE, audit } from './audit';
import { CERT_USAGE, cert } from './cert';
import { CHECK_USAGE, checkConfigCmd } from './checkconfig';
import { FIREWALL_USAGE, firewall } from './firewall';
import { PASSWD_USAGE, passwd } from './passwd';
import { TUNNEL_USAGE, tunnel } from './tunnel';

const TOOLS: Record<string, { run: (argv: string[], io: Io) => number | Promise<number>; usage: string }> = {
  audit: { run: audit, usage: AUDIT_USAGE },
  passwd: { run: passwd, usage: PASSWD_USAGE },
  cert: { run: cert, usage: CERT_USAGE },
  tunnel: { run: tunnel, usage: TUNNEL_USAGE },
  firewall: { run: firewall, usage: FIREWALL_USAGE },
  'check-config': { run: checkConfigCmd, usage: CHECK_USAGE },
};

export const TOOLS_USAGE = `Operator tools:
       redoubt audit [options]          check a running server (redoubt or Redis)
       redoubt passwd [--stdin]         strong password and its config lines
       redoubt cert --out DIR ...       CA, server and client certificates (openssl)
       redoubt tunnel --listen ... --connect HOST:PORT   local → TLS forwarder
       redoubt firewall --port N ...    iptables/nftables rules (printed only)
       redoubt check-config FILE        config errors and insecure settings
       redoubt keygen PATH              new encryption-at-rest key file (0600)
       redoubt rekey --old K --new K FILE|AOFDIR...   re-encrypt persistence files
`;

export function isTool(name: string | undefined): boolean {
  return name !== undefined && Object.hasOwn(TOOLS, name);
}

export async function runTool(args: string[], io: Io = processIo): Promise<number> {
  const t = TOOLS[args[0]];
  // `redoubt audit | head`: a closed pipe ends the output quietly
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    return await t.run(args.slice(1), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`redoubt ${args[0]}: ${e.message}\n${t.usage}`);
      return 2;
    }
    io.err(`redoubt ${args[0]}: ${(e as Error).message}\n`);
    return 2;
  }
}
