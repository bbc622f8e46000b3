// A seeded pseudo-random generator for synthetic data (the benches' fleets, the timeline's tests): the
// same numbers for the same seed on every run and machine.

/** mulberry32: small, fast, good enough for test data; numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
