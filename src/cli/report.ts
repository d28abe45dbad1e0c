// Findings shared by `audit` and `check-config`: severity, what was seen, the exact fix.

import { type Io, table } from './args';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface Finding {
  /** stable identifier, e.g. "no-auth" */
  id: string;
  severity: Severity;
  title: string;
  evidence: string;
  fix: string;
  /** config line (check-config) */
  line?: number;
  file?: string;
}

const COLOURS: Record<Severity, string> = {
  critical: '\x1b[1;41;97m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};

export function sortFindings(f: Finding[]): Finding[] {
  return [...f].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

/** Findings that make the exit status 1 (info does not). */
export function countsAsFinding(f: Finding): boolean {
  return f.severity !== 'info';
}

export function renderFindings(findings: Finding[], io: Io, header: string): void {
  const list = sortFindings(findings);
  io.out(`${header}\n\n`);
  if (list.length === 0) {
    io.out('No findings.\n');
    return;
  }
  const rows = list.map((f, i) => [
    String(i + 1),
    f.severity.toUpperCase(),
    f.id,
    f.line !== undefined ? `${f.file ?? ''}:${f.line}: ${f.title}` : f.title,
  ]);
  io.out(
    table(['#', 'SEVERITY', 'CHECK', 'FINDING'], rows, (r, c, s) =>
      io.tty && c === 1 ? `${COLOURS[list[r].severity]}${s}\x1b[0m` : s,
    ),
  );
  io.out('\nDetails:\n');
  list.forEach((f, i) => {
    io.out(
      `\n${i + 1}. [${f.severity}] ${f.id}\n   evidence: ${f.evidence}\n   fix:      ${f.fix.replace(/\n/g, '\n             ')}\n`,
    );
  });
  const counts = SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  io.out(`\nSummary: ${counts.join(', ')}\n`);
}
