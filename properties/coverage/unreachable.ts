/**
 * The states and transitions of the stage machines that no run of the simulator can take,
 * each with the reason, read from the machine code. Found by the broad campaign
 * (`coverageCampaign({ depth: 'broad' })`: every scenario on both paths under `hardened`,
 * `artifact` and every mutant's flip, the probes, and 300 random fault schedules per path)
 * and then checked against the code one by one; everything else it missed was reached by a
 * probe or a flip that the quick campaign now includes.
 *
 * The test suite fails if an entry names no existing state or transition (the list cannot
 * go stale silently) or if a campaign ever takes one (then the reason was wrong).
 */

export interface Unreachable {
  /** A state or transition id of `enumerateMachines()`. */
  readonly id: string;
  /** Why no run can visit it, in one sentence. */
  readonly reason: string;
}

/**
 * The client link region (`impl/stages/upstream/client.ts`) follows `context.link.phase` with
 * eventless transitions to every other phase; one of them cannot fire.
 */
const CONNECTED_TO_SYNCING =
  "the link's phase becomes `syncing` only in `finishRound1`, called on an accepted handshake reply or on the last quorum read for one, and both require the phase `handshaking` (`acceptReply`, `onRead`); from `connected` one event can only start a new handshake (retry timer) or disconnect (`epochMismatch`, `link.down`), so the region never sees `syncing` while in `connected`";

export const UNREACHABLE: readonly Unreachable[] = [
  {
    id: 'deployment: link.connected --always[linkIs(syncing)]--> link.syncing',
    reason: CONNECTED_TO_SYNCING,
  },
  {
    id: 'replicaset: link.connected --always[linkIs(syncing)]--> link.syncing',
    reason: CONNECTED_TO_SYNCING,
  },
];

export const UNREACHABLE_IDS: ReadonlySet<string> = new Set(UNREACHABLE.map((u) => u.id));
