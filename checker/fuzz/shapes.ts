/**
 * The shape of the cases a campaign draws, per mutant: which choices are likely, and how
 * large a case may be. A mutant's hazard needs particular faults at particular moments (a
 * late duplicate bind, a crash between the handshake rounds, a slow expose); drawing those
 * choices more often, in the smallest topology that shows the hazard, finds it sooner and
 * shrinks it further. Every shape draws from the same choices as the hardened campaign: a
 * shape changes how often and how many, never what a choice can be, and the property
 * checked is the mutant's own. The hardened campaign uses the default shape.
 *
 * Why each shape (the model's shortest traces in `counterexamples/explore-*.json` show the
 * interleaving; the implementation adds informers, API latency and retry timers):
 *
 * - A fault that must outlive something (a pod's whole life, a client's retry timer) is a
 *   long `delay`; a crash that must be followed by recovery is a `crashOrRestart` (the
 *   liveness phase restarts what is still down).
 * - Hazards that play out over a pod's life (created, Ready, deleted, removed) need long
 *   schedules: more choices, mostly takes.
 * - A safety hazard is decided long before the liveness phase would give up, so those
 *   shapes bound the liveness phase lower: a run that has not converged after 2,000 steps
 *   is only repeating retries, and the campaign is better off drawing the next case.
 */
import type { CheckPreset } from './case.js';
import { DEFAULT_WEIGHTS, type Weights } from './schedule.js';

interface CampaignShape {
  readonly weights: Weights;
  /** Bounds that replace the preset's (smaller topologies, longer schedules, swarm). */
  readonly preset?: Partial<Omit<CheckPreset, 'name'>>;
  /** Same-named functions in two namespaces may be drawn (default: yes). */
  readonly tenants?: boolean;
}

const DEFAULT_SHAPE: CampaignShape = { weights: DEFAULT_WEIGHTS };

/** Only the kinds given, at the weights given; every other kind is never drawn. */
const only = (weights: Partial<Weights>): Weights => ({
  take: 0,
  drop: 0,
  duplicate: 0,
  delay: 0,
  timeout: 0,
  crashOrRestart: 0,
  moment: 0,
  outage: 0,
  relist: 0,
  nodeLoss: 0,
  load: 0,
  write: 0,
  ...weights,
});

/** A small topology: one or two of each, so a case is quick and its trace short. */
const SMALL = { maxPods: 2, maxNodes: 2, maxFunctions: 1 } as const;

/** Safety hazards: a run that has not converged by then is only retrying. */
const SAFETY_LIVENESS_STEPS = 2_000;

const MUTANT_SHAPES: Readonly<Record<string, CampaignShape>> = {
  // A restarted ReplicaSet controller that skips round 2 re-creates a pod still in flight:
  // a slow bind or expose, and a crash of the controller.
  'no-round2': {
    weights: only({ take: 12, delay: 3, crashOrRestart: 3 }),
    preset: {
      ...SMALL,
      maxChoices: 30,
      livenessStepMax: SAFETY_LIVENESS_STEPS,
      schedule: { delayTargets: ['data', 'api'] },
    },
    tenants: false,
  },
  // A restarted scheduler answers the ReplicaSet controller while its own kubelet
  // handshake is late: a slow expose, a crash and restart of the scheduler, a slow
  // handshake.
  'top-down-recovery': {
    weights: only({ take: 12, delay: 4, crashOrRestart: 3 }),
    preset: {
      ...SMALL,
      maxChoices: 40,
      livenessStepMax: SAFETY_LIVENESS_STEPS,
      schedule: { delayTargets: ['api', 'session', 'reply'] },
    },
    tenants: false,
  },
  // A late duplicate bind after the pod was exposed, deleted and removed: a duplicate, a
  // long delay, a scale-down or a deletion, and a schedule long enough to see it land.
  'no-kubelet-tombstones': {
    weights: only({ take: 20, duplicate: 2, delay: 2, load: 1, write: 1 }),
    preset: {
      ...SMALL,
      maxChoices: 120,
      livenessStepMax: SAFETY_LIVENESS_STEPS,
      schedule: { messageClasses: ['data'], delayTargets: ['data'], writes: ['deletePod'] },
    },
    tenants: false,
  },
  // Round 2 re-sends a pod that was persisted and deleted while its upstream (the
  // scheduler, or the ReplicaSet controller) did not see it through a lagging informer, to
  // a kubelet that lost its tombstones in a crash. In a one-node topology: crashes aim at
  // the kubelet (4), re-lists at the scheduler (3), delays at informers; the order and the
  // moments are the fuzzer's. It needs four faults in the right order: about one case in
  // a thousand of this shape, the slowest mutant to catch (seeds 1 to 6 caught it after
  // 59, 18, 13, 8, 0.3 and 15 s; shorter schedules with more writes and crashes than
  // before, which took 50 to 65 s).
  'reuse-lost-identity': {
    weights: only({ take: 10, delay: 6, relist: 1, crashOrRestart: 3, write: 3 }),
    preset: {
      maxPods: 1,
      maxNodes: 1,
      maxFunctions: 1,
      maxChoices: 60,
      // Its many informer delays make handshake replies wait for fresh informers, step by
      // step: a run that has not converged after 1,000 steps is almost always waiting.
      livenessStepMax: 1_000,
      schedule: {
        delayTargets: ['inform'],
        writes: ['deletePod'],
        crashStages: [4],
        relistStages: [3],
        longOnly: true,
      },
    },
    tenants: false,
  },
  // A late handshake installs an older epoch after the client connected on a newer one:
  // a crashed server, a slow handshake, a retry, or a jump ahead in time. User writes are
  // left out: a `kubectl scale` of a ReplicaSet made the hardened design re-handshake
  // forever on its own (a gap the hardened campaign found, since fixed), and other writes
  // could still give a catch of `sessions-connect` that is not the mutant's.
  'opaque-epochs': {
    weights: only({ take: 16, delay: 3, drop: 1, crashOrRestart: 2 }),
    preset: {
      ...SMALL,
      maxChoices: 80,
      schedule: { messageClasses: ['session', 'reply'], delayTargets: ['session', 'reply'] },
    },
    tenants: false,
  },
  // A bind that beats a new template to the kubelet, whose expose is retried once the
  // template arrived: a template change, a lagging informer, a lost expose call.
  'expose-without-template': {
    weights: only({ take: 8, write: 1, delay: 2, timeout: 4 }),
    preset: {
      ...SMALL,
      maxChoices: 30,
      livenessStepMax: SAFETY_LIVENESS_STEPS,
      // The template must arrive before the expose's retry, 100 ms after the lost call.
      schedule: {
        delayTargets: ['inform'],
        writes: ['changeTemplate'],
        maxDelayMs: 90,
        longOnly: true,
      },
    },
    tenants: false,
  },
};

export const shapeFor = (mutant: string | null): CampaignShape =>
  (mutant === null ? undefined : MUTANT_SHAPES[mutant]) ?? DEFAULT_SHAPE;
