/**
 * What the kubelet materialises and runs (protocol.md §6, expose): `no-orphan-exposure` (a
 * pod is created only while its owner and template exist), `spec-fidelity` (a pod's spec is
 * its owner's template) and `no-leaked-sandbox` (every running sandbox is known to its
 * kubelet).
 */
import type { Uid } from '../../spec/types/ids.js';
import type { PodView } from '../../spec/types/objects.js';
import type { KubeletObservation, Observation } from '../../spec/types/observation.js';
import {
  type AlwaysProperty,
  fail,
  OK,
  type StepProperty,
  type Verdict,
} from '../../spec/types/property.js';
import { findStage, hasDirtyPod } from './shared.js';

const hasTemplatePod = (obs: Observation, ownerUid: Uid): boolean => {
  for (const template of Object.values(obs.api.templatePods)) {
    if (template.ownerUid === ownerUid) return true;
  }
  return false;
};

/**
 * Owner and template are judged in the state the create was made in (`before`): garbage
 * collection in the same step must not excuse a create that raced a deletion.
 */
const orphanReason = (before: Observation, pod: PodView): string | null => {
  const owner = before.api.replicaSets[pod.ownerKey];
  if (owner === undefined || owner.uid !== pod.ownerUid) {
    return `its owner ReplicaSet ${pod.ownerKey} (${pod.ownerUid}) does not exist`;
  }
  if (owner.deleting) return `its owner ReplicaSet ${pod.ownerKey} (${pod.ownerUid}) is deleting`;
  if (!hasTemplatePod(before, pod.ownerUid)) {
    return `its owner ${pod.ownerKey} (${pod.ownerUid}) has no template pod`;
  }
  return null;
};

/**
 * Exposure is the create of a pod materialised from a template: by a kubelet on the direct
 * path, or by the scheduler when the template Pod asks for fallback binding. The API path's
 * creates by the ReplicaSet controller are vanilla Kubernetes: with a
 * stale informer it can create a pod for a ReplicaSet that was just deleted, and the
 * garbage collector removes it (`deletion-completes` judges that); that race is the
 * baseline's, not a property of exposure.
 */
const checkOrphanExposure = (before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind !== 'api' || event.verb !== 'create' || event.resource !== 'pod') continue;
    const exposer = event.actor.startsWith('kubelet/') || event.actor === 'scheduler';
    if (event.outcome !== 'ok' || !exposer) continue;
    // Created and removed within one step leaves nothing to judge the owner by.
    const pod = after.api.pods[event.key];
    if (pod === undefined) continue;
    const reason = orphanReason(before, pod);
    if (reason !== null) return fail(`${event.actor} created pod ${pod.key} although ${reason}`);
  }
  return OK;
};

export const noOrphanExposure: StepProperty = {
  name: 'no-orphan-exposure',
  kind: 'step',
  statement: 'a pod is exposed only while its owner and template exist',
  check: checkOrphanExposure,
};

const checkFidelity = (obs: Observation): Verdict => {
  const templates = obs.ghost.rsTemplates;
  for (const pod of Object.values(obs.api.pods)) {
    const expected = templates[pod.ownerUid];
    if (expected === pod.templateHash) continue;
    return fail(
      `pod ${pod.key} has template ${pod.templateHash} but its owner ${pod.ownerKey} (${pod.ownerUid}) has ${expected ?? 'no known template'}`,
    );
  }
  for (const kubelet of obs.kubelets) {
    for (const sandbox of kubelet.sandboxes) {
      const expected = templates[sandbox.ownerUid];
      if (expected === sandbox.templateHash) continue;
      return fail(
        `sandbox ${sandbox.pod} on ${kubelet.node} runs template ${sandbox.templateHash} but its owner ${sandbox.ownerUid} has ${expected ?? 'no known template'}`,
      );
    }
  }
  return OK;
};

export const specFidelity: AlwaysProperty = {
  name: 'spec-fidelity',
  kind: 'always',
  statement: "an exposed pod's spec and labels equal its owner's template",
  check: checkFidelity,
};

/** A sandbox the kubelet neither caches nor sees bound to its node in the API. */
const leakedSandbox = (obs: Observation, kubelet: KubeletObservation): string | null => {
  const stage = findStage(obs, `kubelet/${kubelet.node}`);
  // A crashed kubelet has forgotten everything; its sandboxes are judged once it is back.
  if (stage === undefined || !stage.up) return null;
  for (const sandbox of kubelet.sandboxes) {
    if (hasDirtyPod(stage, sandbox.pod)) continue;
    if (obs.api.pods[sandbox.pod]?.nodeName === kubelet.node) continue;
    return sandbox.pod;
  }
  return null;
};

const checkLeakedSandbox = (obs: Observation): Verdict => {
  for (const kubelet of obs.kubelets) {
    if (!kubelet.nodeAlive || kubelet.sandboxes.length === 0) continue;
    const pod = leakedSandbox(obs, kubelet);
    if (pod !== null) {
      return fail(
        `sandbox ${pod} runs on ${kubelet.node} but is neither in kubelet/${kubelet.node}'s cache nor an API pod on ${kubelet.node}`,
      );
    }
  }
  return OK;
};

export const noLeakedSandbox: AlwaysProperty = {
  name: 'no-leaked-sandbox',
  kind: 'always',
  statement: 'every running sandbox is known to its kubelet (cache or API)',
  check: checkLeakedSandbox,
};
