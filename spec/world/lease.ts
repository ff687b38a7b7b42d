/**
 * Leases (coordination.k8s.io/v1), one per leased stage (ids.ts `holdsLease`): where a
 * restarted process learns its incarnation, since it remembers nothing. A crash leaves the
 * stage without one (incarnation 0); its explicit `lease` step, which needs the API Server,
 * reads the Lease and takes it with `leaseTransitions + 1`, and that number is the
 * incarnation its epochs (`<stage>#<incarnation>.<n>`), pod names and scale versions are
 * minted with. Only then does it list its informers, and so sync, recover and handshake
 * (world.ts), as a controller manager takes its leader lease before it starts its
 * controllers.
 *
 * The read and the conditional update are one atomic step: nobody else writes the Lease
 * (one process per stage), so the resourceVersion precondition never fails here; the
 * implementation makes both requests and retries on conflict or outage. A Lease write does
 * not advance the rv the model's informers compare against: no informer watches Leases.
 */
import { type Step, step } from '../stages/common.js';
import { leaseKey, type StageId } from '../types/ids.js';
import type { AppliedEvent } from '../types/observation.js';
import { requestOn } from './api.js';
import { stageIds } from './faults.js';
import { coreOf, withCore } from './roles.js';
import type { WorldState } from './state.js';

/**
 * A leased stage without its Lease cannot mint: it waits for this step. Only a leased
 * stage is ever at incarnation 0 (every stage starts at 1; a crash of one that holds no
 * Lease counts up), so the incarnation alone tells.
 */
export const needsLease = (state: WorldState, id: StageId): boolean =>
  coreOf(state, id).incarnation === 0;

export const leaseSteps = (state: WorldState): Step[] => {
  if (!state.api.up) return [];
  return stageIds(state)
    .filter((id) => needsLease(state, id))
    .map((id) => step(id, `lease ${id}`, (s, _, events) => takeLease(s, events, id)));
};

const takeLease = (state: WorldState, events: AppliedEvent[], id: StageId): WorldState => {
  const req = { actor: id, verb: 'update', resource: 'lease', key: leaseKey(id) } as const;
  const transitions = (state.api.leases[id] ?? 0) + 1;
  const { api, outcome } = requestOn(state.api, events, req, () => ({
    api: { ...state.api, leases: { ...state.api.leases, [id]: transitions } },
    outcome: 'ok',
  }));
  if (outcome !== 'ok') return { ...state, api };
  return withCore({ ...state, api }, { ...coreOf(state, id), incarnation: transitions });
};
