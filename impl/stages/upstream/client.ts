/**
 * The client end of one downstream link, as the Deployment and ReplicaSet controllers
 * drive it: the session logic is `impl/stages/link` (pure functions over a `ClientLink`);
 * this file holds the handlers that apply it to a machine's context and the xstate region
 * whose states mirror the link's phase, so the phase is an explicit state of the machine.
 *
 *   disconnected ──(informer synced)──► handshaking ──reply accepted──► syncing ──syncAck──► connected
 *        ▲                               │ ▲  notReady: wait; timer: new epoch          │
 *        └──── epochMismatch, link.down ◄─┴─┴──────────────────────────────────────────────┘
 *
 * Handlers change `link.phase` in the context; the region's eventless transitions follow
 * it. Round 2 itself is the stage's business (counts, pods): the stage's `onReply` handler
 * computes the plan and calls `finishRound1`.
 */
import type { Draft } from 'immer';
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
import type { CoreContext } from './core.js';

export interface ClientContext extends CoreContext {
  /** The stage's lifecycle (also the machine's `lifecycle` region; handlers read it here). */
  readonly phase: StagePhase;
  readonly link: ClientLink;
  /** Handshakes minted in this incarnation: the epoch counter. */
  readonly epochs: number;
}

type Ev<T extends StageEvent['type']> = Extract<StageEvent, { type: T }>;
type Message = Ev<'message'>['message'];

/** Round 1: a fresh epoch per handshake, never reused within an incarnation. */
export const handshake = (d: Draft<ClientContext>, out: Effect[]): void => {
  // Mutant `epoch-counter-resets`: a link that reconnects starts the counter again.
  const reconnect = d.link.phase === 'disconnected' && d.link.epoch !== null;
  if (reconnect && !d.input.config.switches.epochCounterPerIncarnation) d.epochs = 0;
  d.epochs += 1;
  const step = startHandshake(d.link, d.lease.incarnation, d.epochs);
  d.link = step.link as Draft<ClientLink>;
  out.push(...step.effects);
};

export const onSyncAckMessage = (d: Draft<ClientContext>, message: Message): void => {
  if (message.type.endsWith('.syncAck')) d.link = onSyncAck(d.link, message as never).link;
};

export const onMismatch = (d: Draft<ClientContext>, message: Message): void => {
  d.link = onEpochMismatch(d.link, message as never).link;
};

/** The connection to the server broke: the link region follows to `disconnected`. */
export const onServerDownEvent = (d: Draft<ClientContext>, server: string): void => {
  if (server === d.link.server) d.link = onServerDown(d.link) as Draft<ClientLink>;
};

export const onNotReadyMessage = (d: Draft<ClientContext>, message: Message, out: Effect[]) => {
  out.push(...onNotReady(d.link, message as never).effects);
};

/** Connected and still holding entries sent on this link: keep checking that they arrived. */
export const armRecheck = (d: Draft<ClientContext>, holdsDirty: boolean, out: Effect[]) => {
  if (d.link.phase === 'connected' && holdsDirty) out.push(recheckTimer(d.link));
};

/** The retry timer: a new handshake if the link is stuck or the stage still holds entries. */
export const onRetryTimer = (d: Draft<ClientContext>, holdsDirty: boolean, out: Effect[]) => {
  if (retryDue(d.link, holdsDirty)) handshake(d, out);
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
 * The guards the link region and the stage's resync timer use, the same in every client
 * stage (the Deployment and ReplicaSet controllers); `resyncTimer` is the stage's timer name.
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
