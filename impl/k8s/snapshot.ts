/**
 * The whole of an API, read over HTTP at one resourceVersion: the Deployments, ReplicaSets,
 * Pods and Nodes, each listed with client-node, kept only when all four lists answer at
 * the same resourceVersion (no write landed between them). An observer in another process
 * than the API Server's has only this to go on.
 */
import type {
  KubeConfig,
  V1Deployment,
  V1Node,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { apiClientsFor } from './client.js';

export interface ApiSnapshot {
  readonly resourceVersion: number;
  readonly deployments: V1Deployment[];
  readonly replicaSets: V1ReplicaSet[];
  readonly pods: V1Pod[];
  readonly nodes: V1Node[];
}

export type SnapshotReader = () => Promise<ApiSnapshot | null>;

const LIST_TIMEOUT_MS = 2_000;

const within = <T>(promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('list timed out')), LIST_TIMEOUT_MS).unref(),
    ),
  ]);

/** A reader that tries `attempts` times for four lists at one resourceVersion; else null. */
export const snapshotReader = (config: KubeConfig, attempts = 5): SnapshotReader => {
  const { core, apps } = apiClientsFor(config);
  return async () => {
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      try {
        const deployments = await within(apps.listDeploymentForAllNamespaces());
        const replicaSets = await within(apps.listReplicaSetForAllNamespaces());
        const pods = await within(core.listPodForAllNamespaces());
        const nodes = await within(core.listNode());
        const versions = new Set(
          [deployments, replicaSets, pods, nodes].map((l) => l.metadata?.resourceVersion),
        );
        if (versions.size !== 1) continue;
        return {
          resourceVersion: Number(pods.metadata?.resourceVersion),
          deployments: deployments.items,
          replicaSets: replicaSets.items,
          pods: pods.items,
          nodes: nodes.items,
        };
      } catch {
        return null;
      }
    }
    return null;
  };
};
