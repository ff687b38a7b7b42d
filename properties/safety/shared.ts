/**
 * Small read-only queries over an `Observation`, shared by the property families.
 *
 * Properties run on every state of an exhaustive explorer, so these helpers scan arrays in
 * place and allocate nothing; states are small, and a linear scan beats building an index.
 */
import type { NodeName, PodKey, StageId } from '../../spec/types/ids.js';
import type {
  KubeletObservation,
  Observation,
  StageObservation,
} from '../../spec/types/observation.js';

export const findStage = (obs: Observation, id: StageId): StageObservation | undefined => {
  for (const stage of obs.stages) if (stage.id === id) return stage;
  return undefined;
};

export const findKubelet = (obs: Observation, node: NodeName): KubeletObservation | undefined => {
  for (const kubelet of obs.kubelets) if (kubelet.node === node) return kubelet;
  return undefined;
};

export const hasDirtyPod = (stage: StageObservation | undefined, key: PodKey): boolean => {
  if (stage === undefined) return false;
  for (const entry of stage.dirty) if (entry.kind === 'pod' && entry.key === key) return true;
  return false;
};

export const hasSandbox = (kubelet: KubeletObservation | undefined, key: PodKey): boolean => {
  if (kubelet === undefined) return false;
  for (const sandbox of kubelet.sandboxes) if (sandbox.pod === key) return true;
  return false;
};

/** A kubelet whose node was lost: its caches and sandboxes are gone, so nothing is asked of it. */
export const isDeadKubelet = (obs: Observation, stage: StageId): boolean => {
  if (!stage.startsWith('kubelet/')) return false;
  const kubelet = findKubelet(obs, stage.slice('kubelet/'.length));
  return kubelet !== undefined && !kubelet.nodeAlive;
};
