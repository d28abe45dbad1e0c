// Passwords are kept in memory only as SHA-256 digests. A digest is stored as a string with a
// prefix no configuration value can carry by accident, so the config table can hold it.

import { createHash, timingSafeEqual } from 'node:crypto';

const PREFIX = '\0sha256:';

export function sha256(b: Buffer | string): Buffer {
  return createHash('sha256')
    .update(typeof b === 'string' ? Buffer.from(b, 'latin1') : b)
    .digest();
}

/** '' stays '' (no password); a plaintext becomes its digest; a digest stays as it is. */
export function toDigest(v: string): string {
  if (v === '' || v.startsWith(PREFIX)) return v;
  return PREFIX + sha256(v).toString('hex');
}

/** A stored digest from a hex string (requirepass-sha256). */
export function fromHex(hex: string): string {
  return hex === '' ? '' : PREFIX + hex.toLowerCase();
}

export function digestHex(stored: string): string {
  return stored.startsWith(PREFIX) ? stored.slice(PREFIX.length) : sha256(stored).toString('hex');
}

export function digestBytes(stored: string): Buffer | null {
  if (stored === '') return null;
  return Buffer.from(digestHex(stored), 'hex');
}

/** Constant-time comparison of a candidate password with a stored digest. */
export function matches(stored: Buffer, candidate: Buffer): boolean {
  return timingSafeEqual(sha256(candidate), stored);
}
