/**
 * Informers: what each stage reads of the API, and the delivery that brings its view up to
 * date. Each delivery jumps to the API's newest state, coalescing every event in between,
 * as a re-list does; since a delivery may happen after any step, the views it produces are
 * exactly the past API states an ordered watch could show, plus the coalescing of a re-list.
 */
import type { StageKind } from '../types/ids.js';
import type { ApiObjects } from '../types/objects.js';
import type { InformerView } from './state.js';

type Collection = keyof ApiObjects;

/** The collections each stage watches; a stage's view holds nothing else. */
export const INFORMER_READS: Readonly<Record<StageKind, readonly Collection[]>> = {
  // The autoscaler only writes: it remembers what it wrote and rewrites after a restart.
  autoscaler: [],
  deployment: ['deployments', 'replicaSets'],
  replicaset: ['replicaSets', 'templatePods', 'pods'],
  scheduler: ['pods', 'nodes', 'replicaSets', 'templatePods'],
  kubelet: ['pods', 'templatePods', 'replicaSets'],
};

/**
 * Fields a stage never reads are blanked in its view, so that a change it cannot see (a
 * status update, a readiness flip) does not make its view stale. Projections are memoised
 * per source record, so an unchanged collection keeps its identity.
 */
type Projector = (record: object) => object;

/** The Deployment controller reads ReplicaSet status (for the Deployment's), not their rv. */
const blankRv: Projector = (r) =>
  mapValues(r as ApiObjects['replicaSets'], (rs) => ({ ...rs, rv: 0 }));
/**
 * Nor does it read the Deployment status it writes (it remembers what it wrote), so its own
 * status write does not make its view stale.
 */
const blankDeploymentStatus: Projector = (r) =>
  mapValues(r as ApiObjects['deployments'], (d) => ({ ...d, status: NO_STATUS, rv: 0 }));
const ownersOnly: Projector = (r) =>
  mapValues(r as ApiObjects['replicaSets'], (rs) => ({
    ...rs,
    replicas: 0,
    replicasVersion: 0,
    status: NO_STATUS,
    rv: 0,
    managed: false,
    fallbackScaling: false,
  }));
const placementOnly: Projector = (r) =>
  mapValues(r as ApiObjects['pods'], (p) => ({ ...p, ready: false, rv: 0 }));

const NO_STATUS = { replicas: 0, readyReplicas: 0 };

const PROJECTIONS: Partial<Record<StageKind, Partial<Record<Collection, Projector>>>> = {
  deployment: { replicaSets: blankRv, deployments: blankDeploymentStatus },
  scheduler: { replicaSets: ownersOnly, pods: placementOnly },
  kubelet: { replicaSets: ownersOnly },
};

const mapValues = <T>(record: Readonly<Record<string, T>>, f: (v: T) => T): Record<string, T> => {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record)) out[k] = f(v);
  return out;
};

const projected = new Map<Projector, WeakMap<object, object>>();

const project = (projector: Projector, record: object): object => {
  let cache = projected.get(projector);
  if (!cache) {
    cache = new WeakMap();
    projected.set(projector, cache);
  }
  let out = cache.get(record);
  if (!out) {
    out = projector(record);
    cache.set(record, out);
  }
  return out;
};

const EMPTY: ApiObjects = {
  deployments: {},
  replicaSets: {},
  templatePods: {},
  pods: {},
  nodes: {},
};

/** The view a delivery now would produce for a stage of this kind. */
export const projectApi = (api: ApiObjects, kind: StageKind): ApiObjects => {
  let byKind = projectedApis.get(api);
  if (!byKind) {
    byKind = new Map();
    projectedApis.set(api, byKind);
  }
  let objects = byKind.get(kind);
  if (!objects) {
    const fresh: Record<Collection, object> = { ...EMPTY };
    for (const collection of INFORMER_READS[kind]) {
      const projector = PROJECTIONS[kind]?.[collection];
      fresh[collection] = projector ? project(projector, api[collection]) : api[collection];
    }
    objects = Object.freeze(fresh) as unknown as ApiObjects;
    byKind.set(kind, objects);
  }
  return objects;
};

/** Projections per API state and stage kind: most steps leave the API untouched. */
const projectedApis = new WeakMap<ApiObjects, Map<StageKind, ApiObjects>>();

/** True iff a delivery would change what the stage sees. */
export const isStale = (
  view: InformerView,
  api: ApiObjects,
  kind: StageKind,
  same: <C extends Collection>(c: C, a: ApiObjects[C], b: ApiObjects[C]) => boolean,
): boolean => {
  const fresh = projectApi(api, kind);
  // A view delivered since the API last changed holds this very projection (memoised).
  if (view.objects === fresh) return false;
  return INFORMER_READS[kind].some((c) => !same(c, view.objects[c], fresh[c]));
};
