/**
 * Direct messages of protocol.md §3. Types are named `<receiver>.<method>`; every envelope
 * carries `source`, `destination` and `epoch`. Payloads are identities, never whole objects.
 *
 * Direction (upstream is the client of a link, downstream the server):
 *   handshake, sync, deployment.scale, replicaset.scale, schedulePods, bindPod: client → server
 *   handshakeReply, syncAck, epochMismatch, notReady, notFound:               server → client
 */
import type { Epoch, NodeName, ObjectKey, PodKey, StageId, StageKind, Uid } from './ids.js';

/**
 * One entry of a stage's write-back cache, as it travels in snapshots and syncs.
 * `count`: a desired replica count (absolute; the newest `version` wins).
 * `pod`: a pod identity on its way down (requested, assumed or bound).
 */
export type LinkEntry = CountEntry | PodEntry;

export interface CountEntry {
  readonly kind: 'count';
  /** The Deployment (A → D) or ReplicaSet (D → RS) being scaled. */
  readonly key: ObjectKey;
  readonly replicas: number;
  readonly version: number;
}

export interface PodEntry {
  readonly kind: 'pod';
  readonly key: PodKey;
  readonly ownerKey: ObjectKey;
  readonly ownerUid: Uid;
  /** The node chosen by the scheduler; null until then. */
  readonly node: NodeName | null;
  /**
   * resourceVersion at which the owner's template Pod was created. A kubelet whose informer
   * has passed it without showing the template knows the template was deleted.
   */
  readonly templateRv: number;
}

/**
 * Versions of `deployment.scale` (`autoscalerLink: 'direct'`): minted by the autoscaler as
 * (incarnation, counter), so a restarted autoscaler's counts are newer than any of an older
 * incarnation's, without any state to persist. The counter stays below `COUNTER_SPAN`.
 */
const SCALE_COUNTER_SPAN = 1000;
export const mintScaleVersion = (incarnation: number, counter: number): number => {
  // Incarnation 0: the autoscaler has not taken its Lease yet (see `mintEpoch`).
  if (incarnation < 1) throw new Error('the autoscaler minted a scale version without a Lease');
  if (counter >= SCALE_COUNTER_SPAN)
    throw new Error(`autoscaler minted more than ${SCALE_COUNTER_SPAN - 1} scale versions`);
  return incarnation * SCALE_COUNTER_SPAN + counter;
};

/**
 * The version of a `replicaset.scale`. With the API hop it is the Deployment's generation
 * (its spec changes are ordered by it). With the direct autoscaler link the count can reach
 * the Deployment controller before the generation moves, so the version is the pair
 * (generation, version of the autoscaler's count), compared lexicographically: a template
 * change or a written-back count raises the generation; a newer direct count raises the
 * second part within one generation.
 */
const REPLICASET_VERSION_SPAN = 1_000_000;
export const replicaSetVersion = (generation: number, scaleVersion: number | null): number =>
  scaleVersion === null ? generation : generation * REPLICASET_VERSION_SPAN + scaleVersion;

interface Envelope {
  readonly source: StageId;
  readonly destination: StageId;
  readonly epoch: Epoch;
}

/** Round 1, client → server: install `epoch` (the fence) and report. */
export interface Handshake extends Envelope {
  readonly type: `${StageKind}.handshake`;
}

/** Round 1, server → client: the server's dirty entries that came from this client. */
export interface HandshakeReply extends Envelope {
  readonly type: `${StageKind}.handshakeReply`;
  readonly snapshot: readonly LinkEntry[];
}

/** Round 2, client → server: entries to (re)apply, by identity, and entries to discard. */
export interface Sync extends Envelope {
  readonly type: `${StageKind}.sync`;
  readonly entries: readonly LinkEntry[];
  readonly discard: readonly string[];
}

/** Round 2, server → client: the link is connected. */
export interface SyncAck extends Envelope {
  readonly type: `${StageKind}.syncAck`;
}

/** Autoscaler → Deployment controller (only with `autoscalerLink: 'direct'`). */
export interface DeploymentScale extends Envelope {
  readonly type: 'deployment.scale';
  readonly entry: CountEntry;
}

/** Deployment controller → ReplicaSet controller: an absolute count, newest version wins. */
export interface ReplicaSetScale extends Envelope {
  readonly type: 'replicaset.scale';
  readonly entry: CountEntry;
}

/**
 * ReplicaSet controller → scheduler. With `schedulePodsPayload: 'names'` it carries pod
 * identities (idempotent); with `'count'` (the artifact's form) a number of pods to create,
 * which the scheduler names itself, so a duplicate creates more pods.
 */
export interface SchedulePods extends Envelope {
  readonly type: 'scheduler.schedulePods';
  readonly ownerKey: ObjectKey;
  readonly ownerUid: Uid;
  readonly templateRv: number;
  readonly pods: readonly PodKey[];
  readonly count: number;
}

/** Scheduler → the chosen node's kubelet. */
export interface BindPod extends Envelope {
  readonly type: 'kubelet.bindPod';
  readonly entry: PodEntry;
}

/** Server → client: the message's epoch is not the current one for its source. */
export interface EpochMismatch extends Envelope {
  readonly type: `${StageKind}.epochMismatch`;
  readonly refused: string;
}

/**
 * Server → client: the server is still recovering its own downstream (bottom-up recovery)
 * and cannot answer a handshake yet. The model defers the handshake instead of sending
 * this; the implementation sends it and the client retries.
 */
export interface NotReady extends Envelope {
  readonly type: `${StageKind}.notReady`;
}

/** Kubelet → scheduler: the pod's template is not (yet) in the kubelet's informer. */
export interface NotFound extends Envelope {
  readonly type: 'scheduler.notFound';
  readonly pod: PodKey;
}

export type Message =
  | Handshake
  | HandshakeReply
  | Sync
  | SyncAck
  | DeploymentScale
  | ReplicaSetScale
  | SchedulePods
  | BindPod
  | EpochMismatch
  | NotReady
  | NotFound;

/** Messages that carry write-back entries and are admitted under the server's epoch. */
export type DataMessage = DeploymentScale | ReplicaSetScale | SchedulePods | BindPod;

export const isSync = (message: Message): message is Sync => message.type.endsWith('.sync');

/** The entry keys a message carries, as the applied events name them. */
export const entryKeysOf = (message: Message): string[] => {
  switch (message.type) {
    case 'deployment.scale':
    case 'replicaset.scale':
    case 'kubelet.bindPod':
      return [message.entry.key];
    case 'scheduler.schedulePods':
      return message.pods.length > 0 ? [...message.pods] : [`${message.ownerKey}#${message.count}`];
    default:
      return 'entries' in message ? message.entries.map((e) => e.key) : [];
  }
};

/** A held pod as it travels in messages, snapshots and syncs (its other fields dropped). */
export const toPodEntry = (held: PodEntry): PodEntry => ({
  kind: 'pod',
  key: held.key,
  ownerKey: held.ownerKey,
  ownerUid: held.ownerUid,
  node: held.node,
  templateRv: held.templateRv,
});
