/**
 * Feeding one event to a stage and carrying out the effects it returns. The machine's
 * transition is pure (`transition` from xstate); the effects are data, and each becomes a
 * pending event of the agenda (a message in flight, an API call, a timer, a sandbox start)
 * or, for `applied`, an entry in the step's events. Nothing here delivers anything within
 * the step: every consequence is a later, schedulable choice.
 */
import {
  type AnyActorRef,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyTransitionDefinition,
  createActor as createXstateActor,
} from 'xstate';
import { type LinkId, linkId, nodeOfKubelet, type StageId } from '../../../spec/types/ids.js';
import type { Message } from '../../../spec/types/messages.js';
import { collectEffects, type Effect, type StageEvent, type StageInput } from '../../stages/io.js';
import { requestFor } from '../stage-io/index.js';
import { ownerSeenGone } from './evidence.js';
import { noteSent } from './ghost.js';
import { knownTo } from './intents.js';
import type { ActorSlot, SimState } from './state.js';

const REPLY_SUFFIXES = ['.handshakeReply', '.syncAck', '.epochMismatch', '.notReady', '.notFound'];

/** Replies travel server → client; the link is always named `<client>-><server>`. */
export const linkOf = (message: Message): LinkId =>
  REPLY_SUFFIXES.some((suffix) => message.type.endsWith(suffix))
    ? linkId(message.destination, message.source)
    : linkId(message.source, message.destination);

/** Creates the actor of a new incarnation and carries out its initial effects. */
export const createActor = (state: SimState, slot: ActorSlot, input: StageInput): void => {
  const { snapshot, actions } = initialOf(slot.module.machine)(input);
  slot.snapshot = snapshot;
  runEffects(state, slot, collectEffects(actions));
};

/** One event into one stage; a crashed stage hears nothing. */
export const dispatch = (state: SimState, slot: ActorSlot, event: StageEvent): void => {
  if (!slot.snapshot) return;
  const before = slot.snapshot;
  const inspected = state.onTransition !== undefined;
  const {
    snapshot: next,
    actions,
    taken,
  } = transitionOf(slot.module.machine, inspected)(before, event);
  slot.snapshot = next;
  state.onTransition?.({
    stage: slot.id,
    machine: slot.module.machine,
    before,
    event,
    after: next,
    taken,
  });
  runEffects(state, slot, collectEffects(actions));
};

/** What one event did to a machine: the next snapshot, its actions, its transitions. */
export interface Made {
  readonly snapshot: AnyMachineSnapshot;
  readonly actions: unknown[];
  /**
   * The transitions of every microstep, eventless ones included, as xstate's inspection
   * reported them for this very transition; empty unless made `inspected`.
   */
  readonly taken: readonly AnyTransitionDefinition[];
}

type Transition = (snapshot: AnyMachineSnapshot, event: StageEvent) => Made;
type Initial = (input: StageInput) => Omit<Made, 'taken'>;

const NONE_TAKEN: readonly AnyTransitionDefinition[] = [];

/**
 * An actor scope that executes nothing: `actionExecutor` sees each action instead, and the
 * actor `self` is never started. Made once per machine (see `transitionOf`).
 */
export const inertScope = (
  self: AnyActorRef,
  actionExecutor: (action: unknown) => void,
): AnyActorScope =>
  ({
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor,
  }) as unknown as AnyActorScope;

/** A machine's transition and start on one inert scope (see `transitionOf`). */
interface Inert {
  readonly transition: Transition;
  readonly initial: Initial;
}

const plain = new WeakMap<AnyStateMachine, Inert>();
const withInspection = new WeakMap<AnyStateMachine, Inert>();

/**
 * xstate's pure `transition(machine, snapshot, event)`, with its inert actor scope made once
 * per machine rather than once per call. xstate's own `transition` builds a new actor for
 * every call, and the actor's constructor computes the machine's initial snapshot: that was
 * most of the cost of a step. The scope executes nothing (its `actionExecutor` only collects
 * the actions, as xstate's does), and no stage machine spawns or invokes children, so one
 * scope per machine gives the same snapshots and actions as a fresh one.
 *
 * `inspected`: the scope's actor also hears xstate's `@xstate.microstep` inspection events,
 * whose transitions are what the event took (the coverage recorder reads them; replaying
 * the event to learn them cost it a second transition). Without an observer, xstate skips
 * making those events.
 */
export const transitionOf = (machine: AnyStateMachine, inspected: boolean): Transition =>
  inertOf(machine, inspected).transition;

/**
 * xstate's `initialTransition(machine, input)` on the same scope, for the same reason: it
 * made an actor (and so an initial snapshot) for every start, and a fuzz campaign starts
 * every stage of a new cluster in each of its runs.
 */
export const initialOf = (machine: AnyStateMachine): Initial => inertOf(machine, false).initial;

const inertOf = (machine: AnyStateMachine, inspected: boolean): Inert => {
  const made = inspected ? withInspection : plain;
  const found = made.get(machine);
  if (found) return found;
  let actions: unknown[] = [];
  let taken: AnyTransitionDefinition[] = [];
  const self = createXstateActor(
    machine,
    inspected
      ? {
          inspect: (inspection) => {
            if (inspection.type === '@xstate.microstep') taken.push(...inspection._transitions);
          },
        }
      : {},
  );
  const scope = inertScope(self, (action) => {
    actions.push(action);
  });
  const inert: Inert = {
    transition: (snapshot, event) => {
      actions = [];
      if (inspected) taken = [];
      const next = machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
      return { snapshot: next, actions, taken: inspected ? taken : NONE_TAKEN };
    },
    initial: (input) => {
      actions = [];
      const snapshot = machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot;
      return { snapshot, actions };
    },
  };
  made.set(machine, inert);
  return inert;
};

const runEffects = (state: SimState, slot: ActorSlot, effects: readonly Effect[]): void => {
  for (const effect of effects) runEffect(state, slot, effect);
};

const timerId = (stage: StageId, name: string): string => `timer ${stage} ${name}`;

const sandboxStartId = (node: string, pod: string): string => `sandbox ${node} ${pod}`;

const runEffect = (state: SimState, slot: ActorSlot, effect: Effect): void => {
  switch (effect.type) {
    case 'send':
      noteSent(state, slot, effect.message);
      sendMessage(state, effect.message);
      return;
    case 'api': {
      // A request waits for its client's token first (none when unthrottled).
      const waitMs = state.throttle(slot.id, slot.incarnation);
      const request = requestFor(effect.intent, {
        stage: slot.id,
        nowMs: state.nowMs,
        known: (kind, key) => knownTo(slot.written, slot.informers, kind, key),
      });
      state.agenda.put({
        kind: 'api',
        id: state.nextId('a'),
        dueAtMs: state.dueIn(waitMs + state.latencies.apiRequestMs),
        sentAtMs: state.nowMs + waitMs,
        label: `api ${slot.id} ${effect.intent.op} ${effect.intent.key}`,
        actor: slot.id,
        stage: slot.id,
        incarnation: slot.incarnation,
        callId: effect.id,
        intent: effect.intent,
        request,
        ...(ownerSeenGone(slot, effect.intent, request) ? { ownerSeenGone: true } : {}),
      });
      return;
    }
    case 'timer.set':
      state.agenda.put({
        kind: 'timer',
        id: timerId(slot.id, effect.name),
        dueAtMs: state.dueIn(effect.afterMs),
        label: `timer ${slot.id} ${effect.name}`,
        actor: slot.id,
        stage: slot.id,
        incarnation: slot.incarnation,
        name: effect.name,
      });
      return;
    case 'timer.cancel':
      state.agenda.remove(timerId(slot.id, effect.name));
      return;
    case 'sandbox.start':
      startSandbox(state, slot, effect);
      return;
    case 'sandbox.stop':
      stopSandbox(state, slot, effect.pod);
      return;
    case 'applied':
      state.record(effect.event);
      return;
    default:
      // Every effect a stage may produce is handled (the live host's `execute` too).
      effect satisfies never;
  }
};

/** Puts a message in flight on its link (also used to duplicate one). */
export const sendMessage = (state: SimState, message: Message): void => {
  state.messagesSent.set(message.type, (state.messagesSent.get(message.type) ?? 0) + 1);
  state.agenda.put({
    kind: 'message',
    id: state.nextId('m'),
    dueAtMs: state.dueIn(state.latencies.networkMs),
    label: `deliver ${message.type} ${message.source}->${message.destination} e=${message.epoch}`,
    actor: message.destination,
    link: linkOf(message),
    message,
  });
};

type SandboxStart = Extract<Effect, { type: 'sandbox.start' }>;

/** The container runtime starts a sandbox after the start delay; starting twice is a no-op. */
const startSandbox = (state: SimState, slot: ActorSlot, effect: SandboxStart): void => {
  const node = nodeOfKubelet(slot.id);
  if (node === null || state.lostNodes.has(node)) return;
  const id = sandboxStartId(node, effect.pod);
  if (state.sandboxes.get(node)?.has(effect.pod) || state.agenda.has(id)) return;
  state.agenda.put({
    kind: 'sandboxStart',
    id,
    dueAtMs: state.dueIn(state.latencies.sandboxStartMs),
    label: `sandbox.start ${node} ${effect.pod}`,
    actor: slot.id,
    node,
    sandbox: { pod: effect.pod, ownerUid: effect.ownerUid, templateHash: effect.templateHash },
  });
};

/** Stopping is immediate (the sandbox is gone in this step); the kubelet hears it later. */
const stopSandbox = (state: SimState, slot: ActorSlot, pod: string): void => {
  const node = nodeOfKubelet(slot.id);
  if (node === null) return;
  state.agenda.remove(sandboxStartId(node, pod));
  state.sandboxes.get(node)?.delete(pod);
  state.agenda.put({
    kind: 'sandboxStopped',
    id: state.nextId('s'),
    dueAtMs: state.nowMs,
    label: `sandbox.stopped ${node} ${pod}`,
    actor: slot.id,
    node,
    pod,
  });
};
