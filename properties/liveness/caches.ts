/**
 * Liveness of the write-back cache and of deletion, checked on one state once faults have
 * stopped: `caches-drain` (every dirty set empty), `api-reflects-truth` (API pods and running
 * sandboxes are one-to-one, same node) and `deletion-completes` (a deleted Deployment or
 * ReplicaSet leaves nothing behind).
 */
import type { NodeName, Uid } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';
import { type EventuallyProperty, fail, OK, type Verdict } from '../../spec/types/property.js';
import { findKubelet, hasSandbox } from '../safety/shared.js';

const checkDrain = (obs: Observation): Verdict => {
  for (const stage of obs.stages) {
    if (stage.dirty.length === 0) continue;
    const keys = stage.dirty.map((entry) => `${entry.kind} ${entry.key}`).join(', ');
    return fail(`${stage.id} still holds ${stage.dirty.length} dirty entries: ${keys}`);
  }
  return OK;
};

export const cachesDrain: EventuallyProperty = {
  name: 'caches-drain',
  kind: 'eventually',
  statement: "every stage's dirty set is empty: all write-back completed",
  check: checkDrain,
};

const isAlive = (obs: Observation, node: NodeName): boolean =>
  findKubelet(obs, node)?.nodeAlive === true;

const checkTruth = (obs: Observation): Verdict => {
  for (const pod of Object.values(obs.api.pods)) {
    if (pod.nodeName === null || pod.deleting || !isAlive(obs, pod.nodeName)) continue;
    if (!hasSandbox(findKubelet(obs, pod.nodeName), pod.key)) {
      return fail(`API pod ${pod.key} is bound to ${pod.nodeName} but no sandbox runs it there`);
    }
  }
  for (const kubelet of obs.kubelets) {
    if (!kubelet.nodeAlive) continue;
    for (const sandbox of kubelet.sandboxes) {
      const pod = obs.api.pods[sandbox.pod];
      if (pod !== undefined && pod.nodeName === kubelet.node) continue;
      const where =
        pod === undefined ? 'no API pod' : `the API pod is on ${pod.nodeName ?? 'no node'}`;
      return fail(`sandbox ${sandbox.pod} runs on ${kubelet.node} but ${where}`);
    }
  }
  return OK;
};

export const apiReflectsTruth: EventuallyProperty = {
  name: 'api-reflects-truth',
  kind: 'eventually',
  statement: 'API pods and running sandboxes are in one-to-one correspondence, same node',
  check: checkTruth,
};

const isLiveReplicaSet = (obs: Observation, uid: Uid): boolean => {
  for (const rs of Object.values(obs.api.replicaSets)) if (rs.uid === uid) return true;
  return false;
};

/**
 * The first thing that still refers to a ReplicaSet no longer in the API. Every ReplicaSet
 * ever created is in `ghost.rsTemplates`, so an owner uid that is not live is a deleted one.
 */
const leftover = (obs: Observation): string | null => {
  const gone = (uid: Uid): boolean =>
    obs.ghost.rsTemplates[uid] !== undefined && !isLiveReplicaSet(obs, uid);
  for (const pod of Object.values(obs.api.pods)) {
    if (gone(pod.ownerUid))
      return `API pod ${pod.key} of deleted ReplicaSet ${pod.ownerKey} (${pod.ownerUid})`;
  }
  for (const template of Object.values(obs.api.templatePods)) {
    if (gone(template.ownerUid)) {
      return `template pod ${template.key} of deleted ReplicaSet ${template.ownerKey} (${template.ownerUid})`;
    }
  }
  for (const stage of obs.stages) {
    for (const entry of stage.dirty) {
      if (entry.kind === 'pod' && gone(entry.ownerUid)) {
        return `${stage.id} cache entry ${entry.key} of deleted ReplicaSet ${entry.ownerKey} (${entry.ownerUid})`;
      }
    }
  }
  for (const kubelet of obs.kubelets) {
    for (const sandbox of kubelet.sandboxes) {
      if (gone(sandbox.ownerUid)) {
        return `sandbox ${sandbox.pod} on ${kubelet.node} of deleted ReplicaSet ${sandbox.ownerUid}`;
      }
    }
  }
  return null;
};

/** A Deployment or ReplicaSet whose deletion has started and not finished. */
const stillDeleting = (obs: Observation): string | null => {
  for (const deployment of Object.values(obs.api.deployments)) {
    if (deployment.deleting) return `Deployment ${deployment.key} is still deleting`;
  }
  for (const rs of Object.values(obs.api.replicaSets)) {
    if (rs.deleting) return `ReplicaSet ${rs.key} is still deleting`;
  }
  return null;
};

const isLiveDeployment = (obs: Observation, uid: Uid): boolean => {
  for (const deployment of Object.values(obs.api.deployments)) {
    if (deployment.uid === uid) return true;
  }
  return false;
};

/** Every ReplicaSet is owned by a Deployment, so one whose owner is gone was left behind. */
const orphanedReplicaSet = (obs: Observation): string | null => {
  for (const rs of Object.values(obs.api.replicaSets)) {
    if (!isLiveDeployment(obs, rs.ownerUid)) {
      return `ReplicaSet ${rs.key} outlives its deleted Deployment ${rs.ownerUid}`;
    }
  }
  return null;
};

const checkDeletion = (obs: Observation): Verdict => {
  const problem = stillDeleting(obs) ?? orphanedReplicaSet(obs) ?? leftover(obs);
  return problem === null ? OK : fail(problem);
};

export const deletionCompletes: EventuallyProperty = {
  name: 'deletion-completes',
  kind: 'eventually',
  statement: 'a deleted Deployment / ReplicaSet leaves no pod, template or cache entry anywhere',
  check: checkDeletion,
};
