/**
 * The API Server's objects as views, for the runtime's observers (the Observation and the
 * ghost), rebuilt only after a write: every write, deletes included, takes the next
 * resourceVersion and nothing else changes the store, so while the resourceVersion stands
 * the last views are exact. Observers read these instead of converting every stored object
 * again each step; stages never do (they see the API only through their own requests).
 */
import type { ObjectKey, Uid } from '../../../spec/types/ids.js';
import type { ApiObjects, DeploymentView, PodView } from '../../../spec/types/objects.js';
import { toApiObjects } from '../../k8s/index.js';
import type { SimState } from './state.js';

export interface ApiViews {
  readonly objects: ApiObjects;
  /** Pods (not template pods) by their owner ReplicaSet's key. */
  podsOf(rsKey: ObjectKey): readonly PodView[];
  deploymentByUid(uid: Uid): DeploymentView | undefined;
}

const NO_PODS: readonly PodView[] = [];

const indexed = (objects: ApiObjects): ApiViews => {
  // Indexes are built on first use: many steps need only `objects`.
  let pods: Map<ObjectKey, PodView[]> | null = null;
  let deployments: Map<Uid, DeploymentView> | null = null;
  return {
    objects,
    podsOf(rsKey) {
      if (!pods) {
        pods = new Map();
        for (const pod of Object.values(objects.pods)) {
          const owned = pods.get(pod.ownerKey);
          if (owned) owned.push(pod);
          else pods.set(pod.ownerKey, [pod]);
        }
      }
      return pods.get(rsKey) ?? NO_PODS;
    },
    deploymentByUid(uid) {
      deployments ??= new Map(Object.values(objects.deployments).map((d) => [d.uid, d]));
      return deployments.get(uid);
    },
  };
};

const held = new WeakMap<SimState, { rv: number; views: ApiViews }>();

export const apiViews = (state: SimState): ApiViews => {
  const rv = state.api.resourceVersion;
  let last = held.get(state);
  if (last?.rv !== rv) {
    last = { rv, views: indexed(toApiObjects(state.api.stored())) };
    held.set(state, last);
  }
  return last.views;
};
