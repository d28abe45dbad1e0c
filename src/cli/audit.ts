// redoubt audit: checks a running redoubt or Redis against the hostile-environment checklist.
// Everything it sends is read-only or harmless: CONFIG GET, INFO, ACL LIST/WHOAMI/DRYRUN,
// COMMAND INFO, and — when COMMAND itself is renamed — probes built to fail before executing
// (wrong arity, or arguments that are a syntax error). FLUSHALL and friends are never executed.
// Exit status: 0 all clear, 1 findings, 2 could not audit.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { userName } from '../security/files';
import { isLoopback } from '../security/network';
import { type Io, opt, optInt, parseArgs, UsageError } from './args';
import { Conn, type ConnectOptions, type Reply, ReplyError } from './client';
import { entropyBits } from './passwd';
import { pidOfInode, processUid, socketInodes, tcpListeners, unixListeners } from './procfs';
import { countsAsFinding, type Finding, renderFindings, sortFindings } from './report';

export const AUDIT_USAGE = `Usage: redoubt audit [-h HOST] [-p PORT] [-s SOCKET] [--tls --cacert FILE [--cert FILE --key FILE]]
                     [-a PASSWORD | REDISCLI_AUTH=...] [--user NAME] [--config PATH]
                     [--json] [--fix]
Exit status: 0 all clear, 1 findings, 2 could not audit.
`;

export interface FixAction {
  kind: 'chmod' | 'chown';
  path: string;
  mode?: number;
  uid?: number;
}

export interface AuditFinding extends Finding {
  /** safe local action --fix applies */
  action?: FixAction;
  /** config lines recommended (printed, never applied) */
  config?: string[];
}

/** Dangerous commands and arguments for ACL DRYRUN / failing probes. */
const DANGEROUS: { name: string; dryrun: string[]; probe: string[] }[] = [
  // FLUSHALL/FLUSHDB/SHUTDOWN/BGSAVE with extra arguments are a syntax error before anything runs
  { name: 'flushall', dryrun: [], probe: ['__audit_probe__', 'x', 'y'] },
  { name: 'flushdb', dryrun: [], probe: ['__audit_probe__', 'x', 'y'] },
  { name: 'config', dryrun: ['set', 'dir', '/tmp'], probe: [] },
  { name: 'debug', dryrun: ['sleep', '0'], probe: [] },
  { name: 'keys', dryrun: ['*'], probe: [] },
  { name: 'module', dryrun: ['load', '/x.so'], probe: [] },
  { name: 'shutdown', dryrun: [], probe: ['__audit_probe__'] },
  { name: 'save', dryrun: [], probe: ['__audit_probe__'] },
  { name: 'bgsave', dryrun: [], probe: ['__audit_probe__', 'x'] },
];

function isErr(r: Reply): r is ReplyError {
  return r instanceof ReplyError;
}

function unknownCommand(r: Reply): boolean {
  return isErr(r) && /^ERR unknown command/.test(r.message);
}

function octal(m: number): string {
  return `0${(m & 0o777).toString(8).padStart(3, '0')}`;
}

function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

interface Target {
  label: string;
  conn: ConnectOptions;
  password?: string;
  user?: string;
}

export async function audit(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const p = parseArgs(argv, {
    values: ['host', 'port', 'socket', 'cacert', 'cert', 'key', 'pass', 'user', 'config', 'timeout', 'sni'],
    flags: ['tls', 'json', 'fix', 'help', 'insecure'],
    aliases: { '-h': '--host', '-p': '--port', '-s': '--socket', '-a': '--pass' },
  });
  if (p.flags.has('help')) {
    io.out(AUDIT_USAGE);
    return 0;
  }
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const host = opt(p, 'host') ?? '127.0.0.1';
  const port = optInt(p, 'port', 1, 65535) ?? 6379;
  const socket = opt(p, 'socket');
  const useTls = p.flags.has('tls');
  const password = opt(p, 'pass') ?? env.REDISCLI_AUTH;
  const t: Target = {
    label: socket ?? `${host}:${port}`,
    conn: {
      host,
      port,
      socket,
      timeoutMs: (optInt(p, 'timeout', 1, 600) ?? 5) * 1000,
      tls: useTls
        ? {
            cacert: opt(p, 'cacert'),
            cert: opt(p, 'cert'),
            key: opt(p, 'key'),
            insecure: p.flags.has('insecure'),
            servername: opt(p, 'sni'),
          }
        : undefined,
    },
    password: password === '' ? undefined : password,
    user: opt(p, 'user'),
  };
  const json = p.flags.has('json');
  const fail = (why: string) => {
    if (json) io.out(`${JSON.stringify({ target: t.label, ok: false, error: why }, null, 2)}\n`);
    else io.err(`redoubt audit: could not audit ${t.label}: ${why}\n`);
    return 2;
  };
  let r: AuditResult;
  try {
    r = await runAudit(t, opt(p, 'config'));
  } catch (e) {
    return fail((e as Error).message);
  }
  const applied: string[] = [];
  if (p.flags.has('fix')) {
    for (const f of r.findings) {
      const a = f.action;
      if (a === undefined) continue;
      const cmd = a.kind === 'chmod' ? `chmod ${octal(a.mode!)} ${a.path}` : `chown ${a.uid} ${a.path}`;
      io.err(`fix: ${cmd}\n`);
      try {
        if (a.kind === 'chmod') fs.chmodSync(a.path, a.mode!);
        else fs.chownSync(a.path, a.uid!, -1);
        applied.push(cmd);
      } catch (e) {
        io.err(`fix failed: ${cmd}: ${(e as Error).message}\n`);
      }
    }
  }
  const snippet = [...new Set(r.findings.flatMap((f) => f.config ?? []))];
  const remaining = r.findings.filter(
    (f) =>
      !(f.action && applied.some((c) => c.endsWith(` ${f.action!.path}`) && c.startsWith(f.action!.kind))),
  );
  if (json) {
    io.out(
      `${JSON.stringify(
        {
          target: t.label,
          ok: true,
          server: r.server,
          listeners: r.listeners,
          findings: r.findings.map(({ action: _a, ...f }) => f),
          fixesApplied: applied,
          configSnippet: snippet,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const s = r.server;
    let head = `redoubt audit of ${t.label}: ${s.software} ${s.version}`;
    if (s.pid !== null) head += `, pid ${s.pid}`;
    if (s.user !== null) head += `, running as ${s.user}`;
    if (!s.local) head += ' (remote: local file and process checks skipped)';
    if (r.listeners.length > 0) head += `\nlistening on: ${r.listeners.join(', ')}`;
    renderFindings(r.findings, io, head);
    if (applied.length > 0)
      io.out(`\nApplied ${applied.length} local fix(es):\n${applied.map((a) => `  ${a}\n`).join('')}`);
    if (snippet.length > 0) {
      io.out(`\nRecommended config changes (not applied; paste into the config file and restart):\n\n`);
      io.out(`${snippet.join('\n')}\n`);
    }
  }
  return (p.flags.has('fix') ? remaining : r.findings).some(countsAsFinding) ? 1 : 0;
}

interface AuditResult {
  server: {
    software: string;
    version: string;
    pid: number | null;
    user: string | null;
    local: boolean;
    authRequired: boolean;
    whoami: string | null;
  };
  listeners: string[];
  findings: AuditFinding[];
}

async function runAudit(t: Target, configPath: string | undefined): Promise<AuditResult> {
  const findings: AuditFinding[] = [];
  const add = (f: AuditFinding) => findings.push(f);

  // 1. does the server answer without a password?
  let authRequired: boolean;
  const probe = await Conn.connect(t.conn);
  try {
    const r = await probe.call('PING');
    authRequired = isErr(r) && /^NOAUTH/.test(r.message);
    if (isErr(r) && /^DENIED/.test(r.message)) authRequired = true;
  } finally {
    probe.close();
  }
  const c = await Conn.connect(t.conn);
  try {
    if (t.password !== undefined) {
      const r = t.user ? await c.call('AUTH', t.user, t.password) : await c.call('AUTH', t.password);
      if (isErr(r) && !/no password is set/.test(r.message)) throw new Error(`AUTH failed: ${r.message}`);
    } else if (authRequired) {
      throw new Error('the server requires a password: give -a PASSWORD or set REDISCLI_AUTH');
    }

    const infoR = await c.call('INFO');
    const info = typeof infoR === 'string' ? parseInfo(infoR) : new Map<string, string>();
    if (isErr(infoR))
      add({
        id: 'info-unavailable',
        severity: 'info',
        title: 'INFO is not available to this user',
        evidence: infoR.message,
        fix: 'none needed',
      });
    const cfgR = await c.call('CONFIG', 'GET', '*');
    const cfg = new Map<string, string>();
    let configCommand: 'ok' | 'renamed' | 'denied' = 'ok';
    if (Array.isArray(cfgR)) {
      for (let i = 0; i + 1 < cfgR.length; i += 2) cfg.set(String(cfgR[i]), String(cfgR[i + 1]));
    } else if (unknownCommand(cfgR)) configCommand = 'renamed';
    else configCommand = 'denied';
    const software = info.has('redoubt_version') ? 'redoubt' : 'redis';
    const version = info.get('redoubt_version') ?? info.get('redis_version') ?? 'unknown';
    const whoR = await c.call('ACL', 'WHOAMI');
    const whoami = typeof whoR === 'string' ? whoR : null;
    const aclR = await c.call('ACL', 'LIST');
    const acl = Array.isArray(aclR) ? aclR.map(String) : [];

    // 2. authentication
    const local = t.conn.socket !== undefined || isLoopback(t.conn.host) || t.conn.host === 'localhost';
    const bind = (cfg.get('bind') ?? '').split(' ').filter((b) => b !== '');
    let listeners: string[] = [];
    let pid: number | null = null;
    let uid: number | null = null;
    const tlsPort = Number(cfg.get('tls-port') ?? '0');
    let exposedPlain: string[] = [];
    if (local) {
      const hint = Number(info.get('process_id') ?? '0');
      const all = tcpListeners();
      const mine = t.conn.socket
        ? [unixListeners().get(path.resolve(t.conn.socket))].filter((x): x is number => x !== undefined)
        : all.filter((l) => l.port === t.conn.port).map((l) => l.inode);
      pid = mine.length > 0 ? pidOfInode(mine, hint) : null;
      if (pid !== null) {
        const inodes = socketInodes(pid);
        const ls = all.filter((l) => inodes.has(l.inode));
        listeners = ls.map((l) =>
          l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`,
        );
        for (const [p, ino] of unixListeners()) if (inodes.has(ino)) listeners.push(`unix:${p}`);
        exposedPlain = ls
          .filter((l) => !isLoopback(l.address) && l.port !== tlsPort)
          .map((l) => `${l.address}:${l.port}`);
        uid = processUid(pid);
      }
    }
    if (pid === null && bind.length > 0) {
      const open = bind.some((b) => !isLoopback(b.replace(/^-/, '')) && b !== 'localhost');
      if (open && Number(cfg.get('port') ?? '0') > 0)
        exposedPlain = [`bind ${bind.join(' ')} port ${cfg.get('port')}`];
    }
    const exposed = exposedPlain.length > 0 || (t.conn.socket === undefined && !local);
    if (!authRequired) {
      add({
        id: 'no-auth',
        severity: exposed ? 'critical' : 'high',
        title: 'no authentication: any client that can connect has full access',
        evidence: 'PING without AUTH was answered',
        fix: 'set a password (`redoubt passwd` prints the lines) and restart',
        config: [
          'requirepass-sha256 <hex from `redoubt passwd`>   # redoubt; Redis: requirepass "<password>"',
        ],
      });
    }
    const defNopass = acl.find((l) => /^user default on\b/.test(l) && / nopass\b/.test(l));
    if (defNopass !== undefined) {
      add({
        id: 'default-nopass',
        severity: 'high',
        title: 'default user is enabled with nopass',
        evidence: defNopass,
        fix: 'give the default user a password or disable it',
        config: ['user default on #<sha256 from `redoubt passwd`> ~* &* +@all   # or: user default off'],
      });
    }
    if (t.password !== undefined) {
      const bits = entropyBits(t.password);
      if (t.password.length < 32) {
        add({
          id: 'weak-password',
          severity: bits < 64 ? 'high' : 'medium',
          title: 'password shorter than 32 random characters',
          evidence: `${t.password.length} characters, about ${bits} bits estimated`,
          fix: 'replace it with the output of `redoubt passwd` (48 characters, ~290 bits)',
        });
      }
    }
    if (cfg.get('protected-mode') === 'no') {
      add({
        id: 'protected-mode-off',
        severity: authRequired ? 'low' : 'high',
        title: 'protected mode is disabled',
        evidence: 'protected-mode no',
        fix: 'CONFIG SET protected-mode yes, and in the config file:',
        config: ['protected-mode yes'],
      });
    }
    if (exposedPlain.length > 0) {
      add({
        id: 'plaintext-exposed',
        severity: authRequired ? 'high' : 'critical',
        title: 'listens on a non-loopback address without TLS',
        evidence: exposedPlain.join(', '),
        fix: 'serve remote clients on a TLS port only (certificates: `redoubt cert`)',
        config: [
          'port 0',
          `tls-port ${tlsPort > 0 ? tlsPort : 6380}`,
          'bind 127.0.0.1 -::1   # if no remote client needs it',
        ],
      });
    }

    // 3. dangerous commands available to this user
    const cmdInfo = await c.call('COMMAND', 'INFO', ...DANGEROUS.map((d) => d.name));
    const available: string[] = [];
    const renamed: string[] = [];
    const canDryrun = whoami !== null;
    for (let i = 0; i < DANGEROUS.length; i++) {
      const d = DANGEROUS[i];
      let exists: boolean;
      if (Array.isArray(cmdInfo)) exists = cmdInfo[i] !== null;
      else {
        // COMMAND is renamed or denied: a probe that fails before running tells whether it exists
        const r =
          d.name === 'config' || d.name === 'debug' || d.name === 'module'
            ? await c.call(d.name.toUpperCase(), 'HELP')
            : d.name === 'keys'
              ? await c.call('KEYS')
              : await c.call(d.name.toUpperCase(), ...d.probe);
        exists = !unknownCommand(r);
      }
      if (!exists) {
        renamed.push(d.name);
        continue;
      }
      if (canDryrun) {
        const r = await c.call('ACL', 'DRYRUN', whoami, d.name, ...d.dryrun);
        if (r === 'OK') available.push(d.name);
        else if (isErr(r) && !/permissions/.test(r.message)) available.push(d.name);
      } else available.push(d.name);
    }
    const configSetOk = available.includes('config');
    const protectedCfg = cfg.get('enable-protected-configs') ?? 'no';
    const list = available.filter(
      (n) => !((n === 'save' || n === 'bgsave') && !(configSetOk && protectedCfg !== 'no')),
    );
    if (list.length > 0) {
      add({
        id: 'dangerous-commands',
        severity: !authRequired
          ? 'high'
          : list.includes('config') || list.includes('module') || list.includes('debug')
            ? 'medium'
            : 'low',
        title: `dangerous commands available to ${whoami ?? 'this connection'}`,
        evidence: list.map((n) => n.toUpperCase()).join(' '),
        fix: 'rename/disable them, or give applications an ACL user without @dangerous',
        config: [
          ...list.map((n) => `rename-command ${n.toUpperCase()} ""`),
          'user app on #<sha256> ~* &* +@all -@dangerous   # alternative to renaming',
        ],
      });
    }
    if (renamed.length > 0 || configCommand !== 'ok') {
      add({
        id: 'renamed-commands',
        severity: 'info',
        title: 'commands renamed, disabled or denied',
        evidence: [
          ...renamed.map((n) => n.toUpperCase()),
          ...(configCommand !== 'ok' ? [`CONFIG (${configCommand})`] : []),
        ].join(' '),
        fix: 'none needed',
      });
    }
    for (const [name, sev] of [
      ['enable-protected-configs', 'medium'],
      ['enable-debug-command', 'medium'],
      ['enable-module-command', 'high'],
    ] as const) {
      if (cfg.get(name) === 'yes') {
        add({
          id: name,
          severity: sev,
          title: `${name} yes: allowed from any connection`,
          evidence: `${name} yes`,
          fix: `${name} no (or local)`,
          config: [`${name} no`],
        });
      }
    }

    // 4. TLS
    if (tlsPort > 0) {
      const protos = cfg.get('tls-protocols') ?? '';
      if (/(^|\s)TLSv1(\.1)?(\s|$)/i.test(protos)) {
        add({
          id: 'tls-old-protocols',
          severity: 'high',
          title: 'TLS 1.0/1.1 accepted',
          evidence: `tls-protocols "${protos}"`,
          fix: 'accept TLS 1.2 and 1.3 only',
          config: ['tls-protocols "TLSv1.2 TLSv1.3"'],
        });
      }
      if (cfg.get('tls-auth-clients') === 'no' || cfg.get('tls-auth-clients') === 'optional') {
        add({
          id: 'tls-no-client-certs',
          severity: 'low',
          title: 'TLS clients need no certificate',
          evidence: `tls-auth-clients ${cfg.get('tls-auth-clients')}`,
          fix: 'require client certificates (`redoubt cert --client NAME`)',
          config: ['tls-auth-clients yes'],
        });
      }
    }

    // 5. local: process user, files
    let user: string | null = null;
    if (uid !== null) {
      user = userName(uid);
      if (uid === 0) {
        add({
          id: 'runs-as-root',
          severity: 'high',
          title: 'the server runs as root',
          evidence: `pid ${pid} uid 0`,
          fix: 'run it as a dedicated unprivileged user (systemd: User=redis; chown the data dir to it)',
        });
      }
    }
    if (local) {
      const dir = cfg.get('dir') ?? (pid !== null ? safeReadlink(`/proc/${pid}/cwd`) : undefined);
      const owner = uid ?? undefined;
      const check = (file: string, kind: 'dir' | 'secret' | 'data' | 'socket') => {
        let st: fs.Stats;
        try {
          st = fs.statSync(file);
        } catch {
          return;
        }
        const mode = st.mode & 0o777;
        const mask = kind === 'socket' ? 0o007 : 0o077;
        if ((mode & mask) !== 0) {
          const want = kind === 'dir' ? 0o700 : kind === 'socket' ? 0o700 : 0o600;
          const worldRead = (mode & 0o004) !== 0;
          add({
            id: `${kind === 'secret' ? 'config' : kind}-permissions`,
            severity: kind === 'secret' && worldRead ? 'high' : (mode & 0o002) !== 0 ? 'high' : 'medium',
            title: `${kind === 'dir' ? 'data directory' : kind === 'socket' ? 'Unix socket' : kind === 'secret' ? 'config/ACL file' : 'persistence file'} is accessible by ${kind === 'socket' ? 'other users' : 'group or others'}`,
            evidence: `${file} mode ${octal(mode)}`,
            fix: `chmod ${octal(want)} ${file}`,
            action: { kind: 'chmod', path: file, mode: want },
            config: kind === 'socket' ? [`unixsocketperm ${(want).toString(8)}`] : undefined,
          });
        }
        if (owner !== undefined && st.uid !== owner) {
          add({
            id: 'owner',
            severity: 'medium',
            title: 'file not owned by the server user',
            evidence: `${file} owned by ${userName(st.uid)}, server runs as ${userName(owner)}`,
            fix: `chown ${userName(owner)} ${file}`,
            action: { kind: 'chown', path: file, uid: owner },
          });
        }
      };
      if (dir !== undefined && dir !== '') {
        check(dir, 'dir');
        const inDir = (f: string) => path.resolve(dir, f);
        if (cfg.get('dbfilename')) check(inDir(cfg.get('dbfilename')!), 'data');
        const aofDir = cfg.get('appenddirname');
        if (aofDir) check(inDir(aofDir), 'dir');
        const aclfile = cfg.get('aclfile');
        if (aclfile) check(inDir(aclfile), 'secret');
      }
      const confFile = configPath ?? info.get('config_file');
      if (confFile) check(path.resolve(confFile), 'secret');
      const sock = cfg.get('unixsocket') ?? t.conn.socket;
      if (sock) check(path.resolve(sock), 'socket');
    }

    findings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      server: { software, version, pid, user, local, authRequired, whoami },
      listeners,
      findings: sortFindings(findings) as AuditFinding[],
    };
  } finally {
    c.close();
  }
}

function safeReadlink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}
