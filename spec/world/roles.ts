/**
 * Which stage plays which role on which link, and the per-stage hooks the world calls:
 * informer delivery, the dirty entries a client's retry timer looks at, and crash resets.
 */
import { autoscalerClient, autoscalerWrittenBack } from '../stages/autoscaler.js';
import { deploymentClient, deploymentServer, onDeploymentSync } from '../stages/deployment.js';
import { kubeletServer, onKubeletSync } from '../stages/kubelet.js';
import { onReplicaSetSync, replicaSetClient, replicaSetServer } from '../stages/replicaset.js';
import { onSchedulerSync, schedulerClient, schedulerServer } from '../stages/scheduler.js';
import type { Config } from '../types/config.js';
import type { StageId } from '../types/ids.js';
import { nodeOfKubelet, stageKindOf } from '../types/ids.js';
import type { LinkEntry } from '../types/messages.js';
import type { ClientRole, Roles, ServerRole } from './session.js';
import type {
  DeploymentCtlState,
  InformerView,
  KubeletState,
  LinkState,
  ReplicaSetCtlState,
  SchedulerState,
  StageCore,
  WorldState,
} from './state.js';

export const coreOf = (state: WorldState, stage: StageId): StageCore => {
  const node = nodeOfKubelet(stage);
  if (node !== null) {
    const k = state.kubelets[node];
    if (!k) throw new Error(`no kubelet ${stage}`);
    return k;
  }
  return state[stageKindOf(stage) as Exclude<ReturnType<typeof stageKindOf>, 'kubelet'>];
};

/** The world with `core` in place of the stage of its id: for steps on plain states. */
export const withCore = (state: WorldState, core: StageCore): WorldState => {
  const node = nodeOfKubelet(core.id);
  if (node === null) return { ...state, [stageKindOf(core.id)]: core };
  return { ...state, kubelets: { ...state.kubelets, [node]: core as KubeletState } };
};

const serverRoles: Partial<Record<ReturnType<typeof stageKindOf>, ServerRole>> = {
  deployment: deploymentServer,
  replicaset: replicaSetServer,
  scheduler: schedulerServer,
  kubelet: kubeletServer,
};

const clientRoles: Partial<Record<ReturnType<typeof stageKindOf>, ClientRole>> = {
  autoscaler: autoscalerClient,
  deployment: deploymentClient,
  replicaset: replicaSetClient,
  scheduler: schedulerClient,
};

export const ROLES: Roles = {
  server: (link) => {
    const role = serverRoles[stageKindOf(link.server)];
    if (!role) throw new Error(`${link.server} is no server`);
    return role;
  },
  client: (link) => {
    const role = clientRoles[stageKindOf(link.client)];
    if (!role) throw new Error(`${link.client} is no client`);
    return role;
  },
  core: coreOf,
  withCore,
  checked: (state, cfg, link, received) => handshakeInputs(state, cfg, link, received),
};

/**
 * The entries the client holds that went (or would go) on this link and that it has not yet
 * seen persisted through its own informer: only its own memory.
 */
export const dirtyOn = (state: WorldState, link: LinkState): string[] => {
  switch (stageKindOf(link.client)) {
    // Sent and not yet known written back: only round 2's GETs tell (no informer).
    case 'autoscaler':
      return Object.values(state.autoscaler.held).map((held) => `${held.key}@${held.version}`);
    case 'deployment':
      return Object.values(state.deployment.counts)
        .filter((held) => !held.written)
        .map((held) => `${held.key}@${held.version}`);
    case 'replicaset':
      return [
        ...Object.keys(state.replicaset.requested),
        ...Object.entries(state.replicaset.expected).map(([key, n]) => `${key}#${n}`),
      ];
    case 'scheduler': {
      const node = nodeOfKubelet(link.server);
      return Object.values(state.scheduler.pods)
        .filter((held) => held.node === node)
        .map((held) => held.key);
    }
    default:
      return [];
  }
};

export const holdsDirty = (state: WorldState, link: LinkState): boolean =>
  dirtyOn(state, link).length > 0;

/**
 * What a handshake on this link decides from: the server's snapshot (`received`, or what the
 * server would report now), the client's dirty entries and which of them the API holds. A
 * re-check while this is what the client's latest round 2 decided from would end as that one
 * did, so the explorer leaves such a firing of the periodic timer out (a reduction of
 * equivalent steps, not a rule of the client: the implementation's timer fires on its period
 * whatever it would find). It must be the inputs round 2 really saw, not the state when the
 * handshake started: the server's snapshot and the client both move while the handshake is
 * in flight and the client waits for its informer.
 */
export const handshakeInputs = (
  state: WorldState,
  cfg: Config,
  link: LinkState,
  received?: readonly LinkEntry[],
): string => {
  const snapshot =
    received ?? serverRoles[stageKindOf(link.server)]?.snapshot(state, cfg, link) ?? [];
  const reported = snapshot
    .map((e) => (e.kind === 'count' ? `${e.key}@${e.version}:${e.replicas}` : e.key))
    .sort();
  const dirty = dirtyOn(state, link).sort();
  // The autoscaler's counts are persisted once a Deployment shows their version.
  const persisted =
    stageKindOf(link.client) === 'autoscaler'
      ? autoscalerWrittenBack(state).sort()
      : dirty.filter((key) => state.api.pods[key] !== undefined);
  return JSON.stringify([reported, dirty, persisted]);
};

/**
 * The stage's informer handlers, run on the plain stage `core` once its view moved from
 * `before` to the newest state: the stage as the delivery leaves it.
 */
export const onInformerSync = (cfg: Config, core: StageCore, before: InformerView): StageCore => {
  switch (stageKindOf(core.id)) {
    case 'kubelet':
      return onKubeletSync(cfg, core as KubeletState);
    case 'deployment':
      return onDeploymentSync(core as DeploymentCtlState);
    case 'replicaset':
      return onReplicaSetSync(core as ReplicaSetCtlState, before);
    case 'scheduler':
      return onSchedulerSync(cfg, core as SchedulerState);
    default:
      return core;
  }
};
