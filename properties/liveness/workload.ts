/**
 * Liveness of the workload, checked on one state once faults have stopped ("this holds
 * now"): `replicas-converge` (Ready pods per function equal the desired count) and
 * `status-converges` (ReplicaSet and Deployment status counts equal the truth).
 */
import type { DeploymentView, PodView } from '../../spec/types/objects.js';
import type { Observation } from '../../spec/types/observation.js';
import { type EventuallyProperty, fail, OK, type Verdict } from '../../spec/types/property.js';

/**
 * A pod that serves `deployment`: Ready, not deleting, on a live node, owned through a live
 * ReplicaSet of the Deployment's current template (after a template change, the old
 * template's pods do not count: the rollout is part of converging).
 */
const serves = (obs: Observation, deployment: DeploymentView, pod: PodView): boolean => {
  if (!pod.ready || pod.deleting || pod.nodeName === null) return false;
  if (obs.api.nodes[pod.nodeName] === undefined) return false;
  const owner = obs.api.replicaSets[pod.ownerKey];
  return (
    owner !== undefined &&
    owner.uid === pod.ownerUid &&
    owner.ownerUid === deployment.uid &&
    owner.templateHash === deployment.templateHash
  );
};

const countServing = (obs: Observation, deployment: DeploymentView): number => {
  let ready = 0;
  for (const pod of Object.values(obs.api.pods)) if (serves(obs, deployment, pod)) ready += 1;
  return ready;
};

const servingPods = (obs: Observation, deployment: DeploymentView): string => {
  const keys: string[] = [];
  for (const pod of Object.values(obs.api.pods))
    if (serves(obs, deployment, pod)) keys.push(pod.key);
  return keys.length === 0 ? 'none' : keys.sort().join(', ');
};

const checkReplicas = (obs: Observation): Verdict => {
  for (const [fn, desired] of Object.entries(obs.desired)) {
    // A deleted function asks for nothing here; deletion-completes judges what it leaves.
    const deployment = obs.api.deployments[fn];
    if (deployment === undefined || deployment.deleting) continue;
    const ready = countServing(obs, deployment);
    if (ready === desired) continue;
    return fail(
      `function ${fn}: ${ready} Ready pods on live nodes (${servingPods(obs, deployment)}), desired ${desired}`,
    );
  }
  return OK;
};

export const replicasConverge: EventuallyProperty = {
  name: 'replicas-converge',
  kind: 'eventually',
  statement: 'for each function, Ready pods in the API = desired, on live nodes',
  check: checkReplicas,
};

/** A Deployment's status against the truth: the pods of all its ReplicaSets, not deleting. */
const checkDeploymentStatus = (obs: Observation): Verdict => {
  for (const d of Object.values(obs.api.deployments)) {
    if (d.deleting) continue;
    const owned = new Set<string>();
    for (const rs of Object.values(obs.api.replicaSets))
      if (rs.ownerUid === d.uid) owned.add(rs.uid);
    let replicas = 0;
    let ready = 0;
    for (const pod of Object.values(obs.api.pods)) {
      if (!owned.has(pod.ownerUid) || pod.deleting) continue;
      replicas += 1;
      if (pod.ready) ready += 1;
    }
    if (d.status.replicas === replicas && d.status.readyReplicas === ready) continue;
    return fail(
      `Deployment ${d.key} status says ${d.status.replicas} pods (${d.status.readyReplicas} Ready) but the API holds ${replicas} (${ready} Ready)`,
    );
  }
  return OK;
};

const checkStatus = (obs: Observation): Verdict => {
  for (const rs of Object.values(obs.api.replicaSets)) {
    // A deleting ReplicaSet's status is moot; deletion-completes judges it.
    if (rs.deleting) continue;
    let replicas = 0;
    let ready = 0;
    for (const pod of Object.values(obs.api.pods)) {
      if (pod.ownerUid !== rs.uid || pod.deleting) continue;
      replicas += 1;
      if (pod.ready) ready += 1;
    }
    if (rs.status.replicas === replicas && rs.status.readyReplicas === ready) continue;
    return fail(
      `ReplicaSet ${rs.key} status says ${rs.status.replicas} pods (${rs.status.readyReplicas} Ready) but the API holds ${replicas} (${ready} Ready)`,
    );
  }
  return checkDeploymentStatus(obs);
};

export const statusConverges: EventuallyProperty = {
  name: 'status-converges',
  kind: 'eventually',
  statement: 'ReplicaSet / Deployment status counts equal the truth',
  check: checkStatus,
};
