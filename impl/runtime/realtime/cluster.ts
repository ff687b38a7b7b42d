/**
 * A real-time cluster: a `SimCluster` whose clock is a `RealtimeClock`, whose API Server
 * pays JSON on the wire (`JsonWire`), with no artificial latencies (every cost is the real
 * cost of the work, in this process), warmed up on virtual time before the clock starts:
 * for `WARM_UP_MS`, and then until every stage serves and every direct link is connected.
 */
import { WARM_UP_MS } from '../scenarios.js';
import { SimCluster } from '../sim/cluster.js';
import { runDefault } from '../sim/policy.js';
import type { Latencies, SimOptions } from '../sim/types.js';
import { RealtimeClock } from './clock.js';
import { RealtimeDriver } from './driver.js';
import { JsonWire } from './wire.js';

/**
 * Nothing is delayed on purpose except the container runtime's sandbox start: a message,
 * an API call or an informer event is taken as soon as the loop gets to it.
 */
export const REALTIME_LATENCIES = (sandboxStartMs: number): Latencies => ({
  networkMs: 0,
  apiRequestMs: 0,
  apiResponseMs: 0,
  informerLagMs: 0,
  sandboxStartMs,
  gcDelayMs: 0,
  relistRetryMs: 100,
  // A watch with nothing to say tells its resourceVersion on the server's own schedule.
  bookmarkMs: 10,
  jitterMs: 0,
});

/** Bound on the warm-up's steps (a 2,000-node cluster lists and connects in far fewer). */
const WARM_UP_STEP_MAX = 5_000_000;
/** How often (steps) the warm-up past `WARM_UP_MS` asks whether the cluster is up. */
const WARM_UP_CHECK_EVERY = 100;

/**
 * Every stage serves and every direct link is connected. A real cluster's controllers are
 * up long before a burst; a large one under client rate limits takes longer than the fixed
 * warm-up to get there (W3: the scheduler's 500 kubelet links need a resourceVersion read
 * each, at its 50 requests/s), and a benchmark that starts the load earlier would time the
 * connecting, not the burst.
 */
const isUp = (cluster: SimCluster): boolean => {
  const observation = cluster.observe();
  return (
    observation.stages.every((stage) => stage.phase === 'serving') &&
    observation.links.every((link) => link.clientPhase === 'connected')
  );
};

/** Runs the cluster on virtual time for `WARM_UP_MS`, then on until it is up. */
const warmUp = (cluster: SimCluster): void => {
  runDefault(cluster, { stepMax: WARM_UP_STEP_MAX, untilMs: WARM_UP_MS });
  let steps = 0;
  const { end } = runDefault(cluster, {
    stepMax: WARM_UP_STEP_MAX,
    stopWhen: () => steps++ % WARM_UP_CHECK_EVERY === 0 && isUp(cluster),
  });
  // Quiescent between two checks: nothing more will happen, so ask once more.
  if (end !== 'stopWhen' && !isUp(cluster))
    throw new Error(
      `the cluster was not up after its warm-up (${end} at ${cluster.nowMs} virtual ms)`,
    );
};

export interface RealtimeCluster {
  readonly cluster: SimCluster;
  readonly clock: RealtimeClock;
  readonly wire: JsonWire;
  readonly driver: RealtimeDriver;
}

type RealtimeOptions = Omit<SimOptions, 'clock' | 'apiWire' | 'latencies' | 'observeEachStep'> & {
  readonly sandboxStartMs: number;
};

/** Builds the cluster, warms it up on virtual time, and starts the wall clock. */
export const createRealtimeCluster = (options: RealtimeOptions): RealtimeCluster => {
  const clock = new RealtimeClock();
  const wire = new JsonWire();
  const { sandboxStartMs, ...rest } = options;
  const cluster = new SimCluster({
    ...rest,
    clock: clock.now,
    apiWire: wire,
    latencies: REALTIME_LATENCIES(sandboxStartMs),
    observeEachStep: false,
  });
  warmUp(cluster);
  clock.start(Math.max(cluster.nowMs, WARM_UP_MS));
  return { cluster, clock, wire, driver: new RealtimeDriver(cluster, clock, wire) };
};
