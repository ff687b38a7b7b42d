/**
 * What a live cluster needs before its stages start: a Node object per simulated node and,
 * per function, its Deployment, ReplicaSet and template Pod (as `seedFunction` seeds the
 * sim). Made through client-node against whatever the kubeconfig names, the embedded
 * endpoint or a real cluster, so both go the same way. What exists already is kept: a
 * second `kd up` against the same cluster (or an etcd-backed endpoint) reuses it.
 */
import type { KubeConfig, V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type { FunctionSpec } from '../../../../spec/types/config.js';
import type { NodeName } from '../../../../spec/types/ids.js';
import { apiClientsFor, isApiStatus } from '../../../k8s/client.js';
import {
  buildNode,
  functionDeployment,
  replicaSetFor,
  templatePodFor,
} from '../../../k8s/index.js';

type Persisted<T> = T & { metadata: { name: string; namespace: string; uid: string } };

const isAlreadyExists = (error: unknown): boolean => isApiStatus(error, 409);

/** Creates with `create`, or reads what is there with `read` when it exists already. */
const ensure = async <T>(create: () => Promise<T>, read: () => Promise<T>): Promise<T> => {
  try {
    return await create();
  } catch (error) {
    if (isAlreadyExists(error)) return read();
    throw error;
  }
};

export interface SeedPlan {
  readonly nodes: readonly NodeName[];
  readonly slotsPerNode: number;
  readonly functions: readonly FunctionSpec[];
}

export const seedOverApi = async (kubeConfig: KubeConfig, plan: SeedPlan): Promise<void> => {
  const { core, apps } = apiClientsFor(kubeConfig);
  for (const name of plan.nodes)
    await ensure(
      () =>
        core.createNode({
          body: buildNode(name, { allocatablePods: plan.slotsPerNode }, Date.now()),
        }),
      () => core.readNode({ name }),
    );
  for (const fn of plan.functions) {
    const { namespace } = fn;
    const body = functionDeployment(fn);
    const name = body.metadata?.name ?? fn.name;
    const deployment = (await ensure(
      () => apps.createNamespacedDeployment({ namespace, body }),
      () => apps.readNamespacedDeployment({ namespace, name }),
    )) as Persisted<V1Deployment>;
    const rsBody = replicaSetFor(deployment);
    const replicaSet = (await ensure(
      () => apps.createNamespacedReplicaSet({ namespace, body: rsBody }),
      () => apps.readNamespacedReplicaSet({ namespace, name: rsBody.metadata?.name ?? '' }),
    )) as Persisted<V1ReplicaSet>;
    const podBody = templatePodFor(replicaSet);
    await ensure(
      () => core.createNamespacedPod({ namespace, body: podBody }),
      () => core.readNamespacedPod({ namespace, name: podBody.metadata?.name ?? '' }),
    );
  }
};
