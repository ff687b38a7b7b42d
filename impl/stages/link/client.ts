/**
 * The client (upstream) end of one direct link, as plain data a machine's context holds.
 *
 *   disconnected ──startHandshake(E)──► handshaking ──reply(E) accepted──► syncing ──syncAck(E)──► connected
 *        ▲                                  │  ▲                              (round2: none: straight to connected)
 *        │                                  │  └── notReady / retry timer: a new handshake, a new epoch
 *        └──── epochMismatch(E) while syncing or connected: the stage re-handshakes at once ◄──┘
 *
 * Every function is pure: it takes the link and returns the new link plus the effects to
 * emit. The epoch counter is the stage's (one per incarnation, shared by all its links), so
 * the caller passes it in and increments it.
 */
import type { Switches } from '../../../spec/types/config.js';
import type { Epoch, LinkId, StageId } from '../../../spec/types/ids.js';
import { linkId, mintEpoch, stageKindOf } from '../../../spec/types/ids.js';
import type {
  EpochMismatch,
  HandshakeReply,
  NotReady,
  SyncAck,
} from '../../../spec/types/messages.js';
import type { LinkPhase } from '../../../spec/types/observation.js';
import type { Effect } from '../io.js';
import type { Round2Plan } from './round2.js';

export interface ClientLink {
  readonly id: LinkId;
  readonly client: StageId;
  readonly server: StageId;
  readonly phase: LinkPhase;
  /** The epoch minted for the latest handshake (null before the first). */
  readonly epoch: Epoch | null;
}

/** A link's next state and what to emit for it. */
interface LinkStep<L> {
  readonly link: L;
  readonly effects: readonly Effect[];
}

/**
 * How long a client waits for a handshake to complete (or after `notReady`) before it
 * handshakes again, and how often a connected client re-checks that its server still holds
 * what it sent. The sim runtime decides when a timer really fires.
 */
export const HANDSHAKE_RETRY_MS = 500;
const DIRTY_RECHECK_MS = 2000;

/** The name of a link's retry timer; `linkOfRetryTimer` reads it back. */
export const retryTimer = (id: LinkId): string => `link.retry:${id}`;

export const linkOfRetryTimer = (name: string): LinkId | null =>
  name.startsWith('link.retry:') ? (name.slice('link.retry:'.length) as LinkId) : null;

export const newClientLink = (client: StageId, server: StageId): ClientLink => ({
  id: linkId(client, server),
  client,
  server,
  phase: 'disconnected',
  epoch: null,
});

/**
 * Round 1: mint `<client>#<incarnation>.<counter>`, send the handshake and arm the retry
 * timer. The caller passes the stage's epoch counter already incremented for this handshake.
 */
export const startHandshake = (
  link: ClientLink,
  incarnation: number,
  counter: number,
): LinkStep<ClientLink> => {
  const epoch = mintEpoch(link.client, incarnation, counter);
  return {
    link: { ...link, epoch, phase: 'handshaking' },
    effects: [
      {
        type: 'send',
        message: {
          type: `${stageKindOf(link.server)}.handshake`,
          source: link.client,
          destination: link.server,
          epoch,
        },
      },
      { type: 'timer.set', name: retryTimer(link.id), afterMs: HANDSHAKE_RETRY_MS },
    ],
  };
};

/**
 * A handshake reply: accepted only while handshaking and (switch `clientReplyCheck`) only if
 * it echoes the epoch last sent. The `reply` applied event is recorded either way. On
 * acceptance the stage computes round 2 (unless `round2: none`) and calls `finishRound1`.
 */
export const acceptReply = (
  link: ClientLink,
  reply: HandshakeReply,
  switches: Switches,
): { readonly accepted: boolean; readonly effects: readonly Effect[] } => {
  const epochOk = reply.epoch === link.epoch || !switches.clientReplyCheck;
  const accepted = link.phase === 'handshaking' && epochOk && link.epoch !== null;
  const applied: Effect = {
    type: 'applied',
    event: { kind: 'reply', link: link.id, epoch: reply.epoch, clientEpoch: link.epoch, accepted },
  };
  return { accepted, effects: [applied] };
};

/** Does an accepted reply lead to round 2, or (switch `round2: none`) straight to connected? */
export const runsRound2 = (switches: Switches): boolean => switches.round2 === 'resend';

/**
 * After an accepted reply: with `round2: none` the link connects at once; otherwise record
 * the `sync` applied event and send the plan under the client's own epoch.
 */
export const finishRound1 = (link: ClientLink, plan: Round2Plan | null): LinkStep<ClientLink> => {
  if (link.epoch === null) return { link, effects: [] };
  if (plan === null) return connect(link);
  const { entries, discard, adopted, resent, recreated, forgotten } = plan;
  return {
    link: { ...link, phase: 'syncing' },
    effects: [
      {
        type: 'applied',
        event: {
          kind: 'sync',
          link: link.id,
          epoch: link.epoch,
          adopted,
          resent,
          recreated,
          forgotten,
          discarded: discard,
        },
      },
      {
        type: 'send',
        message: {
          type: `${stageKindOf(link.server)}.sync`,
          source: link.client,
          destination: link.server,
          epoch: link.epoch,
          entries,
          discard,
        },
      },
    ],
  };
};

const connect = (link: ClientLink): LinkStep<ClientLink> => ({
  link: { ...link, phase: 'connected' },
  effects: [{ type: 'timer.cancel', name: retryTimer(link.id) }],
});

/** Round 2 acknowledged under the current epoch: the link is connected. */
export const onSyncAck = (link: ClientLink, ack: SyncAck): LinkStep<ClientLink> =>
  link.phase === 'syncing' && link.epoch === ack.epoch ? connect(link) : { link, effects: [] };

/**
 * The server refused a message of the current epoch: the link is down and the stage must
 * handshake again (`rehandshake`). A refusal of an older epoch is stale and ignored.
 */
export const onEpochMismatch = (
  link: ClientLink,
  refusal: EpochMismatch,
): { readonly link: ClientLink; readonly rehandshake: boolean } => {
  if (link.epoch !== refusal.epoch) return { link, rehandshake: false };
  if (link.phase !== 'connected' && link.phase !== 'syncing') return { link, rehandshake: false };
  return { link: { ...link, phase: 'disconnected' }, rehandshake: true };
};

/**
 * The connection broke (the server's process died): whatever the phase, the session is
 * gone, and the stage handshakes again (its retry timer covers a server still down).
 */
export const onServerDown = (link: ClientLink): ClientLink =>
  link.phase === 'disconnected' ? link : { ...link, phase: 'disconnected' };

/**
 * The server is still recovering its own downstream (bottom-up recovery): wait for the retry
 * timer, which sends a new handshake. The link stays `handshaking`.
 */
export const onNotReady = (link: ClientLink, refusal: NotReady): LinkStep<ClientLink> =>
  link.phase === 'handshaking' && link.epoch === refusal.epoch
    ? { link, effects: [rearmRetry(link)] }
    : { link, effects: [] };

/** What the stage knows, when its retry timer fires, that decides what the timer does. */
export interface RetryReasons {
  /** It holds entries it sent on this link and has not seen persisted. */
  readonly holdsDirty: boolean;
  /**
   * An accepted reply's round 2 waits for the stage's own API reads and for its informers to
   * pass them, and no read has failed (a failure ends the wait: the stage drops the round).
   */
  readonly round2Underway: boolean;
}

/**
 * The retry timer fired. It handshakes again if the link never connected, or if the stage
 * still holds dirty entries: the server may have lost them, and only a handshake tells. But
 * while round 2 is underway it waits: a new handshake would need new reads, answered no
 * sooner. Under a client rate limit the reads queued for longer than the timer, and each
 * retry replaced them by new ones without end (W3 under default limits, 2026-12-05).
 */
export const retryVerdict = (
  link: ClientLink,
  why: RetryReasons,
): 'handshake' | 'wait' | 'nothing' => {
  if (link.phase === 'handshaking' && why.round2Underway) return 'wait';
  return link.phase !== 'connected' || why.holdsDirty ? 'handshake' : 'nothing';
};

/** The timer again, while round 2 is underway (`retryVerdict`). */
export const rearmRetry = (link: ClientLink): Effect => ({
  type: 'timer.set',
  name: retryTimer(link.id),
  afterMs: HANDSHAKE_RETRY_MS,
});

/** While connected and holding dirty entries for this link, keep the re-check timer armed. */
export const recheckTimer = (link: ClientLink): Effect => ({
  type: 'timer.set',
  name: retryTimer(link.id),
  afterMs: DIRTY_RECHECK_MS,
});
