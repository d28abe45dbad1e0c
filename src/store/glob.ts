// Glob-style matching with Redis's stringmatchlen semantics (KEYS, SCAN MATCH, CONFIG GET,
// pub/sub patterns), over latin1 strings (one char per byte).
//
// Every token except `*` consumes exactly one character, so the pattern is compiled into a
// token list and matched with the classic "remember only the last star" backtracking: on a
// mismatch, the most recent star absorbs one more character. Earlier stars never need to be
// revisited (any extension they could make, the last star can make too), so the worst case is
// O(pattern × string) instead of the exponential naive recursion.
//
// Redis quirks reproduced on purpose:
// - an empty string matches only the empty pattern (even "*" does not match "");
// - inside [...], `\x` matches x literally (case-sensitively, even with nocase), and range
//   bounds are compared as *signed* chars (C `char` on x86), so `[a-\xff]` is really
//   `[\xff-a]` and does not match bytes >= 0x80 above the range;
// - `[a-]` takes `]` as the range end and keeps reading class members after it;
//   an unterminated class ends at the end of the pattern;
// - a trailing `\` is a literal backslash;
// - Redis caps the recursion over stars at 1000 levels: a pattern whose non-trailing star runs
//   number more than 1000 matches no non-empty string.

const STAR = 0;
const ANY = 1;
const LIT = 2;
const CLASS = 3;

/** Star runs a match may pass through, as Redis's nesting limit. */
const MAX_STAR_NESTING = 1000;

/**
 * Longer patterns are matched in place instead of compiled: compiling costs memory per pattern
 * byte (a class table per `[]`), and patterns can be as long as a bulk string.
 */
const COMPILE_LIMIT = 4096;

export interface CompiledGlob {
  readonly pattern: string;
  readonly nocase: boolean;
  /** Token kinds (STAR ANY LIT CLASS), or null when the pattern is matched in place. */
  readonly kinds: Uint8Array | null;
  /** LIT: the char code (lower-cased when nocase); CLASS: index into `classes`. */
  readonly args: Int32Array | null;
  readonly classes: Uint8Array[];
  /** True when no match is possible for a non-empty string (too many star runs). */
  readonly tooDeep: boolean;
  /** The pattern has no special character: matching is plain (case-folded) equality. */
  readonly literal: string | null;
}

/** Signed value of a byte, as a C `char` on x86. */
function signed(code: number): number {
  return code >= 128 && code < 256 ? code - 256 : code;
}

/** ASCII-only tolower, as C's tolower in the C locale. */
function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Result of classAt besides the end position (avoids allocating a tuple per call). */
let classHit = false;

/**
 * Reads the class starting just after a `[` at `p`, testing char `c` against it. Returns the
 * position after the class and sets `classHit`.
 */
function classAt(pattern: string, p: number, c: number, nocase: boolean): number {
  const n = pattern.length;
  const negate = p < n && pattern.charCodeAt(p) === 94; /* ^ */
  if (negate) p++;
  let hit = false;
  for (;;) {
    if (p >= n) break; // unterminated: the class ends with the pattern
    const pc = pattern.charCodeAt(p);
    if (pc === 92 /* \ */ && n - p >= 2) {
      // escaped member: compared exactly, even with nocase
      if (pattern.charCodeAt(p + 1) === c) hit = true;
      p += 2;
    } else if (pc === 93 /* ] */) {
      p++;
      break;
    } else if (n - p >= 3 && pattern.charCodeAt(p + 1) === 45 /* - */) {
      let lo = signed(pc);
      let hi = signed(pattern.charCodeAt(p + 2));
      if (lo > hi) {
        const t = lo;
        lo = hi;
        hi = t;
      }
      let x = signed(c);
      if (nocase) {
        lo = lower(lo);
        hi = lower(hi);
        x = lower(x);
      }
      if (x >= lo && x <= hi) hit = true;
      p += 3;
    } else {
      if (nocase ? lower(pc) === lower(c) : pc === c) hit = true;
      p++;
    }
  }
  classHit = negate ? !hit : hit;
  return p;
}

/** Kind of the token at `p` (for a `\` escape, the literal it stands for is at p+1). */
function kindAt(pattern: string, p: number): number {
  const ch = pattern.charCodeAt(p);
  if (ch === 42) return STAR;
  if (ch === 63) return ANY;
  if (ch === 91) return CLASS;
  return LIT;
}

/** Position after a literal token at `p` (a `\` escapes the next char unless it is last). */
function litEnd(pattern: string, p: number): number {
  return pattern.charCodeAt(p) === 92 && pattern.length - p >= 2 ? p + 2 : p + 1;
}

/** Star runs other than a trailing one: each costs Redis one level of recursion. */
function countStarRuns(pattern: string): number {
  const n = pattern.length;
  let runs = 0;
  let p = 0;
  while (p < n) {
    const k = kindAt(pattern, p);
    if (k === STAR) {
      while (p < n && pattern.charCodeAt(p) === 42) p++;
      if (p < n) runs++;
    } else if (k === CLASS) {
      p = classAt(pattern, p + 1, -1, false);
    } else if (k === ANY) {
      p++;
    } else {
      p = litEnd(pattern, p);
    }
  }
  return runs;
}

/** Compiles a pattern. The result is immutable and can be reused for many strings. */
export function compileGlob(pattern: string, nocase = false): CompiledGlob {
  const n = pattern.length;
  const literal = /[*?[\\]/.test(pattern) ? null : pattern;
  const tooDeep = countStarRuns(pattern) > MAX_STAR_NESTING;
  if (n > COMPILE_LIMIT) {
    return { pattern, nocase, kinds: null, args: null, classes: [], tooDeep, literal };
  }
  const kinds = new Uint8Array(n);
  const args = new Int32Array(n);
  const classes: Uint8Array[] = [];
  let m = 0;
  let p = 0;
  while (p < n) {
    const k = kindAt(pattern, p);
    if (k === STAR) {
      // consecutive stars are one token
      while (p < n && pattern.charCodeAt(p) === 42) p++;
      kinds[m++] = STAR;
    } else if (k === ANY) {
      kinds[m++] = ANY;
      p++;
    } else if (k === CLASS) {
      // slot 256 answers for chars beyond latin1 (never produced by the server)
      const table = new Uint8Array(257);
      let end = p;
      for (let b = 0; b <= 256; b++) {
        end = classAt(pattern, p + 1, b, nocase);
        table[b] = classHit ? 1 : 0;
      }
      kinds[m] = CLASS;
      args[m++] = classes.length;
      classes.push(table);
      p = end;
    } else {
      const e = litEnd(pattern, p);
      const c = pattern.charCodeAt(e - 1);
      kinds[m] = LIT;
      args[m++] = nocase ? lower(c) : c;
      p = e;
    }
  }
  return {
    pattern,
    nocase,
    kinds: kinds.subarray(0, m),
    args: args.subarray(0, m),
    classes,
    tooDeep,
    literal,
  };
}

/** Matches a string against a compiled pattern. */
export function matchCompiled(g: CompiledGlob, s: string): boolean {
  const kinds = g.kinds;
  const args = g.args;
  if (kinds === null || args === null) return matchInPlace(g.pattern, s, g.nocase, g.tooDeep);
  const m = kinds.length;
  const n = s.length;
  // Redis never enters its loop for an empty string: only the empty pattern matches it
  if (n === 0) return m === 0;
  if (g.tooDeep) return false;
  const nocase = g.nocase;
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < n) {
    if (p < m) {
      const k = kinds[p];
      if (k === STAR) {
        starP = p++;
        starI = i;
        continue;
      }
      let ok: boolean;
      const c = s.charCodeAt(i);
      if (k === ANY) ok = true;
      else if (k === LIT) ok = (nocase ? lower(c) : c) === args[p];
      else ok = g.classes[args[p]][Math.min(c, 256)] === 1;
      if (ok) {
        p++;
        i++;
        continue;
      }
    }
    // mismatch (or pattern exhausted): let the last star absorb one more character
    if (starP < 0) return false;
    p = starP + 1;
    i = ++starI;
  }
  while (p < m && kinds[p] === STAR) p++;
  return p === m;
}

/**
 * The same algorithm reading tokens straight from the pattern: no allocation, for long patterns.
 * `tooDeep` may be passed when already known.
 */
export function matchInPlace(pattern: string, s: string, nocase = false, tooDeep?: boolean): boolean {
  const m = pattern.length;
  const n = s.length;
  if (n === 0) return m === 0;
  if (tooDeep ?? countStarRuns(pattern) > MAX_STAR_NESTING) return false;
  let p = 0;
  let i = 0;
  let starP = -1; // position just after the last star run
  let starI = 0;
  while (i < n) {
    if (p < m) {
      const k = kindAt(pattern, p);
      if (k === STAR) {
        while (p < m && pattern.charCodeAt(p) === 42) p++;
        starP = p;
        starI = i;
        continue;
      }
      const c = s.charCodeAt(i);
      let next: number;
      let ok: boolean;
      if (k === ANY) {
        ok = true;
        next = p + 1;
      } else if (k === LIT) {
        next = litEnd(pattern, p);
        const pc = pattern.charCodeAt(next - 1);
        ok = nocase ? lower(pc) === lower(c) : pc === c;
      } else {
        next = classAt(pattern, p + 1, c, nocase);
        ok = classHit;
      }
      if (ok) {
        p = next;
        i++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    i = ++starI;
  }
  while (p < m && pattern.charCodeAt(p) === 42) p++;
  return p === m;
}

/** Redis stringmatchlen: does `s` match the glob `pattern`? */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  // a one-off match needs no compilation
  return matchInPlace(pattern, s, nocase);
}

/** True if the pattern is a plain string (no `*`, `?`, `[` or `\`), so a lookup suffices. */
export function isLiteralPattern(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}
