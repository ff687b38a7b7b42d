/**
 * The `moment` choice: a fault aimed at a moment of a handshake. A client spends a
 * millisecond or so between its two rounds, so a crash of either end, or a late message of
 * an older epoch, meets it there only by luck when each choice is one step. A moment takes
 * events in due order (what the default policy would do) until the client of the chosen
 * link is in the chosen phase, then strikes: this is how a schedule crashes a stage
 * between the two handshake rounds or during recovery (issue 4), holds a round-2 sync past
 * the client's retry timer (issue 12), and reaches the link transitions that
 * docs/design/coverage.md otherwise leaves to its scripted probes.
 */
import type { SimCluster } from '../../impl/runtime/sim/cluster.js';
import type { SimAction } from '../../impl/runtime/sim/types.js';
import type { LinkObservation } from '../../spec/types/observation.js';
import { at, dueOrder, onLostNode } from './resolve.js';
import type { Choice } from './schedule.js';

type Moment = Extract<Choice, { kind: 'moment' }>;

/** How many events a moment takes at most while it waits for its phase. */
export const MOMENT_STEP_MAX = 400;

/** The links in a stable order (by id), so that an index names the same link every run. */
const linksOf = (cluster: SimCluster): LinkObservation[] =>
  [...cluster.observe().links].sort((a, b) => a.id.localeCompare(b.id));

/**
 * The next step of a moment: a take while its link's client is not yet in its phase, then
 * the strike; null when it has struck (or has nothing to strike at) and the moment is over.
 */
export const momentStep = (
  cluster: SimCluster,
  moment: Moment,
): { readonly action: SimAction; readonly strike: boolean } | null => {
  const link = at(linksOf(cluster), moment.link);
  if (link === undefined) return null;
  if (link.clientPhase === moment.phase) {
    const action = strike(cluster, link, moment);
    return action === null ? null : { action, strike: true };
  }
  const next = dueOrder(cluster)[0];
  return next === undefined ? null : { action: { type: 'take', id: next.id }, strike: false };
};

const strike = (cluster: SimCluster, link: LinkObservation, moment: Moment): SimAction | null => {
  const onLink = cluster.pending().filter((p) => p.kind === 'message' && p.link === link.id);
  if (moment.act === 'deliverOldest') {
    const oldest = onLink[0];
    return oldest === undefined ? null : { type: 'take', id: oldest.id };
  }
  if (
    moment.act === 'deliverNewest' ||
    moment.act === 'dropNewest' ||
    moment.act === 'delayNewest'
  ) {
    const newest = onLink.at(-1);
    if (newest === undefined) return null;
    if (moment.act === 'delayNewest') return { type: 'delay', id: newest.id, ms: moment.ms ?? 1 };
    return { type: moment.act === 'dropNewest' ? 'drop' : 'take', id: newest.id };
  }
  const stage = moment.act === 'crashClient' ? link.client : link.server;
  if (cluster.snapshotOf(stage) === null || onLostNode(cluster.observe(), stage)) return null;
  return { type: 'crash', stage };
};
