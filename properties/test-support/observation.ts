/**
 * Builders for `Observation`s in property tests, so that a test reads like the situation it
 * describes: `observation({ pods: [pod('a/p1', { nodeName: 'n1' })], stages: [...] })`.
 *
 * Defaults describe one healthy function: Deployment `a/fn` (uid `u-dep`) owns ReplicaSet
 * `a/fn-h1` (uid `u-rs`, template `h1`), whose template pod is `a/fn-h1-template`; nodes `n1`
 * and `n2` with two slots each. Pods and entries belong to that ReplicaSet unless told.
 */
import type { Epoch, LinkId, NodeName, PodKey, StageId, Uid } from '../../spec/types/ids.js';
import type { CountEntry, PodEntry } from '../../spec/types/messages.js';
import type {
  DeploymentView,
  NodeView,
  PodView,
  ReplicaSetView,
  TemplatePodView,
} from '../../spec/types/objects.js';
import type {
  AppliedEvent,
  DirtyEntry,
  Ghost,
  KubeletObservation,
  LinkObservation,
  Observation,
  PodEntryState,
  ReadyFloor,
  Sandbox,
  StageObservation,
} from '../../spec/types/observation.js';

export const DEPLOYMENT_KEY = 'a/fn';
const DEPLOYMENT_UID = 'u-dep';
export const RS_KEY = 'a/fn-h1';
export const RS_UID = 'u-rs';
const TEMPLATE = 'h1';

export const deployment = (over: Partial<DeploymentView> = {}): DeploymentView => ({
  key: DEPLOYMENT_KEY,
  uid: DEPLOYMENT_UID,
  replicas: 1,
  templateHash: TEMPLATE,
  generation: 1,
  replicasVersion: 0,
  deleting: false,
  managed: true,
  status: { replicas: 0, readyReplicas: 0 },
  rv: 1,
  ...over,
});

export const replicaSet = (over: Partial<ReplicaSetView> = {}): ReplicaSetView => ({
  key: RS_KEY,
  uid: RS_UID,
  ownerUid: DEPLOYMENT_UID,
  templateHash: TEMPLATE,
  replicas: 1,
  replicasVersion: 0,
  fallbackScaling: false,
  status: { replicas: 0, readyReplicas: 0 },
  deleting: false,
  managed: true,
  rv: 2,
  ...over,
});

export const templatePod = (over: Partial<TemplatePodView> = {}): TemplatePodView => ({
  key: `${RS_KEY}-template`,
  uid: 'u-tpl',
  ownerUid: RS_UID,
  ownerKey: RS_KEY,
  templateHash: TEMPLATE,
  fallbackBinding: false,
  rv: 3,
  ...over,
});

export const pod = (key: PodKey, over: Partial<PodView> = {}): PodView => ({
  key,
  uid: `u-${key}`,
  ownerUid: RS_UID,
  ownerKey: RS_KEY,
  templateHash: TEMPLATE,
  nodeName: null,
  ready: false,
  deleting: false,
  rv: 4,
  ...over,
});

export const node = (name: NodeName, allocatable = 2): NodeView => ({ name, allocatable, rv: 1 });

/** A pod entry as a stage caches it; `state` defaults to what the stage kind would hold. */
export const podEntry = (
  key: PodKey,
  over: Partial<PodEntry> & { state?: PodEntryState; source?: StageId | null } = {},
): DirtyEntry => ({
  kind: 'pod',
  key,
  ownerKey: RS_KEY,
  ownerUid: RS_UID,
  node: null,
  templateRv: 3,
  source: null,
  state: 'requested',
  ...over,
});

export const countEntry = (key: string, replicas: number): DirtyEntry => ({
  ...({ kind: 'count', key, replicas, version: 1 } satisfies CountEntry),
  source: null,
});

const kindOf = (id: StageId): StageObservation['kind'] =>
  id.startsWith('kubelet/') ? 'kubelet' : (id as StageObservation['kind']);

/** A serving stage holding `dirty` in its write-back cache. */
export const stage = (
  id: StageId,
  dirty: readonly DirtyEntry[] = [],
  over: Partial<StageObservation> = {},
): StageObservation => ({
  id,
  kind: kindOf(id),
  up: true,
  incarnation: 0,
  phase: 'serving',
  dirty,
  informerRv: 0,
  ...over,
});

export const sandbox = (key: PodKey, over: Partial<Sandbox> = {}): Sandbox => ({
  pod: key,
  ownerUid: RS_UID,
  templateHash: TEMPLATE,
  ...over,
});

/** A kubelet's node with sandboxes running `pods` (keys or whole sandboxes). */
export const kubelet = (
  name: NodeName,
  pods: readonly (PodKey | Sandbox)[] = [],
  nodeAlive = true,
): KubeletObservation => ({
  node: name,
  nodeAlive,
  sandboxes: pods.map((p) => (typeof p === 'string' ? sandbox(p) : p)),
});

/** A connected link on epoch `e1` unless told otherwise. */
export const link = (
  client: StageId,
  server: StageId,
  over: Partial<LinkObservation> = {},
): LinkObservation => ({
  id: `${client}->${server}` as LinkId,
  client,
  server,
  clientPhase: 'connected',
  clientEpoch: 'e1' as Epoch,
  serverEpoch: 'e1' as Epoch,
  inFlight: 0,
  ...over,
});

export interface ObservationParts {
  readonly deployments?: readonly DeploymentView[];
  readonly replicaSets?: readonly ReplicaSetView[];
  readonly templatePods?: readonly TemplatePodView[];
  readonly pods?: readonly PodView[];
  readonly nodes?: readonly NodeView[];
  readonly stages?: readonly StageObservation[];
  readonly kubelets?: readonly KubeletObservation[];
  readonly links?: readonly LinkObservation[];
  readonly desired?: Readonly<Record<string, number>>;
  readonly overshootSlack?: number;
  readonly events?: readonly AppliedEvent[];
  readonly deletedPods?: readonly PodKey[];
  readonly rsTemplates?: Readonly<Record<Uid, string>>;
  readonly recentDesiredMax?: Readonly<Record<string, number>>;
  readonly installedEpochs?: Ghost['installedEpochs'];
  readonly handshakeEpochs?: Ghost['handshakeEpochs'];
  readonly readyFloor?: Readonly<Record<string, ReadyFloor>>;
}

const byKey = <T extends { readonly key: string }>(items: readonly T[]): Record<string, T> =>
  Object.fromEntries(items.map((item) => [item.key, item]));

/** An observation holding exactly `parts`; absent parts are empty. */
export const observation = (parts: ObservationParts = {}): Observation => ({
  step: 0,
  api: {
    up: true,
    rv: 10,
    deployments: byKey(parts.deployments ?? []),
    replicaSets: byKey(parts.replicaSets ?? []),
    templatePods: byKey(parts.templatePods ?? []),
    pods: byKey(parts.pods ?? []),
    nodes: Object.fromEntries((parts.nodes ?? []).map((n) => [n.name, n])),
  },
  stages: parts.stages ?? [],
  kubelets: parts.kubelets ?? [],
  links: parts.links ?? [],
  desired: parts.desired ?? {},
  overshootSlack: parts.overshootSlack ?? 0,
  ghost: {
    deletedPods: new Set(parts.deletedPods ?? []),
    rsTemplates: parts.rsTemplates ?? {},
    recentDesiredMax: parts.recentDesiredMax ?? {},
    installedEpochs: parts.installedEpochs ?? {},
    handshakeEpochs: parts.handshakeEpochs ?? {},
    readyFloor: parts.readyFloor ?? {},
  },
  events: parts.events ?? [],
});

export const emptyObservation = (): Observation => observation();

/**
 * The default function, healthy: its Deployment, ReplicaSet and template pod, nodes n1 and
 * n2, and its template known to the ghost. Tests add pods, caches and sandboxes on top.
 */
export const healthy = (parts: ObservationParts = {}): Observation =>
  observation({
    deployments: [deployment()],
    replicaSets: [replicaSet()],
    templatePods: [templatePod()],
    nodes: [node('n1'), node('n2')],
    rsTemplates: { [RS_UID]: TEMPLATE },
    recentDesiredMax: { [RS_KEY]: 1 },
    desired: { [DEPLOYMENT_KEY]: 1 },
    ...parts,
  });
