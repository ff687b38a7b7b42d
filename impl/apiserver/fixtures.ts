/**
 * Helpers for tests and runtimes that need a populated API Server: a virtual clock, a
 * `must` that turns an error response into an exception, and the objects of one function
 * (Deployment, ReplicaSet, template Pod) created through ordinary requests.
 */
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import {
  type FunctionOptions,
  functionDeployment,
  type ReplicaSetOptions,
  replicaSetFor,
  templatePodFor,
} from '../k8s/builders.js';
import { buildNode } from '../k8s/node.js';
import type { ApiServer } from './api-server.js';
import type { ErrorResponse, ObjectResponse } from './types.js';

interface VirtualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export const virtualClock = (startMs = 0): VirtualClock => {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
  };
};

/** The object of a successful response; throws with the server's message otherwise. */
export const must = <T>(response: ObjectResponse<T> | ErrorResponse): T => {
  if (!response.ok) throw new Error(`${response.code} ${response.reason}: ${response.message}`);
  return response.object;
};

/**
 * Runs the garbage collector until it has nothing left to do (each sweep takes one level
 * of ownership); at most `sweepsMax` sweeps. Returns every request it made.
 */
export const collectAll = (api: ApiServer, sweepsMax = 10) => {
  const requests: ReturnType<ApiServer['collectGarbage']>['requests'][number][] = [];
  for (let i = 0; i < sweepsMax && api.pendingGc() > 0; i += 1) {
    const report = api.collectGarbage();
    if (!report.ok) break;
    requests.push(...report.requests);
  }
  return requests;
};

type Persisted<T> = T & { metadata: { name: string; namespace: string; uid: string } };

export interface SeededFunction {
  readonly deployment: Persisted<V1Deployment>;
  readonly replicaSet: Persisted<V1ReplicaSet>;
  readonly templatePod: Persisted<V1Pod>;
}

/** Creates a function's Deployment, its ReplicaSet and the ReplicaSet's template Pod. */
export const seedFunction = (
  api: ApiServer,
  fn: FunctionOptions,
  rs: ReplicaSetOptions & { readonly fallbackBinding?: boolean } = {},
  client = 'user',
): SeededFunction => {
  const deployment = must(
    api.handle({ verb: 'create', kind: 'Deployment', object: functionDeployment(fn), client }),
  );
  const persistedDeployment = deployment as Persisted<V1Deployment>;
  const replicaSet = must(
    api.handle({
      verb: 'create',
      kind: 'ReplicaSet',
      object: replicaSetFor(persistedDeployment, rs),
      client,
    }),
  ) as Persisted<V1ReplicaSet>;
  const templatePod = must(
    api.handle({
      verb: 'create',
      kind: 'Pod',
      object: templatePodFor(
        replicaSet,
        rs.fallbackBinding === undefined ? {} : { fallbackBinding: rs.fallbackBinding },
      ),
      client,
    }),
  ) as Persisted<V1Pod>;
  return { deployment: persistedDeployment, replicaSet, templatePod };
};

export const seedNodes = (
  api: ApiServer,
  names: readonly string[],
  allocatablePods: number,
): V1Node[] =>
  names.map((name) =>
    must(
      api.handle({
        verb: 'create',
        kind: 'Node',
        object: buildNode(name, { allocatablePods }, 0),
        client: `kubelet/${name}`,
      }),
    ),
  );
