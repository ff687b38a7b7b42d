/**
 * Deliberately broken stages, for the tests that show the conformance check can fail. Each
 * wraps one stage module of the registry through its public surface only: the machine's
 * `transition` (events in, the next snapshot and emitted effects out) and `report`. The
 * wrapped machine runs the real one and then does one thing more, which no model step of
 * that class does.
 */
import type { AnyActorScope, AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { Effect, StageEvent, StageModule, StageRegistry } from '../../impl/stages/io.js';
import type { StageId } from '../../spec/types/ids.js';

type Transition = (
  snapshot: AnyMachineSnapshot,
  event: StageEvent,
  scope: AnyActorScope,
) => AnyMachineSnapshot;

/** What the broken stage does after the real transition: the snapshot it ends in. */
type Defect = (
  module: StageModule,
  real: Transition,
  args: { before: AnyMachineSnapshot; event: StageEvent; after: AnyMachineSnapshot },
  scope: AnyActorScope,
) => AnyMachineSnapshot;

/** Emits `effect` from inside a transition, as an xstate `emit` action would. */
const emit = (scope: AnyActorScope, effect: Effect): void =>
  (scope.actionExecutor as (action: unknown) => void)({
    type: 'xstate.emit',
    params: { event: effect },
  });

/** The stage's transition replaced: `replace` decides whether and how the real one runs. */
type Replacement = (
  module: StageModule,
  real: Transition,
  args: { before: AnyMachineSnapshot; event: StageEvent },
  scope: AnyActorScope,
) => AnyMachineSnapshot;

const replaceTransition = (module: StageModule, replace: Replacement): StageModule => {
  const machine = module.machine;
  const real: Transition = (snapshot, event, scope) =>
    machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
  const broken = Object.create(machine, {
    transition: {
      value: (before: AnyMachineSnapshot, event: StageEvent, scope: AnyActorScope) =>
        replace(module, real, { before, event }, scope),
    },
  }) as AnyStateMachine;
  return { machine: broken, report: (snapshot) => module.report(snapshot) };
};

const breakModule = (module: StageModule, defect: Defect): StageModule =>
  replaceTransition(module, (m, real, { before, event }, scope) =>
    defect(m, real, { before, event, after: real(before, event, scope) }, scope),
  );

/**
 * A kubelet that marks a pod Ready as soon as its CREATE succeeds, before the sandbox runs
 * (the model marks Ready only a pod whose sandbox runs). Caught at the step in which the API
 * Server executes that status patch.
 */
export const readyBeforeSandbox = (registry: StageRegistry): StageRegistry => ({
  ...registry,
  kubelet: breakModule(registry.kubelet, (_module, _real, { event, after }, scope) => {
    if (event.type === 'api.done' && event.intent.op === 'exposePod' && event.outcome === 'ok')
      emit(scope, {
        type: 'api',
        id: 1_000_000 + event.id,
        intent: { op: 'markReady', key: event.intent.key, wholeObject: false },
      });
    return after;
  }),
});

/**
 * A scheduler that skips a link phase: as soon as a kubelet link enters `syncing` (round 2
 * sent), it takes the link for connected without waiting for the `syncAck`. Caught at the
 * step that handles the handshake reply (or its last quorum read).
 */
export const connectWithoutAck = (registry: StageRegistry): StageRegistry => ({
  ...registry,
  scheduler: breakModule(registry.scheduler, (module, real, { before, after }, scope) => {
    const was = new Map(module.report(before).clients.map((c) => [c.server, c.phase]));
    let snapshot = after;
    for (const client of module.report(after).clients) {
      if (client.phase !== 'syncing' || was.get(client.server) === 'syncing') continue;
      if (client.epoch === null) continue;
      const ack: StageEvent = {
        type: 'message',
        message: {
          type: 'scheduler.syncAck',
          source: client.server,
          destination: 'scheduler' satisfies StageId,
          epoch: client.epoch,
        },
      };
      snapshot = real(snapshot, ack, scope);
    }
    return snapshot;
  }),
});

/**
 * A kubelet that skips a lifecycle state of its cache: a pod it is bound takes the answer
 * `alreadyExists` for its CREATE at once (so `exposed`), before any CREATE was answered.
 * Caught at the step that delivers the bind.
 */
export const exposedOnBind = (registry: StageRegistry): StageRegistry => ({
  ...registry,
  kubelet: breakModule(registry.kubelet, (_module, real, { event, after }, scope) => {
    if (event.type !== 'message' || event.message.type !== 'kubelet.bindPod') return after;
    const entry = event.message.entry;
    const answer: StageEvent = {
      type: 'api.done',
      id: 0,
      intent: {
        op: 'exposePod',
        key: entry.key,
        templateKey: `${entry.ownerKey}-template`,
        node: event.message.destination.slice('kubelet/'.length),
        ownerKey: entry.ownerKey,
      },
      outcome: 'alreadyExists',
    };
    return real(after, answer, scope);
  }),
});

/**
 * A kubelet that answers a handshake while still syncing after a restart, as if it served:
 * it installs the scheduler's epoch before its informer has listed, where bottom-up
 * recovery has it answer `notReady` until it serves (the model defers the handshake until
 * then). The step's changes are those of any handshake the kubelet takes, so the footprint
 * check passes it. Caught by the enabledness check at the delivery of the handshake.
 */
export const handshakeWhileSyncing = (registry: StageRegistry): StageRegistry => ({
  ...registry,
  kubelet: replaceTransition(registry.kubelet, (module, real, { before, event }, scope) => {
    const handshake = event.type === 'message' && event.message.type === 'kubelet.handshake';
    if (!handshake || before.value !== 'syncing') return real(before, event, scope);
    // Handled as the serving kubelet would, then back to syncing with what it learnt.
    const machine = module.machine;
    const serving = machine.resolveState({ value: 'serving', context: before.context });
    const answered = real(serving, event, scope);
    return machine.resolveState({ value: 'syncing', context: answered.context });
  }),
});
