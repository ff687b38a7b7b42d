/**
 * A burst from zero on a running live cluster, as `kd load` measures it: the functions' load
 * is set to 0 and the API watched until none of their pods remain; then N pods are asked
 * for, spread over the functions, and the clock runs from the moment the control endpoint
 * accepted the load until the API shows N of their pods Ready and not deleting. Each phase
 * is bounded by the same timeout.
 */
import type { ObjectKey } from '../../../../spec/types/ids.js';
import { type BurstFigures, BurstTally, spreadLoad, zeroLoad } from './burst.js';
import type { FunctionPods } from './function-pods.js';

export interface BurstPlan {
  readonly pods: number;
  readonly functions: readonly ObjectKey[];
  /** Bound on each phase: the drain, then the burst. */
  readonly timeoutMs: number;
}

export interface BurstDeps {
  readonly setLoads: (loads: Record<ObjectKey, number>) => Promise<unknown>;
  readonly watch: FunctionPods;
  /** A monotonic clock in ms (the CLI passes `performance.now`). */
  readonly nowMs: () => number;
  readonly onProgress?: (progress: BurstProgress) => void;
}

export type BurstProgress =
  | { readonly phase: 'drain'; readonly remaining: number; readonly elapsedMs: number }
  | {
      readonly phase: 'burst';
      readonly ready: number;
      readonly target: number;
      readonly elapsedMs: number;
    };

export type BurstOutcome =
  | { readonly kind: 'not-drained'; readonly remaining: number; readonly elapsedMs: number }
  | ({ readonly kind: 'burst'; readonly target: number } & BurstFigures);

export const driveBurst = async (plan: BurstPlan, deps: BurstDeps): Promise<BurstOutcome> => {
  const { watch, nowMs, onProgress } = deps;
  const drainStartMs = nowMs();
  await deps.setLoads(zeroLoad(plan.functions));
  const drained = await waitFor(watch, plan.timeoutMs, () => {
    onProgress?.({ phase: 'drain', remaining: watch.count, elapsedMs: nowMs() - drainStartMs });
    return watch.count === 0;
  });
  if (!drained)
    return { kind: 'not-drained', remaining: watch.count, elapsedMs: nowMs() - drainStartMs };

  const tally = new BurstTally(plan.pods);
  let startMs = Number.NaN;
  const stopTally = watch.onChange((change) => {
    // Changes before the load is accepted (none, after the drain) count from its acceptance.
    const atMs = Number.isNaN(startMs) ? 0 : nowMs() - startMs;
    if (change.type === 'upsert') tally.upsert(change.pod, atMs);
    else tally.remove(change.pod);
  });
  await deps.setLoads(spreadLoad(plan.pods, plan.functions));
  startMs = nowMs();
  await waitFor(watch, plan.timeoutMs, () => {
    onProgress?.({
      phase: 'burst',
      ready: tally.ready,
      target: plan.pods,
      elapsedMs: nowMs() - startMs,
    });
    return tally.done;
  });
  stopTally();
  return { kind: 'burst', target: plan.pods, ...tally.figures() };
};

/**
 * Resolves true once `check` holds (it is asked now and after every change the watch
 * delivers), false once `timeoutMs` passed without.
 */
const waitFor = (watch: FunctionPods, timeoutMs: number, check: () => boolean): Promise<boolean> =>
  new Promise((resolve) => {
    const settle = (value: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    const timer = setTimeout(() => settle(false), timeoutMs);
    const unsubscribe = watch.onChange(() => {
      if (check()) settle(true);
    });
    if (check()) settle(true);
  });
