/**
 * What the kubelet materialises and runs (protocol.md §6, expose): `no-orphan-exposure` (no
 * pod is exposed from an informer that shows its owner gone), `spec-fidelity` (a pod's spec is
 * its owner's template) and `no-leaked-sandbox` (every running sandbox is known to its
 * kubelet).
 */
import type { KubeletObservation, Observation } from '../../spec/types/observation.js';
import {
  type AlwaysProperty,
  fail,
  OK,
  type StepProperty,
  type Verdict,
} from '../../spec/types/property.js';
import { findStage, hasDirtyPod } from './shared.js';

/**
 * Kubernetes accepts a pod whose owner is gone (no API Server checks owner references on
 * create), so an exposer with a lagging informer can make an orphan, as the vanilla
 * ReplicaSet controller can. What the design can promise, and this property judges: no
 * exposer creates a pod after its own informer showed the owner ReplicaSet gone or deleting
 * (the `ownerSeenGone` evidence, recorded by the model or the runtime when the create was
 * decided, not by the stage). The orphans a lag lets through are never counted: the
 * ReplicaSet status and `replicas-converge` count only pods of a live owner; and they are
 * collected: the garbage collector deletes a pod whose owner uid is gone at its next sweep
 * and the kubelet stops its sandbox (`deletion-completes`, `api-reflects-truth`).
 *
 * Exposure is the create of a pod materialised from a template: by a kubelet on the direct
 * path, or by the scheduler when the template Pod asks for fallback binding. The API path's
 * creates by the ReplicaSet controller are vanilla Kubernetes and not judged here.
 */
const checkOrphanExposure = (_before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind !== 'api' || event.verb !== 'create' || event.resource !== 'pod') continue;
    const exposer = event.actor.startsWith('kubelet/') || event.actor === 'scheduler';
    if (event.outcome !== 'ok' || !exposer || event.ownerSeenGone !== true) continue;
    const owner = after.api.pods[event.key]?.ownerKey ?? 'its owner';
    return fail(
      `${event.actor} created pod ${event.key} although its informer already showed ${owner} gone`,
    );
  }
  return OK;
};

export const noOrphanExposure: StepProperty = {
  name: 'no-orphan-exposure',
  kind: 'step',
  statement:
    "no pod is exposed after the exposer's informer showed its owner gone; an orphan a lagging informer lets through is counted by no status and collected by the garbage collector",
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
