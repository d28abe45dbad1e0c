// Start-up permission checks, governed by `permission-check yes|warn|no`.

import type { Server } from '../server/server';
import { checkDataDir, checkSecretFile, configFiles, type Finding, formatFinding } from './files';

/** Runs the checks; returns false when the server must not start. */
export function startupChecks(s: Server): boolean {
  const mode = s.config.str('permission-check');
  if (mode === 'no') return true;
  const findings: Finding[] = [...checkDataDir(s.config.str('dir'))];
  if (s.configFile !== '') {
    for (const f of configFiles(s.configFile)) if (f.secret) findings.push(...checkSecretFile(f.path));
  }
  for (const f of findings) s.log.warning(formatFinding(f));
  if (findings.length > 0 && mode === 'yes') {
    s.log.warning(
      "Refusing to start with unsafe permissions. Apply the fixes above, or set 'permission-check warn' " +
        'to start anyway and accept the risk.',
    );
    return false;
  }
  return true;
}
