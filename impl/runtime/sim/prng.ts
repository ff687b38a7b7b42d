/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32), so that every
 * choice the sim runtime makes at random (tie-breaking, jitter) comes from `--seed` and a
 * run replays byte for byte. `Math.random` is never used in the runtime.
 */

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * The largest seed: the generator keeps a seed's low 32 bits (as fast-check does), so a
 * larger one would silently run as another seed (4294967297 as 1). Commands refuse it.
 */
export const SEED_MAX = 2 ** 32 - 1;

const splitmix32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
};

export const prng = (seed: number): Prng => {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Discard the first outputs: sfc32 mixes slowly from a fresh state.
  for (let i = 0; i < 12; i += 1) next32();
  return {
    next: () => next32() / 4294967296,
    int: (n) => Math.floor((next32() / 4294967296) * n),
  };
};
