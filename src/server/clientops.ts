// Operations on a client's own state shared by several commands (AUTH/HELLO, RESET, names).

import { createHash, timingSafeEqual } from 'node:crypto';
import { E } from '../protocol/errors';
import { digestBytes } from '../security/secret';
import { type Client, ReplyMode } from './client';

/** Hooks that clear per-client state on RESET (MULTI, WATCH, pub/sub, tracking). */
export const resetHooks: ((c: Client) => void)[] = [];

function sha256(b: Buffer | string): Buffer {
  return createHash('sha256').update(b).digest();
}

/**
 * Password check for AUTH / HELLO AUTH: writes the error reply and returns false on failure.
 * The security layer replaces `authenticator` with users, hashing and throttling.
 */
export let authenticator = (c: Client, user: Buffer, pass: Buffer): boolean => {
  const required = c.server.config.str('requirepass');
  if (user.toString('latin1') !== 'default') {
    c.reply.error(E.wrongPass);
    return false;
  }
  if (required === '') {
    c.setAuthenticated('default');
    return true;
  }
  // compare fixed-length digests in constant time
  const digest = digestBytes(required);
  if (digest !== null && timingSafeEqual(sha256(pass), digest)) {
    c.setAuthenticated('default');
    return true;
  }
  c.reply.error(E.wrongPass);
  return false;
};

export function setAuthenticator(f: typeof authenticator): void {
  authenticator = f;
}

export function checkAuth(c: Client, user: Buffer, pass: Buffer): boolean {
  return authenticator(c, user, pass);
}

/** CLIENT SETNAME rules: no spaces, newlines or special characters. */
export function setClientName(c: Client, name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) {
    if (name[i] < 33 || name[i] > 126) {
      c.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      return false;
    }
  }
  c.name = name.toString('latin1');
  return true;
}

export function resetClient(c: Client): void {
  for (const h of resetHooks) h(c);
  c.multi = null;
  c.replyMode = ReplyMode.On;
  c.reply.proto = 2;
  c.db = c.server.dbs[0];
  c.name = '';
  c.noEvict = false;
  if (c.server.authRequired()) {
    c.authenticated = false;
    c.parser.limits.unauthenticated = true;
  }
  c.user = 'default';
}
