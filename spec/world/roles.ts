/**
 * Which stage plays which role on which link, and the per-stage hooks the world calls:
 * informer delivery, "lost entries" detection for retry timers, and crash resets.
 */
import { deploymentClient, deploymentLost, onDeploymentSync } from '../stages/deployment.js';
import { kubeletServer, onKubeletSync } from '../stages/kubelet.js';
import {
  onReplicaSetSync,
  replicaSetClient,
  replicaSetLost,
  replicaSetServer,
} from '../stages/replicaset.js';
import {
  onSchedulerSync,
  schedulerClient,
  schedulerLost,
  schedulerServer,
} from '../stages/scheduler.js';
import type { StageId } from '../types/ids.js';
import { nodeOfKubelet, stageKindOf } from '../types/ids.js';
import type { ClientRole, Roles, ServerRole } from './session.js';
import type { Ctx, InformerView, LinkState, StageCore, WorldState } from './state.js';

export const coreOf = (state: WorldState, stage: StageId): StageCore => {
  const node = nodeOfKubelet(stage);
  if (node !== null) {
    const k = state.kubelets[node];
    if (!k) throw new Error(`no kubelet ${stage}`);
    return k;
  }
  return state[stageKindOf(stage) as Exclude<ReturnType<typeof stageKindOf>, 'kubelet'>];
};

const serverRoles: Partial<Record<ReturnType<typeof stageKindOf>, ServerRole>> = {
  replicaset: replicaSetServer,
  scheduler: schedulerServer,
  kubelet: kubeletServer,
};

const clientRoles: Partial<Record<ReturnType<typeof stageKindOf>, ClientRole>> = {
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
  core: (ctx, stage) => coreOf(ctx.w as WorldState, stage),
};

/** Does the client hold entries that its downstream lost (so its retry timer fires)? */
export const lostEntries = (state: WorldState, link: LinkState): boolean => {
  switch (stageKindOf(link.client)) {
    case 'deployment':
      return deploymentLost(state, link);
    case 'replicaset':
      return replicaSetLost(state, link);
    case 'scheduler':
      return schedulerLost(state, link);
    default:
      return false;
  }
};

/** The stage's informer handlers, run after its view moved from `before` to the newest state. */
export const onInformerSync = (ctx: Ctx, stage: StageId, before: InformerView): void => {
  const node = nodeOfKubelet(stage);
  if (node !== null) onKubeletSync(ctx, node);
  if (stage === 'deployment') onDeploymentSync(ctx);
  if (stage === 'replicaset') onReplicaSetSync(ctx, before);
  if (stage === 'scheduler') onSchedulerSync(ctx);
};
