// The TLS directives through CONFIG GET/SET against redis-server 7.0 (TLS off on both sides, as
// the reference server runs without certificates): values, canonical forms, range and enum
// errors. While TLS is off, file names and protocol lists are accepted unchecked, as Redis does;
// they are checked when TLS is in use (tls.test.ts). Not compared: tls-port (immutable here),
// tls-key-file-pass once set (redacted here).

import { diffSuite, type Step } from '../differential/harness';

function setGet(name: string, values: string[], restore: string): Step[] {
  const steps: Step[] = [];
  for (const v of values) steps.push(['CONFIG', 'SET', name, v], ['CONFIG', 'GET', name]);
  steps.push(['CONFIG', 'SET', name, restore], ['CONFIG', 'GET', name]);
  return steps;
}

function bad(name: string, values: string[]): Step[] {
  return [...values.map((v): Step => ['CONFIG', 'SET', name, v]), ['CONFIG', 'GET', name]];
}

diffSuite('tls config', {
  'defaults (order-free)': [
    {
      cmd: [
        'CONFIG',
        'GET',
        'tls-cert-file',
        'tls-key-file',
        'tls-key-file-pass',
        'tls-ca-cert-file',
        'tls-ca-cert-dir',
        'tls-auth-clients',
        'tls-protocols',
        'tls-ciphers',
        'tls-ciphersuites',
        'tls-prefer-server-ciphers',
        'tls-session-caching',
        'tls-session-cache-size',
        'tls-session-cache-timeout',
        'tls-port',
      ],
      mode: 'sorted',
    },
  ],
  'enums and booleans': [
    ...setGet('tls-auth-clients', ['optional', 'NO', 'Yes'], 'yes'),
    ...bad('tls-auth-clients', ['maybe', '', '1']),
    ...setGet('tls-prefer-server-ciphers', ['yes', 'NO'], 'no'),
    ...bad('tls-prefer-server-ciphers', ['true', '']),
    ...setGet('tls-session-caching', ['no', 'YES'], 'yes'),
  ],
  integers: [
    ...setGet('tls-session-cache-size', ['0', '1', '2147483647'], '20480'),
    ...bad('tls-session-cache-size', ['-1', '2147483648', 'x', '1k', '01']),
    ...setGet('tls-session-cache-timeout', ['0', '60', '2147483647'], '300'),
    ...bad('tls-session-cache-timeout', ['-1', '2147483648', '']),
  ],
  'strings and files are taken as given while TLS is off': [
    ...setGet('tls-protocols', ['TLSv1.2', 'TLSv1.2 TLSv1.3', 'tlsv9'], ''),
    ...setGet('tls-ciphers', ['HIGH:!aNULL', 'NO-SUCH-CIPHER'], ''),
    ...setGet('tls-ciphersuites', ['TLS_AES_256_GCM_SHA384'], ''),
    ...setGet('tls-cert-file', ['/nonexistent/cert.pem'], ''),
    ...setGet('tls-key-file', ['/nonexistent/key.pem'], ''),
    ...setGet('tls-ca-cert-file', ['/nonexistent/ca.pem'], ''),
    ...setGet('tls-ca-cert-dir', ['/nonexistent'], ''),
    ['CONFIG', 'GET', 'tls-key-file-pass'],
    ['CONFIG', 'SET', 'tls-key-file-pass', ''],
    ['CONFIG', 'GET', 'tls-key-file-pass'],
  ],
  'several at once, and an error in the middle rolls all back': [
    ['CONFIG', 'SET', 'tls-session-cache-size', '100', 'tls-auth-clients', 'optional'],
    { cmd: ['CONFIG', 'GET', 'tls-session-cache-size', 'tls-auth-clients'], mode: 'sorted' },
    ['CONFIG', 'SET', 'tls-session-cache-size', '5', 'tls-auth-clients', 'bogus'],
    { cmd: ['CONFIG', 'GET', 'tls-session-cache-size', 'tls-auth-clients'], mode: 'sorted' },
    ['CONFIG', 'SET', 'tls-session-cache-size', '20480', 'tls-auth-clients', 'yes'],
  ],
});
