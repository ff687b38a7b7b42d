// The `small` preset's load cycles in the sim runtime: what `bench:impl` times (part 1) and
// what bench/profile/small-preset.ts runs under `node --cpu-prof`.
import { WARM_UP_MS } from '../impl/runtime/scenarios.js';
import { runDefault, SimCluster } from '../impl/runtime/sim/index.js';
import { STAGES } from '../impl/stages/registry.js';
import { objectKey } from '../spec/types/ids.js';
import { makeConfig } from '../spec/types/mutants.js';

/** Virtual time given to each load change of the small preset to settle (sandbox start 100 ms). */
const SETTLE_MS = 400;
/** Step bound of one settle (the small preset settles in a few hundred). */
const SETTLE_STEP_MAX = 100_000;

export interface Measure {
  readonly steps: number;
  readonly seconds: number;
}

/** One run: `rounds` cycles of load 0 → 2 → 0 on each function of the `small` preset. */
export const smallRun = (rounds: number, observeEachStep: boolean, seed: number): Measure => {
  const config = makeConfig('small', 'hardened', null);
  const started = performance.now();
  const cluster = new SimCluster({
    config,
    mode: 'direct',
    registry: STAGES,
    seed,
    observeEachStep,
  });
  const settle = (untilMs: number) => runDefault(cluster, { stepMax: SETTLE_STEP_MAX, untilMs });
  // Start-up as in a scenario: informer lists, handshakes and their notReady retries.
  settle(WARM_UP_MS);
  const deployments = config.preset.functions.map((fn) => objectKey(fn.namespace, fn.name));
  for (let round = 0; round < rounds; round += 1) {
    for (const load of [0, config.preset.desiredMax, 0]) {
      for (const deployment of deployments) cluster.apply({ type: 'load', deployment, load });
      settle(cluster.nowMs + SETTLE_MS);
    }
  }
  return { steps: cluster.steps, seconds: (performance.now() - started) / 1000 };
};
