// The on-disk pieces of Redis 7's multi-part AOF: the manifest (`file <name> seq <n> type <b|h|i>`
// lines), command encoding (RESP arrays of bulk strings, `#TS:` annotations) and an incremental
// parser that tells a truncated tail from garbage.

export type FileType = 'b' | 'h' | 'i';

export interface ManifestEntry {
  name: string;
  seq: number;
  type: FileType;
}

export interface Manifest {
  base: ManifestEntry | null;
  incrs: ManifestEntry[];
  history: ManifestEntry[];
}

export class ManifestError extends Error {}

/** Splits a manifest line into words; names may be double-quoted (as Redis writes unusual names). */
function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      let w = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        w += line[i++];
      }
      if (line[i] !== '"') throw new ManifestError('unbalanced quotes');
      i++;
      out.push(w);
    } else {
      let w = '';
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') w += line[i++];
      out.push(w);
    }
  }
  return out;
}

export function parseManifest(text: string): Manifest {
  const m: Manifest = { base: null, incrs: [], history: [] };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const w = words(line);
    if (w.length % 2 !== 0) throw new ManifestError(`Invalid AOF manifest file format (line ${n + 1})`);
    const kv = new Map<string, string>();
    for (let i = 0; i < w.length; i += 2) kv.set(w[i], w[i + 1]);
    const name = kv.get('file');
    const seq = Number(kv.get('seq'));
    const type = kv.get('type');
    if (
      name === undefined ||
      !Number.isSafeInteger(seq) ||
      seq < 0 ||
      (type !== 'b' && type !== 'h' && type !== 'i')
    ) {
      throw new ManifestError(`Invalid AOF manifest file format (line ${n + 1})`);
    }
    if (name.includes('/') || name === '.' || name === '..' || name === '') {
      throw new ManifestError(`Invalid AOF file name in the manifest (line ${n + 1})`);
    }
    const e: ManifestEntry = { name, seq, type };
    if (type === 'b') {
      if (m.base !== null) throw new ManifestError('Found duplicate base file information');
      m.base = e;
    } else if (type === 'h') {
      m.history.push(e);
    } else {
      if (m.incrs.length > 0 && seq <= m.incrs[m.incrs.length - 1].seq) {
        throw new ManifestError('Found a non-monotonic sequence number');
      }
      m.incrs.push(e);
    }
  }
  return m;
}

function quoteName(name: string): string {
  return /^[\x21-\x7e]+$/.test(name) && !name.includes('"') ? name : JSON.stringify(name);
}

export function formatManifest(m: Manifest): string {
  let out = '';
  const line = (e: ManifestEntry) => {
    out += `file ${quoteName(e.name)} seq ${e.seq} type ${e.type}\n`;
  };
  if (m.base !== null) line(m.base);
  for (const e of m.history) line(e);
  for (const e of m.incrs) line(e);
  return out;
}

/** One command as a RESP array of bulk strings. */
export function encodeCommand(argv: Buffer[]): Buffer {
  let head = `*${argv.length}\r\n`;
  const parts: Buffer[] = [];
  for (const a of argv) {
    head += `$${a.length}\r\n`;
    parts.push(Buffer.from(head, 'latin1'), a);
    head = '\r\n';
  }
  parts.push(Buffer.from('\r\n', 'latin1'));
  return Buffer.concat(parts);
}

export function strArgv(...args: (string | Buffer)[]): Buffer[] {
  return args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
}

/** Result of reading one item from an AOF buffer. */
export type ParseResult =
  | { kind: 'command'; argv: Buffer[]; end: number }
  | { kind: 'annotation'; end: number }
  | { kind: 'eof' }
  | { kind: 'truncated' }
  | { kind: 'bad'; why: string };

/** Longest argument count / bulk length accepted (Redis's loader limits are similar). */
const MAX_ARGS = 1 << 24;
const MAX_BULK = 512 * 1024 * 1024;

function readLine(buf: Buffer, pos: number): { text: string; end: number } | null {
  const nl = buf.indexOf(10, pos);
  if (nl < 0) return null;
  if (nl === pos || buf[nl - 1] !== 13) return { text: '\0bad', end: nl + 1 };
  return { text: buf.toString('latin1', pos, nl - 1), end: nl + 1 };
}

/** Reads the command or annotation at `pos`. */
export function parseAt(buf: Buffer, pos: number): ParseResult {
  if (pos >= buf.length) return { kind: 'eof' };
  if (buf[pos] === 0x23) {
    // '#': an annotation line (#TS:...)
    const l = readLine(buf, pos);
    if (l === null) return { kind: 'truncated' };
    return { kind: 'annotation', end: l.end };
  }
  if (buf[pos] !== 0x2a) return { kind: 'bad', why: 'expected a command (*<count>)' };
  const head = readLine(buf, pos + 1);
  if (head === null) return { kind: 'truncated' };
  if (!/^\d+$/.test(head.text)) return { kind: 'bad', why: 'bad argument count' };
  const n = Number(head.text);
  if (n < 1 || n > MAX_ARGS) return { kind: 'bad', why: 'bad argument count' };
  let p = head.end;
  const argv: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (p >= buf.length) return { kind: 'truncated' };
    if (buf[p] !== 0x24) return { kind: 'bad', why: 'expected a bulk string ($<length>)' };
    const l = readLine(buf, p + 1);
    if (l === null) return { kind: 'truncated' };
    if (!/^\d+$/.test(l.text)) return { kind: 'bad', why: 'bad bulk length' };
    const len = Number(l.text);
    if (len > MAX_BULK) return { kind: 'bad', why: 'bulk length too large' };
    if (l.end + len + 2 > buf.length) return { kind: 'truncated' };
    if (buf[l.end + len] !== 13 || buf[l.end + len + 1] !== 10) {
      return { kind: 'bad', why: 'bulk string not terminated by CRLF' };
    }
    argv.push(buf.subarray(l.end, l.end + len));
    p = l.end + len + 2;
  }
  return { kind: 'command', argv, end: p };
}
