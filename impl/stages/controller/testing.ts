/**
 * Test support for the upstream stage machines: inputs under a profile with switches
 * flipped, views with every field filled, and a driver that runs events through xstate's
 * pure `transition` and collects the emitted effects.
 */

import type { AnyStateMachine } from 'xstate';
import type { Switches } from '../../../spec/types/config.js';
import type { StageId } from '../../../spec/types/ids.js';
import type {
  DeploymentView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../../spec/types/objects.js';
import type { ApiOutcome, Effect, Mode, ObjectView, StageEvent, StageInput } from '../io.js';
import { type DriverOptions, StageDriver } from './driver.js';
import { inputFor, leaseTaken } from './test-config.js';

const isLeaseRequest = (effect: Effect): boolean =>
  effect.type === 'api' && (effect.intent.op === 'getLease' || effect.intent.op === 'takeLease');

/** A test input, and the incarnation its stage takes its Lease with on `start`. */
type TestInput = StageInput & { readonly leaseIncarnation: number };

export const inputOf = (
  id: StageId,
  downstream: readonly StageId[],
  switches: Partial<Switches> = {},
  mode: Mode = 'direct',
  incarnation = 1,
): TestInput => ({
  ...inputFor(id, switches, { mode, downstream }),
  leaseIncarnation: incarnation,
});

/**
 * A machine under test (the shared `StageDriver`), with lookups for the upstream stages'
 * tests. A `start` that reads the Lease is followed by the answers that give the stage its
 * Lease (incarnation `leaseIncarnation`, 1 by default), as a runtime's API Server would
 * send them.
 */
export class Driver<M extends AnyStateMachine> extends StageDriver<M> {
  private readonly input: StageInput & { readonly leaseIncarnation?: number };

  constructor(
    machine: M,
    input: StageInput & { readonly leaseIncarnation?: number },
    options: DriverOptions = {},
  ) {
    super(machine, input, options);
    this.input = input;
  }

  override send(...events: StageEvent[]): Effect[] {
    const all: Effect[] = [];
    for (const event of events) {
      const effects = super.send(event);
      // Answered here, the lease requests are left out of `last`, as `answerReads` does.
      const asked = effects.some(isLeaseRequest);
      all.push(...effects.filter((e) => !isLeaseRequest(e)));
      if (!asked) continue;
      const answers = leaseTaken(this.input.id, this.input.leaseIncarnation);
      all.push(...super.send(...answers).filter((e) => !isLeaseRequest(e)));
    }
    this.last = all;
    return all;
  }

  /** The API requests among the last step's effects. */
  apis(): Extract<Effect, { type: 'api' }>[] {
    return this.of('api');
  }

  /** The `i`-th API request of the last step (the test fails if there is none). */
  api(i = 0): Extract<Effect, { type: 'api' }> {
    const effect = this.apis()[i];
    if (!effect) throw new Error(`no API request #${i} in ${JSON.stringify(this.last)}`);
    return effect;
  }

  /** The messages sent in the last step. */
  sent(): Extract<Effect, { type: 'send' }>['message'][] {
    return this.last.flatMap((e) => (e.type === 'send' ? [e.message] : []));
  }
}

/** The answer to an API request. */
export const done = (
  request: Extract<Effect, { type: 'api' }>,
  outcome: ApiOutcome,
  object?: ObjectView,
): StageEvent =>
  object === undefined
    ? { type: 'api.done', id: request.id, intent: request.intent, outcome }
    : { type: 'api.done', id: request.id, intent: request.intent, outcome, object };

export const deploymentView = (over: Partial<DeploymentView> = {}): DeploymentView => ({
  key: 'a/fn',
  uid: 'u1',
  replicas: 0,
  templateHash: 'h1',
  generation: 1,
  status: { replicas: 0, readyReplicas: 0 },
  replicasVersion: 0,
  deleting: false,
  managed: true,
  rv: 1,
  ...over,
});

export const replicaSetView = (over: Partial<ReplicaSetView> = {}): ReplicaSetView => ({
  key: 'a/fn-rs',
  uid: 'u2',
  ownerUid: 'u1',
  templateHash: 'h1',
  replicas: 0,
  replicasVersion: 0,
  fallbackScaling: false,
  status: { replicas: 0, readyReplicas: 0 },
  deleting: false,
  managed: true,
  rv: 2,
  ...over,
});

export const templateView = (over: Partial<TemplatePodView> = {}): TemplatePodView => ({
  key: 'a/fn-rs-template',
  uid: 'u3',
  ownerUid: 'u2',
  ownerKey: 'a/fn-rs',
  templateHash: 'h1',
  fallbackBinding: false,
  rv: 3,
  ...over,
});

export const podView = (key: string, over: Partial<PodView> = {}): PodView => ({
  key,
  uid: `uid-${key}`,
  ownerUid: 'u2',
  ownerKey: 'a/fn-rs',
  templateHash: 'h1',
  nodeName: 'n1',
  ready: false,
  deleting: false,
  rv: 10,
  ...over,
});
