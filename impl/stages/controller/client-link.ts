/**
 * The client end of one downstream link, as the autoscaler and the Deployment and
 * ReplicaSet controllers drive it: the session logic is `impl/stages/link` (pure functions
 * over a `ClientLink`); this file holds the helpers that apply it to a machine's context
 * (`(context, …, out) => context`, step.ts) and the transitions a machine routes the link's
 * events through.
 *
 *   disconnected ──(stage past syncing)──► handshaking ──reply accepted──► syncing ──syncAck──► connected
 *        ▲                                  │ ▲  notReady: wait; timer: new epoch (or, while    │
 *        │                                  │ │  round 2 waits for the stage's reads, wait)     │
 *        └──── epochMismatch, link.down ◄───┴─┴────────────────────────────────────────────────┘
 *
 * The phase is stored once, in `link.phase`: each transition names the phase it applies in
 * (guards `linkIs`, `gets`), so a diagram and machine coverage still show the link's
 * behaviour phase by phase. Round 2 itself is the stage's business (counts, pods): the
 * stage's `onReply` handler computes the plan and calls `finishRound1`.
 */
import type { EpochMismatch, NotReady, SyncAck } from '../../../spec/types/messages.js';
import type { LinkPhase, StagePhase } from '../../../spec/types/observation.js';
import type { ClientLinkReport, Effect, StageEvent } from '../io.js';
import {
  type ClientLink,
  linkOfRetryTimer,
  onEpochMismatch,
  onNotReady,
  onServerDown,
  onSyncAck,
  type RetryReasons,
  rearmRetry,
  recheckTimer,
  retryVerdict,
  startHandshake,
} from '../link/index.js';
import { type ControllerContext, onLease } from './context.js';
import { none, step, withContext, withEvent, withMessage } from './step.js';

export interface ClientContext extends ControllerContext {
  /** The stage's lifecycle (also the machine's `lifecycle` region; handlers read it here). */
  readonly phase: StagePhase;
  readonly link: ClientLink;
  /** Handshakes minted in this incarnation: the epoch counter. */
  readonly epochs: number;
}

type Message = Extract<StageEvent, { type: 'message' }>['message'];

/** Round 1: a fresh epoch per handshake, never reused within an incarnation. */
export const handshake = <C extends ClientContext>(c: C, out: Effect[]): C => {
  // Mutant `epoch-counter-resets`: a link that reconnects starts the counter again.
  const reconnect = c.link.phase === 'disconnected' && c.link.epoch !== null;
  const restart = reconnect && !c.input.config.switches.epochCounterPerIncarnation;
  const epochs = (restart ? 0 : c.epochs) + 1;
  const step = startHandshake(c.link, c.lease.incarnation, epochs);
  out.push(...step.effects);
  return { ...c, epochs, link: step.link };
};

const isSyncAck = (m: Message): m is SyncAck => m.type.endsWith('.syncAck');
const isEpochMismatch = (m: Message): m is EpochMismatch => m.type.endsWith('.epochMismatch');
const isNotReady = (m: Message): m is NotReady => m.type.endsWith('.notReady');

const onSyncAckMessage = <C extends ClientContext>(c: C, message: Message): C =>
  isSyncAck(message) ? { ...c, link: onSyncAck(c.link, message).link } : c;

const onMismatch = <C extends ClientContext>(c: C, message: Message): C =>
  isEpochMismatch(message) ? { ...c, link: onEpochMismatch(c.link, message).link } : c;

/** The connection to the server broke: the link is `disconnected`. */
const onServerDownEvent = <C extends ClientContext>(c: C, server: string): C =>
  server === c.link.server ? { ...c, link: onServerDown(c.link) } : c;

const onNotReadyMessage = (c: ClientContext, message: Message, out: Effect[]): void => {
  if (isNotReady(message)) out.push(...onNotReady(c.link, message).effects);
};

/** Connected and still holding entries sent on this link: keep checking that they arrived. */
export const armRecheck = (c: ClientContext, holdsDirty: boolean, out: Effect[]): void => {
  if (c.link.phase === 'connected' && holdsDirty) out.push(recheckTimer(c.link));
};

/** The retry timer: a new handshake if the link is stuck or the stage still holds entries. */
const onRetryTimer = <C extends ClientContext>(c: C, why: RetryReasons, out: Effect[]): C => {
  const verdict = retryVerdict(c.link, why);
  if (verdict === 'wait') out.push(rearmRetry(c.link));
  return verdict === 'handshake' ? handshake(c, out) : c;
};

const isRetryTimer = (c: ClientContext, e: StageEvent): boolean =>
  e.type === 'timer' && linkOfRetryTimer(e.name) === c.link.id;

export const isMessage = (e: StageEvent, method: string): boolean =>
  e.type === 'message' && e.message.type.endsWith(`.${method}`);

export const clientReport = (c: ClientContext): ClientLinkReport => ({
  server: c.link.server,
  phase: c.link.phase,
  epoch: c.link.epoch,
});

/**
 * The guards of the link's transitions and of the stage's resync timer, the same in every
 * client stage; `resyncTimer` is the stage's timer name, `hasLink` whether the stage uses its
 * link at all (the autoscaler only on its direct hop).
 */
export const clientGuards = (
  resyncTimer: string,
  hasLink: (c: ClientContext) => boolean = () => true,
) => ({
  mustHandshake: ({ context }: { context: ClientContext }) =>
    hasLink(context) && context.phase !== 'syncing' && context.link.phase === 'disconnected',
  linkIs: ({ context }: { context: ClientContext }, params: { phase: LinkPhase }) =>
    context.link.phase === params.phase,
  gets: (
    { context, event }: { context: ClientContext; event: StageEvent },
    params: { phase: LinkPhase; method: string },
  ) => context.link.phase === params.phase && isMessage(event, params.method),
  retryTimer: (
    { context, event }: { context: ClientContext; event: StageEvent },
    params: { phase: LinkPhase },
  ) => context.link.phase === params.phase && isRetryTimer(context, event),
  resyncTimer: ({ event }: { event: StageEvent }) =>
    event.type === 'timer' && event.name === resyncTimer,
  connected: ({ context }: { context: ClientContext }) => context.link.phase === 'connected',
});

/**
 * The step connected the link: the stage's work that waited for the connection runs at its
 * end (`onConnected`, the stage's reconcile). A stage still `recovering` becomes `serving` in
 * this same step (its lifecycle waits for the link), and that transition runs the reconcile.
 */
export const whenConnected = <C extends ClientContext>(
  before: ClientContext,
  after: C,
  onConnected: (c: C, out: Effect[]) => C,
  out: Effect[],
): C => {
  const connected = before.link.phase !== 'connected' && after.link.phase === 'connected';
  return connected && after.phase !== 'recovering' ? onConnected(after, out) : after;
};

const inPhase = (phase: LinkPhase) => ({ type: 'linkIs' as const, params: { phase } });
const gets = (phase: LinkPhase, method: string) => ({
  type: 'gets' as const,
  params: { phase, method },
});

/**
 * The link's transitions, for the machine's root. The machine provides the actions
 * `handshake`, `onReply`, `onSyncAck`, `onMismatch`, `onNotReady`, `onServerDown`,
 * `onRetryTimer` and the guards of `clientGuards`; `mustHandshake` starts a handshake as soon
 * as the link is down and the stage past `syncing`.
 */
export const linkTransitions = {
  message: [
    { guard: gets('handshaking', 'handshakeReply'), actions: 'onReply' },
    { guard: gets('handshaking', 'notReady'), actions: 'onNotReady' },
    { guard: gets('syncing', 'syncAck'), actions: 'onSyncAck' },
    { guard: gets('syncing', 'epochMismatch'), actions: 'onMismatch' },
    { guard: gets('connected', 'epochMismatch'), actions: 'onMismatch' },
  ],
  timer: [
    { guard: { type: 'retryTimer', params: { phase: 'handshaking' } }, actions: 'onRetryTimer' },
    { guard: { type: 'retryTimer', params: { phase: 'syncing' } }, actions: 'handshake' },
    { guard: { type: 'retryTimer', params: { phase: 'connected' } }, actions: 'onRetryTimer' },
  ],
  'link.down': [
    { guard: inPhase('handshaking'), actions: 'onServerDown' },
    { guard: inPhase('syncing'), actions: 'onServerDown' },
    { guard: inPhase('connected'), actions: 'onServerDown' },
  ],
} as const;

/** Down and past `syncing`: handshake (at once, in the step that took the link down). */
export const mustHandshake = { guard: 'mustHandshake', actions: 'handshake' } as const;

/**
 * The actions every client stage has alike: its lifecycle (`markSynced`, the Lease, `onSynced`
 * to recovering, `onServing`) and its link. `work` is the stage's reconcile, run when it
 * starts serving and when its link connects; `holdsDirty` whether it still holds entries
 * sent on the link (its retry timer re-handshakes then), `round2Underway` whether round 2
 * still waits for its reads (its retry timer waits then). The stage adds `onReply`: round 2
 * is its own.
 */
export const clientStageActions = <C extends ClientContext>(
  work: (c: C, out: Effect[]) => C,
  holdsDirty: (c: C) => boolean,
  round2Underway: (c: C) => boolean,
) => ({
  markSynced: withContext<C>((c) => ({ ...c, informerSynced: true })),
  onLease: withEvent<C>(onLease),
  onSynced: withContext<C>((c) => ({ ...c, phase: 'recovering' })),
  onServing: withContext<C>((c, out) => work({ ...c, phase: 'serving' }, out)),
  handshake: withContext<C>(handshake),
  onSyncAck: withMessage<C>((c, m, out) => whenConnected(c, onSyncAckMessage(c, m), work, out)),
  onMismatch: withMessage<C>(onMismatch),
  onServerDown: step<C, Extract<StageEvent, { type: 'link.down' }>>((c, e) =>
    none(onServerDownEvent(c, e.server)),
  ),
  onNotReady: withMessage<C>((c, m, out) => {
    onNotReadyMessage(c, m, out);
    return c;
  }),
  onRetryTimer: withContext<C>((c, out) =>
    onRetryTimer(c, { holdsDirty: holdsDirty(c), round2Underway: round2Underway(c) }, out),
  ),
});
