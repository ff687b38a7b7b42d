/**
 * The counterexample file (design.md §5): self-contained, so that replay never depends on
 * a generator, a preset or a profile default producing the same values again. It carries
 * the whole preset and every switch in force, the explicit step list (replay matches each
 * step's label among the actions enabled in the state it reaches), the violated property
 * and the step it fails at, and the expected outcome.
 *
 * One zod schema validates it; the inferred type is the only type of the file in the code.
 * Objects are strict: a misspelt field is an error, not silently ignored.
 */
import { z } from 'zod';
import { SEED_MAX } from '../../impl/runtime/sim/prng.js';
import { SWITCH_VALUES } from '../../spec/types/profile-spec.js';
import {
  LIVENESS_PROPERTIES,
  REACHABILITY_PROPERTIES,
  SAFETY_PROPERTIES,
} from '../../spec/types/property-names.js';
import { CHOICE_MAX } from '../fuzz/schedule.js';

const COUNTEREXAMPLE_FORMAT = 1;

/** The property a conformance failure (implementation step the model refuses) is filed under. */
export const CONFORMANCE_PROPERTY = 'refines-model';

const count = z.int().nonnegative();

/**
 * What a counterexample may hold at most. A file is a small case a person reads; without a
 * bound, an edited `impl.pods: 1e8` made replay hang at gigabytes instead of refusing it.
 * The fuzzer's cases stay far below (checker/fuzz/case.ts: 6 pods, 4 nodes, 3 functions).
 */
export const COUNTEREXAMPLE_MAX = {
  /** Pods per function, nodes and functions of a case or preset. */
  pods: 100,
  nodes: 100,
  functions: 20,
  /** Choices of a schedule, steps of a trace. */
  choices: 10_000,
  steps: 100_000,
  livenessStepMax: 1_000_000,
  /** Virtual ms a delay may hold a message back (a directed case uses 10 s). */
  delayMs: 60_000,
} as const;

const upTo = (max: number) => count.max(max);

const BudgetsSchema = z.strictObject({
  crashes: count,
  drops: count,
  duplicates: count,
  timeouts: count,
  apiOutages: count,
  nodeLosses: count,
  apiWrites: count,
  scaleEvents: count,
  faultsTotal: count,
});

/**
 * Mirrors `Preset` field for field (a test checks the two types are the same), so a preset
 * change fails loudly instead of old files replaying under silently defaulted values.
 */
export const PresetSchema = z.strictObject({
  name: z.enum([
    'up',
    'down',
    'retries',
    'tenants',
    'spread',
    'revalidate',
    'slots',
    'surplus',
    'rescale',
    'updown',
    'small',
  ]),
  functions: z
    .array(z.strictObject({ namespace: z.string().min(1), name: z.string().min(1) }))
    .max(COUNTEREXAMPLE_MAX.functions)
    .readonly(),
  nodes: z.array(z.string().min(1)).max(COUNTEREXAMPLE_MAX.nodes).readonly(),
  nodeAllocatable: count,
  desiredMax: count,
  initialLoad: count,
  overshootSlack: count,
  convergenceBound: count,
  budgets: BudgetsSchema,
  crashTargets: z
    .array(z.enum(['autoscaler', 'deployment', 'replicaset', 'scheduler', 'kubelet']))
    .readonly(),
  userWrites: z.array(z.enum(['deletePod', 'deleteDeployment'])).readonly(),
});

const StepSchema = z.strictObject({
  actor: z.string().min(1),
  label: z.string().min(1),
});

/** The catalogue's names, and `refines-model` for a conformance failure of the checker. */
const PropertyNameSchema = z.enum([
  ...SAFETY_PROPERTIES,
  ...LIVENESS_PROPERTIES,
  ...REACHABILITY_PROPERTIES,
  CONFORMANCE_PROPERTY,
]);

const index = upTo(CHOICE_MAX.index);
const fn = upTo(CHOICE_MAX.fn);
const delayMs = z.int().positive().max(COUNTEREXAMPLE_MAX.delayMs);
const MESSAGE_CLASSES = ['any', 'data', 'session', 'reply'] as const;
const messageClass = z.enum(MESSAGE_CLASSES);
const MOMENT_PHASES = ['handshaking', 'syncing', 'connected'] as const;
const MOMENT_ACTS = [
  'crashClient',
  'crashServer',
  'deliverOldest',
  'deliverNewest',
  'dropNewest',
  'delayNewest',
] as const;

/** One choice of a fuzz schedule (`checker/fuzz/schedule.ts`, which a test keeps equal). */
export const ChoiceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('take'), index }),
  z.strictObject({ kind: z.literal('drop'), index, of: messageClass }),
  z.strictObject({ kind: z.literal('duplicate'), index, of: messageClass }),
  z.strictObject({
    kind: z.literal('delay'),
    index,
    of: z.enum([...MESSAGE_CLASSES, 'api', 'inform', 'event']),
    ms: delayMs,
  }),
  z.strictObject({ kind: z.literal('timeout'), index }),
  z.strictObject({ kind: z.literal('crashOrRestart'), stage: upTo(CHOICE_MAX.stage) }),
  z
    .strictObject({
      kind: z.literal('moment'),
      link: upTo(CHOICE_MAX.link),
      phase: z.enum(MOMENT_PHASES),
      act: z.enum(MOMENT_ACTS),
      /** With `delayNewest` only, which needs it: how much later the message arrives. */
      ms: delayMs.optional(),
    })
    .superRefine((moment, ctx) => {
      if ((moment.act === 'delayNewest') !== (moment.ms !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['ms'],
          message: 'a moment has ms if and only if its act is delayNewest',
        });
    }),
  z.strictObject({ kind: z.literal('outage'), on: z.boolean() }),
  z.strictObject({ kind: z.literal('relist'), stage: upTo(CHOICE_MAX.stage) }),
  z.strictObject({ kind: z.literal('nodeLoss'), node: upTo(CHOICE_MAX.node) }),
  z.strictObject({ kind: z.literal('load'), fn, pods: upTo(CHOICE_MAX.load) }),
  z.strictObject({
    kind: z.literal('write'),
    write: z.discriminatedUnion('op', [
      z.strictObject({ op: z.literal('deletePod'), index }),
      z.strictObject({ op: z.literal('deleteDeployment'), fn }),
      z.strictObject({ op: z.literal('changeTemplate'), fn }),
      z.strictObject({ op: z.literal('scaleReplicaSet'), fn, replicas: upTo(CHOICE_MAX.replicas) }),
      z.strictObject({ op: z.literal('managed'), fn, on: z.boolean() }),
      z.strictObject({ op: z.literal('fallbackBinding'), fn, on: z.boolean() }),
    ]),
  }),
]);

/** A case of `kd check`, replayed against the implementation (`checker/fuzz/case.ts`). */
export const ImplCaseSchema = z.strictObject({
  /** The `kd check` preset the case was drawn under. */
  preset: z.string().min(1),
  mode: z.enum(['direct', 'api']),
  pods: z.int().positive().max(COUNTEREXAMPLE_MAX.pods),
  nodes: z.int().positive().max(COUNTEREXAMPLE_MAX.nodes),
  functions: z.int().positive().max(COUNTEREXAMPLE_MAX.functions),
  tenants: z.boolean(),
  seed: upTo(SEED_MAX),
  livenessStepMax: z.int().positive().max(COUNTEREXAMPLE_MAX.livenessStepMax),
  schedule: z.array(ChoiceSchema).max(COUNTEREXAMPLE_MAX.choices).readonly(),
});

/**
 * The switches in force, each with one of its values (spec/types/profile-spec.ts): an
 * unknown or misspelt switch, or a value no switch takes, is refused, not ignored.
 */
const SwitchesSchema = z
  .strictObject(
    Object.fromEntries(
      // Sorted: the parse writes the keys in this order, and files keep switches sorted.
      Object.entries(SWITCH_VALUES)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, values]) => [name, z.literal(values as readonly (string | boolean)[])]),
    ),
    // A file saved before a switch existed lacks it: the replay takes the profile's value,
    // `resave.ts` writes it in, and `saved.test.ts` fails until it does.
  )
  .partial();

const ExpectedSchema = z.enum(['open', 'fixed', 'expected-failure']);

export const CounterexampleSchema = z
  .strictObject({
    format: z.literal(COUNTEREXAMPLE_FORMAT),
    kind: z.enum(['safety', 'liveness', 'conformance']),
    tool: z.enum(['explore', 'check']),
    profile: z.enum(['hardened', 'artifact']),
    mutant: z.string().min(1).nullable(),
    switches: SwitchesSchema,
    preset: PresetSchema,
    property: PropertyNameSchema,
    message: z.string(),
    /** The step after which the property fails; 0 is the initial state. */
    failingStep: count,
    /** Livelocks: the steps after `cycleStart` return to the state after it. */
    cycleStart: count.nullable(),
    steps: z.array(StepSchema).max(COUNTEREXAMPLE_MAX.steps).readonly(),
    /** The printed trace (`checker/trace/format.ts`), for people reading the file. */
    trace: z
      .array(z.string())
      .max(COUNTEREXAMPLE_MAX.steps + 1)
      .readonly(),
    expected: ExpectedSchema,
    /** `tool: check` only: the case the implementation replays. */
    impl: ImplCaseSchema.optional(),
    source: z.strictObject({
      seed: z.union([z.number(), z.string()]).optional(),
      command: z.string().min(1),
    }),
    createdBy: z.string().min(1),
  })
  .superRefine((file, ctx) => {
    if ((file.tool === 'check') !== (file.impl !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['impl'],
        message:
          file.tool === 'check'
            ? 'missing: a check counterexample needs its case'
            : 'only check counterexamples carry a case',
      });
    }
    // Step numbers index the step list, so they must lie within it.
    if (file.failingStep > file.steps.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['failingStep'],
        message: `step ${file.failingStep} is beyond the ${file.steps.length} steps`,
      });
    }
    if (file.cycleStart !== null && file.cycleStart >= file.steps.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['cycleStart'],
        message: `a cycle starting after step ${file.cycleStart} has no steps`,
      });
    }
  });

export type Counterexample = z.infer<typeof CounterexampleSchema>;
export type CounterexampleStep = z.infer<typeof StepSchema>;
export type Expected = z.infer<typeof ExpectedSchema>;
export type ImplCase = z.infer<typeof ImplCaseSchema>;

const IndexEntrySchema = z.strictObject({
  file: z.string().min(1),
  property: PropertyNameSchema,
  profile: z.enum(['hardened', 'artifact']),
  mutant: z.string().min(1).nullable(),
  expected: ExpectedSchema,
});

/** `counterexamples/index.json`: one entry per file, sorted by file name. */
export const IndexSchema = z.array(IndexEntrySchema);

export type IndexEntry = z.infer<typeof IndexEntrySchema>;
