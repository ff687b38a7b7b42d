/**
 * The initial state: a warm cluster in which every function is deployed (Deployment,
 * ReplicaSet and template Pod exist, scaled to zero), every controller's informer has synced
 * and every link is connected — except the kubelets' informers, which have not listed yet,
 * so that a bind can race its template. The run starts from scale-from-zero, the FaaS case.
 */

import { emptyView } from '../stages/common.js';
import type { Config, Preset } from '../types/config.js';
import type { NodeName, ObjectKey, StageId } from '../types/ids.js';
import {
  holdsLease,
  kubeletId,
  linkId,
  mintEpoch,
  objectKey,
  type StageKind,
} from '../types/ids.js';
import type {
  ApiObjects,
  DeploymentView,
  NodeView,
  ReplicaSetView,
  TemplatePodView,
} from '../types/objects.js';
import type { Ghost, HandshakeEpochs, InstalledEpoch } from '../types/observation.js';
import { projectApi } from './informer.js';
import type { InformerView, KubeletState, LinkState, StageCore, WorldState } from './state.js';

/** One template for every function: same-named functions in two namespaces share pod names. */
const TEMPLATE_HASH = 'h1';

const buildApi = (preset: Preset): { objects: ApiObjects; rv: number; uids: number } => {
  let rv = 0;
  let uids = 0;
  const deployments: Record<ObjectKey, DeploymentView> = {};
  const replicaSets: Record<ObjectKey, ReplicaSetView> = {};
  const templatePods: Record<ObjectKey, TemplatePodView> = {};
  for (const fn of preset.functions) {
    const key = objectKey(fn.namespace, fn.name);
    const deployment: DeploymentView = {
      key,
      uid: `u${++uids}`,
      replicas: 0,
      templateHash: TEMPLATE_HASH,
      generation: 1,
      replicasVersion: 0,
      managed: true,
      deleting: false,
      status: { replicas: 0, readyReplicas: 0 },
      rv: ++rv,
    };
    const rsKey = `${key}-${TEMPLATE_HASH}`;
    const rs: ReplicaSetView = {
      key: rsKey,
      uid: `u${++uids}`,
      ownerUid: deployment.uid,
      templateHash: TEMPLATE_HASH,
      replicas: 0,
      replicasVersion: 0,
      managed: true,
      fallbackScaling: false,
      status: { replicas: 0, readyReplicas: 0 },
      deleting: false,
      rv: ++rv,
    };
    const templateKey = `${rsKey}-template`;
    templatePods[templateKey] = {
      key: templateKey,
      uid: `u${++uids}`,
      ownerUid: rs.uid,
      ownerKey: rsKey,
      templateHash: TEMPLATE_HASH,
      fallbackBinding: false,
      rv: ++rv,
    };
    deployments[key] = deployment;
    replicaSets[rsKey] = rs;
  }
  const nodes: Record<NodeName, NodeView> = {};
  for (const name of preset.nodes)
    nodes[name] = { name, allocatable: preset.nodeAllocatable, rv: ++rv };
  return { objects: { deployments, replicaSets, templatePods, pods: {}, nodes }, rv, uids };
};

const core = <Id extends StageCore['id']>(id: Id, view: InformerView, epochs: number) =>
  ({ id, incarnation: 1, phase: 'serving', epochs, view }) as const;

const connectedLink = (client: StageCore['id'], server: StageCore['id']): LinkState => {
  const epoch = mintEpoch(client, 1, 1);
  return {
    id: linkId(client, server),
    client,
    server,
    phase: 'connected',
    epoch,
    serverEpoch: epoch,
    admitted: [],
    round2: null,
    checked: null,
  };
};

/** The links start connected: as if each client's first handshake had been answered. */
const connectedGhost = (
  links: Record<string, LinkState>,
): Pick<Ghost, 'installedEpochs' | 'handshakeEpochs'> => {
  const installedEpochs: Record<string, InstalledEpoch> = {};
  const handshakeEpochs: Record<string, HandshakeEpochs> = {};
  for (const l of Object.values(links)) {
    if (l.epoch === null) continue;
    installedEpochs[l.id] = { epoch: l.epoch, serverIncarnation: 1 };
    handshakeEpochs[l.id] = { newest: l.epoch, regressed: null };
  }
  return { installedEpochs, handshakeEpochs };
};

export const initialState = (cfg: Config): WorldState => {
  const preset = cfg.preset;
  const { objects, rv, uids } = buildApi(preset);
  // Every leased stage took its Lease once, on its first start (incarnation 1).
  const leases: Partial<Record<StageId, number>> = {};
  const controllers: StageId[] = ['autoscaler', 'deployment', 'replicaset', 'scheduler'];
  for (const id of controllers) if (holdsLease(id, cfg.switches)) leases[id] = 1;
  const api = { ...objects, up: true, rv, uidCounter: uids, leases };
  const synced = (kind: StageKind): InformerView => ({ rv, objects: projectApi(api, kind) });
  const links: Record<string, LinkState> = {};
  const addLink = (l: LinkState) => {
    links[l.id] = l;
  };
  if (cfg.switches.autoscalerLink === 'direct') addLink(connectedLink('autoscaler', 'deployment'));
  addLink(connectedLink('deployment', 'replicaset'));
  addLink(connectedLink('replicaset', 'scheduler'));
  const kubelets: Record<NodeName, KubeletState> = {};
  for (const node of preset.nodes) {
    addLink(connectedLink('scheduler', kubeletId(node)));
    kubelets[node] = {
      ...core(kubeletId(node), emptyView(), 0),
      node,
      alive: true,
      bound: {},
      tombstones: {},
      sandboxes: {},
    };
  }
  const load: Record<ObjectKey, number> = {};
  const recentDesiredMax: Record<ObjectKey, number> = {};
  const rsTemplates: Record<string, string> = {};
  for (const fn of preset.functions) load[objectKey(fn.namespace, fn.name)] = preset.initialLoad;
  for (const rs of Object.values(objects.replicaSets)) {
    recentDesiredMax[rs.key] = 0;
    rsTemplates[rs.uid] = rs.templateHash;
  }
  return {
    api,
    autoscaler: {
      ...core('autoscaler', synced('autoscaler'), cfg.switches.autoscalerLink === 'direct' ? 1 : 0),
      written: {},
      held: {},
      versions: 0,
    },
    deployment: {
      ...core('deployment', synced('deployment'), 1),
      counts: {},
      // The initial status (none yet) counts as written: the run starts from a settled world.
      statusWritten: Object.fromEntries(Object.keys(objects.deployments).map((k) => [k, '0/0'])),
      scales: {},
    },
    replicaset: {
      ...core('replicaset', synced('replicaset'), 1),
      desired: {},
      requested: {},
      expected: {},
      minted: {},
      statusWritten: {},
      upstreamSynced: true,
      deleted: {},
    },
    scheduler: { ...core('scheduler', synced('scheduler'), 1), pods: {}, minted: 0 },
    kubelets,
    links,
    net: [],
    load,
    budgets: { ...preset.budgets },
    ghost: {
      deletedPods: {},
      rsTemplates,
      recentDesiredMax,
      ...connectedGhost(links),
      readyFloor: {},
    },
    step: 0,
    events: [],
  };
};
