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

export interface CompiledGlob {
  /** Token kinds: STAR ANY LIT CLASS. */
  readonly kinds: Uint8Array;
  /** LIT: the char code (lower-cased when nocase); CLASS: index into `classes`. */
  readonly args: Int32Array;
  readonly classes: Uint8Array[];
  readonly nocase: boolean;
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

/** Compiles a pattern. The result is immutable and can be reused for many strings. */
export function compileGlob(pattern: string, nocase = false): CompiledGlob {
  const n = pattern.length;
  const kinds: number[] = [];
  const args: number[] = [];
  const classes: Uint8Array[] = [];
  let special = false;
  let p = 0;
  while (p < n) {
    const ch = pattern.charCodeAt(p);
    if (ch === 42 /* * */) {
      special = true;
      // consecutive stars are one token
      if (kinds.length === 0 || kinds[kinds.length - 1] !== STAR) {
        kinds.push(STAR);
        args.push(0);
      }
      p++;
    } else if (ch === 63 /* ? */) {
      special = true;
      kinds.push(ANY);
      args.push(0);
      p++;
    } else if (ch === 91 /* [ */) {
      special = true;
      p++;
      // slot 256 answers for chars beyond latin1 (never produced by the server)
      const table = new Uint8Array(257);
      const negate = p < n && pattern.charCodeAt(p) === 94; /* ^ */
      if (negate) p++;
      for (;;) {
        if (p >= n) break; // unterminated: the class ends with the pattern
        const c = pattern.charCodeAt(p);
        if (c === 92 /* \ */ && n - p >= 2) {
          const e = pattern.charCodeAt(p + 1);
          if (e < 256) table[e] = 1;
          p += 2;
        } else if (c === 93 /* ] */) {
          p++;
          break;
        } else if (n - p >= 3 && pattern.charCodeAt(p + 1) === 45 /* - */) {
          let start = signed(pattern.charCodeAt(p));
          let end = signed(pattern.charCodeAt(p + 2));
          if (start > end) {
            const t = start;
            start = end;
            end = t;
          }
          if (nocase) {
            start = lower(start);
            end = lower(end);
          }
          for (let b = 0; b < 256; b++) {
            const v = signed(nocase ? lower(b) : b);
            if (v >= start && v <= end) table[b] = 1;
          }
          p += 3;
        } else {
          if (nocase) {
            const lc = lower(c);
            for (let b = 0; b < 256; b++) if (lower(b) === lc) table[b] = 1;
          } else if (c < 256) {
            table[c] = 1;
          }
          p++;
        }
      }
      if (negate) for (let b = 0; b <= 256; b++) table[b] ^= 1;
      kinds.push(CLASS);
      args.push(classes.length);
      classes.push(table);
    } else {
      let c = ch;
      if (ch === 92 /* \ */) {
        special = true;
        if (n - p >= 2) p++;
        c = pattern.charCodeAt(p);
      }
      kinds.push(LIT);
      args.push(nocase ? lower(c) : c);
      p++;
    }
  }
  let starRuns = 0;
  for (let i = 0; i < kinds.length - 1; i++) if (kinds[i] === STAR) starRuns++;
  return {
    kinds: Uint8Array.from(kinds),
    args: Int32Array.from(args),
    classes,
    nocase,
    tooDeep: starRuns > MAX_STAR_NESTING,
    literal: special ? null : pattern,
  };
}

/** Matches a string against a compiled pattern. */
export function matchCompiled(g: CompiledGlob, s: string): boolean {
  const kinds = g.kinds;
  const args = g.args;
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

/** Redis stringmatchlen: does `s` match the glob `pattern`? */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return matchCompiled(compileGlob(pattern, nocase), s);
}

/** True if the pattern is a plain string (no `*`, `?`, `[` or `\`), so a lookup suffices. */
export function isLiteralPattern(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}
