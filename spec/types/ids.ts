/**
 * Identities shared by the model, the implementation and the properties.
 *
 * Everything is a plain string so that states hash and print cheaply. Keys of namespaced
 * objects are always `namespace/name`; whether a *stage* indexes its in-memory cache by that
 * key or by the bare name is a design switch (`cacheKey`), not a property of the id.
 */

import type { Switches } from './config.js';

export type StageKind = 'autoscaler' | 'deployment' | 'replicaset' | 'scheduler' | 'kubelet';

export type NodeName = string;

/** `autoscaler`, `deployment`, `replicaset`, `scheduler`, or `kubelet/<node>`. */
export type StageId =
  | 'autoscaler'
  | 'deployment'
  | 'replicaset'
  | 'scheduler'
  | `kubelet/${NodeName}`;

/** `namespace/name` of a namespaced API object. */
export type ObjectKey = string;

/** `namespace/name` of a pod: the pod's identity everywhere in the system. */
export type PodKey = ObjectKey;

/** Object uid, minted by the API Server: `u<counter>`. Unique for the whole run. */
export type Uid = string;

/**
 * A session epoch, minted by the client of a link for every handshake. Deterministic:
 * `<stage>#<incarnation>.<counter>`, so a restarted client never reuses an old epoch.
 */
export type Epoch = string;

/** A direct link, named `<client>-><server>` (upstream is the client). */
export type LinkId = `${StageId}->${StageId}`;

export const kubeletId = (node: NodeName): StageId => `kubelet/${node}`;

export const linkId = (client: StageId, server: StageId): LinkId => `${client}->${server}`;

export const objectKey = (namespace: string, name: string): ObjectKey => `${namespace}/${name}`;

export const splitKey = (key: ObjectKey): { namespace: string; name: string } => {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
};

export const mintEpoch = (stage: StageId, incarnation: number, counter: number): Epoch => {
  // Incarnation 0 is a leased stage that has not taken its Lease yet: an epoch minted then
  // could equal one its predecessor minted, or its successor will.
  if (incarnation < 1) throw new Error(`${stage} minted an epoch without an incarnation`);
  return `${stage}#${incarnation}.${counter}`;
};

/**
 * The stages whose incarnation is read from a Lease (coordination.k8s.io/v1) in the API
 * Server: those that mint epochs, pod names or scale versions with it. A restarted process
 * has no memory; it takes its Lease with `leaseTransitions + 1` and uses that number. The
 * kubelets mint nothing, so they hold none; nor does the autoscaler on the API hop, but on
 * its direct hop (`autoscalerLink: 'direct'`) it mints epochs and scale versions and does.
 */
const LEASED_STAGES: readonly StageKind[] = ['deployment', 'replicaset', 'scheduler'];

export const holdsLease = (stage: StageId, switches: Pick<Switches, 'autoscalerLink'>): boolean => {
  const kind = stageKindOf(stage);
  return (
    LEASED_STAGES.includes(kind) || (kind === 'autoscaler' && switches.autoscalerLink === 'direct')
  );
};

/** `namespace/name` of a stage's Lease. */
export const leaseKey = (stage: StageId): ObjectKey => `kube-system/kd-${stage}`;

/** `<stage>#<incarnation>.<counter>` → [incarnation, counter]. */
const epochOrder = (epoch: Epoch): [number, number] => {
  const [incarnation, counter] = epoch
    .slice(epoch.lastIndexOf('#') + 1)
    .split('.')
    .map(Number);
  return [incarnation ?? 0, counter ?? 0];
};

/**
 * Epochs of one client are ordered: a later incarnation, or a later handshake of the same
 * incarnation, is newer. (The artifact's epochs are opaque strings; ours are not.)
 */
export const epochIsOlder = (a: Epoch, b: Epoch): boolean => {
  const [ai, ac] = epochOrder(a);
  const [bi, bc] = epochOrder(b);
  return ai < bi || (ai === bi && ac < bc);
};

/** Two epochs of one client incarnation: they differ at most in the counter. */
export const sameIncarnation = (a: Epoch, b: Epoch): boolean =>
  a.slice(0, a.lastIndexOf('.')) === b.slice(0, b.lastIndexOf('.'));

export const stageKindOf = (stage: StageId): StageKind =>
  stage.startsWith('kubelet/') ? 'kubelet' : (stage as StageKind);

export const nodeOfKubelet = (stage: StageId): NodeName | null =>
  stage.startsWith('kubelet/') ? stage.slice('kubelet/'.length) : null;
