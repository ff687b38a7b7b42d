/**
 * How many pods a ReplicaSet has (protocol.md §6: in-flight pods cannot be deleted, so
 * overshoot is expected and must be bounded): `bounded-overshoot`; and how few Ready ones a
 * scale-down leaves (it deletes at most the surplus): `deletes-only-surplus`.
 */
import { floorOf } from '../../spec/types/ghost.js';
import type { ObjectKey, PodKey } from '../../spec/types/ids.js';
import type { PodView } from '../../spec/types/objects.js';
import type { Observation } from '../../spec/types/observation.js';
import {
  type AlwaysProperty,
  fail,
  OK,
  type StepProperty,
  type Verdict,
} from '../../spec/types/property.js';

/**
 * Collects into `live` the distinct pods of ReplicaSet `rsKey`: API pods not on their way
 * out, and pods in any stage's cache. A pod is on its way out when it is deleting; when its
 * owner is gone (an expose decided on an informer that had not yet shown the ReplicaSet's
 * deletion: `no-orphan-exposure` judges that, and the garbage collector removes it); or when
 * it is bound to a Node the API no longer has (a kubelet's expose on the wire when its node
 * was lost lands after the Node's deletion: it can never run, and the pod garbage collector
 * removes it). A cached pod whose API copy is on its way out is not live: the
 * persisted copy wins, and the cache entry is only waiting to observe the deletion. Nor is
 * a cached identity that was already deleted from the API: it can never run again without
 * breaking `no-resurrection`, which guards that separately.
 */
const collectLivePods = (obs: Observation, rsKey: ObjectKey, live: Set<PodKey>): void => {
  live.clear();
  const pods = obs.api.pods;
  const onItsWayOut = (pod: PodView): boolean =>
    pod.deleting ||
    obs.api.replicaSets[pod.ownerKey]?.uid !== pod.ownerUid ||
    (pod.nodeName !== null && obs.api.nodes[pod.nodeName] === undefined);
  for (const pod of Object.values(pods)) {
    if (pod.ownerKey === rsKey && !onItsWayOut(pod)) live.add(pod.key);
  }
  for (const stage of obs.stages) {
    for (const entry of stage.dirty) {
      if (entry.kind !== 'pod' || entry.ownerKey !== rsKey) continue;
      const persisted = pods[entry.key];
      if ((persisted && onItsWayOut(persisted)) || obs.ghost.deletedPods.has(entry.key)) continue;
      live.add(entry.key);
    }
  }
};

const overshoot = (obs: Observation, rsKey: ObjectKey, live: Set<PodKey>): Verdict => {
  collectLivePods(obs, rsKey, live);
  const desiredMax = obs.ghost.recentDesiredMax[rsKey] ?? 0;
  if (live.size <= desiredMax + obs.overshootSlack) return OK;
  return fail(
    `ReplicaSet ${rsKey} has ${live.size} live pods (${[...live].sort().join(', ')}), above recent desired ${desiredMax} + slack ${obs.overshootSlack}`,
  );
};

const checkOvershoot = (obs: Observation): Verdict => {
  const live = new Set<PodKey>();
  for (const rsKey of Object.keys(obs.api.replicaSets)) {
    const verdict = overshoot(obs, rsKey, live);
    if (!verdict.ok) return verdict;
  }
  // A deleted ReplicaSet's pods may outlive it in caches; they count against its history.
  for (const rsKey of Object.keys(obs.ghost.recentDesiredMax)) {
    if (obs.api.replicaSets[rsKey] !== undefined) continue;
    const verdict = overshoot(obs, rsKey, live);
    if (!verdict.ok) return verdict;
  }
  return OK;
};

export const boundedOvershoot: AlwaysProperty = {
  name: 'bounded-overshoot',
  kind: 'always',
  statement: 'live pods of a ReplicaSet ≤ the highest recent desired count + a configured slack',
  check: checkOvershoot,
};

const readyOf = (obs: Observation, rsKey: ObjectKey): number => {
  let ready = 0;
  for (const pod of Object.values(obs.api.pods))
    if (pod.ownerKey === rsKey && pod.ready && !pod.deleting) ready += 1;
  return ready;
};

/**
 * A ReplicaSet controller's deletion of a Ready pod leaves at least `readyFloor` Ready pods
 * (the smaller of the old and the new desired count, kept by the ghost from the load, not
 * from any controller's view; while a lower count is still held somewhere, as when the load
 * went 1 → 0 → 1 faster than the pipeline, the old count is that one; a user's scale of the
 * Deployment or the ReplicaSet is a desired count too; Ready pods others took meanwhile, by a
 * user's delete or a lost node, come off it: the controller cannot keep what it has not
 * seen go). Deletions by users, the garbage collector or the node
 * lifecycle controller are not judged, nor deletions of pods that were not Ready.
 */
const checkSurplus = (before: Observation, after: Observation): Verdict => {
  for (const event of after.events) {
    if (event.kind !== 'api' || event.actor !== 'replicaset' || event.outcome !== 'ok') continue;
    if (event.verb !== 'delete' || event.resource !== 'pod') continue;
    const was = before.api.pods[event.key];
    if (was === undefined || !was.ready || was.deleting) continue;
    const floor = floorOf(before.ghost.readyFloor[was.ownerKey]);
    const ready = readyOf(after, was.ownerKey);
    if (ready >= floor) continue;
    return fail(
      `the ReplicaSet controller deleted Ready pod ${was.key}, leaving ${ready} Ready pods of ${was.ownerKey} where the smaller of its old and new desired count is ${floor}`,
    );
  }
  return OK;
};

export const deletesOnlySurplus: StepProperty = {
  name: 'deletes-only-surplus',
  kind: 'step',
  statement:
    "a controller's deletion never takes a ReplicaSet's Ready pods below the smaller of its old and new desired count (less the Ready pods others took meanwhile)",
  check: checkSurplus,
};
