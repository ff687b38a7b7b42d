/**
 * The wait before round 2 of a client that holds versioned counts (the Deployment controller
 * towards the ReplicaSet controller, the autoscaler on its direct link): for the API's
 * resourceVersion read after the accepted reply (`barrier`), for the stage's informers to
 * pass it, and for one GET per count the server did not report (the persisted version by
 * key, null until answered). The scheduler's pod reads are `PendingRound2` in the link
 * module; counts read versions, not presence, hence this twin.
 */
import type { ObjectKey } from '../../../spec/types/ids.js';
import type { LinkEntry } from '../../../spec/types/messages.js';
import { underway } from '../link/index.js';
import type { ClientContext } from './client-link.js';

export interface CountReads {
  readonly epoch: string;
  readonly snapshot: readonly LinkEntry[];
  readonly versions: Readonly<Record<ObjectKey, number | null>>;
  readonly barrier: number | null;
}

interface ReadingClient extends ClientContext {
  readonly reads: CountReads | null;
}

export const newCountReads = (
  epoch: string,
  snapshot: readonly LinkEntry[],
  keys: readonly ObjectKey[],
): CountReads => ({
  epoch,
  snapshot,
  versions: Object.fromEntries(keys.map((k) => [k, null])),
  barrier: null,
});

/** The reads of the current handshake, if the link still waits for its round 2. */
const waiting = (c: ReadingClient): CountReads | null => underway(c.reads, c.link);

/** Is round 2 still waiting for this stage's reads (`RetryReasons.round2Underway`)? */
export const countReadsUnderway = (c: ReadingClient): boolean => waiting(c) !== null;

/**
 * A GET answered with the persisted `version`, or (null) failed: a failure drops the round,
 * and the retry timer handshakes again.
 */
export const recordCountRead = <C extends ReadingClient>(
  c: C,
  key: ObjectKey,
  version: number | null,
): C => {
  const reads = waiting(c);
  if (!reads) return c;
  if (version === null) return reads.versions[key] === null ? { ...c, reads: null } : c;
  return { ...c, reads: { ...reads, versions: { ...reads.versions, [key]: version } } };
};

/** The resourceVersion read of handshake `epoch` answered (undefined: it failed, as above). */
export const recordCountBarrier = <C extends ReadingClient>(
  c: C,
  epoch: string,
  rv: number | undefined,
): C => {
  const reads = waiting(c);
  if (!reads || reads.epoch !== epoch || reads.barrier !== null) return c;
  return { ...c, reads: rv === undefined ? null : { ...reads, barrier: rv } };
};

/**
 * The reads, taken out of the context, once round 2 may run: every GET answered and the
 * informers past the barrier; null (and the context unchanged) before.
 */
export const takeReadyReads = <C extends ReadingClient>(
  c: C,
): { readonly context: C; readonly reads: CountReads } | null => {
  const reads = waiting(c);
  if (!reads || reads.barrier === null || c.progressRv < reads.barrier) return null;
  if (Object.values(reads.versions).some((v) => v === null)) return null;
  return { context: { ...c, reads: null }, reads };
};
