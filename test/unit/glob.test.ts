import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { compileGlob, globMatch, isLiteralPattern, matchCompiled, matchInPlace } from '../../src/store/glob';

/**
 * Reference: a direct, exponential-time interpreter of Redis's documented glob semantics,
 * walking the raw pattern characters with recursion on every star. Only for small inputs.
 */
function reference(pat: string, s: string, nocase: boolean): boolean {
  const low = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
  const sgn = (c: number) => (c >= 128 ? c - 256 : c);
  const go = (p: number, i: number, depth: number): boolean => {
    if (depth > 1000) return false;
    while (p < pat.length && i < s.length) {
      const pc = pat[p];
      if (pc === '*') {
        while (p + 1 < pat.length && pat[p + 1] === '*') p++;
        if (p === pat.length - 1) return true;
        for (let j = i; j < s.length; j++) if (go(p + 1, j, depth + 1)) return true;
        return false;
      }
      if (pc === '?') {
        i++;
        p++;
      } else if (pc === '[') {
        p++;
        const neg = pat[p] === '^';
        if (neg) p++;
        let hit = false;
        const c = s.charCodeAt(i);
        for (;;) {
          if (p >= pat.length) break;
          if (pat[p] === '\\' && pat.length - p >= 2) {
            if (pat.charCodeAt(p + 1) === c) hit = true;
            p += 2;
          } else if (pat[p] === ']') {
            p++;
            break;
          } else if (pat.length - p >= 3 && pat[p + 1] === '-') {
            let a = sgn(pat.charCodeAt(p));
            let b = sgn(pat.charCodeAt(p + 2));
            if (a > b) [a, b] = [b, a];
            let x = sgn(c);
            if (nocase) {
              a = low(a);
              b = low(b);
              x = low(x);
            }
            if (x >= a && x <= b) hit = true;
            p += 3;
          } else {
            const y = pat.charCodeAt(p);
            if (nocase ? low(y) === low(c) : y === c) hit = true;
            p++;
          }
        }
        if (neg) hit = !hit;
        if (!hit) return false;
        i++;
      } else {
        if (pc === '\\' && pat.length - p >= 2) p++;
        const y = pat.charCodeAt(p);
        const c = s.charCodeAt(i);
        if (nocase ? low(y) !== low(c) : y !== c) return false;
        p++;
        i++;
      }
      if (i === s.length) {
        while (p < pat.length && pat[p] === '*') p++;
        break;
      }
    }
    return p === pat.length && i === s.length;
  };
  return go(0, 0, 0);
}

const cases: [string, string, boolean, boolean?][] = [
  ['*', 'anything', true],
  ['*', '', false], // Redis: the empty string only matches the empty pattern
  ['', '', true],
  ['', 'a', false],
  ['a*', 'abc', true],
  ['a*', 'bac', false],
  ['*c', 'abc', true],
  ['a*c', 'ac', true],
  ['a*c', 'abbbc', true],
  ['a*c', 'abbb', false],
  ['h?llo', 'hello', true],
  ['h?llo', 'hllo', false],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[a-b]llo', 'hcllo', false],
  ['h[b-a]llo', 'hallo', true], // reversed range
  ['h\\*llo', 'h*llo', true],
  ['h\\*llo', 'hello', false],
  ['[\\]]', ']', true],
  ['[]', ']', false],
  ['[', 'a', false],
  ['[^', 'a', true], // unterminated negated empty class matches any char
  ['[abc', 'b', true], // unterminated class
  ['[a-]x', 'a', true], // range a..] then member x, class unterminated
  ['[\\', '\\', true],
  ['[\\a-c]', 'b', false], // \a is a member, then - and c
  ['[\\a-c]', '-', true],
  ['[b-\\]', '\\', true],
  ['[a-]x]', 'bx', false],
  ['[a-]x]', '[x', false],
  ['[a-]]', ']', true], // range a..] then literal ]
  ['[a-]]', '^', true],
  ['\\', '\\', true], // trailing backslash is literal
  ['a\\', 'a\\', true],
  ['HELLO', 'hello', false],
  ['HELLO', 'hello', true, true],
  ['[A-Z]', 'q', true, true],
  ['[\\A]', 'a', false, true], // escaped class member is case-sensitive
  ['[a-\xff]', '\xe9', false], // signed chars: the range is really \xff..a
  ['[a-\xff]', '\x05', true],
  ['[\x80-\xff]', '\xe9', true],
  ['**a', 'a', true],
  ['a**', 'a', true],
  ['a*?', 'a', false],
  ['*?*?', 'ab', true],
];

test('glob: fixed cases agree with Redis semantics', () => {
  for (const [pat, s, want, nocase] of cases) {
    const label = `${JSON.stringify(pat)} vs ${JSON.stringify(s)}`;
    assert.equal(globMatch(pat, s, nocase ?? false), want, label);
    assert.equal(matchCompiled(compileGlob(pat, nocase ?? false), s), want, `compiled: ${label}`);
    assert.equal(matchInPlace(pat, s, nocase ?? false), want, `in place: ${label}`);
    assert.equal(
      reference(pat, s, nocase ?? false),
      want,
      `reference: ${JSON.stringify(pat)} vs ${JSON.stringify(s)}`,
    );
  }
});

test('glob: matches the reference interpreter on random small inputs', () => {
  const patChar = fc.constantFrom('a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\xe9', '\xff', '\x01');
  const strChar = fc.constantFrom('a', 'b', 'A', 'B', '-', ']', '[', '^', '\\', '*', '\xe9', '\x01');
  fc.assert(
    fc.property(
      fc.array(patChar, { maxLength: 9 }).map((a) => a.join('')),
      fc.array(strChar, { maxLength: 9 }).map((a) => a.join('')),
      fc.boolean(),
      (pat, s, nocase) => {
        const want = reference(pat, s, nocase);
        return matchCompiled(compileGlob(pat, nocase), s) === want && matchInPlace(pat, s, nocase) === want;
      },
    ),
    { numRuns: 20000 },
  );
});

test('glob: star nesting limit as Redis (1000 star runs)', () => {
  const s = 'a'.repeat(3000);
  assert.equal(globMatch('*a'.repeat(1000), s), true);
  assert.equal(globMatch('*a'.repeat(1001), s), false);
  assert.equal(globMatch(`${'*a'.repeat(1000)}*`, s), true); // a trailing star does not count
  assert.equal(globMatch('**a'.repeat(1001), s), false); // consecutive stars are one run
  assert.equal(globMatch('*a'.repeat(1001), ''), false);
});

test('glob: adversarial patterns on a 100KB string complete', () => {
  const s = 'a'.repeat(100_000);
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*b', s), false);
  assert.equal(globMatch(`${'*a'.repeat(30)}*b`, s), false);
  assert.equal(globMatch('*?*?*?*?*?*?*?*?*?*?b', s), false);
  assert.equal(globMatch('*[ab]*[ab]*[ab]*[ab]*[ab]*c', `${s}c`), true);
  assert.equal(globMatch(`${'*a'.repeat(200)}`, s), true);
});

test('glob: long patterns are matched in place with the same results', () => {
  // [] is an empty class: compiling it per pattern byte would cost a table each
  const hostile = '[]'.repeat(1_000_000);
  const g = compileGlob(hostile);
  assert.equal(g.kinds, null);
  assert.equal(matchCompiled(g, 'a'), false);
  const long = `${'[ab]'.repeat(2000)}*`;
  const s = 'ab'.repeat(1000) + 'tail';
  assert.equal(matchCompiled(compileGlob(long), s), true);
  assert.equal(matchCompiled(compileGlob(`${'[ab]'.repeat(2000)}x`), s), false);
  assert.equal(
    matchCompiled(compileGlob(`${'*a'.repeat(1001)}${'x'.repeat(5000)}`), 'a'.repeat(9000)),
    false,
  );
  const ok = `${'*a'.repeat(1000)}${'\\*'.repeat(2000)}`;
  assert.equal(matchCompiled(compileGlob(ok), `${'a'.repeat(1000)}${'*'.repeat(2000)}`), true);
});

test('glob: compiled pattern is reusable; literal detection', () => {
  const g = compileGlob('user:*:name');
  assert.equal(matchCompiled(g, 'user:1:name'), true);
  assert.equal(matchCompiled(g, 'user:1:age'), false);
  assert.equal(matchCompiled(g, 'user::name'), true);
  assert.equal(isLiteralPattern('plain:key'), true);
  assert.equal(isLiteralPattern('a*'), false);
  assert.equal(isLiteralPattern('a\\b'), false);
  assert.equal(isLiteralPattern('a[b'), false);
  assert.equal(compileGlob('abc').literal, 'abc');
  assert.equal(compileGlob('a?c').literal, null);
});
