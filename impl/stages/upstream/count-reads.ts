/**
 * The wait before round 2 of a client that holds versioned counts (the Deployment controller
 * towards the ReplicaSet controller, the autoscaler on its direct link): for the API's
 * resourceVersion read after the accepted reply (`barrier`), for the stage's informers to
 * pass it, and for one GET per count the server did not report (the persisted version by
 * key, null until answered). The scheduler's pod reads are `PendingRound2` in the link
 * module; counts read versions, not presence, hence this twin.
 */
import { current, type Draft, isDraft } from 'immer';
import type { ObjectKey } from '../../../spec/types/ids.js';
import type { LinkEntry } from '../../../spec/types/messages.js';
import type { ClientContext } from './client.js';

export interface CountReads {
  readonly epoch: string;
  readonly snapshot: readonly LinkEntry[];
  readonly versions: Readonly<Record<ObjectKey, number | null>>;
  readonly barrier: number | null;
}

interface ReadingClient extends ClientContext {
  readonly reads: CountReads | null;
}

type Reader = Draft<ReadingClient>;

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
const waiting = (d: Reader): Draft<CountReads> | null =>
  d.reads?.epoch === d.link.epoch && d.link.phase === 'handshaking' ? d.reads : null;

/** A GET answered with the persisted `version` (a failed one leaves the round to the retry timer). */
export const recordCountRead = (d: Reader, key: ObjectKey, version: number): void => {
  const reads = waiting(d);
  if (reads) reads.versions[key] = version;
};

/** The resourceVersion read of handshake `epoch` answered (undefined: it failed). */
export const recordCountBarrier = (d: Reader, epoch: string, rv: number | undefined): void => {
  const reads = waiting(d);
  if (reads && reads.epoch === epoch && rv !== undefined && reads.barrier === null)
    reads.barrier = rv;
};

/**
 * Takes the reads out of the context once round 2 may run: every GET answered and the
 * informers past the barrier. A plain copy: the plan's entries leave the step in a message.
 */
export const takeReadyReads = (d: Reader): CountReads | null => {
  const reads = waiting(d);
  if (!reads || reads.barrier === null || d.progressRv < reads.barrier) return null;
  if (Object.values(reads.versions).some((v) => v === null)) return null;
  const plain = isDraft(reads) ? current(reads) : reads;
  d.reads = null;
  return plain;
};
