/**
 * The sharded search of `explore/parallel.ts` on one thread, shards stepped in turn: the
 * algorithm (ownership, claims, moves, gathering) checked without worker threads, so a test
 * can compare its result with the one-thread explorer's on many small models quickly.
 */

import { gather } from '../explore/gather.js';
import { afterLevel, balance, Shard } from '../explore/shard.js';
import type { StopReason } from '../explore/verdicts.js';
import type { ExploreResult } from '../explore.js';
import type { Model } from '../model.js';
import type { Catalogue } from '../types/index.js';

export function exploreSharded<S>(
  model: Model<S>,
  catalogue: Catalogue,
  count: number,
  options: { stopAtFirstViolation?: boolean; maxStates?: number; maxDepth?: number } = {},
): ExploreResult {
  const stopAtFirstViolation = options.stopAtFirstViolation ?? true;
  const perShard = Math.ceil((options.maxStates ?? Number.POSITIVE_INFINITY) / count);
  const shards = Array.from(
    { length: count },
    (_, i) => new Shard(model, catalogue, i, count, perShard, stopAtFirstViolation),
  );
  for (const shard of shards) shard.seed();
  let stop: StopReason | null = null;
  for (let depth = 0; ; depth++) {
    const reports = shards.map((s) => s.report());
    stop = afterLevel(reports, stopAtFirstViolation, depth, options.maxDepth);
    if (stop !== null) break;
    for (const move of balance(reports.map((r) => r.frontier))) {
      shards[move.to]?.take(shards[move.from]?.give(move.count) ?? []);
    }
    // Claims handed over as they are, one batch per claimant and owner.
    const claims = shards.map(() => shards.map((): number[] => []));
    for (const shard of shards) {
      shard.expandLevel((owner, high, low) => claims[shard.index]?.[owner]?.push(high, low));
    }
    for (const owner of shards) {
      for (const c of shards)
        owner.receiveClaims(c.index, Int32Array.from(claims[c.index]?.[owner.index] ?? []));
    }
    for (const owner of shards) {
      const answers = owner.decide();
      for (const c of shards) c.receiveGrants(owner.index, answers[c.index] as Uint8Array);
    }
    for (const shard of shards) shard.settle();
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
