/**
 * The pods of some functions as the API shows them, watched through client-node (an
 * informer: list, then watch), as any client of the cluster would see them: this is what
 * `kd load` measures by, not what the stages report. A pod belongs to a function when its
 * controller is one of the function's ReplicaSets (Kubernetes' owner chain: Pod →
 * ReplicaSet → Deployment); template pods are not pods of the function.
 */
import type { KubeConfig, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { ObjectKey } from '../../../../spec/types/ids.js';
import type { PodView } from '../../../../spec/types/objects.js';
import { apiClientsFor, informerFor } from '../../../k8s/client.js';
import { isTemplatePod, TEMPLATE_LABEL, toPodView } from '../../../k8s/index.js';

export type PodChange =
  | { readonly type: 'upsert'; readonly pod: PodView }
  | { readonly type: 'delete'; readonly pod: PodView };

export interface FunctionPods {
  /** How many pods the functions have now, Ready or not, deleting or not. */
  readonly count: number;
  /** The functions' pods now. */
  pods(): PodView[];
  /** Calls `listener` with each change the watch delivers, in order, until unsubscribed. */
  onChange(listener: (change: PodChange) => void): () => void;
  stop(): Promise<void>;
}

/** A watch that fails (the API went away a while) is started again after this pause. */
const RETRY_MS = 1_000;
const NOT_TEMPLATE = `!${TEMPLATE_LABEL}`;

export const watchFunctionPods = async (
  kubeConfig: KubeConfig,
  functions: readonly ObjectKey[],
): Promise<FunctionPods> => {
  const { core, apps } = apiClientsFor(kubeConfig);
  // kd up seeds one ReplicaSet per function and never changes a template, so one list of
  // the ReplicaSets, read before the pods, knows every owner the pods can have.
  const replicaSets = ownedReplicaSets(
    (await apps.listReplicaSetForAllNamespaces()).items,
    new Set(functions),
  );
  const pods = new Map<string, PodView>();
  const listeners = new Set<(change: PodChange) => void>();
  const tell = (change: PodChange) => {
    for (const listener of listeners) listener(change);
  };
  // The informer reports a failed list as an error event, not by rejecting start().
  let listed = false;
  let lastError: unknown = null;
  const informer = informerFor(
    kubeConfig,
    '/api/v1/pods',
    async () => {
      const list = await core.listPodForAllNamespaces({ labelSelector: NOT_TEMPLATE });
      listed = true;
      return list;
    },
    NOT_TEMPLATE,
  );
  const upsert = (pod: V1Pod) => {
    if (isTemplatePod(pod)) return;
    const view = toPodView(pod);
    if (!replicaSets.has(view.ownerKey)) return;
    pods.set(view.uid, view);
    tell({ type: 'upsert', pod: view });
  };
  informer.on('add', upsert);
  informer.on('update', upsert);
  informer.on('delete', (pod) => {
    const view = toPodView(pod);
    if (pods.delete(view.uid)) tell({ type: 'delete', pod: view });
  });
  let stopped = false;
  informer.on('error', (error) => {
    lastError = error;
    setTimeout(() => {
      if (!stopped) informer.start().catch(() => undefined);
    }, RETRY_MS);
  });
  await informer.start();
  if (!listed) {
    stopped = true;
    await informer.stop();
    throw new Error(`cannot list pods: ${describe(lastError)}`);
  }
  return {
    get count() {
      return pods.size;
    },
    pods: () => [...pods.values()],
    onChange: (listener) => {
      // A wrapper, so the same function subscribed twice is two subscriptions.
      const subscription = (change: PodChange) => listener(change);
      listeners.add(subscription);
      return () => listeners.delete(subscription);
    },
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
};

/** The keys of the ReplicaSets whose controller is one of `deployments`. */
const ownedReplicaSets = (
  replicaSets: readonly V1ReplicaSet[],
  deployments: ReadonlySet<ObjectKey>,
): Set<ObjectKey> => {
  const keys = new Set<ObjectKey>();
  for (const rs of replicaSets) {
    const namespace = rs.metadata?.namespace ?? 'default';
    const owner = rs.metadata?.ownerReferences?.find((ref) => ref.controller);
    if (owner?.kind === 'Deployment' && deployments.has(`${namespace}/${owner.name}`))
      keys.add(`${namespace}/${rs.metadata?.name ?? ''}`);
  }
  return keys;
};

const describe = (error: unknown): string =>
  error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
