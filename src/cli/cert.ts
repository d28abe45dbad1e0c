// redoubt cert: a private CA, a server certificate and client certificates for mutual TLS,
// made by the system's openssl command (Debian package `openssl`). Why openssl rather than an
// npm X.509 library: it is the tool operators already audit and trust, Node's crypto cannot
// sign certificates by itself, and no key material is ever handed to third-party JS code.
// Keys are EC P-256, generated locally and written 0600; nothing leaves the machine.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { type Io, opt, optInt, optList, parseArgs, UsageError } from './args';

export const CERT_USAGE = `Usage: redoubt cert --out DIR [--dns NAME ...] [--ip ADDR ...] [--client NAME ...]
                    [--days N] [--tls-port N] [--json]
Creates DIR/ca.{crt,key} (kept if present), DIR/server.{crt,key} and DIR/client-NAME.{crt,key}.
`;

const NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string; code?: string };
    if (err.code === 'ENOENT')
      throw new Error('openssl not found: install it (Debian: apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? err.message}`);
  }
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function serial(): string {
  // positive 120-bit serial
  const b = randomBytes(15);
  b[0] &= 0x7f;
  return `0x${b.toString('hex')}`;
}

function issue(dir: string, stem: string, cn: string, ext: string, days: number): void {
  const extFile = path.join(dir, `${stem}.ext`);
  fs.writeFileSync(extFile, ext, { mode: 0o600 });
  try {
    openssl(
      ['req', '-new', ...KEY, '-keyout', `${stem}.key`, '-out', `${stem}.csr`, '-subj', `/CN=${cn}`],
      dir,
    );
    fs.chmodSync(path.join(dir, `${stem}.key`), 0o600);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${stem}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        serial(),
        '-days',
        String(days),
        '-sha256',
        '-extfile',
        `${stem}.ext`,
        '-out',
        `${stem}.crt`,
      ],
      dir,
    );
  } finally {
    fs.rmSync(extFile, { force: true });
    fs.rmSync(path.join(dir, `${stem}.csr`), { force: true });
  }
}

export function cert(argv: string[], io: Io): number {
  const p = parseArgs(argv, {
    values: ['out', 'days', 'tls-port', 'cn'],
    multi: ['dns', 'ip', 'client'],
    flags: ['json', 'help'],
  });
  if (p.flags.has('help')) {
    io.out(CERT_USAGE);
    return 0;
  }
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const outDir = opt(p, 'out');
  if (outDir === undefined) throw new UsageError('--out DIR is required');
  const days = optInt(p, 'days', 1, 36500) ?? 825;
  const tlsPort = optInt(p, 'tls-port', 1, 65535) ?? 6380;
  const dns = optList(p, 'dns');
  const ips = optList(p, 'ip');
  for (const d of dns)
    if (!/^(\*\.)?[A-Za-z0-9.-]{1,253}$/.test(d)) throw new UsageError(`bad DNS name '${d}'`);
  for (const a of ips) if (net.isIP(a) === 0) throw new UsageError(`bad IP address '${a}'`);
  const clients = optList(p, 'client');
  for (const c of clients)
    if (!NAME_RE.test(c)) throw new UsageError(`bad client name '${c}' (letters, digits, . _ @ -)`);
  // adding clients to an existing PKI keeps the server pair unless names are given
  const keepServer =
    dns.length === 0 &&
    ips.length === 0 &&
    opt(p, 'cn') === undefined &&
    fs.existsSync(path.join(path.resolve(outDir), 'server.crt'));
  if (dns.length === 0 && ips.length === 0) {
    dns.push('localhost');
    ips.push('127.0.0.1', '::1');
  }
  const cn = opt(p, 'cn') ?? dns[0] ?? ips[0];
  if (!/^[A-Za-z0-9.:*_-]{1,64}$/.test(cn)) throw new UsageError(`bad --cn '${cn}'`);
  const dir = path.resolve(outDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made: string[] = [];
  if (!fs.existsSync(path.join(dir, 'ca.key')) || !fs.existsSync(path.join(dir, 'ca.crt'))) {
    openssl(
      [
        'req',
        '-x509',
        '-new',
        ...KEY,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        String(Math.max(days, 3650)),
        '-sha256',
        '-subj',
        '/CN=redoubt CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    fs.chmodSync(path.join(dir, 'ca.key'), 0o600);
    made.push('ca.crt', 'ca.key');
  }
  const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((a) => `IP:${a}`)].join(',');
  if (!keepServer) {
    issue(
      dir,
      'server',
      cn,
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
      days,
    );
    made.push('server.crt', 'server.key');
  }
  for (const c of clients) {
    issue(
      dir,
      `client-${c}`,
      c,
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
      days,
    );
    made.push(`client-${c}.crt`, `client-${c}.key`);
  }
  const f = (n: string) => path.join(dir, n);
  const config = [
    `tls-port ${tlsPort}`,
    'port 0',
    `tls-cert-file ${f('server.crt')}`,
    `tls-key-file ${f('server.key')}`,
    `tls-ca-cert-file ${f('ca.crt')}`,
    `tls-auth-clients ${clients.length > 0 ? 'yes' : 'no'}`,
    'tls-protocols "TLSv1.2 TLSv1.3"',
  ];
  const host = dns[0] ?? ips[0];
  const cli = (clients.length > 0 ? clients : [undefined]).map(
    (c) =>
      `redis-cli --tls -h ${host} -p ${tlsPort} --cacert ${f('ca.crt')}` +
      (c === undefined ? '' : ` --cert ${f(`client-${c}.crt`)} --key ${f(`client-${c}.key`)}`),
  );
  if (p.flags.has('json')) {
    io.out(`${JSON.stringify({ dir, files: made, subjectAltName: san, config, redisCli: cli }, null, 2)}\n`);
    return 0;
  }
  io.out(`Wrote to ${dir} (keys 0600, never copied anywhere):\n`);
  for (const m of made) io.out(`  ${m}\n`);
  io.out(
    keepServer
      ? '\nServer certificate: kept the existing server.crt/server.key\n'
      : `\nServer certificate: CN=${cn}, subjectAltName=${san}, valid ${days} days\n`,
  );
  io.out(`\n# server config\n${config.join('\n')}\n`);
  io.out(`\n# clients\n${cli.join('\n')}\n`);
  return 0;
}
