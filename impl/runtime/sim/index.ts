/**
 * The deterministic sim runtime: `SimCluster` (one API Server on a virtual clock, one xstate
 * actor per stage from a stage registry, every pending event explicit), its default seeded
 * policy (`runDefault`, `runScenario`) and its vocabulary (actions, pending events, step
 * records). See cluster.ts.
 */

export { informerSpecs, viewOf } from '../stage-io/index.js';
export { SimCluster, type SimSummary } from './cluster.js';
export { linkOf } from './dispatch.js';
export { stageIds } from './lifecycle.js';
export {
  type RunEnd,
  type RunOptions,
  type RunResult,
  runDefault,
  runScenario,
  type ScenarioOptions,
  type ScenarioResult,
  type TimedAction,
} from './policy.js';
export { type Prng, prng } from './prng.js';
export { KUBERNETES_DEFAULT_LIMITS, type RateLimit, TokenBucket } from './rate-limit.js';
export * from './types.js';
