/**
 * Desired counts (`CountEntry`) as the Deployment controller holds them, and its round 2
 * towards the ReplicaSet controller. Counts are absolute and versioned (the Deployment's
 * generation), so re-sending one is always safe: the newest version wins downstream.
 *
 *   reported by the server, not held, not shown written back  → adopt
 *   reported for a ReplicaSet the informer does not show       → discard
 *   held, not reported at its version, not written back        → re-send
 *
 * "Written back" is read per switch `round2Read`: the informer's `replicasVersion`, or a
 * quorum GET of the ReplicaSet (the caller collects the versions first).
 */
import type { ObjectKey } from '../../../spec/types/ids.js';
import type { CountEntry, LinkEntry } from '../../../spec/types/messages.js';
import type { ReplicaSetView } from '../../../spec/types/objects.js';
import { emptyPlan, type Round2Plan } from '../link/index.js';

export interface HeldCount extends CountEntry {
  /** Set through the API (vanilla path): wait for the informer to show the value. */
  readonly written: boolean;
}

interface CountRound2 {
  readonly plan: Round2Plan;
  readonly adopt: readonly CountEntry[];
}

const isCount = (e: LinkEntry): e is CountEntry => e.kind === 'count';

/** Held direct counts that round 2 must settle: not reported at (at least) their version. */
export const unsettled = (
  held: Readonly<Record<ObjectKey, HeldCount>>,
  snapshot: readonly LinkEntry[],
): HeldCount[] => {
  const reported = new Map(snapshot.filter(isCount).map((e) => [e.key, e.version]));
  return Object.keys(held)
    .sort()
    .flatMap((k) => {
      const h = held[k];
      return h && !h.written && (reported.get(k) ?? -1) < h.version ? [h] : [];
    });
};

export const planCountRound2 = (
  held: Readonly<Record<ObjectKey, HeldCount>>,
  snapshot: readonly LinkEntry[],
  informer: Readonly<Record<ObjectKey, ReplicaSetView>>,
  /** The persisted `replicasVersion` per round2Read (0 for a ReplicaSet the API lacks). */
  persistedVersion: (key: ObjectKey) => number,
): CountRound2 => {
  const discard: string[] = [];
  const adopt: CountEntry[] = [];
  for (const entry of snapshot.filter(isCount)) {
    const rs = informer[entry.key];
    if (!rs) discard.push(entry.key);
    else if (!held[entry.key] && rs.replicasVersion < entry.version) adopt.push(entry);
  }
  const resend = unsettled(held, snapshot)
    .filter((h) => persistedVersion(h.key) < h.version)
    .map(({ written: _w, ...entry }): CountEntry => entry);
  const plan: Round2Plan = {
    ...emptyPlan,
    entries: resend,
    discard,
    adopted: adopt.map((e) => e.key),
    resent: resend.map((e) => e.key),
  };
  return { plan, adopt };
};

/**
 * A held count is done once the informer shows it written back (or its ReplicaSet gone).
 * A count written through the API is done once its version shows, even if another writer
 * changed `replicas` since (a user's `kubectl scale`): waiting for the value instead left
 * it held forever and the controller never corrected the ReplicaSet (found by the fuzzer).
 */
export const writtenBack = (held: HeldCount, rs: ReplicaSetView | undefined): boolean =>
  !rs || rs.replicasVersion >= held.version || (held.written && rs.replicas === held.replicas);
