/**
 * The ghost's update rules that the model (spec/world/ghost.ts) and the implementation's
 * runtime (impl/runtime/sim/ghost.ts) share, so that both keep the same history.
 */
import { type Epoch, epochIsOlder } from './ids.js';
import type { HandshakeEpochs } from './observation.js';

/**
 * The next `readyFloor` of a ReplicaSet: the desired count once its Ready pods reach it,
 * otherwise the smallest desired count since they last did (the first one when none yet).
 */
export const nextReadyFloor = (previous: number | undefined, ready: number, load: number) =>
  ready >= load || previous === undefined ? load : Math.min(previous, load);

/** A handshake's epoch entered into its link's history. */
export const nextHandshakeEpochs = (
  previous: HandshakeEpochs | undefined,
  epoch: Epoch,
): HandshakeEpochs => {
  if (previous === undefined) return { newest: epoch, regressed: null };
  if (epochIsOlder(previous.newest, epoch)) return { ...previous, newest: epoch };
  return { ...previous, regressed: previous.regressed ?? epoch };
};
