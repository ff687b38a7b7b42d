/**
 * The client end of one downstream link, as the autoscaler and the Deployment and
 * ReplicaSet controllers drive it: the session logic is `impl/stages/link` (pure functions
 * over a `ClientLink`); this file holds the helpers that apply it to a machine's context
 * (`(context, …, out) => context`, step.ts) and the xstate region whose states mirror the
 * link's phase, so the phase is an explicit state of the machine.
 *
 *   disconnected ──(informer synced)──► handshaking ──reply accepted──► syncing ──syncAck──► connected
 *        ▲                               │ ▲  notReady: wait; timer: new epoch          │
 *        └──── epochMismatch, link.down ◄─┴─┴──────────────────────────────────────────────┘
 *
 * Helpers change `link.phase` in the context; the region's eventless transitions follow
 * it. Round 2 itself is the stage's business (counts, pods): the stage's `onReply` handler
 * computes the plan and calls `finishRound1`.
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
  recheckTimer,
  retryDue,
  startHandshake,
} from '../link/index.js';
import type { ControllerContext } from './context.js';

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

export const onSyncAckMessage = <C extends ClientContext>(c: C, message: Message): C =>
  isSyncAck(message) ? { ...c, link: onSyncAck(c.link, message).link } : c;

export const onMismatch = <C extends ClientContext>(c: C, message: Message): C =>
  isEpochMismatch(message) ? { ...c, link: onEpochMismatch(c.link, message).link } : c;

/** The connection to the server broke: the link region follows to `disconnected`. */
export const onServerDownEvent = <C extends ClientContext>(c: C, server: string): C =>
  server === c.link.server ? { ...c, link: onServerDown(c.link) } : c;

export const onNotReadyMessage = (c: ClientContext, message: Message, out: Effect[]): void => {
  if (isNotReady(message)) out.push(...onNotReady(c.link, message).effects);
};

/** Connected and still holding entries sent on this link: keep checking that they arrived. */
export const armRecheck = (c: ClientContext, holdsDirty: boolean, out: Effect[]): void => {
  if (c.link.phase === 'connected' && holdsDirty) out.push(recheckTimer(c.link));
};

/** The retry timer: a new handshake if the link is stuck or the stage still holds entries. */
export const onRetryTimer = <C extends ClientContext>(
  c: C,
  holdsDirty: boolean,
  out: Effect[],
): C => (retryDue(c.link, holdsDirty) ? handshake(c, out) : c);

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
 * The guards the link region and the stage's resync timer use, the same in every client
 * stage; `resyncTimer` is the stage's timer name.
 */
export const clientGuards = (resyncTimer: string) => ({
  synced: ({ context }: { context: ClientContext }) => context.phase !== 'syncing',
  linkIs: ({ context }: { context: ClientContext }, params: { phase: string }) =>
    context.link.phase === params.phase,
  is: ({ event }: { event: StageEvent }, params: { method: string }) =>
    isMessage(event, params.method),
  retryTimer: ({ context, event }: { context: ClientContext; event: StageEvent }) =>
    isRetryTimer(context, event),
  resyncTimer: ({ event }: { event: StageEvent }) =>
    event.type === 'timer' && event.name === resyncTimer,
  connected: ({ context }: { context: ClientContext }) => context.link.phase === 'connected',
});

const follow = (self: LinkPhase) =>
  (['disconnected', 'handshaking', 'syncing', 'connected'] as const)
    .filter((p) => p !== self)
    .map((p) => ({ guard: { type: 'linkIs' as const, params: { phase: p } }, target: p }));

/**
 * The link region. The machine provides the actions `handshake`, `onReply`, `onSyncAck`,
 * `onMismatch`, `onNotReady`, `onServerDown`, `onRetryTimer`, `onConnected` and the guards
 * `linkIs`, `synced`, `is`, `retryTimer`.
 */
export const linkRegion = {
  initial: 'disconnected',
  on: { 'link.down': { actions: 'onServerDown' } },
  states: {
    disconnected: {
      always: [{ guard: 'synced', target: 'handshaking', actions: 'handshake' }],
    },
    handshaking: {
      always: follow('handshaking'),
      on: {
        message: [
          { guard: { type: 'is', params: { method: 'handshakeReply' } }, actions: 'onReply' },
          { guard: { type: 'is', params: { method: 'notReady' } }, actions: 'onNotReady' },
        ],
        timer: { guard: 'retryTimer', actions: 'handshake' },
      },
    },
    syncing: {
      always: follow('syncing'),
      on: {
        message: [
          { guard: { type: 'is', params: { method: 'syncAck' } }, actions: 'onSyncAck' },
          { guard: { type: 'is', params: { method: 'epochMismatch' } }, actions: 'onMismatch' },
        ],
        timer: { guard: 'retryTimer', actions: 'handshake' },
      },
    },
    connected: {
      entry: 'onConnected',
      always: follow('connected'),
      on: {
        message: {
          guard: { type: 'is', params: { method: 'epochMismatch' } },
          actions: 'onMismatch',
        },
        timer: { guard: 'retryTimer', actions: 'onRetryTimer' },
      },
    },
  },
} as const;
