/**
 * The end-of-run check of W5 (and of every run): no lost, duplicated or orphaned pods.
 * Read from the cluster's Observation once the run has settled:
 *
 * - lost: desired pods of a function that are not there, Ready, with a running sandbox;
 * - duplicated: live pods of a function beyond its desired count, and pods whose sandbox
 *   runs on more than one node;
 * - orphaned: sandboxes that run without a live pod bound to their node, and live pods
 *   whose ReplicaSet is gone.
 */
import type { ObjectKey } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';

export interface PodChecks {
  readonly lost: number;
  readonly duplicated: number;
  readonly orphaned: number;
}

/** Where each pod's sandboxes run: pod key → nodes. */
const sandboxNodes = (obs: Observation): Map<string, string[]> => {
  const nodes = new Map<string, string[]>();
  for (const kubelet of obs.kubelets) {
    if (!kubelet.nodeAlive) continue;
    for (const sandbox of kubelet.sandboxes)
      nodes.set(sandbox.pod, [...(nodes.get(sandbox.pod) ?? []), kubelet.node]);
  }
  return nodes;
};

/** ReplicaSet uid → its Deployment's key. */
const deploymentOfReplicaSet = (obs: Observation): Map<string, ObjectKey> => {
  const byUid = new Map<string, ObjectKey>();
  for (const d of Object.values(obs.api.deployments)) byUid.set(d.uid, d.key);
  const out = new Map<string, ObjectKey>();
  for (const rs of Object.values(obs.api.replicaSets)) {
    const deployment = byUid.get(rs.ownerUid);
    if (deployment) out.set(rs.uid, deployment);
  }
  return out;
};

export const checkPods = (obs: Observation, desired: ReadonlyMap<ObjectKey, number>): PodChecks => {
  const sandboxes = sandboxNodes(obs);
  const owners = deploymentOfReplicaSet(obs);
  const live = new Map<ObjectKey, number>();
  const serving = new Map<ObjectKey, number>();
  let orphaned = 0;
  let duplicated = 0;
  const boundLive = new Set<string>();
  for (const pod of Object.values(obs.api.pods)) {
    if (pod.deleting) continue;
    const deployment = owners.get(pod.ownerUid);
    if (!deployment) {
      orphaned += 1;
      continue;
    }
    live.set(deployment, (live.get(deployment) ?? 0) + 1);
    const runsOn = sandboxes.get(pod.key) ?? [];
    if (pod.nodeName !== null) boundLive.add(`${pod.key}@${pod.nodeName}`);
    if (pod.ready && pod.nodeName !== null && runsOn.includes(pod.nodeName))
      serving.set(deployment, (serving.get(deployment) ?? 0) + 1);
  }
  for (const [pod, nodes] of sandboxes) {
    if (nodes.length > 1) duplicated += nodes.length - 1;
    for (const node of nodes) if (!boundLive.has(`${pod}@${node}`)) orphaned += 1;
  }
  let lost = 0;
  for (const [deployment, want] of desired) {
    lost += Math.max(0, want - (serving.get(deployment) ?? 0));
    duplicated += Math.max(0, (live.get(deployment) ?? 0) - want);
  }
  return { lost, duplicated, orphaned };
};
