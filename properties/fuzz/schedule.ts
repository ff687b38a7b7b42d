/**
 * Fault schedules as plain data, and the interpreter that plays one against the sim
 * runtime. A schedule is a list of choices; each choice names what happens next by small
 * integers (which pending event, which stage), resolved against the cluster's state when it
 * is played, so any list is valid and fast-check can shrink it freely: fewer steps, fewer
 * faults, smaller indices.
 *
 * After the schedule, a liveness phase heals everything (restarts crashed stages, ends the
 * outage) and runs the default policy until every liveness property holds at once, or the
 * bound is reached.
 */
import fc from 'fast-check';
import type { SimCluster } from '../../impl/runtime/sim/cluster.js';
import type { Pending, SimAction } from '../../impl/runtime/sim/types.js';
import type { StageId } from '../../spec/types/ids.js';

export type Choice =
  /** Take the `index`-th pending event (modulo the number pending, in scheduling order). */
  | { readonly kind: 'take'; readonly index: number }
  | { readonly kind: 'drop'; readonly index: number }
  | { readonly kind: 'duplicate'; readonly index: number }
  | { readonly kind: 'delay'; readonly index: number; readonly ms: number }
  /** Crash the `stage`-th stage if it runs, else restart it. */
  | { readonly kind: 'crashOrRestart'; readonly stage: number }
  | { readonly kind: 'outage'; readonly on: boolean }
  | { readonly kind: 'relist'; readonly stage: number };

/** Mostly ordinary steps, with faults among them. */
export const choiceArbitrary: fc.Arbitrary<Choice> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('take' as const), index: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), index: fc.nat(40) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat(40) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delay' as const),
      index: fc.nat(40),
      ms: fc.integer({ min: 1, max: 50 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('crashOrRestart' as const), stage: fc.nat(10) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outage' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('relist' as const), stage: fc.nat(10) }) },
);

export const scheduleArbitrary = (maxLength: number): fc.Arbitrary<Choice[]> =>
  fc.array(choiceArbitrary, { maxLength });

/** The action a choice stands for in this cluster now, or null when it has nothing to act on. */
export const resolve = (
  cluster: SimCluster,
  stages: readonly StageId[],
  choice: Choice,
): SimAction | null => {
  const pending = cluster.pending();
  const pick = (index: number): Pending | undefined => pending[index % Math.max(1, pending.length)];
  switch (choice.kind) {
    case 'take':
    case 'delay': {
      const event = pick(choice.index);
      if (!event) return null;
      if (choice.kind === 'delay') return { type: 'delay', id: event.id, ms: choice.ms };
      return { type: 'take', id: event.id };
    }
    case 'drop':
    case 'duplicate': {
      // Only direct messages and replies are lost or duplicated (protocol.md §8); a lost API
      // request or watch event is a different fault (a timeout, a relist), not yet modelled.
      const messages = pending.filter((p) => p.kind === 'message');
      const event = messages[choice.index % Math.max(1, messages.length)];
      return event ? { type: choice.kind, id: event.id } : null;
    }
    case 'crashOrRestart': {
      const stage = stages[choice.stage % stages.length] as StageId;
      return cluster.snapshotOf(stage) === null
        ? { type: 'restart', stage }
        : { type: 'crash', stage };
    }
    case 'outage':
      return { type: 'apiOutage', on: choice.on };
    case 'relist': {
      const stage = stages[choice.stage % stages.length] as StageId;
      return cluster.snapshotOf(stage) === null ? null : { type: 'relist', stage };
    }
  }
};
