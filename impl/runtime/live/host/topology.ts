/**
 * Which stages a stage is the client of, as the sim wires them (impl/runtime/sim/
 * lifecycle.ts): the pipeline, the scheduler to every kubelet, and the autoscaler to the
 * Deployment controller only over a direct link on the direct path.
 */
import type { Config } from '../../../../spec/types/config.js';
import { type NodeName, type StageId, stageKindOf } from '../../../../spec/types/ids.js';
import type { Mode } from '../../../stages/io.js';

export const downstreamOf = (
  stage: StageId,
  config: Config,
  mode: Mode,
  nodes: readonly NodeName[],
): StageId[] => {
  switch (stageKindOf(stage)) {
    case 'autoscaler':
      return config.switches.autoscalerLink === 'direct' && mode === 'direct' ? ['deployment'] : [];
    case 'deployment':
      return ['replicaset'];
    case 'replicaset':
      return ['scheduler'];
    case 'scheduler':
      return nodes.map((node): StageId => `kubelet/${node}`);
    default:
      return [];
  }
};
