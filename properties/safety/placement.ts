/**
 * Where pods are: `unique-placement` (every copy of a pod agrees on its node) and `capacity`
 * (per node, persisted + cached + assumed pods fit the node's allocatable).
 */
import { type NodeName, nodeOfKubelet, type PodKey } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';
import { type AlwaysProperty, fail, OK, type Verdict } from '../../spec/types/property.js';
import { findStage } from './shared.js';

/**
 * Calls `visit(pod, node, holder, how)` for every copy of a pod that names a node, and stops
 * at the first visit that returns true. `holder` and `how` say where the copy is, for
 * failure messages; they are existing strings so that the scan allocates nothing.
 */
const forEachPlacement = (
  obs: Observation,
  visit: (pod: PodKey, node: NodeName, holder: string, how: string) => boolean,
): void => {
  for (const pod of Object.values(obs.api.pods)) {
    if (pod.nodeName !== null && visit(pod.key, pod.nodeName, 'API', 'nodeName')) return;
  }
  for (const stage of obs.stages) {
    // A kubelet's entry lives on the kubelet's own node, whatever the entry says.
    const home = nodeOfKubelet(stage.id);
    for (const entry of stage.dirty) {
      if (entry.kind !== 'pod') continue;
      if (entry.node !== null && visit(entry.key, entry.node, stage.id, entry.state)) return;
      if (home !== null && visit(entry.key, home, stage.id, 'cache')) return;
    }
  }
  for (const kubelet of obs.kubelets) {
    // A lost node's sandboxes no longer run anywhere.
    if (!kubelet.nodeAlive) continue;
    for (const sandbox of kubelet.sandboxes) {
      if (visit(sandbox.pod, kubelet.node, 'kubelet', 'sandbox')) return;
    }
  }
};

/** Every copy of `pod` that names a node, as `node (where)`, for the failure message. */
const describePlacements = (obs: Observation, pod: PodKey): string => {
  const copies: string[] = [];
  forEachPlacement(obs, (key, node, holder, how) => {
    if (key === pod) copies.push(`${node} (${holder} ${how})`);
    return false;
  });
  return copies.join(', ');
};

/** Each copy is compared with the first copy seen for its pod key. */
const checkPlacement = (obs: Observation): Verdict => {
  const firstNode = new Map<PodKey, NodeName>();
  // Typed through `as` so that TypeScript does not narrow it to null across the callback.
  let clash = null as PodKey | null;
  forEachPlacement(obs, (pod, node) => {
    const seen = firstNode.get(pod);
    if (seen === undefined) firstNode.set(pod, node);
    else if (seen !== node) clash = pod;
    return clash !== null;
  });
  if (clash === null) return OK;
  return fail(`pod ${clash} is placed on two nodes: ${describePlacements(obs, clash)}`);
};

export const uniquePlacement: AlwaysProperty = {
  name: 'unique-placement',
  kind: 'always',
  statement:
    'every copy of a pod (API, any kubelet cache, scheduler) agrees on its node; no pod runs on two nodes',
  check: checkPlacement,
};

/**
 * Collects into `counted` the distinct pods that occupy `node`: API pods bound there (a
 * deleting pod still holds its slot until removed), the node's kubelet cache, and the
 * scheduler's assumed pods. Distinct by key, because one pod is usually in several places.
 */
const collectOccupants = (obs: Observation, node: NodeName, counted: Set<PodKey>): void => {
  counted.clear();
  for (const pod of Object.values(obs.api.pods)) if (pod.nodeName === node) counted.add(pod.key);
  const kubelet = findStage(obs, `kubelet/${node}`);
  if (kubelet !== undefined) {
    for (const entry of kubelet.dirty) if (entry.kind === 'pod') counted.add(entry.key);
  }
  for (const stage of obs.stages) {
    if (stage.kind !== 'scheduler') continue;
    for (const entry of stage.dirty) {
      if (entry.kind === 'pod' && entry.state === 'assumed' && entry.node === node) {
        counted.add(entry.key);
      }
    }
  }
};

const checkCapacity = (obs: Observation): Verdict => {
  const counted = new Set<PodKey>();
  for (const node of Object.values(obs.api.nodes)) {
    collectOccupants(obs, node.name, counted);
    if (counted.size > node.allocatable) {
      return fail(
        `node ${node.name} holds ${counted.size} pods (${[...counted].sort().join(', ')}) but allocatable is ${node.allocatable}`,
      );
    }
  }
  return OK;
};

export const capacity: AlwaysProperty = {
  name: 'capacity',
  kind: 'always',
  statement: "per node, persisted + cached + assumed pods fit the node's allocatable",
  check: checkCapacity,
};
