// Deterministic randomness for tests, so a failure reproduces from its seed.

/** mulberry32: a small, fast 32-bit PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sorted distinct cut positions in [0, len] (at most `max` of them). */
export function randomCuts(len: number, rnd: () => number, max: number): number[] {
  const n = Math.floor(rnd() * max);
  const cuts = new Set<number>();
  for (let i = 0; i < n; i++) cuts.add(Math.floor(rnd() * (len + 1)));
  return [...cuts].sort((a, b) => a - b);
}

/** Splits `buf` at the given sorted positions. */
export function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  return out;
}
