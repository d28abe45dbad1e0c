// What /proc says about a local server: TCP listeners (/proc/net/tcp, tcp6) and their socket
// inodes, the process owning an inode (/proc/PID/fd), and the process's user.

import * as fs from 'node:fs';

export interface Listener {
  address: string;
  port: number;
  inode: number;
}

function hexV4(h: string): string {
  // little-endian 32-bit word
  const b = Buffer.from(h, 'hex');
  return `${b[3]}.${b[2]}.${b[1]}.${b[0]}`;
}

function hexV6(h: string): string {
  const b = Buffer.from(h, 'hex');
  // four little-endian 32-bit words
  const out = Buffer.alloc(16);
  for (let w = 0; w < 4; w++) for (let i = 0; i < 4; i++) out[w * 4 + i] = b[w * 4 + 3 - i];
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(out.readUInt16BE(i).toString(16));
  const full = groups.join(':');
  // compress the longest zero run for readability
  const m = full.match(/(^|:)0(:0)+(:|$)/g);
  if (m === null) return full;
  const longest = m.reduce((a, b) => (b.length > a.length ? b : a));
  const v = full.replace(longest, '::');
  return v.replace(/^:::/, '::').replace(/:::$/, '::');
}

export function tcpListeners(): Listener[] {
  const out: Listener[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue;
      const [a, p] = f[1].split(':');
      let address = v6 ? hexV6(a) : hexV4(a);
      if (address.startsWith('::ffff:') && v6) address = address.slice(7);
      out.push({ address, port: Number.parseInt(p, 16), inode: Number(f[9]) });
    }
  }
  return out;
}

/** Listening Unix sockets: path → inode. */
export function unixListeners(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const line of fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // flags 00010000 = __SO_ACCEPTCON (listening)
      if (f.length >= 8 && f[3] === '00010000') out.set(f[7], Number(f[6]));
    }
  } catch {
    // no procfs
  }
  return out;
}

export function socketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** The process holding one of these socket inodes, or null. */
export function pidOfInode(inodes: number[], hint?: number): number | null {
  const want = new Set(inodes);
  const has = (pid: number) => [...socketInodes(pid)].some((i) => want.has(i));
  if (hint !== undefined && hint > 0 && has(hint)) return hint;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const p of pids) if (has(Number(p))) return Number(p);
  return null;
}

export function processUid(pid: number): number | null {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
