// redoubt firewall: prints iptables/ip6tables and nftables rule sets that drop everything sent
// to the server's ports except loopback and the listed client networks. Nothing is applied:
// the operator reviews and loads them (iptables-restore --noflush, nft -f).

import { type Cidr, parseCidr } from '../security/network';
import { type Io, opt, optList, parseArgs, UsageError } from './args';
import { ConfigError, loadForTools } from './load';

export const FIREWALL_USAGE = `Usage: redoubt firewall [--config FILE] [--port N ...] [--allow CIDR ...]
                        [--format iptables|nftables|both] [--json]
Prints rules only; nothing is applied.
`;

function v4Text(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

function v6Text(v: bigint): string {
  const g: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) g.push(((v >> s) & 0xffffn).toString(16));
  // the longest run of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

/** Network form with host bits cleared (nft refuses prefixes with host bits set). */
export function cidrText(c: Cidr): string {
  return `${c.v6 ? v6Text(c.addr) : v4Text(c.addr)}/${c.bits}`;
}

export interface FirewallPlan {
  ports: number[];
  allow4: string[];
  allow6: string[];
}

export function iptablesRules(p: FirewallPlan, v6: boolean): string {
  const allow = v6 ? p.allow6 : p.allow4;
  const tool = v6 ? 'ip6tables' : 'iptables';
  let s = `# ${tool}-restore rules (${v6 ? 'IPv6' : 'IPv4'}); review, then: ${tool}-restore --noflush < FILE\n`;
  s += '*filter\n:REDOUBT-IN - [0:0]\n';
  s += `-I INPUT -p tcp -m multiport --dports ${p.ports.join(',')} -j REDOUBT-IN\n`;
  s += '-A REDOUBT-IN -i lo -j ACCEPT\n';
  for (const a of allow) s += `-A REDOUBT-IN -s ${a} -j ACCEPT\n`;
  s += '-A REDOUBT-IN -j DROP\nCOMMIT\n';
  return s;
}

export function nftablesRules(p: FirewallPlan): string {
  const set = (name: string, type: string, elems: string[]) =>
    `  set ${name} {\n    type ${type}; flags interval;\n${elems.length > 0 ? `    elements = { ${elems.join(', ')} }\n` : ''}  }\n`;
  let s = '# nftables ruleset; review, then: nft -f FILE\n';
  s += 'table inet redoubt\ndelete table inet redoubt\ntable inet redoubt {\n';
  s += set('allow4', 'ipv4_addr', p.allow4);
  s += set('allow6', 'ipv6_addr', p.allow6);
  s += '  chain input {\n    type filter hook input priority filter - 10; policy accept;\n';
  s += `    tcp dport != { ${p.ports.join(', ')} } accept\n`;
  s +=
    '    iifname "lo" accept\n    ip saddr @allow4 accept\n    ip6 saddr @allow6 accept\n    drop\n  }\n}\n';
  return s;
}

export function firewall(argv: string[], io: Io): number {
  const p = parseArgs(argv, {
    values: ['config', 'format'],
    multi: ['port', 'allow'],
    flags: ['json', 'help'],
  });
  if (p.flags.has('help')) {
    io.out(FIREWALL_USAGE);
    return 0;
  }
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const ports = new Set<number>();
  const file = opt(p, 'config');
  if (file !== undefined) {
    try {
      const { server } = loadForTools(file);
      for (const n of ['port', 'tls-port']) {
        const v = server.config.num(n);
        if (v > 0) ports.add(v);
      }
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(`${file}:${e.line}: ${e.reason}\n`);
        return 2;
      }
      throw e;
    }
  }
  for (const v of optList(p, 'port')) {
    if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`bad port '${v}'`);
    ports.add(Number(v));
  }
  if (ports.size === 0) throw new UsageError('no ports: give --config FILE or --port N');
  const plan: FirewallPlan = { ports: [...ports].sort((a, b) => a - b), allow4: [], allow6: [] };
  for (const a of optList(p, 'allow')) {
    const c = parseCidr(a);
    if (c === null) throw new UsageError(`bad address or CIDR '${a}'`);
    const t = cidrText(c);
    const list = c.v6 ? plan.allow6 : plan.allow4;
    if (!list.includes(t)) list.push(t);
  }
  const format = opt(p, 'format') ?? 'both';
  if (!['iptables', 'nftables', 'both'].includes(format)) throw new UsageError(`bad --format '${format}'`);
  const ipt = format !== 'nftables';
  const nft = format !== 'iptables';
  if (p.flags.has('json')) {
    const o: Record<string, unknown> = { ...plan };
    if (ipt) {
      o.iptables = iptablesRules(plan, false);
      o.ip6tables = iptablesRules(plan, true);
    }
    if (nft) o.nftables = nftablesRules(plan);
    io.out(`${JSON.stringify(o, null, 2)}\n`);
    return 0;
  }
  const parts: string[] = [];
  if (ipt) parts.push(iptablesRules(plan, false), iptablesRules(plan, true));
  if (nft) parts.push(nftablesRules(plan));
  io.out(parts.join('\n'));
  return 0;
}
