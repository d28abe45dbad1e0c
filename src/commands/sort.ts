// SORT and SORT_RO over lists, sets and sorted sets, with BY/GET patterns (string keys and
// hash fields via `->`), LIMIT, ASC/DESC, ALPHA and STORE, with Redis 7.0's rules: numeric
// ties are broken by comparing the elements, a BY pattern without `*` means "don't sort", and
// an unsorted set is sorted anyway when the result is stored (so the stored list is
// deterministic).

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import { HashValue } from '../store/hash';
import { ListValue } from '../store/list';
import { SetValue } from '../store/set';
import { ZSetValue } from '../store/zset';
import { is, key, parseDouble, parseInt64 } from './args';
import { lookupRead, lookupWrite, notify, setKey } from './keyspace';
import type { CommandDef } from './types';

interface Item {
  el: Buffer;
  score: number;
  cmp: Buffer | null;
}

/** Substitutes the first `*` of a pattern with the element; "#" is the element itself. */
function lookupByPattern(c: Client, pattern: Buffer, el: Buffer): Buffer | null {
  const p = pattern.toString('latin1');
  if (p === '#') return el;
  const star = p.indexOf('*');
  if (star < 0) return null;
  const arrow = p.indexOf('->', star + 1);
  let field: string | null = null;
  let keyPat = p;
  if (arrow >= 0 && arrow + 2 < p.length) {
    field = p.slice(arrow + 2);
    keyPat = p.slice(0, arrow);
  }
  const k = keyPat.slice(0, star) + el.toString('latin1') + keyPat.slice(star + 1);
  const e = c.db.get(k);
  if (e === undefined) return null;
  const v = e.value;
  if (field === null) return v instanceof Uint8Array ? (v as Buffer) : null;
  if (v instanceof HashValue) {
    const f = v.get(field);
    return f === undefined ? null : Buffer.from(f, 'latin1');
  }
  return null;
}

function cmpBuf(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

function sortGeneric(c: Client, argv: Buffer[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let offset = 0;
  let count = -1;
  let sortBy: Buffer | null = null;
  let dontsort = false;
  let store: string | null = null;
  const gets: Buffer[] = [];
  // BY/GET patterns reach keys the arguments don't name: ACL users need read access to all keys
  const fullAccess = () => c.server.acl.fullKeyAccess(c, readonly ? 'sort_ro' : 'sort', argv);
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (is(a, 'asc')) desc = false;
    else if (is(a, 'desc')) desc = true;
    else if (is(a, 'alpha')) alpha = true;
    else if (is(a, 'limit') && left >= 2) {
      const o = parseInt64(argv[j + 1]);
      const n = parseInt64(argv[j + 2]);
      if (o === null || n === null) {
        c.reply.error(E.notInt);
        return;
      }
      offset = Number(o);
      count = Number(n);
      j += 2;
    } else if (is(a, 'store') && left >= 1 && !readonly) {
      store = key(argv[j + 1]);
      j++;
    } else if (is(a, 'by') && left >= 1) {
      sortBy = argv[j + 1];
      // a pattern without '*' can't name per-element keys: don't sort at all
      if (!sortBy.includes(42)) dontsort = true;
      else if (!fullAccess()) {
        c.reply.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
        return;
      }
      j++;
    } else if (is(a, 'get') && left >= 1) {
      if (!fullAccess()) {
        c.reply.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
        return;
      }
      gets.push(argv[j + 1]);
      j++;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const k = key(argv[1]);
  const e = store === null ? lookupRead(c, k) : lookupWrite(c, k);
  const v = e?.value;
  if (v !== undefined && !(v instanceof ListValue || v instanceof SetValue || v instanceof ZSetValue)) {
    c.reply.error(E.wrongType);
    return;
  }
  // an unsorted set would give an arbitrary order: sort it when storing, as Redis does
  if (dontsort && v instanceof SetValue && store !== null) {
    dontsort = false;
    alpha = true;
    sortBy = null;
  }
  let elements: Buffer[] = [];
  const len = v === undefined ? 0 : v instanceof ListValue ? v.length : v.size;
  let start = Math.max(offset, 0);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  if (v instanceof ListValue) elements = v.toArray();
  else if (v instanceof SetValue) for (const m of v.members()) elements.push(Buffer.from(m, 'latin1'));
  else if (v instanceof ZSetValue) {
    if (dontsort) {
      // a sorted set is already in order: take only the LIMIT range
      const items = start <= end ? v.range(start, end, desc) : [];
      elements = items.map((it) => Buffer.from(it.member, 'latin1'));
      start = 0;
      end = elements.length - 1;
    } else {
      for (const it of v.items()) elements.push(Buffer.from(it.member, 'latin1'));
    }
  }
  const items: Item[] = elements.map((el) => ({ el, score: 0, cmp: null }));
  if (!dontsort) {
    for (const it of items) {
      const byVal = sortBy === null ? it.el : lookupByPattern(c, sortBy, it.el);
      if (alpha) {
        if (sortBy !== null) it.cmp = byVal;
      } else if (byVal !== null) {
        const d = parseDouble(byVal);
        if (d === null) {
          c.reply.error("ERR One or more scores can't be converted into double");
          return;
        }
        it.score = d;
      }
    }
    const sign = desc ? -1 : 1;
    items.sort((a, b) => {
      let r: number;
      if (!alpha) {
        r = a.score > b.score ? 1 : a.score < b.score ? -1 : cmpBuf(a.el, b.el);
      } else if (sortBy !== null) {
        if (a.cmp === null || b.cmp === null) r = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        else r = cmpBuf(a.cmp, b.cmp);
      } else {
        r = cmpBuf(a.el, b.el);
      }
      return sign * r;
    });
  } else if (desc && v instanceof ListValue) {
    // list order, read from the tail
    items.reverse();
  }
  const picked = start <= end ? items.slice(start, end + 1) : [];
  const out: (Buffer | null)[] = [];
  for (const it of picked) {
    if (gets.length === 0) out.push(it.el);
    else for (const g of gets) out.push(lookupByPattern(c, g, it.el));
  }
  if (store === null) {
    c.reply.array(out.length);
    for (const o of out) {
      if (o === null) c.reply.nullBulk();
      else c.reply.bulk(o);
    }
    return;
  }
  if (out.length > 0) {
    setKey(c, store, ListValue.from(out.map((o) => (o === null ? Buffer.alloc(0) : Buffer.from(o)))));
    notify(c, 'l', 'sortstore', store);
  } else if (c.db.delete(store)) {
    c.server.dirty++;
    notify(c, 'g', 'del', store);
  }
  c.reply.int(out.length);
}

/** Key positions: the sorted key, and the STORE destination if any (movable keys). */
function sortKeys(argv: Buffer[]): number[] {
  const out = [1];
  for (let j = 2; j < argv.length; j++) {
    if (is(argv[j], 'store') && j + 1 < argv.length) out.push(j + 1);
    if (is(argv[j], 'limit')) j += 2;
    else if (is(argv[j], 'by') || is(argv[j], 'get') || is(argv[j], 'store')) j++;
  }
  return out;
}

export const sortCommands: CommandDef[] = [
  // SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA] [STORE destination]
  {
    name: 'sort',
    arity: -2,
    flags: 'write denyoom movablekeys',
    keys: [1, 1, 1],
    acl: '@set @sortedset @list @dangerous',
    handler: (c, argv) => sortGeneric(c, argv, false),
    getKeys: sortKeys,
  },
  // SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
  {
    name: 'sort_ro',
    arity: -2,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@set @sortedset @list @dangerous',
    handler: (c, argv) => sortGeneric(c, argv, true),
    // BY/GET patterns name keys too, so Redis flags it movablekeys
    getKeys: () => [1],
  },
];
