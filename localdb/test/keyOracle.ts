// Not a test file: the oracles localdb's index tests share (a seeded PRNG, a plain
// comparison of compound keys), kept apart from the code under test on purpose.
import { compareValues } from '../src/storage/compareValues.js';

/** A small deterministic PRNG (mulberry32), so a failure replays. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Compares two compound keys field by field with MongoDB's BSON order, each field in
 * its direction: -1, 0 or 1.
 */
export function compareKeys(
  a: readonly unknown[],
  b: readonly unknown[],
  dirs: ReadonlyArray<1 | -1>,
): number {
  for (let i = 0; i < dirs.length; i += 1) {
    const c = compareValues(a[i], b[i]) * (dirs[i] as number);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}
