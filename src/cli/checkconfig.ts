// redoubt check-config FILE: loads a config (redoubt.conf or redis.conf) with the server's own
// loader, reporting errors with their line, then looks for insecure settings. Starts nothing.
// Exit status: 0 no findings, 1 findings, 2 the file does not load.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitArgs } from '../protocol/splitargs';
import { configFiles } from '../security/files';
import { isLoopback } from '../security/network';
import { type Io, parseArgs, UsageError } from './args';
import { ConfigError, loadForTools } from './load';
import { countsAsFinding, type Finding, renderFindings, sortFindings } from './report';

export const CHECK_USAGE = 'Usage: redoubt check-config FILE [--json]\n';

/** Commands an attacker with a connection uses to wipe, reconfigure or take over a server. */
export const DANGEROUS = ['flushall', 'flushdb', 'config', 'debug', 'keys', 'module', 'shutdown'];

interface Line {
  file: string;
  line: number;
  args: string[];
}

/** Every directive line of the file and its includes (for line numbers and plaintext values). */
function scan(file: string, out: Line[] = [], seen = new Set<string>()): Line[] {
  const abs = path.resolve(file);
  if (seen.has(abs)) return out;
  seen.add(abs);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'latin1');
  } catch {
    return out;
  }
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const args = splitArgs(l);
    if (args === null || args.length === 0) return;
    args[0] = args[0].toLowerCase();
    if (args[0] === 'include' && args[1] && !/[*?[]/.test(args[1])) {
      scan(path.resolve(path.dirname(abs), args[1]), out, seen);
      return;
    }
    out.push({ file: abs, line: i + 1, args });
  });
  return out;
}

export function bindIsLoopback(bind: string[]): boolean {
  return bind.every((b) => {
    const a = b.startsWith('-') ? b.slice(1) : b;
    return a === 'localhost' || isLoopback(a);
  });
}

export function checkConfig(file: string): { error?: ConfigError; findings: Finding[]; warnings: string[] } {
  let loaded: ReturnType<typeof loadForTools>;
  try {
    loaded = loadForTools(file);
  } catch (e) {
    if (e instanceof ConfigError) return { error: e, findings: [], warnings: [] };
    throw e;
  }
  const cfg = loaded.server.config;
  const lines = scan(file);
  const last = (name: string) => {
    for (let i = lines.length - 1; i >= 0; i--) if (lines[i].args[0] === name) return lines[i];
    return undefined;
  };
  const at = (name: string) => {
    const l = last(name);
    return l === undefined ? {} : { file: path.basename(l.file), line: l.line };
  };
  const f: Finding[] = [];
  const bind = cfg.list('bind');
  const exposed = !bindIsLoopback(bind) && (cfg.num('port') > 0 || cfg.num('tls-port') > 0);
  const userLines = lines.filter((l) => l.args[0] === 'user');
  const defaultNopass = userLines.some(
    (l) => l.args[1] === 'default' && l.args.includes('nopass') && !l.args.includes('off'),
  );
  const hasPass = cfg.str('requirepass') !== '' && !defaultNopass;
  const defaultOff = userLines.some((l) => l.args[1] === 'default' && l.args.includes('off'));
  const authRequired = hasPass || defaultOff;
  if (!authRequired && exposed) {
    f.push({
      id: 'no-auth-exposed',
      severity: 'critical',
      title: 'no password and listening on a non-loopback address',
      evidence: `bind ${bind.join(' ')}; no requirepass`,
      fix: 'requirepass-sha256 <hex from `redoubt passwd`> (or bind 127.0.0.1 -::1)',
      ...at('bind'),
    });
  } else if (!authRequired) {
    f.push({
      id: 'no-auth',
      severity: 'medium',
      title: 'no password: any local process can connect',
      evidence: 'no requirepass, default user without password',
      fix: 'requirepass-sha256 <hex from `redoubt passwd`>',
    });
  }
  if (defaultNopass) {
    const l = userLines.find((x) => x.args[1] === 'default' && x.args.includes('nopass'))!;
    f.push({
      id: 'default-nopass',
      severity: 'high',
      title: 'default user enabled with nopass',
      evidence: `user default ... nopass`,
      fix: 'user default on #<sha256> ~* &* +@all (or user default off)',
      file: path.basename(l.file),
      line: l.line,
    });
  }
  const rp = last('requirepass');
  if (rp !== undefined && rp.args[1] !== undefined && rp.args[1] !== '' && rp.args[1].length < 32) {
    f.push({
      id: 'weak-password',
      severity: 'medium',
      title: 'requirepass shorter than 32 characters',
      evidence: `requirepass of ${rp.args[1].length} characters`,
      fix: 'replace with the output of `redoubt passwd` (48 random characters)',
      file: path.basename(rp.file),
      line: rp.line,
    });
  }
  if (!cfg.bool('protected-mode')) {
    f.push({
      id: 'protected-mode-off',
      severity: authRequired ? 'low' : 'high',
      title: 'protected mode disabled',
      evidence: 'protected-mode no',
      fix: 'protected-mode yes',
      ...at('protected-mode'),
    });
  }
  if (exposed && cfg.num('port') > 0) {
    f.push({
      id: 'plaintext-exposed',
      severity: 'high',
      title: 'plain TCP port on a non-loopback address (passwords and data travel in clear)',
      evidence: `port ${cfg.num('port')}, bind ${bind.join(' ')}`,
      fix: `port 0\ntls-port ${cfg.num('tls-port') || 6380} (with tls-cert-file/tls-key-file/tls-ca-cert-file: see \`redoubt cert\`)`,
      ...at('port'),
    });
  }
  // still callable under its own name after the rename-command lines (redoubt's command table;
  // MODULE does not exist in redoubt, so renaming it is an error there)
  const open = DANGEROUS.filter((c) => loaded.server.commands.get(c) !== undefined);
  if (open.length > 0) {
    f.push({
      id: 'dangerous-commands',
      severity: 'low',
      title: 'dangerous commands neither renamed nor disabled',
      evidence: open.map((c) => c.toUpperCase()).join(' '),
      fix:
        open.map((c) => `rename-command ${c.toUpperCase()} ""`).join('\n') +
        '\n(or an ACL user without @dangerous)',
    });
  }
  for (const name of ['enable-debug-command', 'enable-module-command', 'enable-protected-configs']) {
    const v = cfg.def(name) ? cfg.str(name) : 'no';
    if (v === 'yes') {
      f.push({
        id: name,
        severity: 'medium',
        title: `${name} allows it from any connection`,
        evidence: `${name} yes`,
        fix: `${name} no`,
        ...at(name),
      });
    }
  }
  for (const c of configFiles(file)) {
    if (!c.secret) continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(c.path);
    } catch {
      continue;
    }
    if ((st.mode & 0o077) !== 0) {
      f.push({
        id: 'secret-file-readable',
        severity: (st.mode & 0o004) !== 0 ? 'high' : 'medium',
        title: 'file holding secrets is readable by group or others',
        evidence: `${path.basename(c.path)} mode 0${(st.mode & 0o777).toString(8)}`,
        fix: `chmod 0600 ${c.path}`,
      });
    }
  }
  if (cfg.num('tls-port') > 0 || cfg.def('tls-protocols') !== undefined) {
    const protos = cfg.def('tls-protocols') ? cfg.str('tls-protocols') : '';
    if (/TLSv1(\.1)?(\s|$)/.test(protos)) {
      f.push({
        id: 'tls-old-protocols',
        severity: 'high',
        title: 'TLS 1.0/1.1 enabled',
        evidence: `tls-protocols "${protos}"`,
        fix: 'tls-protocols "TLSv1.2 TLSv1.3"',
        ...at('tls-protocols'),
      });
    }
    if (cfg.num('tls-port') > 0 && cfg.def('tls-auth-clients') && cfg.str('tls-auth-clients') === 'no') {
      f.push({
        id: 'tls-no-client-certs',
        severity: 'low',
        title: 'TLS clients are not required to present a certificate',
        evidence: 'tls-auth-clients no',
        fix: 'tls-auth-clients yes',
        ...at('tls-auth-clients'),
      });
    }
  }
  const sock = cfg.str('unixsocket');
  if (sock !== '' && (cfg.num('unixsocketperm') & 0o007) !== 0) {
    f.push({
      id: 'socket-world-access',
      severity: authRequired ? 'medium' : 'high',
      title: 'Unix socket open to every local user',
      evidence: `unixsocketperm ${cfg.num('unixsocketperm').toString(8)}`,
      fix: 'unixsocketperm 700',
      ...at('unixsocketperm'),
    });
  }
  return { findings: sortFindings(f), warnings: loaded.warnings };
}

export function checkConfigCmd(argv: string[], io: Io): number {
  const p = parseArgs(argv, { flags: ['json', 'help'] });
  if (p.flags.has('help')) {
    io.out(CHECK_USAGE);
    return 0;
  }
  if (p.positional.length !== 1) throw new UsageError('check-config needs exactly one FILE');
  const file = p.positional[0];
  const r = checkConfig(file);
  const json = p.flags.has('json');
  if (r.error !== undefined) {
    const e = r.error;
    const where = e.line > 0 ? `${e.file || file}:${e.line}` : e.file || file;
    if (json)
      io.out(
        `${JSON.stringify({ file, ok: false, error: { file: e.file || file, line: e.line, text: e.text, reason: e.reason } }, null, 2)}\n`,
      );
    else io.out(`${where}: error: ${e.reason}${e.text ? `\n>>> '${e.text}'` : ''}\n`);
    return 2;
  }
  const bad = r.findings.some(countsAsFinding);
  if (json) {
    io.out(`${JSON.stringify({ file, ok: true, warnings: r.warnings, findings: r.findings }, null, 2)}\n`);
  } else {
    for (const w of r.warnings) io.out(`warning: ${w}\n`);
    renderFindings(r.findings, io, `check-config ${file}: loads without errors`);
  }
  return bad ? 1 : 0;
}
