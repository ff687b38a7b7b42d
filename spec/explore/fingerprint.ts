/**
 * 64-bit fingerprints of canonical state keys, as TLC keeps them: the visited set holds 8
 * bytes per state instead of a key of a few hundred characters, which is what lets a search
 * of tens of millions of states fit in memory. Two different states with one fingerprint
 * would be merged (and the second never expanded), so every run reports the probability of
 * that having happened (`collisionProbability`), as TLC does.
 *
 * The hash is MurmurHash3's 32-bit mixing run twice over the key's UTF-16 code units, two
 * per block, with different seeds; the two lanes also feed each other at the end, so no
 * half is a function of the other. Not cryptographic: keys are not adversarial.
 */

/** The two 32-bit halves of the last fingerprint computed: reused, not allocated per call. */
export type FingerprintOut = Uint32Array;

export function fingerprintBuffer(): FingerprintOut {
  return new Uint32Array(2);
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}

function finalMix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/**
 * Writes the fingerprint of `key` into `out` (`out[0]` high half, `out[1]` low half); another
 * `seed` gives another, independent-looking, fingerprint of the same key.
 */
export function fingerprintInto(key: string, out: FingerprintOut, seed = 0): void {
  let a = 0x9747b28c ^ Math.imul(seed, 0x27d4eb2f);
  let b = 0x5bd1e995 ^ Math.imul(seed, 0x165667b1);
  const pairs = key.length >>> 1;
  for (let i = 0; i < pairs; i++) {
    const block = key.charCodeAt(2 * i) | (key.charCodeAt(2 * i + 1) << 16);
    a = mixBlock(a, block);
    b = mixBlock(b, block ^ 0x2545f491);
  }
  if ((key.length & 1) === 1) {
    const last = key.charCodeAt(key.length - 1);
    a = mixBlock(a, last);
    b = mixBlock(b, last ^ 0x2545f491);
  }
  a = finalMix(a ^ key.length);
  b = finalMix(b ^ key.length ^ a);
  out[0] = a ^ finalMix(b);
  out[1] = b;
}

/**
 * A 128-bit fingerprint of `serialised` as 9 characters (15 bits each, from U+4000, clear of
 * surrogates): the id of a sub-object in a state's key (`world/key.ts`). It depends on the
 * content alone, so a state has one key in every thread of a parallel search; at 128 bits a
 * merge of two of even 10^10 distinct sub-objects has a chance below 10^-18, negligible
 * beside the state fingerprints' own.
 *
 * The four lanes are `fingerprintInto` with seeds 0 and 1, run in one pass over the string
 * (the same id as two calls, at half the reads: keys intern several per transition).
 */
export function contentId(serialised: string): string {
  let a = 0x9747b28c;
  let b = 0x5bd1e995;
  let c = 0x9747b28c ^ 0x27d4eb2f;
  let d = 0x5bd1e995 ^ 0x165667b1;
  const length = serialised.length;
  const pairs = length >>> 1;
  for (let i = 0; i < pairs; i++) {
    const block = serialised.charCodeAt(2 * i) | (serialised.charCodeAt(2 * i + 1) << 16);
    a = mixBlock(a, block);
    b = mixBlock(b, block ^ 0x2545f491);
    c = mixBlock(c, block);
    d = mixBlock(d, block ^ 0x2545f491);
  }
  if ((length & 1) === 1) {
    const last = serialised.charCodeAt(length - 1);
    a = mixBlock(a, last);
    b = mixBlock(b, last ^ 0x2545f491);
    c = mixBlock(c, last);
    d = mixBlock(d, last ^ 0x2545f491);
  }
  a = finalMix(a ^ length);
  b = finalMix(b ^ length ^ a);
  c = finalMix(c ^ length);
  d = finalMix(d ^ length ^ c);
  return idOf((a ^ finalMix(b)) >>> 0, b >>> 0, (c ^ finalMix(d)) >>> 0, d >>> 0);
}

function idOf(l0: number, l1: number, l2: number, l3: number): string {
  const top = ((l0 >>> 30) << 6) | ((l1 >>> 30) << 4) | ((l2 >>> 30) << 2) | (l3 >>> 30);
  return String.fromCharCode(
    0x4000 + (l0 & 0x7fff),
    0x4000 + ((l0 >>> 15) & 0x7fff),
    0x4000 + (l1 & 0x7fff),
    0x4000 + ((l1 >>> 15) & 0x7fff),
    0x4000 + (l2 & 0x7fff),
    0x4000 + ((l2 >>> 15) & 0x7fff),
    0x4000 + (l3 & 0x7fff),
    0x4000 + ((l3 >>> 15) & 0x7fff),
    0x4000 + top,
  );
}

/**
 * The probability that two of `states` distinct states share a fingerprint (the birthday
 * bound, n(n-1)/2 pairs of 2^-64 each): what a search with fingerprints may have missed.
 */
export function collisionProbability(states: number): number {
  return (states * (states - 1)) / 2 ** 65;
}

/**
 * The visited set: fingerprint to state index, open addressing over typed arrays (12 bytes a
 * slot, at most half full), no per-entry objects for the garbage collector to walk.
 */
export class FingerprintSet {
  private highs: Uint32Array;
  private lows: Uint32Array;
  /** State index + 1 per slot; 0 marks an empty slot. */
  private ids: Int32Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.highs = new Uint32Array(capacity);
    this.lows = new Uint32Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The index stored for the fingerprint, or -1. */
  get(high: number, low: number): number {
    const mask = this.ids.length - 1;
    for (let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const id = this.ids[slot] as number;
      if (id === 0) return -1;
      if (this.lows[slot] === low && this.highs[slot] === high) return id - 1;
    }
  }

  /** Stores a fingerprint not yet in the set. */
  add(high: number, low: number, index: number): void {
    if (2 * (this.count + 1) > this.ids.length) this.grow();
    this.place(high, low, index + 1);
    this.count += 1;
  }

  private place(high: number, low: number, idPlusOne: number): void {
    const mask = this.ids.length - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    while (this.ids[slot] !== 0) slot = (slot + 1) & mask;
    this.highs[slot] = high;
    this.lows[slot] = low;
    this.ids[slot] = idPlusOne;
  }

  private grow(): void {
    const { highs, lows, ids } = this;
    this.highs = new Uint32Array(ids.length * 2);
    this.lows = new Uint32Array(ids.length * 2);
    this.ids = new Int32Array(ids.length * 2);
    for (let slot = 0; slot < ids.length; slot++) {
      const id = ids[slot] as number;
      if (id !== 0) this.place(highs[slot] as number, lows[slot] as number, id);
    }
  }
}
