/**
 * How far a stage's informers have come, as client-go tells a controller: each informer's
 * last-synced resourceVersion advances with every streamed event it delivers and with the
 * watch bookmarks the API Server sends (`allowWatchBookmarks`), which carry the server's
 * resourceVersion on a watch with nothing else to say. The least of them over a stage's
 * informers reaches the stage as `informer.progress`; a client compares it with the
 * resourceVersion it read before round 2 (model-decisions §1). Nothing here reads a stage's
 * state: bookmarks are sent on the server's own schedule, whether anyone waits or not.
 *
 * Only the clients of direct links listen (the Deployment and ReplicaSet controllers, the
 * scheduler, and the autoscaler with `autoscalerLink: 'direct'` on the direct path): the other stages never
 * wait for a resourceVersion, and a bookmark changes no cache, so leaving theirs out changes
 * nothing they do.
 */
import { listensToProgress } from '../stage-io/index.js';
import { dispatch } from './dispatch.js';
import type { ActorSlot, SimState } from './state.js';

export const BOOKMARK_ID = 'bookmark';

const listens = (state: SimState, slot: ActorSlot): boolean =>
  slot.snapshot !== null && listensToProgress(slot.id, state.config, state.mode);

/** The least resourceVersion every informer of the stage has passed (0 before they list). */
const progressOf = (slot: ActorSlot): number => {
  let least = Number.POSITIVE_INFINITY;
  for (const informer of slot.informers) least = Math.min(least, informer.progressRv);
  return Number.isFinite(least) ? least : 0;
};

/** Tells the stage, if its informers have come further than it was last told. */
export const reportProgress = (state: SimState, slot: ActorSlot): void => {
  if (!listens(state, slot)) return;
  const rv = progressOf(slot);
  if (rv <= slot.progressTold) return;
  slot.progressTold = rv;
  dispatch(state, slot, { type: 'informer.progress', rv });
};

/** After a step: a bookmark round is due while some listening informer lags the API. */
export const scheduleBookmarks = (state: SimState): void => {
  if (state.agenda.has(BOOKMARK_ID) || !state.api.available) return;
  const lagging = state.slots().some((slot) => listens(state, slot) && lags(state, slot));
  if (!lagging) return;
  state.agenda.put({
    kind: 'bookmark',
    id: BOOKMARK_ID,
    dueAtMs: state.nowMs + state.latencies.bookmarkMs,
    label: 'watch bookmarks',
    actor: 'api',
  });
};

const lags = (state: SimState, slot: ActorSlot): boolean =>
  slot.informers.some((i) => i.progressRv < state.api.resourceVersion);

/**
 * A bookmark round: every listening informer with nothing queued learns the API's
 * resourceVersion (one queued behind events would be delivered after them, so an informer
 * with a queue learns it from a later round, once its queue is delivered).
 */
export const sendBookmarks = (state: SimState): string | undefined => {
  if (!state.api.available) return 'API Server unavailable';
  const rv = state.api.resourceVersion;
  for (const slot of state.slots()) {
    if (!listens(state, slot)) continue;
    for (const informer of slot.informers) if (informer.idle) informer.bookmark(rv);
    reportProgress(state, slot);
  }
  return undefined;
};
