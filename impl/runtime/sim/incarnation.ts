/**
 * The incarnation the observation shows for a stage, and the ghost records with what it
 * sent: a leased stage's is the one it took from its Lease (0 while it holds none, and
 * while down); the others' is the runtime's process count. Both must use the same number,
 * or a server's handshake reply recorded under one would not match the other after a
 * restart (`epoch-fencing` compares them). The autoscaler leases only on its direct hop,
 * which the API path (mode `api`) never takes.
 */
import { holdsLease, type StageId, stageKindOf } from '../../../spec/types/ids.js';
import type { StageReport } from '../../stages/io.js';
import type { SimState } from './state.js';

const leased = (state: SimState, id: StageId): boolean =>
  holdsLease(id, state.config.switches) &&
  (stageKindOf(id) !== 'autoscaler' || state.mode === 'direct');

export const observedIncarnation = (
  state: SimState,
  id: StageId,
  report: StageReport | undefined,
): number => (leased(state, id) ? (report?.incarnation ?? 0) : (state.slot(id)?.incarnation ?? 0));
