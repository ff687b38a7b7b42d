/**
 * What a stage's informers have delivered, as plain data for a machine's context, and the
 * lookups the stages share (template of an owner, pods of an owner, owner known gone).
 * Objects are kept by key; a delete removes the object of its uid only (a re-created object
 * of the same name is another object). `rv` is the highest resourceVersion seen on
 * any stream. `templatesRv` is how far the template Pods' stream is known to have come: each
 * stream is a watch of its own and may lag behind the others, and a re-list delivers its
 * objects in name order, so only a streamed event (resourceVersion order) or the end of the
 * initial lists (`informer.synced`: a stage's informers list together when it starts) says
 * that everything before it has been delivered.
 */
import type { Switches } from '../../../spec/types/config.js';
import type { NodeName, ObjectKey, PodKey, Uid } from '../../../spec/types/ids.js';
import { splitKey } from '../../../spec/types/ids.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import type {
  DeploymentView,
  NodeView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../../spec/types/objects.js';
import type { ObjectView, StageEvent } from '../io.js';
import { groupOf } from './grouped-by.js';
import { withEntry } from './tables.js';

export interface InformerCache {
  readonly rv: number;
  /** The highest resourceVersion the template Pods' stream has delivered. */
  readonly templatesRv: number;
  /** The same for the ReplicaSets' stream. */
  readonly replicaSetsRv: number;
  /**
   * The uid of the last ReplicaSet deleted under each key: a re-list delivers a deletion
   * out of resourceVersion order, so `replicaSetsRv` does not pass it, but it is seen.
   */
  readonly deletedReplicaSets: Readonly<Record<ObjectKey, Uid>>;
  readonly synced: boolean;
  readonly deployments: Readonly<Record<ObjectKey, DeploymentView>>;
  readonly pods: Readonly<Record<PodKey, PodView>>;
  readonly templates: Readonly<Record<ObjectKey, TemplatePodView>>;
  readonly replicaSets: Readonly<Record<ObjectKey, ReplicaSetView>>;
  readonly nodes: Readonly<Record<NodeName, NodeView>>;
}

export const emptyInformer: InformerCache = {
  rv: 0,
  templatesRv: 0,
  replicaSetsRv: 0,
  deletedReplicaSets: {},
  synced: false,
  deployments: {},
  pods: {},
  templates: {},
  replicaSets: {},
  nodes: {},
};

type InformerEvent = Extract<
  StageEvent,
  { type: 'informer.upsert' | 'informer.delete' | 'informer.synced' }
>;

/** The cache after one informer event. */
export const applyInformer = (cache: InformerCache, event: InformerEvent): InformerCache => {
  const rv = Math.max(cache.rv, event.rv);
  if (event.type === 'informer.synced')
    return {
      ...cache,
      rv,
      templatesRv: Math.max(cache.templatesRv, event.rv),
      replicaSetsRv: Math.max(cache.replicaSetsRv, event.rv),
      synced: true,
    };
  const put = event.type === 'informer.upsert';
  const streamed = event.relisted !== true;
  const passed = (kind: ObjectView['kind'], at: number) =>
    streamed && event.object.kind === kind ? Math.max(at, event.rv) : at;
  return {
    ...cache,
    ...collection(cache, event.object, put),
    rv,
    templatesRv: passed('TemplatePod', cache.templatesRv),
    replicaSetsRv: passed('ReplicaSet', cache.replicaSetsRv),
  };
};

const collection = (
  cache: InformerCache,
  object: ObjectView,
  put: boolean,
): Partial<InformerCache> => {
  const edit = <V extends object>(record: Readonly<Record<string, V>>, key: string, view: V) => {
    const held = record[key];
    // A delete for an older incarnation of the name must not remove the newer object.
    if (!put && held && 'uid' in held && 'uid' in view && held.uid !== view.uid) return record;
    return withEntry(record, key, put ? view : undefined);
  };
  switch (object.kind) {
    case 'Deployment':
      return { deployments: edit(cache.deployments, object.view.key, object.view) };
    case 'Pod':
      return { pods: edit(cache.pods, object.view.key, object.view) };
    case 'TemplatePod':
      return { templates: edit(cache.templates, object.view.key, object.view) };
    case 'ReplicaSet': {
      const replicaSets = edit(cache.replicaSets, object.view.key, object.view);
      if (put) return { replicaSets };
      const deleted = { ...cache.deletedReplicaSets, [object.view.key]: object.view.uid };
      return { replicaSets, deletedReplicaSets: deleted };
    }
    case 'Node':
      return { nodes: edit(cache.nodes, object.view.name, object.view) };
  }
};

export const templateOf = (cache: InformerCache, ownerUid: Uid): TemplatePodView | undefined =>
  groupOf(cache.templates, 'ownerUid', (t) => t.ownerUid, ownerUid)[0];

export const podsOwnedBy = (cache: InformerCache, ownerUid: Uid): readonly PodView[] =>
  groupOf(cache.pods, 'ownerUid', (p) => p.ownerUid, ownerUid);

/** The pods bound to no node, in the table's order (grouped by "bound or not"). */
export const unboundPods = (cache: InformerCache): readonly PodView[] =>
  groupOf(cache.pods, 'unbound', (p) => (p.nodeName === null ? 'unbound' : 'bound'), 'unbound');

/** The ReplicaSet of this uid (its key may name a newer one). */
export const replicaSetOfUid = (cache: InformerCache, uid: Uid): ReplicaSetView | undefined =>
  groupOf(cache.replicaSets, 'uid', (rs) => rs.uid, uid)[0];

/** The ReplicaSets a Deployment of this uid owns, in the table's order. */
export const replicaSetsOwnedBy = (
  cache: InformerCache,
  ownerUid: Uid,
): readonly ReplicaSetView[] =>
  groupOf(cache.replicaSets, 'ownerUid', (rs) => rs.ownerUid, ownerUid);

/** The Deployment of this uid. */
export const deploymentOfUid = (cache: InformerCache, uid: Uid): DeploymentView | undefined =>
  groupOf(cache.deployments, 'uid', (d) => d.uid, uid)[0];

/**
 * The owner is known to be gone: the template Pods' stream has passed the template's
 * creation and shows neither the template nor the ReplicaSet. (Absent before that point only
 * means "not yet seen". It must be that stream's own position: the node stream's deletion of
 * a lost node once carried `rv` past a template the template stream had not yet delivered,
 * and the scheduler forgot pods it had just bound, over-filling a node: a `kd check` find.)
 */
export const ownerKnownGone = (cache: InformerCache, ownerUid: Uid, templateRv: number): boolean =>
  cache.templatesRv >= templateRv &&
  templateOf(cache, ownerUid) === undefined &&
  replicaSetOfUid(cache, ownerUid) === undefined;

/**
 * The best-effort owner check before an expose (switch `exposeChecksOwner`), as in the
 * model: the ReplicaSets' stream shows the owner deleting, replaced by another of the same
 * name, or, having passed the template's creation (a ReplicaSet is older than its
 * template), not at all. A lagging stream still shows a deleted owner: the API accepts the
 * orphan then, and the garbage collector removes it.
 */
export const ownerSeenGone = (
  cache: InformerCache,
  entry: Pick<PodEntry, 'ownerKey' | 'ownerUid' | 'templateRv'>,
): boolean => {
  const rs = cache.replicaSets[entry.ownerKey];
  if (rs?.uid === entry.ownerUid) return rs.deleting;
  if (rs !== undefined || cache.deletedReplicaSets[entry.ownerKey] === entry.ownerUid) return true;
  return cache.replicaSetsRv >= entry.templateRv;
};

/** How a stage indexes its in-memory cache (switch `cacheKey`). */
export const cacheKey = (switches: Switches, pod: PodKey): string =>
  switches.cacheKey === 'name' ? splitKey(pod).name : pod;
