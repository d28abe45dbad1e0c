// Active expiry, as Redis's slow cycle: per database, sample keys that carry a TTL, delete the
// expired ones, and keep going while more than 10% of a sample was expired, within a time budget.
// Sampling walks a persistent iterator over the TTL set, so each pass covers new keys.

import type { Db, Entry } from './db';

const SAMPLE = 20;

interface ExpireHost {
  dbs: Db[];
  clock: { now(): number };
}

const cursors = new WeakMap<Db, { set: Set<Entry>; it: Iterator<Entry> }>();
/** Where each host's next cycle resumes, so a cycle cut short by its budget does not starve later dbs. */
const nextDbOf = new WeakMap<ExpireHost, number>();

function nextVolatile(db: Db): Entry | undefined {
  let c = cursors.get(db);
  if (c === undefined || c.set !== db.volatile) {
    c = { set: db.volatile, it: db.volatile.values() };
    cursors.set(db, c);
  }
  let r = c.it.next();
  if (r.done) {
    c.it = db.volatile.values();
    r = c.it.next();
  }
  return r.done ? undefined : r.value;
}

/**
 * Runs for at most `budgetMs` (measured with `timer`, injectable for tests); returns the number
 * of keys expired.
 */
export function activeExpireCycle(
  host: ExpireHost,
  budgetMs: number,
  timer: () => number = () => performance.now(),
): number {
  const start = timer();
  let expired = 0;
  const dbs = host.dbs;
  let nextDb = nextDbOf.get(host) ?? 0;
  for (let d = 0; d < dbs.length; d++) {
    const db = dbs[nextDb++ % dbs.length];
    nextDbOf.set(host, nextDb % dbs.length);
    if (db.volatile.size === 0) continue;
    for (;;) {
      const now = host.clock.now();
      const n = Math.min(SAMPLE, db.volatile.size);
      let hit = 0;
      for (let i = 0; i < n; i++) {
        const e = nextVolatile(db);
        if (e === undefined) break;
        if (e.expires !== 0 && e.expires <= now) {
          // get() performs the deletion and the notifications, exactly as a lazy expiry
          db.get(e.key);
          hit++;
        }
      }
      expired += hit;
      if (timer() - start > budgetMs) return expired;
      if (db.volatile.size === 0 || hit * 10 <= n) break;
    }
  }
  return expired;
}
