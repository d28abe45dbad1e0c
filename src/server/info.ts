// INFO sections as a registry: each section is a list of field providers that other modules
// append to (persistence adds its rdb_/aof_ fields, the security layer its counters), so the
// INFO command never needs to know every subsystem. No imports besides types, so any module can
// register at load time without import cycles.
//
// A provider returns [name, value] pairs. Providers run in `order` (base fields use 0, the
// default for additions is 100); a field whose name was already produced by an earlier provider
// replaces that value in place, new names are appended. So a subsystem can both refine a base
// placeholder (rdb_last_bgsave_status) and add fields of its own.

import type { Server } from './server';

export type InfoValue = string | number;
export type InfoField = [string, InfoValue];
export type InfoProvider = (s: Server) => InfoField[];

interface Section {
  /** lower-case name used by `INFO <section>` */
  name: string;
  /** header line text: "# Server" */
  title: string;
  /** part of plain `INFO` / `INFO default` */
  inDefault: boolean;
  providers: { order: number; seq: number; fn: InfoProvider }[];
}

/** Redis 7.0's sections, in its output order. */
const SECTIONS: Section[] = [
  ['server', 'Server', true],
  ['clients', 'Clients', true],
  ['memory', 'Memory', true],
  ['persistence', 'Persistence', true],
  ['stats', 'Stats', true],
  ['replication', 'Replication', true],
  ['cpu', 'CPU', true],
  ['modules', 'Modules', true],
  ['commandstats', 'Commandstats', false],
  ['errorstats', 'Errorstats', true],
  ['cluster', 'Cluster', true],
  ['keyspace', 'Keyspace', true],
].map(([name, title, inDefault]) => ({
  name: name as string,
  title: title as string,
  inDefault: inDefault as boolean,
  providers: [],
}));

let seq = 0;

/** Adds fields to a section (see the top of this file for ordering and overriding). */
export function addInfoFields(section: string, fn: InfoProvider, order = 100): void {
  const sec = SECTIONS.find((x) => x.name === section);
  if (sec === undefined) throw new Error(`no INFO section ${section}`);
  sec.providers.push({ order, seq: seq++, fn });
  sec.providers.sort((a, b) => a.order - b.order || a.seq - b.seq);
}

/** The fields of one section, providers merged. */
export function sectionFields(s: Server, section: string): InfoField[] {
  const sec = SECTIONS.find((x) => x.name === section);
  if (sec === undefined) return [];
  const out: InfoField[] = [];
  const at = new Map<string, number>();
  for (const p of sec.providers) {
    for (const f of p.fn(s)) {
      const i = at.get(f[0]);
      if (i === undefined) {
        at.set(f[0], out.length);
        out.push(f);
      } else {
        out[i] = f;
      }
    }
  }
  return out;
}

/**
 * Which sections `INFO arg...` selects, as Redis's genInfoSectionDict: no argument = default;
 * `all` = every section; `everything` = all plus module sections (none here); `default` adds the
 * default set; unknown names select nothing. Case-insensitive.
 */
export function selectSections(args: string[]): Set<string> {
  const out = new Set<string>();
  const addDefault = () => {
    for (const x of SECTIONS) if (x.inDefault) out.add(x.name);
  };
  if (args.length === 0) {
    addDefault();
    return out;
  }
  for (const raw of args) {
    const a = raw.toLowerCase();
    if (a === 'all' || a === 'everything') {
      for (const x of SECTIONS) out.add(x.name);
    } else if (a === 'default') {
      addDefault();
    } else {
      out.add(a);
    }
  }
  return out;
}

/** Renders the selected sections: "# Title\r\nname:value\r\n...", sections separated by "\r\n". */
export function renderInfo(s: Server, selected: Set<string>): string {
  let out = '';
  let first = true;
  for (const sec of SECTIONS) {
    if (!selected.has(sec.name)) continue;
    if (!first) out += '\r\n';
    first = false;
    out += `# ${sec.title}\r\n`;
    for (const [k, v] of sectionFields(s, sec.name)) out += `${k}:${v}\r\n`;
  }
  return out;
}
