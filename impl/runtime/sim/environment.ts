/**
 * The environment of a run: the seeded cluster (every function's Deployment, ReplicaSet
 * and template Pod, scaled to zero; every Node), writes by other actors through the API
 * Server (protocol.md §7, recorded with actor `user`), and the load the autoscaler reads.
 */
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { objectKey, splitKey } from '../../../spec/types/ids.js';
import {
  type ApiRequest,
  type ApiResponse,
  outcomeOf,
  seedFunction,
  seedNodes,
} from '../../apiserver/index.js';
import { knativeTemplate, replicaSetFor, templatePodFor } from '../../k8s/index.js';
import { resourceOfObject } from '../stage-io/index.js';
import { dispatch } from './dispatch.js';
import { noteUserScale } from './ghost.js';
import type { SimState } from './state.js';
import type { UserWrite } from './types.js';

/** The one template of a chart installed in many namespaces (`Topology.sharedTemplate`). */
const chartTemplate = (name: string) => knativeTemplate({ namespace: 'chart', name });

/** Seeds the API Server and the initial load (the preset's `initialLoad` per function). */
export const seedCluster = (state: SimState): void => {
  seedNodes(state.api, state.topology.nodes, state.topology.slotsPerNode);
  for (const fn of state.topology.functions) {
    const template = state.topology.sharedTemplate ? { template: chartTemplate(fn.name) } : {};
    seedFunction(state.api, { namespace: fn.namespace, name: fn.name, ...template });
    state.load.set(objectKey(fn.namespace, fn.name), state.config.preset.initialLoad);
  }
};

const USER = 'user';

/** Sends one request as the user and records it. */
const send = (state: SimState, request: ApiRequest, key: string): ApiResponse => {
  const response = state.api.handle({ ...request, client: USER } as ApiRequest);
  const object = response.ok && 'object' in response ? response.object : undefined;
  const verb = request.verb === 'bind' || request.verb === 'list' ? 'update' : request.verb;
  state.record({
    kind: 'api',
    actor: 'user',
    verb,
    resource: resourceOfObject(request.kind, object as Parameters<typeof resourceOfObject>[1]),
    key,
    outcome: outcomeOf(response),
    retry: false,
  });
  return response;
};

/**
 * A new pod template: a revision label on the Deployment's template changes its hash; the
 * new ReplicaSet (scaled to zero) and its template Pod are created as the Deployment
 * controller would. Scaling the old one down is left to the controllers.
 */
const changeTemplate = (state: SimState, key: string): void => {
  const { namespace, name } = splitKey(key);
  const current = state.api.lookup('Deployment', namespace, name);
  if (!current?.spec) {
    // Nothing to change: the user's read finds no Deployment, and is recorded as such.
    send(state, { verb: 'get', kind: 'Deployment', namespace, name }, key);
    return;
  }
  const spec = current.spec;
  const template = spec.template;
  const revision = String(state.step);
  const labels = { ...template.metadata?.labels, 'sim.kubedirect/revision': revision };
  const next: V1Deployment = {
    ...current,
    spec: {
      ...spec,
      template: { ...template, metadata: { ...template.metadata, labels } },
    },
  };
  const updated = send(state, { verb: 'update', kind: 'Deployment', object: next }, key);
  if (!updated.ok || !('object' in updated)) return;
  const deployment = updated.object as V1Deployment & { metadata: { name: string; uid: string } };
  const rs = replicaSetFor(deployment);
  const created = send(
    state,
    { verb: 'create', kind: 'ReplicaSet', object: rs },
    `${namespace}/${rs.metadata?.name}`,
  );
  if (!created.ok || !('object' in created)) return;
  const persisted = created.object as V1ReplicaSet & { metadata: { name: string; uid: string } };
  const templatePod = templatePodFor(persisted);
  send(
    state,
    { verb: 'create', kind: 'Pod', object: templatePod },
    `${namespace}/${templatePod.metadata?.name}`,
  );
};

/** The request of a simple user write (a template change takes several). */
const writeRequest = (write: Exclude<UserWrite, { op: 'changeTemplate' }>): ApiRequest => {
  const at = splitKey(write.key);
  switch (write.op) {
    case 'deletePod':
      return { verb: 'delete', kind: 'Pod', ...at };
    case 'deleteDeployment':
      return { verb: 'delete', kind: 'Deployment', ...at };
    case 'deleteReplicaSet':
      return { verb: 'delete', kind: 'ReplicaSet', ...at };
    case 'scaleDeployment': {
      const patch = { spec: { replicas: write.replicas } };
      return { verb: 'patch', kind: 'Deployment', ...at, subresource: 'scale', patch };
    }
    case 'scaleReplicaSet':
      return {
        verb: 'patch',
        kind: 'ReplicaSet',
        ...at,
        patch: { spec: { replicas: write.replicas } },
      };
    case 'setLabel': {
      const patch = { metadata: { labels: { [write.label]: write.on ? 'true' : null } } };
      return { verb: 'patch', kind: write.kind, ...at, patch };
    }
  }
};

export const userWrite = (state: SimState, write: UserWrite): void => {
  if (write.op === 'changeTemplate') return void changeTemplate(state, write.key);
  const response = send(state, writeRequest(write), write.key);
  if (!response.ok) return;
  if (write.op === 'scaleDeployment' || write.op === 'scaleReplicaSet') {
    const kind = write.op === 'scaleDeployment' ? 'Deployment' : 'ReplicaSet';
    noteUserScale(state, kind, write.key, write.replicas);
  }
};

/** The load metric of a function changes; the autoscaler (if up) hears it. */
export const setLoad = (state: SimState, deployment: string, load: number): void => {
  state.load.set(deployment, load);
  state.record({ kind: 'fault', fault: 'load', target: `${deployment}=${load}` });
  const slot = state.slot('autoscaler');
  if (slot) dispatch(state, slot, { type: 'load', deployment, load });
};
