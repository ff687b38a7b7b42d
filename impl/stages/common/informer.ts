/**
 * What a stage's informers have delivered, as plain data for a machine's context, and the
 * lookups the scheduler and the kubelet share (template of an owner, owner known gone).
 * Objects are kept by key; deletes remove them. `rv` is the highest resourceVersion seen.
 */
import type { Switches } from '../../../spec/types/config.js';
import type { NodeName, ObjectKey, PodKey, Uid } from '../../../spec/types/ids.js';
import { splitKey } from '../../../spec/types/ids.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import type {
  NodeView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../../spec/types/objects.js';
import type { ObjectView, StageEvent } from '../io.js';

export interface InformerCache {
  readonly rv: number;
  readonly synced: boolean;
  readonly pods: Readonly<Record<PodKey, PodView>>;
  readonly templates: Readonly<Record<ObjectKey, TemplatePodView>>;
  readonly replicaSets: Readonly<Record<ObjectKey, ReplicaSetView>>;
  readonly nodes: Readonly<Record<NodeName, NodeView>>;
}

export const emptyInformer: InformerCache = {
  rv: 0,
  synced: false,
  pods: {},
  templates: {},
  replicaSets: {},
  nodes: {},
};

type InformerEvent = Extract<
  StageEvent,
  { type: 'informer.upsert' | 'informer.delete' | 'informer.synced' }
>;

/** The cache after one informer event (Deployments are not kept: these stages do not read them). */
export const applyInformer = (cache: InformerCache, event: InformerEvent): InformerCache => {
  const rv = Math.max(cache.rv, event.rv);
  if (event.type === 'informer.synced') return { ...cache, rv, synced: true };
  const put = event.type === 'informer.upsert';
  return { ...cache, ...collection(cache, event.object, put), rv };
};

const collection = (
  cache: InformerCache,
  object: ObjectView,
  put: boolean,
): Partial<InformerCache> => {
  const edit = <V>(record: Readonly<Record<string, V>>, key: string, view: V) => {
    const next = { ...record };
    if (put) next[key] = view;
    else delete next[key];
    return next;
  };
  switch (object.kind) {
    case 'Pod':
      return { pods: edit(cache.pods, object.view.key, object.view) };
    case 'TemplatePod':
      return { templates: edit(cache.templates, object.view.key, object.view) };
    case 'ReplicaSet':
      return { replicaSets: edit(cache.replicaSets, object.view.key, object.view) };
    case 'Node':
      return { nodes: edit(cache.nodes, object.view.name, object.view) };
    default:
      return {};
  }
};

export const templateOf = (cache: InformerCache, ownerUid: Uid): TemplatePodView | undefined =>
  Object.values(cache.templates).find((t) => t.ownerUid === ownerUid);

/**
 * The owner is known to be gone: the informer has passed the template's creation and shows
 * neither the template nor the ReplicaSet. (Absent before that point only means "not yet seen".)
 */
export const ownerKnownGone = (cache: InformerCache, ownerUid: Uid, templateRv: number): boolean =>
  cache.rv >= templateRv &&
  templateOf(cache, ownerUid) === undefined &&
  !Object.values(cache.replicaSets).some((rs) => rs.uid === ownerUid);

/** How a stage indexes its in-memory cache (switch `cacheKey`). */
export const cacheKey = (switches: Switches, pod: PodKey): string =>
  switches.cacheKey === 'name' ? splitKey(pod).name : pod;

/** A held pod as it travels in messages, snapshots and syncs. */
export const toPodEntry = (held: PodEntry): PodEntry => ({
  kind: 'pod',
  key: held.key,
  ownerKey: held.ownerKey,
  ownerUid: held.ownerUid,
  node: held.node,
  templateRv: held.templateRv,
});
