/** How fast-check draws fault schedules (`schedule.ts`), by the weights of the kinds. */
import fc from 'fast-check';
import {
  CHOICE_KINDS,
  CHOICE_MAX,
  type Choice,
  type ChoiceKind,
  DEFAULT_WEIGHTS,
  DELAY_TARGETS,
  type DelayTarget,
  MAX_DELAY_MS,
  MESSAGE_CLASSES,
  type MessageClass,
  MOMENT_ACTS,
  MOMENT_PHASES,
  type Weights,
  WRITE_OPS,
  type WriteChoice,
  type WriteOp,
} from './schedule.js';

/** Small integers: indices wrap around what exists, so small values reach everything. */
const index = fc.nat(CHOICE_MAX.index);
const fn = fc.nat(CHOICE_MAX.fn);

/**
 * A take is mostly the next event in due order (the run makes progress, as it would
 * without the fuzzer), sometimes a near reordering, now and then a jump to any event.
 */
const takeIndex = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.nat(3) },
  { weight: 1, arbitrary: index },
);

/** Faults aim at the newest event of their target class first, then at recent ones. */
const faultIndex = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.nat(3) },
  { weight: 1, arbitrary: index },
);

/** Short delays reorder within a round trip; long ones outlive retries and whole pod lives. */
const delayMs = (max = MAX_DELAY_MS): fc.Arbitrary<number> =>
  max <= 50
    ? fc.integer({ min: 1, max })
    : fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 51, max }));

const WRITES: { readonly [K in WriteOp]: fc.Arbitrary<Extract<WriteChoice, { op: K }>> } = {
  deletePod: fc.record({ op: fc.constant('deletePod'), index }),
  deleteDeployment: fc.record({ op: fc.constant('deleteDeployment'), fn }),
  changeTemplate: fc.record({ op: fc.constant('changeTemplate'), fn }),
  scaleReplicaSet: fc.record({
    op: fc.constant('scaleReplicaSet'),
    fn,
    replicas: fc.nat(CHOICE_MAX.replicas),
  }),
  managed: fc.record({ op: fc.constant('managed'), fn, on: fc.boolean() }),
  fallbackBinding: fc.record({ op: fc.constant('fallbackBinding'), fn, on: fc.boolean() }),
};

/**
 * What a campaign draws besides the weights of the kinds. Every field narrows the drawn
 * values to a subset of what the hardened campaign draws; none adds anything.
 */
export interface ScheduleOptions {
  /**
   * Swarm testing: each schedule draws from its own random subset of the fault kinds (takes
   * are always in), so that some schedules pile up one or two kinds of fault instead of
   * spreading the same number thinly over all of them.
   */
  readonly swarm?: boolean;
  /** The writes of other actors drawn (default: all). */
  readonly writes?: readonly WriteOp[];
  /** What delays aim at (default: all targets). */
  readonly delayTargets?: readonly DelayTarget[];
  /** What drops and duplicates aim at (default: all classes). */
  readonly messageClasses?: readonly MessageClass[];
  /** Only long schedules, for hazards that play out over a pod's whole life (default: both). */
  readonly longOnly?: boolean;
  /** The longest delay drawn (default `MAX_DELAY_MS`), for hazards with a short window. */
  readonly maxDelayMs?: number;
  /**
   * The stage indices crashes and re-lists aim at (default: any of the first 11). Stages
   * are the four controllers (autoscaler 0, deployment 1, replicaset 2, scheduler 3), then
   * one kubelet per node (4, ...), indices taken modulo their number.
   */
  readonly crashStages?: readonly number[];
  readonly relistStages?: readonly number[];
}

const stageIndex = (stages: readonly number[] | undefined): fc.Arbitrary<number> =>
  stages === undefined ? fc.nat(CHOICE_MAX.stage) : fc.constantFrom(...stages);

type Arbitraries = { readonly [K in ChoiceKind]: fc.Arbitrary<Extract<Choice, { kind: K }>> };

const arbitraries = (options: ScheduleOptions): Arbitraries => {
  const classes = fc.constantFrom(...(options.messageClasses ?? MESSAGE_CLASSES));
  const writes = (options.writes ?? WRITE_OPS).map((op) => WRITES[op] as fc.Arbitrary<WriteChoice>);
  return {
    take: fc.record({ kind: fc.constant('take'), index: takeIndex }),
    drop: fc.record({ kind: fc.constant('drop'), index: faultIndex, of: classes }),
    duplicate: fc.record({ kind: fc.constant('duplicate'), index: faultIndex, of: classes }),
    delay: fc.record({
      kind: fc.constant('delay'),
      index: faultIndex,
      of: fc.constantFrom(...(options.delayTargets ?? DELAY_TARGETS)),
      ms: delayMs(options.maxDelayMs),
    }),
    timeout: fc.record({ kind: fc.constant('timeout'), index: faultIndex }),
    crashOrRestart: fc.record({
      kind: fc.constant('crashOrRestart'),
      stage: stageIndex(options.crashStages),
    }),
    moment: fc.oneof(
      fc.record({
        kind: fc.constant('moment'),
        link: fc.nat(CHOICE_MAX.link),
        phase: fc.constantFrom(...MOMENT_PHASES),
        act: fc.constantFrom(...MOMENT_ACTS.filter((act) => act !== 'delayNewest')),
      }),
      fc.record({
        kind: fc.constant('moment'),
        link: fc.nat(CHOICE_MAX.link),
        phase: fc.constantFrom(...MOMENT_PHASES),
        act: fc.constant('delayNewest'),
        ms: delayMs(options.maxDelayMs),
      }),
    ),
    outage: fc.record({ kind: fc.constant('outage'), on: fc.boolean() }),
    relist: fc.record({ kind: fc.constant('relist'), stage: stageIndex(options.relistStages) }),
    nodeLoss: fc.record({ kind: fc.constant('nodeLoss'), node: fc.nat(CHOICE_MAX.node) }),
    load: fc.record({ kind: fc.constant('load'), fn, pods: fc.nat(CHOICE_MAX.load) }),
    write: fc.record({ kind: fc.constant('write'), write: fc.oneof(...writes) }),
  };
};

/** One choice, drawn by `weights` (a kind of weight 0 is never drawn). */
const choiceArbitrary = (
  weights: Weights = DEFAULT_WEIGHTS,
  options: ScheduleOptions = {},
): fc.Arbitrary<Choice> => {
  const arbs = arbitraries(options);
  return fc.oneof(
    ...CHOICE_KINDS.filter((kind) => weights[kind] > 0)
      // `take` first: fast-check shrinks a oneof towards its first arbitrary.
      .sort((a, b) => Number(b === 'take') - Number(a === 'take'))
      .map((kind) => ({ weight: weights[kind], arbitrary: arbs[kind] as fc.Arbitrary<Choice> })),
  );
};

/**
 * Schedules of two lengths, half and half: short ones (about ten choices, fast-check's
 * small size), whose faults all strike around the burst, and long ones (up to `maxLength`),
 * which drive the run on to pods persisted, deleted and recovered before their faults end.
 * fast-check alone draws only the short ones, however large `maxLength` is.
 */
const choices = (
  choice: fc.Arbitrary<Choice>,
  maxLength: number,
  longOnly = false,
): fc.Arbitrary<Choice[]> =>
  longOnly
    ? fc.array(choice, { maxLength, size: 'max' })
    : fc.oneof(
        fc.array(choice, { maxLength, size: 'small' }),
        fc.array(choice, { maxLength, size: 'max' }),
      );

export const scheduleArbitrary = (
  maxLength: number,
  weights: Weights = DEFAULT_WEIGHTS,
  options: ScheduleOptions = {},
): fc.Arbitrary<Choice[]> => {
  if (!options.swarm)
    return choices(choiceArbitrary(weights, options), maxLength, options.longOnly);
  const faults = CHOICE_KINDS.filter((kind) => kind !== 'take' && weights[kind] > 0);
  return fc
    .subarray(faults)
    .chain((enabled) =>
      choices(
        choiceArbitrary(onlyKinds(weights, ['take', ...enabled]), options),
        maxLength,
        options.longOnly,
      ),
    );
};

/** `weights` with every kind not in `kinds` set to 0. */
const onlyKinds = (weights: Weights, kinds: readonly ChoiceKind[]): Weights =>
  Object.fromEntries(
    CHOICE_KINDS.map((kind) => [kind, kinds.includes(kind) ? weights[kind] : 0]),
  ) as unknown as Weights;
