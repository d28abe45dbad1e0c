// TLS directives: Redis 7.0's (same names, defaults and bounds as redis-server 7.0.15's CONFIG
// GET) and ours (tls-auth-clients-user, tls-handshake-timeout), appended to the config table.
// Changes apply while TLS is in use (src/security/tls.ts); file directives are re-read even when
// CONFIG SET gives the same path (a certificate replaced in place), as Redis.
//
// Deliberate differences from Redis: tls-port is immutable (as port and bind); tls-key-file-pass
// is redacted in CONFIG GET and never logged; tls-session-cache-size 0 keeps no session cache
// (not an unlimited one). Not implemented (accepted from a file with a warning): the outgoing
// side (tls-client-*, tls-replication, tls-cluster) and tls-dh-params-file.

import { type DirectiveDef, INT_MAX } from '../config/config';
import type { Server } from '../server/server';
import { applyTls } from './tls';

export function tlsDirectives(server: Server): DirectiveDef[] {
  const apply = () => applyTls(server);
  const file = (name: string): DirectiveDef => ({
    name,
    type: 'string',
    default: '',
    emptyIsNull: true,
    volatile: true,
    apply,
  });
  return [
    { name: 'tls-port', type: 'int', default: '0', min: 0, max: 65535, immutable: true },
    file('tls-cert-file'),
    file('tls-key-file'),
    // the passphrase itself is needed to decrypt the key, so it is kept (never shown or logged)
    { name: 'tls-key-file-pass', type: 'string', default: '', secret: true, emptyIsNull: true, apply },
    file('tls-ca-cert-file'),
    file('tls-ca-cert-dir'),
    // mutual TLS: yes = a verified client certificate is required; optional = verified if given
    {
      name: 'tls-auth-clients',
      type: 'enum',
      default: 'yes',
      values: ['no', 'yes', 'optional'],
      apply,
    },
    // empty: TLSv1.2 and TLSv1.3
    { name: 'tls-protocols', type: 'string', default: '', emptyIsNull: true, apply },
    { name: 'tls-ciphers', type: 'string', default: '', emptyIsNull: true, apply },
    { name: 'tls-ciphersuites', type: 'string', default: '', emptyIsNull: true, apply },
    { name: 'tls-prefer-server-ciphers', type: 'bool', default: 'no', apply },
    { name: 'tls-session-caching', type: 'bool', default: 'yes', apply },
    { name: 'tls-session-cache-size', type: 'int', default: '20480', min: 0, max: INT_MAX, apply },
    // seconds
    { name: 'tls-session-cache-timeout', type: 'int', default: '300', min: 0, max: INT_MAX, apply },
    // cn: a client whose verified certificate's CN names an enabled user is that user, no AUTH
    { name: 'tls-auth-clients-user', type: 'enum', default: 'off', values: ['off', 'cn'] },
    // milliseconds a TLS handshake may take before the connection is dropped
    { name: 'tls-handshake-timeout', type: 'int', default: '5000', min: 1, max: INT_MAX, apply },
  ];
}
