/**
 * A set of keys that only grows (pods deleted from the API), whose state at each step the
 * Observations of that step keep. Copying the set into every Observation cost a pass over
 * every pod ever deleted per step, quadratic in a run's length (3.4 % of the small preset's
 * samples over 100 load cycles). Here every key remembers when it was added, and the set as
 * it stood at size n answers `has` for the keys added before the n-th: later additions do
 * not show in it, and no key is ever removed.
 */
import type { KeySet } from '../../spec/types/observation.js';

export class GrowingKeys {
  /** Each key and its position in the order of addition. */
  private readonly added = new Map<string, number>();
  private asNow: KeySet | null = null;

  has(key: string): boolean {
    return this.added.has(key);
  }

  /** Adds `key` (a key already there keeps its place). */
  add(key: string): void {
    if (this.added.has(key)) return;
    this.added.set(key, this.added.size);
    this.asNow = null;
  }

  /** The set as it stands now, unchanged by later additions (one object per size). */
  now(): KeySet {
    if (this.asNow === null) {
      const size = this.added.size;
      const added = this.added;
      this.asNow = {
        has: (key) => {
          const at = added.get(key);
          return at !== undefined && at < size;
        },
      };
    }
    return this.asNow;
  }
}
