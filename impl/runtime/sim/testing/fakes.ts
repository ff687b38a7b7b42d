/**
 * Small fake stage machines for the runtime's tests: real xstate v5 machines that speak
 * the io.ts contract (events in, `emit`ted effects out) with a reaction given as a pure
 * function, so a test states only what its stage does. Every fake logs the events it
 * received, so tests can see what reached it and in which order.
 */
import { enqueueActions, setup } from 'xstate';
import { type Config, HARDENED, PRESETS } from '../../../../spec/types/config.js';
import type { StageKind } from '../../../../spec/types/ids.js';
import { knativeTemplate, templateHash } from '../../../k8s/index.js';
import type { Effect, StageEvent, StageInput, StageReport } from '../../../stages/io.js';
import type { StageModule, StageRegistry } from '../types.js';

/** The `up` preset (one function `a/fn`, one node `n1`) under the hardened profile. */
export const TEST_CONFIG: Config = {
  preset: PRESETS.up,
  profile: 'hardened',
  switches: HARDENED,
  mutant: null,
};

interface FakeContext<S> {
  readonly input: StageInput;
  readonly state: S;
  /** `type` of every event received, in order (messages as `message <type>`). */
  readonly log: readonly string[];
  readonly informerRv: number;
}

type Reaction<S> = (
  state: S,
  event: StageEvent,
  input: StageInput,
) => { readonly state?: S; readonly effects?: readonly Effect[] } | undefined;

const describe = (event: StageEvent): string => {
  if (event.type === 'message') return `message ${event.message.type}`;
  if (event.type === 'informer.upsert' || event.type === 'informer.delete')
    return `${event.type} ${event.object.kind} ${'key' in event.object.view ? event.object.view.key : event.object.view.name}`;
  if (event.type === 'api.done') return `api.done ${event.intent.op} ${event.outcome}`;
  if (event.type === 'sandbox.list') return `sandbox.list [${event.pods.join(',')}]`;
  if (event.type === 'informer.progress') return `informer.progress ${event.rv}`;
  return event.type;
};

const rvOf = (event: StageEvent): number | undefined =>
  event.type === 'informer.synced' ||
  event.type === 'informer.upsert' ||
  event.type === 'informer.delete'
    ? event.rv
    : undefined;

/** A fake stage module: `init` its state, `react` to every event. */
export const fakeStage = <S>(
  init: (input: StageInput) => S,
  react: Reaction<S>,
  keepLog = true,
): StageModule => {
  const machine = setup({
    types: {} as {
      context: FakeContext<S>;
      events: StageEvent;
      input: StageInput;
      emitted: Effect;
    },
  }).createMachine({
    context: ({ input }) => ({ input, state: init(input), log: [], informerRv: 0 }),
    on: {
      '*': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const result = react(context.state, event, context.input);
          const rv = rvOf(event);
          enqueue.assign({
            state: result?.state ?? context.state,
            log: keepLog ? [...context.log, describe(event)] : context.log,
            informerRv: rv !== undefined && rv > context.informerRv ? rv : context.informerRv,
          });
          for (const effect of result?.effects ?? []) enqueue.emit(effect);
        }),
      },
    },
  });
  return {
    machine,
    report: (snapshot): StageReport => ({
      phase: 'serving',
      dirty: [],
      informerRv: (snapshot.context as FakeContext<S>).informerRv,
      clients: [],
      serverEpochs: {},
    }),
  };
};

export const noopStage = (keepLog = true): StageModule =>
  fakeStage(
    () => null,
    () => undefined,
    keepLog,
  );

/** A registry of no-op stages, with some kinds replaced. */
export const registryOf = (
  overrides: Partial<Record<StageKind, StageModule>> = {},
  keepLog = true,
): StageRegistry => ({
  autoscaler: overrides.autoscaler ?? noopStage(keepLog),
  deployment: overrides.deployment ?? noopStage(keepLog),
  replicaset: overrides.replicaset ?? noopStage(keepLog),
  scheduler: overrides.scheduler ?? noopStage(keepLog),
  kubelet: overrides.kubelet ?? noopStage(keepLog),
});

/** The key of a seeded function's ReplicaSet (named after its template hash). */
export const replicaSetKeyOf = (namespace: string, name: string): string =>
  `${namespace}/${name}-${templateHash(knativeTemplate({ namespace, name }))}`;

/** The log of a fake stage's current snapshot. */
export const logOf = (snapshot: unknown): readonly string[] =>
  (snapshot as { context: FakeContext<unknown> } | null)?.context.log ?? [];
