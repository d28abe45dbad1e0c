// Geo commands, Redis 7.0 semantics: positions are sorted set members whose score is the
// 52-bit geohash (store/geohash.ts); GEOADD is ZADD with encoded scores.

import { E } from '../protocol/errors';
import type { Client } from '../server/client';
import {
  type Cell,
  cellScore,
  cellScoreRange,
  decodeScore,
  distance,
  distanceIfInShape,
  encodeCell,
  formatFixed,
  formatHuman,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  GEO_STEP_MAX,
  geohashString,
  isZero,
  type Shape,
  searchCells,
} from '../store/geohash';
import { ZItem, type ZSetValue } from '../store/zset';
import { is, key, parseInt64 } from './args';
import { notify } from './keyspace';
import type { CommandDef } from './types';
import { buildStored, readZset, scoreArg, storeResult, zadd } from './zset';

/** extractLongLatOrReply: [lon, lat], or null after writing the error. */
function lonLatArgs(c: Client, a: Buffer, b: Buffer): [number, number] | null {
  const lon = scoreArg(c, a);
  if (lon === null) return null;
  const lat = scoreArg(c, b);
  if (lat === null) return null;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.reply.error(`ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
    return null;
  }
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit, or null after writing the error. */
function unitArg(c: Client, b: Buffer): number | null {
  if (is(b, 'm')) return 1;
  if (is(b, 'km')) return 1000;
  if (is(b, 'ft')) return 0.3048;
  if (is(b, 'mi')) return 1609.34;
  c.reply.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return null;
}

/** Redis's addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
function replyCoord(c: Client, d: number): void {
  const s = formatHuman(d);
  if (c.reply.proto === 3) c.reply.raw(`,${s}\r\n`);
  else c.reply.bulkStr(s);
}

/** addReplyDoubleDistance: "%.4f" as a bulk string. */
function replyDistance(c: Client, d: number): void {
  c.reply.bulkStr(formatFixed(d, 4));
}

// GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]
function geoadd(c: Client, argv: Buffer[]): void {
  let xx = false;
  let nx = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const o = argv[idx];
    if (is(o, 'nx')) nx = true;
    else if (is(o, 'xx')) xx = true;
    else if (!is(o, 'ch')) break;
  }
  if ((argv.length - idx) % 3 !== 0 || (xx && nx)) {
    c.reply.error(E.syntax);
    return;
  }
  // rewritten as ZADD key [options] score member ...
  const zargv: Buffer[] = [Buffer.from('zadd'), ...argv.slice(1, idx)];
  for (let i = idx; i < argv.length; i += 3) {
    const ll = lonLatArgs(c, argv[i], argv[i + 1]);
    if (ll === null) return;
    const cell = encodeCell(ll[0], ll[1], GEO_STEP_MAX) as Cell;
    zargv.push(Buffer.from(String(BigInt(cellScore(cell)))), argv[i + 2]);
  }
  zadd(c, zargv);
}

// GEOPOS key [member [member ...]]
function geopos(c: Client, argv: Buffer[]): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(key(argv[j]));
    if (s === undefined) {
      c.reply.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(s);
    c.reply.array(2);
    replyCoord(c, lon);
    replyCoord(c, lat);
  }
}

// GEODIST key member1 member2 [M | KM | FT | MI]
function geodist(c: Client, argv: Buffer[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    const u = unitArg(c, argv[4]);
    if (u === null) return;
    toMeter = u;
  } else if (argv.length > 5) {
    c.reply.error(E.syntax);
    return;
  }
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  const s1 = z?.score(key(argv[2]));
  const s2 = z?.score(key(argv[3]));
  if (s1 === undefined || s2 === undefined) {
    c.reply.nullBulk();
    return;
  }
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  replyDistance(c, distance(lon1, lat1, lon2, lat2) / toMeter);
}

// GEOHASH key [member [member ...]]
function geohash(c: Client, argv: Buffer[]): void {
  const z = readZset(c, key(argv[1]));
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(key(argv[j]));
    if (s === undefined) c.reply.nullBulk();
    else c.reply.bulkStr(geohashString(s));
  }
}

// ---- searches ----

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  member: string;
  score: number;
  dist: number;
  lon: number;
  lat: number;
}

/** The points of `z` inside `shape`: cell by cell in Redis's order, each cell by score. */
function pointsInShape(z: ZSetValue, shape: Shape, limit: number): GeoPoint[] {
  const out: GeoPoint[] = [];
  const cells = searchCells(shape);
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (isZero(cell)) continue;
    // wide searches can produce the same neighbour twice in a row
    if (
      last !== 0 &&
      cell.lat === cells[last].lat &&
      cell.lon === cells[last].lon &&
      cell.step === cells[last].step
    )
      continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const [min, max] = cellScoreRange(cell);
    const a = z.countBefore((s) => s >= min);
    const b = z.countBefore((s) => s >= max);
    if (a < b) {
      const items = z.range(a, b - 1);
      for (const it of items) {
        const [lon, lat] = decodeScore(it.score);
        const d = distanceIfInShape(shape, lon, lat);
        if (d !== null) out.push({ member: it.member, score: it.score, dist: d, lon, lat });
        if (out.length > 0 && limit > 0 && out.length >= limit) break;
      }
    }
    last = i;
  }
  return out;
}

/** georadiusGeneric: GEORADIUS[BYMEMBER][_RO], GEOSEARCH, GEOSEARCHSTORE. */
function georadiusGeneric(c: Client, argv: Buffer[], srcIdx: number, flags: number): void {
  let storeKey: string | null = null;
  let storeDist = false;
  const z = readZset(c, key(argv[srcIdx]));
  if (z === null) return;
  let baseArgs: number;
  const shape: Shape = { lon: 0, lat: 0, conversion: 1 };
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    const ll = lonLatArgs(c, argv[2], argv[3]);
    if (ll === null) return;
    [shape.lon, shape.lat] = ll;
    if (!radiusArgs(c, argv[4], argv[5], shape)) return;
  } else if (flags & RADIUS_MEMBER && z === undefined) {
    // no source: parse the options anyway, the reply depends on STORE
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    const s = (z as ZSetValue).score(key(argv[2]));
    if (s === undefined) {
      c.reply.error('ERR could not decode requested zset member');
      return;
    }
    [shape.lon, shape.lat] = decodeScore(s);
    if (!radiusArgs(c, argv[3], argv[4], shape)) return;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = key(argv[1]);
    }
  }
  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const a = argv[baseArgs + i];
    const left = remaining - i - 1;
    if (is(a, 'withdist')) withDist = true;
    else if (is(a, 'withhash')) withHash = true;
    else if (is(a, 'withcoord')) withCoords = true;
    else if (is(a, 'any')) any = true;
    else if (is(a, 'asc')) sort = SORT_ASC;
    else if (is(a, 'desc')) sort = SORT_DESC;
    else if (is(a, 'count') && left >= 1) {
      const v = parseInt64(argv[baseArgs + i + 1]);
      if (v === null) {
        c.reply.error(E.notInt);
        return;
      }
      if (v <= 0) {
        c.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
      i++;
    } else if (
      (is(a, 'store') || is(a, 'storedist')) &&
      left >= 1 &&
      !(flags & RADIUS_NOSTORE) &&
      !(flags & GEOSEARCH)
    ) {
      storeKey = key(argv[baseArgs + i + 1]);
      storeDist = is(a, 'storedist');
      i++;
    } else if (is(a, 'storedist') && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (is(a, 'frommember') && left >= 1 && flags & GEOSEARCH && !fromLoc) {
      if (z !== undefined) {
        const s = z.score(key(argv[baseArgs + i + 1]));
        if (s === undefined) {
          c.reply.error('ERR could not decode requested zset member');
          return;
        }
        [shape.lon, shape.lat] = decodeScore(s);
      }
      fromMember = true;
      i++;
    } else if (is(a, 'fromlonlat') && left >= 2 && flags & GEOSEARCH && !fromMember) {
      const ll = lonLatArgs(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2]);
      if (ll === null) return;
      [shape.lon, shape.lat] = ll;
      fromLoc = true;
      i += 2;
    } else if (is(a, 'byradius') && left >= 2 && flags & GEOSEARCH && !byBox) {
      if (!radiusArgs(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2], shape)) return;
      byRadius = true;
      i += 2;
    } else if (is(a, 'bybox') && left >= 3 && flags & GEOSEARCH && !byRadius) {
      if (!boxArgs(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2], argv[baseArgs + i + 3], shape)) return;
      byBox = true;
      i += 3;
    } else {
      c.reply.error(E.syntax);
      return;
    }
  }
  const name = key(argv[0]);
  if (storeKey !== null && (withDist || withHash || withCoords)) {
    c.reply.error(
      `ERR ${flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
    return;
  }
  if (flags & GEOSEARCH && !(fromMember || fromLoc)) {
    c.reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
    return;
  }
  if (flags & GEOSEARCH && !(byRadius || byBox)) {
    c.reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
    return;
  }
  if (any && !count) {
    c.reply.error('ERR the ANY argument requires COUNT argument');
    return;
  }
  if (z === undefined) {
    if (storeKey !== null) {
      if (c.db.delete(storeKey)) {
        c.server.dirty++;
        notify(c, 'g', 'del', storeKey);
      }
      c.reply.int(0);
    } else c.reply.array(0);
    return;
  }
  // COUNT without an order means the nearest ones
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const points = pointsInShape(z, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) {
    c.reply.array(0);
    return;
  }
  if (sort === SORT_ASC) points.sort((p, q) => (p.dist > q.dist ? 1 : p.dist === q.dist ? 0 : -1));
  else if (sort === SORT_DESC) points.sort((p, q) => (p.dist > q.dist ? -1 : p.dist === q.dist ? 0 : 1));
  const n = count === 0 || points.length < count ? points.length : count;
  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
    c.reply.array(n);
    for (let i = 0; i < n; i++) {
      const p = points[i];
      if (options) c.reply.array(options + 1);
      c.reply.bulkStr(p.member);
      if (withDist) replyDistance(c, p.dist / shape.conversion);
      if (withHash) c.reply.int(BigInt(Math.trunc(p.score)));
      if (withCoords) {
        c.reply.array(2);
        replyCoord(c, p.lon);
        replyCoord(c, p.lat);
      }
    }
    return;
  }
  const items: ZItem[] = [];
  let maxLen = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i];
    items.push(new ZItem(p.member, storeDist ? p.dist / shape.conversion : p.score));
    if (p.member.length > maxLen) maxLen = p.member.length;
  }
  items.sort((a, b) =>
    a.score < b.score ? -1 : a.score > b.score ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0,
  );
  storeResult(
    c,
    storeKey,
    buildStored(c, items, maxLen),
    flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore',
  );
}

/** extractDistanceOrReply: radius and unit into `shape`; false after writing the error. */
function radiusArgs(c: Client, r: Buffer, unit: Buffer, shape: Shape): boolean {
  const d = scoreArg(c, r, 'ERR need numeric radius');
  if (d === null) return false;
  if (d < 0) {
    c.reply.error('ERR radius cannot be negative');
    return false;
  }
  const u = unitArg(c, unit);
  if (u === null) return false;
  shape.radius = d;
  shape.width = undefined;
  shape.height = undefined;
  shape.conversion = u;
  return true;
}

/** extractBoxOrReply. */
function boxArgs(c: Client, w: Buffer, h: Buffer, unit: Buffer, shape: Shape): boolean {
  const width = scoreArg(c, w, 'ERR need numeric width');
  if (width === null) return false;
  const height = scoreArg(c, h, 'ERR need numeric height');
  if (height === null) return false;
  if (height < 0 || width < 0) {
    c.reply.error('ERR height or width cannot be negative');
    return false;
  }
  const u = unitArg(c, unit);
  if (u === null) return false;
  shape.radius = undefined;
  shape.width = width;
  shape.height = height;
  shape.conversion = u;
  return true;
}

// GEORADIUS key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
function georadius(c: Client, argv: Buffer[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS);
}

// GEORADIUS_RO key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
function georadiusRo(c: Client, argv: Buffer[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}

// GEORADIUSBYMEMBER key member radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
function georadiusbymember(c: Client, argv: Buffer[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER);
}

// GEORADIUSBYMEMBER_RO key member radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
function georadiusbymemberRo(c: Client, argv: Buffer[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}

// GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
function geosearch(c: Client, argv: Buffer[]): void {
  georadiusGeneric(c, argv, 1, GEOSEARCH);
}

// GEOSEARCHSTORE destination source FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI [ASC | DESC] [COUNT count [ANY]] [STOREDIST]
function geosearchstore(c: Client, argv: Buffer[]): void {
  georadiusGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

/**
 * GEORADIUS[BYMEMBER] keys as Redis's key specs find them: the source, then the key after the
 * first STORE and the key after the first STOREDIST, searched from the first optional argument.
 */
function georadiusKeys(start: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const out = [1];
    for (const word of ['store', 'storedist']) {
      for (let i = start; i < argv.length - 1; i++) {
        if (is(argv[i], word)) {
          out.push(i + 1);
          break;
        }
      }
    }
    return out;
  };
}

export const geoCommands: CommandDef[] = [
  { name: 'geoadd', arity: -5, flags: 'write denyoom', keys: [1, 1, 1], acl: '@geo', handler: geoadd },
  { name: 'geopos', arity: -2, flags: 'readonly', keys: [1, 1, 1], acl: '@geo', handler: geopos },
  { name: 'geodist', arity: -4, flags: 'readonly', keys: [1, 1, 1], acl: '@geo', handler: geodist },
  { name: 'geohash', arity: -2, flags: 'readonly', keys: [1, 1, 1], acl: '@geo', handler: geohash },
  { name: 'geosearch', arity: -7, flags: 'readonly', keys: [1, 1, 1], acl: '@geo', handler: geosearch },
  {
    name: 'geosearchstore',
    arity: -8,
    flags: 'write denyoom',
    keys: [1, 2, 1],
    acl: '@geo',
    handler: geosearchstore,
  },
  {
    name: 'georadius',
    arity: -6,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@geo',
    getKeys: georadiusKeys(6),
    handler: georadius,
  },
  { name: 'georadius_ro', arity: -6, flags: 'readonly', keys: [1, 1, 1], acl: '@geo', handler: georadiusRo },
  {
    name: 'georadiusbymember',
    arity: -5,
    flags: 'write denyoom',
    keys: [1, 1, 1],
    acl: '@geo',
    getKeys: georadiusKeys(5),
    handler: georadiusbymember,
  },
  {
    name: 'georadiusbymember_ro',
    arity: -5,
    flags: 'readonly',
    keys: [1, 1, 1],
    acl: '@geo',
    handler: georadiusbymemberRo,
  },
];
