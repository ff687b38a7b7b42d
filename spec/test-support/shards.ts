/**
 * The sharded search of `explore/parallel.ts` on one thread, shards stepped in turn: the
 * algorithm (ownership, level phases, gathering) checked without worker threads, so a test
 * can compare its result with the one-thread explorer's on many small models quickly.
 */

import { gather } from '../explore/gather.js';
import { afterLevel, type Candidate, Shard } from '../explore/shard.js';
import type { StopReason } from '../explore/verdicts.js';
import type { ExploreResult } from '../explore.js';
import type { Model } from '../model.js';
import type { Catalogue } from '../types/index.js';

export function exploreSharded<S>(
  model: Model<S>,
  catalogue: Catalogue,
  count: number,
  options: { stopAtFirstViolation?: boolean; maxStates?: number } = {},
): ExploreResult {
  const stopAtFirstViolation = options.stopAtFirstViolation ?? true;
  const perShard = Math.ceil((options.maxStates ?? Number.POSITIVE_INFINITY) / count);
  const shards = Array.from(
    { length: count },
    (_, i) => new Shard(model, catalogue, i, count, perShard, stopAtFirstViolation),
  );
  for (const shard of shards) shard.seed();
  let stop: StopReason | null = null;
  for (let depth = 1; stop === null; depth++) {
    stop = afterLevel(
      shards.map((s) => s.report()),
      stopAtFirstViolation,
    );
    if (stop !== null) break;
    for (const shard of shards) {
      // Structured-clone-free here: candidates are handed over as they are.
      shard.expandLevel((to: number, c: Candidate<S>) => shards[to]?.receive(shard.index, [c]));
    }
    for (const shard of shards) shard.absorb(depth);
  }
  return gather({
    model,
    catalogue,
    stopAtFirstViolation,
    shards: shards.map((s) => s.export()),
    stop: stop === 'done' ? null : stop,
    seconds: 0,
  });
}
