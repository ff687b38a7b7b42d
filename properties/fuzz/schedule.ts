/**
 * Fault schedules as plain data, and their resolution against the sim runtime. A schedule
 * is a list of choices; each choice names what happens next by small integers (which
 * pending event, which stage, which function), resolved against the cluster's state when it
 * is played, so any list is valid and fast-check can shrink it freely: fewer steps, fewer
 * faults, smaller indices.
 *
 * The choices cover protocol.md §7 and §8: taking any pending event (so any reordering),
 * dropping, duplicating or delaying a direct message or reply (a delayed handshake reply is
 * a late reply to an old handshake), an API call that times out, crashes and restarts of
 * every stage at any point, API outage windows, informer lag (a delayed watch event) and
 * re-lists, a node loss, load changes, and every write of another actor the implementation
 * supports.
 */
import fc from 'fast-check';
import { FALLBACK_BINDING_LABEL, MANAGED_LABEL } from '../../impl/k8s/index.js';
import type { SimCluster } from '../../impl/runtime/sim/cluster.js';
import type { Pending, SimAction, UserWrite } from '../../impl/runtime/sim/types.js';
import { nodeOfKubelet, type StageId } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';

/**
 * Writes by other actors (protocol.md §7), by function index. Deleting a function's only
 * ReplicaSet is left out: the implementation's Deployment controller does not create
 * ReplicaSets (a new template's ReplicaSet comes with the `changeTemplate` write), so
 * nothing would bring it back; docs/design/implementation.md lists this gap.
 */
export type WriteChoice =
  | { readonly op: 'deletePod'; readonly index: number }
  | { readonly op: 'deleteDeployment' | 'changeTemplate'; readonly fn: number }
  | { readonly op: 'scaleReplicaSet'; readonly fn: number; readonly replicas: number }
  | { readonly op: 'managed' | 'fallbackBinding'; readonly fn: number; readonly on: boolean };

export type Choice =
  /** Take the `index`-th pending event (modulo the number pending, in scheduling order). */
  | { readonly kind: 'take'; readonly index: number }
  | { readonly kind: 'drop'; readonly index: number }
  | { readonly kind: 'duplicate'; readonly index: number }
  | { readonly kind: 'delay'; readonly index: number; readonly ms: number }
  /** The `index`-th pending API request or response is lost; its caller times out. */
  | { readonly kind: 'timeout'; readonly index: number }
  /** Crash the `stage`-th stage if it runs, else restart it. */
  | { readonly kind: 'crashOrRestart'; readonly stage: number }
  | { readonly kind: 'outage'; readonly on: boolean }
  | { readonly kind: 'relist'; readonly stage: number }
  /** Lose the `node`-th node for good (at most one per run, so the rest has room). */
  | { readonly kind: 'nodeLoss'; readonly node: number }
  /** The autoscaler's load for the `fn`-th function becomes `pods`. */
  | { readonly kind: 'load'; readonly fn: number; readonly pods: number }
  | { readonly kind: 'write'; readonly write: WriteChoice };

export type ChoiceKind = Choice['kind'];

/** How often each kind of choice is drawn: mostly ordinary steps, with faults among them. */
export type Weights = Readonly<Record<ChoiceKind, number>>;

export const DEFAULT_WEIGHTS: Weights = {
  take: 24,
  drop: 2,
  duplicate: 2,
  delay: 2,
  timeout: 1,
  crashOrRestart: 2,
  outage: 1,
  relist: 1,
  nodeLoss: 1,
  load: 1,
  write: 2,
};

/** The most pods a `load` choice asks of one function (the topology has room for it). */
export const MAX_LOAD = 4;

/** Small integers: indices wrap around what exists, so small values reach everything. */
const index = fc.nat(40);
const fn = fc.nat(3);

const writeArbitrary: fc.Arbitrary<WriteChoice> = fc.oneof(
  fc.record({ op: fc.constant('deletePod' as const), index }),
  fc.record({ op: fc.constantFrom('deleteDeployment', 'changeTemplate'), fn }),
  fc.record({ op: fc.constant('scaleReplicaSet' as const), fn, replicas: fc.nat(4) }),
  fc.record({ op: fc.constantFrom('managed', 'fallbackBinding'), fn, on: fc.boolean() }),
);

const ARBITRARIES: { readonly [K in ChoiceKind]: fc.Arbitrary<Extract<Choice, { kind: K }>> } = {
  take: fc.record({ kind: fc.constant('take'), index }),
  drop: fc.record({ kind: fc.constant('drop'), index }),
  duplicate: fc.record({ kind: fc.constant('duplicate'), index }),
  delay: fc.record({ kind: fc.constant('delay'), index, ms: fc.integer({ min: 1, max: 50 }) }),
  timeout: fc.record({ kind: fc.constant('timeout'), index }),
  crashOrRestart: fc.record({ kind: fc.constant('crashOrRestart'), stage: fc.nat(10) }),
  outage: fc.record({ kind: fc.constant('outage'), on: fc.boolean() }),
  relist: fc.record({ kind: fc.constant('relist'), stage: fc.nat(10) }),
  nodeLoss: fc.record({ kind: fc.constant('nodeLoss'), node: fc.nat(10) }),
  load: fc.record({ kind: fc.constant('load'), fn, pods: fc.nat(MAX_LOAD) }),
  write: fc.record({ kind: fc.constant('write'), write: writeArbitrary }),
};

/** One choice, drawn by `weights` (a kind of weight 0 is never drawn). */
export const choiceArbitrary = (weights: Weights = DEFAULT_WEIGHTS): fc.Arbitrary<Choice> =>
  fc.oneof(
    ...(Object.keys(ARBITRARIES) as ChoiceKind[])
      .filter((kind) => weights[kind] > 0)
      // `take` first: fast-check shrinks a oneof towards its first arbitrary.
      .sort((a, b) => Number(b === 'take') - Number(a === 'take'))
      .map((kind) => ({
        weight: weights[kind],
        arbitrary: ARBITRARIES[kind] as fc.Arbitrary<Choice>,
      })),
  );

export const scheduleArbitrary = (
  maxLength: number,
  weights: Weights = DEFAULT_WEIGHTS,
): fc.Arbitrary<Choice[]> => fc.array(choiceArbitrary(weights), { maxLength });

const at = <T>(items: readonly T[], i: number): T | undefined =>
  items.length === 0 ? undefined : items[i % items.length];

/** The action a choice stands for in this cluster now, or null when it has nothing to act on. */
export const resolve = (
  cluster: SimCluster,
  stages: readonly StageId[],
  choice: Choice,
): SimAction | null => {
  const pending = cluster.pending();
  switch (choice.kind) {
    case 'take':
    case 'delay': {
      const event = at(pending, choice.index);
      if (!event) return null;
      if (choice.kind === 'delay') return { type: 'delay', id: event.id, ms: choice.ms };
      return { type: 'take', id: event.id };
    }
    case 'drop':
    case 'duplicate': {
      // Only direct messages and replies are lost or duplicated (protocol.md §8); a lost API
      // call is a `timeout`, a lost watch event a re-list.
      const event = at(
        pending.filter((p) => p.kind === 'message'),
        choice.index,
      );
      return event ? { type: choice.kind, id: event.id } : null;
    }
    case 'timeout': {
      const event = at(pending.filter(isApiCall), choice.index);
      return event ? { type: 'timeout', id: event.id } : null;
    }
    case 'crashOrRestart': {
      const stage = at(stages, choice.stage) as StageId;
      if (onLostNode(cluster.observe(), stage)) return null;
      return cluster.snapshotOf(stage) === null
        ? { type: 'restart', stage }
        : { type: 'crash', stage };
    }
    case 'outage':
      return { type: 'apiOutage', on: choice.on };
    case 'relist': {
      const stage = at(stages, choice.stage) as StageId;
      return cluster.snapshotOf(stage) === null ? null : { type: 'relist', stage };
    }
    case 'nodeLoss': {
      const kubelets = cluster.observe().kubelets;
      if (kubelets.length < 2 || kubelets.some((k) => !k.nodeAlive)) return null;
      const node = at(kubelets, choice.node)?.node;
      return node === undefined ? null : { type: 'nodeLoss', node };
    }
    case 'load': {
      const deployment = at(functionKeys(cluster), choice.fn);
      return deployment === undefined ? null : { type: 'load', deployment, load: choice.pods };
    }
    case 'write': {
      const write = resolveWrite(cluster, choice.write);
      return write === null ? null : { type: 'write', write };
    }
  }
};

const isApiCall = (p: Pending): boolean => p.kind === 'api' || p.kind === 'apiDone';

const onLostNode = (obs: Observation, stage: StageId): boolean => {
  const node = nodeOfKubelet(stage);
  return node !== null && obs.kubelets.some((k) => k.node === node && !k.nodeAlive);
};

/** `namespace/name` of every function, in topology order. */
const functionKeys = (cluster: SimCluster): string[] =>
  cluster.topology.functions.map((f) => `${f.namespace}/${f.name}`);

const resolveWrite = (cluster: SimCluster, write: WriteChoice): UserWrite | null => {
  const api = cluster.observe().api;
  if (write.op === 'deletePod') {
    const key = at(Object.keys(api.pods).sort(), write.index);
    return key === undefined ? null : { op: 'deletePod', key };
  }
  const deployment = at(functionKeys(cluster), write.fn);
  if (deployment === undefined) return null;
  switch (write.op) {
    case 'deleteDeployment':
    case 'changeTemplate':
      return api.deployments[deployment] ? { op: write.op, key: deployment } : null;
    default: {
      // The function's current ReplicaSet: the live one with the Deployment's template.
      const template = api.deployments[deployment]?.templateHash;
      const rs = Object.values(api.replicaSets).find(
        (r) => r.templateHash === template && !r.deleting && r.key.startsWith(`${deployment}-`),
      );
      if (!rs) return null;
      if (write.op === 'scaleReplicaSet')
        return { op: 'scaleReplicaSet', key: rs.key, replicas: write.replicas };
      if (write.op === 'managed')
        return {
          op: 'setLabel',
          kind: 'ReplicaSet',
          key: rs.key,
          label: MANAGED_LABEL,
          on: write.on,
        };
      const templatePod = `${rs.key}-template`;
      return write.op === 'fallbackBinding' && api.templatePods[templatePod]
        ? {
            op: 'setLabel',
            kind: 'Pod',
            key: templatePod,
            label: FALLBACK_BINDING_LABEL,
            on: write.on,
          }
        : null;
    }
  }
};
