/**
 * The persisted copy wins (protocol.md §6, §7): `api-precedence` (no in-memory copy
 * overwrites or re-creates a persisted pod, and no older count overwrites a ReplicaSet's
 * newer one) and `no-resurrection` (a pod deleted from the API never appears again, in the
 * API, a kubelet's cache or a sandbox).
 */
import type { PodKey } from '../../spec/types/ids.js';
import type { PodView } from '../../spec/types/objects.js';
import type { Observation, StageObservation } from '../../spec/types/observation.js';
import { fail, OK, type StepProperty, type Verdict } from '../../spec/types/property.js';
import { findKubelet, findStage, hasDirtyPod, hasSandbox } from './shared.js';

/**
 * What may change in a persisted pod while it keeps its uid. Binding sets nodeName once
 * (null → node, the vanilla path's Binding); nothing may move it, re-template it, re-own it,
 * or take back its deletion.
 */
const overwrite = (was: PodView, now: PodView): string | null => {
  if (was.nodeName !== null && now.nodeName !== was.nodeName) {
    return `nodeName ${was.nodeName} → ${now.nodeName ?? 'null'}`;
  }
  if (now.templateHash !== was.templateHash) {
    return `templateHash ${was.templateHash} → ${now.templateHash}`;
  }
  if (now.ownerUid !== was.ownerUid) return `ownerUid ${was.ownerUid} → ${now.ownerUid}`;
  if (was.deleting && !now.deleting) return 'deleting true → false';
  return null;
};

const checkPrecedence = (before: Observation, after: Observation): Verdict => {
  for (const now of Object.values(after.api.pods)) {
    const was = before.api.pods[now.key];
    if (was === undefined) continue;
    if (was.uid !== now.uid) {
      return fail(`pod ${now.key} was re-created in one step: uid ${was.uid} → ${now.uid}`);
    }
    const change = overwrite(was, now);
    if (change !== null)
      return fail(`persisted pod ${now.key} (${now.uid}) overwritten: ${change}`);
  }
  // A count's version is the Deployment's generation it was decided for (model-decisions
  // §6), carried by the annotation every write of spec.replicas sets: judged from the API's
  // own record across the step, whoever wrote it.
  for (const now of Object.values(after.api.replicaSets)) {
    const was = before.api.replicaSets[now.key];
    if (was === undefined || was.uid !== now.uid) continue;
    if (now.replicasVersion < was.replicasVersion)
      return fail(
        `ReplicaSet ${now.key}: count ${was.replicas}@v${was.replicasVersion} overwritten by the older ${now.replicas}@v${now.replicasVersion}`,
      );
  }
  return OK;
};

export const apiPrecedence: StepProperty = {
  name: 'api-precedence',
  kind: 'step',
  statement:
    "no in-memory copy overwrites or re-creates a persisted object: a pod's node, template, owner or deletion, or a ReplicaSet's count with an older one",
  check: checkPrecedence,
};

const wasDeleted = (before: Observation, key: PodKey): boolean => before.ghost.deletedPods.has(key);

/** A deleted pod that entered one stage's cache in this step, if any. */
const resurrectedInCache = (before: Observation, stage: StageObservation): PodKey | null => {
  let previous: StageObservation | undefined;
  for (const entry of stage.dirty) {
    if (entry.kind !== 'pod' || !wasDeleted(before, entry.key)) continue;
    previous ??= findStage(before, stage.id);
    if (!hasDirtyPod(previous, entry.key)) return entry.key;
  }
  return null;
};

const checkResurrection = (before: Observation, after: Observation): Verdict => {
  for (const pod of Object.values(after.api.pods)) {
    if (wasDeleted(before, pod.key) && before.api.pods[pod.key] === undefined) {
      return fail(`deleted pod ${pod.key} re-appeared in the API (uid ${pod.uid})`);
    }
  }
  // Kubelet caches only: a kubelet's entry is what materialises a pod. An upstream stage
  // may briefly hold an identity it cannot yet know was deleted (its informer coalesced the
  // create and the delete); that entry is harmless unless it reaches a kubelet, which this
  // catches, and it must drain, which `caches-drain` checks.
  for (const stage of after.stages) {
    if (stage.kind !== 'kubelet') continue;
    const key = resurrectedInCache(before, stage);
    if (key !== null) return fail(`deleted pod ${key} re-appeared in the ${stage.id} cache`);
  }
  for (const kubelet of after.kubelets) {
    for (const sandbox of kubelet.sandboxes) {
      if (!wasDeleted(before, sandbox.pod)) continue;
      if (hasSandbox(findKubelet(before, kubelet.node), sandbox.pod)) continue;
      return fail(`deleted pod ${sandbox.pod} re-appeared as a sandbox on ${kubelet.node}`);
    }
  }
  return OK;
};

export const noResurrection: StepProperty = {
  name: 'no-resurrection',
  kind: 'step',
  statement: 'a pod deleted from the API never appears again (API, cache or sandbox)',
  check: checkResurrection,
};
