// Directives of the security layer (ours, not Redis's), appended to the config table.

import type { DirectiveDef } from '../config/config';
import { parseCidr } from './network';

export function securityDirectives(): DirectiveDef[] {
  return [
    // yes: refuse to start on unsafe permissions; warn: log and go on; no: don't check
    {
      name: 'permission-check',
      type: 'enum',
      default: 'yes',
      values: ['yes', 'warn', 'no'],
      immutable: true,
    },
    {
      name: 'allow-from',
      type: 'list',
      default: '',
      repeatable: true,
      apply: (v) => {
        for (const c of v as string[]) {
          if (parseCidr(c) === null) return `Invalid address or CIDR '${c}' in allow-from`;
        }
        return undefined;
      },
    },
    { name: 'auth-max-failures', type: 'int', default: '10', min: 1, max: 1000000 },
    // seconds over which failures are counted
    { name: 'auth-failure-window', type: 'int', default: '600', min: 1, max: 86400 * 30 },
    // seconds; doubles for every further lockout of the same source
    { name: 'auth-lockout-time', type: 'int', default: '300', min: 0, max: 86400 * 30 },
    // milliseconds; the first failure's delay, doubling with each further failure
    { name: 'auth-failure-delay', type: 'int', default: '100', min: 0, max: 60000 },
    { name: 'auth-failure-max-delay', type: 'int', default: '5000', min: 0, max: 600000 },
    // seconds an unauthenticated connection may stay open (0 = forever)
    { name: 'auth-timeout', type: 'int', default: '10', min: 0, max: 86400 },
    { name: 'max-unauthenticated-per-source', type: 'int', default: '32', min: 1, max: 1000000 },
  ];
}
