// Address decisions made when a TCP connection is accepted: the source allowlist
// (`allow-from CIDR ...`) and protected mode's loopback test. Pure functions, unit-tested
// with peer addresses directly.

import * as net from 'node:net';

export interface Cidr {
  v6: boolean;
  /** address as a 128-bit (v6) or 32-bit (v4) bigint */
  addr: bigint;
  bits: number;
  text: string;
}

function v4ToBig(s: string): bigint {
  const p = s.split('.').map(Number);
  return (BigInt(p[0]) << 24n) | (BigInt(p[1]) << 16n) | (BigInt(p[2]) << 8n) | BigInt(p[3]);
}

function v6ToBig(s: string): bigint {
  // an embedded IPv4 tail ("::ffff:1.2.3.4") becomes two hex groups first
  if (s.includes('.')) {
    const i = s.lastIndexOf(':');
    const v = Number(v4ToBig(s.slice(i + 1)));
    s = `${s.slice(0, i)}:${((v >>> 16) & 0xffff).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const dbl = s.indexOf('::');
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = dbl >= 0 ? [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t] : h;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(Number.parseInt(g, 16));
  return v;
}

/** Parses "10.0.0.0/8", "::1", "fd00::/8", "192.168.1.7"; null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const [a, b] = text.split('/');
  const kind = net.isIP(a);
  if (kind === 0) return null;
  const v6 = kind === 6;
  const max = v6 ? 128 : 32;
  let bits = max;
  if (b !== undefined) {
    if (!/^\d{1,3}$/.test(b)) return null;
    bits = Number(b);
    if (bits > max) return null;
  }
  const addr = v6 ? v6ToBig(a) : v4ToBig(a);
  return { v6, addr: maskOf(addr, bits, max), bits, text };
}

function maskOf(addr: bigint, bits: number, max: number): bigint {
  if (bits === 0) return 0n;
  const shift = BigInt(max - bits);
  return (addr >> shift) << shift;
}

/** Normalises a peer address: strips an IPv4-mapped IPv6 prefix and a zone id. */
export function normalizeAddress(addr: string): string {
  let a = addr;
  const pct = a.indexOf('%');
  if (pct >= 0) a = a.slice(0, pct);
  if (a.toLowerCase().startsWith('::ffff:') && net.isIPv4(a.slice(7))) return a.slice(7);
  return a;
}

export function cidrContains(c: Cidr, address: string): boolean {
  const a = normalizeAddress(address);
  const kind = net.isIP(a);
  if (kind === 0) return false;
  if ((kind === 6) !== c.v6) return false;
  const max = c.v6 ? 128 : 32;
  const v = c.v6 ? v6ToBig(a) : v4ToBig(a);
  return maskOf(v, c.bits, max) === c.addr;
}

/** True when the allowlist is empty or one of its entries contains the address. */
export function allowed(list: Cidr[], address: string): boolean {
  if (list.length === 0) return true;
  for (const c of list) if (cidrContains(c, address)) return true;
  return false;
}

/** Loopback as protected mode understands it: 127.0.0.0/8 and ::1. */
export function isLoopback(address: string): boolean {
  const a = normalizeAddress(address);
  if (net.isIPv4(a)) return a.startsWith('127.');
  if (net.isIPv6(a)) return v6ToBig(a) === 1n;
  return false;
}
