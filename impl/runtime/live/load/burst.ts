/**
 * The arithmetic of a burst, as `kd load` drives one: how N pods are spread over F
 * functions, and the tally of what the API shows as pods become Ready. No clock here: the
 * caller passes the time of each observation, in ms since the load was accepted.
 */
import type { ObjectKey } from '../../../../spec/types/ids.js';
import type { PodView } from '../../../../spec/types/objects.js';

/** `pods` over `functions`: pods/F each, the remainder one each to the first ones. */
export const spreadLoad = (
  pods: number,
  functions: readonly ObjectKey[],
): Record<ObjectKey, number> => {
  const each = Math.floor(pods / functions.length);
  const remainder = pods % functions.length;
  return Object.fromEntries(functions.map((key, i) => [key, each + (i < remainder ? 1 : 0)]));
};

/** Every function's load set to 0. */
export const zeroLoad = (functions: readonly ObjectKey[]): Record<ObjectKey, number> =>
  Object.fromEntries(functions.map((key) => [key, 0]));

/** The nearest-rank percentile (`p` in 0..1) of ascending `sorted`; null when empty. */
export const percentile = (sorted: readonly number[], p: number): number | null =>
  sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null);

export interface BurstFigures {
  /** Pods Ready and not deleting at the end. */
  readonly ready: number;
  /** When the count of such pods first reached the target; null if it did not. */
  readonly allReadyMs: number | null;
  /** Over the pods Ready at the end: when each was first seen Ready. */
  readonly perPodMs: { readonly p50: number; readonly p90: number } | null;
}

/**
 * Pods seen Ready and not deleting, keyed by uid (a pod made again under its name is
 * another pod), with the time each was first seen Ready.
 */
export class BurstTally {
  private readonly firstReadyMs = new Map<string, number>();
  private readonly readyNow = new Set<string>();
  private allReadyMs: number | null = null;

  constructor(readonly target: number) {}

  get ready(): number {
    return this.readyNow.size;
  }

  get done(): boolean {
    return this.allReadyMs !== null;
  }

  /** A pod as the API shows it now, `atMs` after the load was accepted. */
  upsert(pod: PodView, atMs: number): void {
    if (pod.ready && !pod.deleting) {
      this.readyNow.add(pod.uid);
      if (!this.firstReadyMs.has(pod.uid)) this.firstReadyMs.set(pod.uid, atMs);
    } else this.readyNow.delete(pod.uid);
    if (this.allReadyMs === null && this.readyNow.size >= this.target) this.allReadyMs = atMs;
  }

  remove(pod: PodView): void {
    this.readyNow.delete(pod.uid);
  }

  figures(): BurstFigures {
    const times = [...this.readyNow]
      .map((uid) => this.firstReadyMs.get(uid) ?? 0)
      .sort((a, b) => a - b);
    const p50 = percentile(times, 0.5);
    const p90 = percentile(times, 0.9);
    return {
      ready: this.readyNow.size,
      allReadyMs: this.allReadyMs,
      perPodMs: p50 === null || p90 === null ? null : { p50, p90 },
    };
  }
}
