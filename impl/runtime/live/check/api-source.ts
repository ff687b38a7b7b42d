/**
 * Where a live observer reads the API at a cut, and what it learns of the ghost's history
 * (pods deleted, every ReplicaSet's template) between cuts:
 *
 * - `inProcessApi`: the embedded API Server in the supervisor's own process, read directly,
 *   its history from a watch of the observer's own (every deletion, however brief the pod);
 * - `apiOverHttp`: an API in another process (the etcd-backed API Server, which the chaos
 *   run kills), read as four lists at one resourceVersion (impl/k8s/snapshot.ts); its
 *   history from the difference between consecutive cuts, so a pod created and deleted
 *   between two cuts (100 ms apart) is not in the ghost's deleted pods, and a cut taken while
 *   the API is down or moving has no API to judge (null: the run takes another).
 */
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { ApiServer, Watch } from '../../../apiserver/index.js';
import { isTemplatePod, TEMPLATE_LABEL, toPodView } from '../../../k8s/index.js';
import type { SnapshotReader } from '../../../k8s/snapshot.js';

export interface ApiCut {
  readonly stored: ReturnType<ApiServer['stored']>;
  readonly up: boolean;
  readonly resourceVersion: number;
  /** Keys of the (non-template) pods deleted since the last cut. */
  readonly deletedPods: readonly string[];
  /** ReplicaSets seen since the last cut, for their templates. */
  readonly replicaSets: readonly V1ReplicaSet[];
}

export interface ApiSource {
  read(): ApiCut | null | Promise<ApiCut | null>;
  close(): void;
}

export const inProcessApi = (api: ApiServer): ApiSource => {
  const pods: Watch = api.watch('live-ghost', {
    kind: 'Pod',
    labelSelector: { matchExpressions: [{ key: TEMPLATE_LABEL, operator: 'DoesNotExist' }] },
  });
  const replicaSetWatch: Watch = api.watch('live-ghost', { kind: 'ReplicaSet' });
  return {
    read: () => {
      const replicaSets: V1ReplicaSet[] = [];
      for (let e = replicaSetWatch.take(); e; e = replicaSetWatch.take())
        if (e.type !== 'DELETED') replicaSets.push(e.object as V1ReplicaSet);
      const deletedPods: string[] = [];
      for (let e = pods.take(); e; e = pods.take())
        if (e.type === 'DELETED') deletedPods.push(toPodView(e.object as V1Pod).key);
      return {
        stored: api.stored(),
        up: api.available,
        resourceVersion: api.resourceVersion,
        deletedPods,
        replicaSets,
      };
    },
    close: () => {
      api.closeWatch(pods);
      api.closeWatch(replicaSetWatch);
    },
  };
};

export const apiOverHttp = (read: SnapshotReader): ApiSource => {
  let lastPods = new Set<string>();
  return {
    read: async () => {
      const snapshot = await read();
      if (!snapshot) return null;
      const pods = new Set(
        snapshot.pods.filter((pod) => !isTemplatePod(pod)).map((pod) => toPodView(pod).key),
      );
      const deletedPods = [...lastPods].filter((key) => !pods.has(key));
      lastPods = pods;
      const { resourceVersion, ...stored } = snapshot;
      return { stored, up: true, resourceVersion, deletedPods, replicaSets: snapshot.replicaSets };
    },
    close: () => undefined,
  };
};
