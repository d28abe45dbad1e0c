// A throw-away PKI for TLS tests, made with the openssl command line (Debian's openssl 3): CAs,
// server and client certificates with EC P-256 keys (fast to generate), expired certificates
// (via `openssl ca -startdate/-enddate`, which openssl 3.0's x509 lacks) and encrypted keys.
// Private keys are written 0600: the server refuses key files readable by group or others.

import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Issued {
  cert: string;
  key: string;
}

export interface CertOptions {
  /** subject CN */
  cn: string;
  /** subjectAltName entries (server certificates), e.g. ['DNS:localhost', 'IP:127.0.0.1'] */
  san?: string[];
  /** extendedKeyUsage: serverAuth, clientAuth or both */
  usage?: 'server' | 'client' | 'both';
  /** validity in the past (notBefore/notAfter as YYYYMMDDHHMMSSZ) instead of one day from now */
  expired?: boolean;
  /** file name stem in the CA's directory (default: the CN) */
  name?: string;
}

function openssl(args: string[], cwd: string, env?: NodeJS.ProcessEnv): void {
  try {
    execFileSync('openssl', args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

function newKeyArgs(): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
}

const CA_CONFIG = `[ ca ]
default_ca = ca_default
[ ca_default ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
`;

/** A certificate authority living in its own directory. */
export class TestCA {
  readonly cert: string;
  readonly key: string;

  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.cert = path.join(dir, 'ca.crt');
    this.key = path.join(dir, 'ca.key');
    openssl(
      [
        'req',
        '-x509',
        ...newKeyArgs(),
        '-keyout',
        this.key,
        '-out',
        this.cert,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    fs.chmodSync(this.key, 0o600);
    fs.writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), `${randomBytes(8).toString('hex').replace(/^0/, '1')}\n`);
  }

  /** Issues a certificate and a new key for it. */
  issue(o: CertOptions): Issued {
    const stem = path.join(this.dir, o.name ?? o.cn.replace(/[^A-Za-z0-9.-]/g, '_'));
    const key = `${stem}.key`;
    const csr = `${stem}.csr`;
    const cert = `${stem}.crt`;
    const ext = `${stem}.ext`;
    openssl(['req', '-new', ...newKeyArgs(), '-keyout', key, '-out', csr, '-subj', `/CN=${o.cn}`], this.dir);
    fs.chmodSync(key, 0o600);
    const usage = o.usage ?? 'server';
    const eku = usage === 'both' ? 'serverAuth,clientAuth' : usage === 'server' ? 'serverAuth' : 'clientAuth';
    const lines = ['[ leaf ]', 'basicConstraints = CA:FALSE', `extendedKeyUsage = ${eku}`];
    if (o.san && o.san.length > 0) lines.push(`subjectAltName = ${o.san.join(',')}`);
    fs.writeFileSync(ext, `${lines.join('\n')}\n`);
    const dates = o.expired
      ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z']
      : ['-days', '1'];
    openssl(
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-cert',
        this.cert,
        '-keyfile',
        this.key,
        '-in',
        csr,
        '-out',
        cert,
        '-extfile',
        ext,
        '-extensions',
        'leaf',
        ...dates,
      ],
      this.dir,
    );
    return { cert, key };
  }
}

/** Writes a copy of `key` encrypted with `pass` (AES-256); returns its path. */
export function encryptKey(key: string, pass: string, out: string): string {
  openssl(['pkey', '-in', key, '-aes256', '-passout', 'env:TEST_KEY_PASS', '-out', out], path.dirname(out), {
    TEST_KEY_PASS: pass,
  });
  fs.chmodSync(out, 0o600);
  return out;
}

/** The SHA-256 fingerprint of a PEM certificate, as Node's getPeerCertificate().fingerprint256. */
export function fingerprint256(certFile: string): string {
  return new X509Certificate(fs.readFileSync(certFile)).fingerprint256;
}
