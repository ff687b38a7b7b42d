/** A schedule's choices resolved against the sim runtime: the action each stands for now. */
import { FALLBACK_BINDING_LABEL, MANAGED_LABEL } from '../../impl/k8s/index.js';
import type { SimCluster } from '../../impl/runtime/sim/cluster.js';
import type { Pending, SimAction, UserWrite } from '../../impl/runtime/sim/types.js';
import { nodeOfKubelet, type StageId } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';
import type { Choice, DelayTarget, MessageClass, WriteChoice } from './schedule.js';

export const at = <T>(items: readonly T[], i: number): T | undefined =>
  items.length === 0 ? undefined : items[i % items.length];

/** The action a choice stands for in this cluster now, or null when it has nothing to act on. */
export const resolve = (
  cluster: SimCluster,
  stages: readonly StageId[],
  choice: Choice,
): SimAction | null => {
  switch (choice.kind) {
    case 'take': {
      const event = at(dueOrder(cluster), choice.index);
      return event ? { type: 'take', id: event.id } : null;
    }
    case 'drop':
    case 'duplicate': {
      // Only direct messages and replies are lost or duplicated (protocol.md §8); a lost API
      // call is a `timeout`, a lost watch event a re-list.
      const event = at(
        newest(cluster, (p) => isMessageOf(p, choice.of)),
        choice.index,
      );
      return event ? { type: choice.kind, id: event.id } : null;
    }
    case 'delay': {
      const event = at(newest(cluster, delayable(choice.of)), choice.index);
      return event ? { type: 'delay', id: event.id, ms: choice.ms } : null;
    }
    case 'timeout': {
      const event = at(newest(cluster, isApiCall), choice.index);
      return event ? { type: 'timeout', id: event.id } : null;
    }
    case 'crashOrRestart': {
      const stage = at(stages, choice.stage) as StageId;
      if (onLostNode(cluster.observe(), stage)) return null;
      return cluster.snapshotOf(stage) === null
        ? { type: 'restart', stage }
        : { type: 'crash', stage };
    }
    case 'moment':
      // Several steps, not one action: `runSchedule` plays it with `playMoment`.
      return null;
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

/**
 * Pending events in due order, as the default policy would take them: the agenda's next
 * event first (its seeded tie-break decides among equals), then the rest by due time, ties
 * in the order they were scheduled.
 */
export const dueOrder = (cluster: SimCluster): Pending[] => {
  const next = cluster.next();
  const rest = cluster
    .pending()
    .filter((p) => p !== next)
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.dueAtMs - b.p.dueAtMs || a.i - b.i)
    .map(({ p }) => p);
  return next ? [next, ...rest] : rest;
};

/** Pending events that pass `keep`, the most recently scheduled first. */
const newest = (cluster: SimCluster, keep: (p: Pending) => boolean): Pending[] =>
  cluster.pending().filter(keep).reverse();

const isApiCall = (p: Pending): boolean => p.kind === 'api' || p.kind === 'apiDone';

/** The class of a direct message by its type (`<receiver>.<method>`). */
export const messageClass = (type: string): Exclude<MessageClass, 'any'> => {
  const method = type.slice(type.indexOf('.') + 1);
  if (method === 'handshake' || method === 'sync') return 'session';
  if (['handshakeReply', 'syncAck', 'notReady', 'epochMismatch', 'notFound'].includes(method))
    return 'reply';
  return 'data';
};

const isMessageOf = (p: Pending, of: MessageClass): boolean =>
  p.kind === 'message' && (of === 'any' || messageClass(p.message.type) === of);

const delayable =
  (of: DelayTarget) =>
  (p: Pending): boolean => {
    if (of === 'api') return isApiCall(p);
    if (of === 'inform') return p.kind === 'inform';
    if (of === 'event') return true;
    return isMessageOf(p, of);
  };

export const onLostNode = (obs: Observation, stage: StageId): boolean => {
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
