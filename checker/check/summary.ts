/**
 * What a `kd check` campaign (or one shard of it) found, as plain JSON: written by
 * `kd check --out`, read back and combined by `kd merge` and by `--workers`. One zod schema
 * validates it, so a malformed or foreign file gets an error naming the field.
 */
import { z } from 'zod';
import { CATALOGUE } from '../../properties/catalogue.js';
import { CONFORMANCE_PROPERTY, ImplCaseSchema } from '../trace/schema.js';

const count = z.int().nonnegative();

const FailureSummarySchema = z.strictObject({
  property: z.string().min(1),
  kind: z.enum(['always', 'step', 'eventually', 'sometimes', 'conformance']),
  message: z.string(),
  /** The counterexample file written for it (null with `--no-save`). */
  counterexample: z.string().nullable(),
  secondsToDetect: z.number().nonnegative(),
  /** Runs of the campaign (of its shard, for a merged one) up to the first failing one. */
  runsToDetect: count,
  /** Steps of the shrunk trace. */
  traceSteps: count,
  /** Choices left in the shrunk schedule. */
  choices: count,
  trace: z.array(z.string()),
  /** The shrunk case, so that whoever merges the results can replay it. */
  case: ImplCaseSchema,
});

export const CampaignSummarySchema = z.strictObject({
  format: z.literal(1),
  kind: z.literal('kd-check-result'),
  profile: z.string().min(1),
  mutant: z.string().nullable(),
  preset: z.string().min(1),
  modes: z.array(z.enum(['direct', 'api'])),
  seed: z.int(),
  /** `i/n` for a shard, null for a whole campaign. */
  shard: z.string().nullable(),
  conformance: z.boolean(),
  runs: count,
  steps: count,
  seconds: z.number().nonnegative(),
  faults: z.record(z.string(), count),
  hits: z.array(z.string()),
  violated: z.array(z.string()),
  failure: FailureSummarySchema.nullable(),
  /** Stage-machine coverage (`checker/coverage`), mergeable across shards. */
  coverage: z.unknown().nullable(),
  /** Stopped by Ctrl-C: the result of the runs made so far, not of the whole budget. */
  partial: z.literal(true).optional(),
});

export type CampaignSummary = z.infer<typeof CampaignSummarySchema>;
export type FailureSummary = z.infer<typeof FailureSummarySchema>;

export type PropertyStatus = 'holds' | 'violated' | 'unexercised' | 'unknown';

interface PropertyRow {
  readonly name: string;
  readonly kind: string;
  readonly status: PropertyStatus;
}

/**
 * Every property of the catalogue: safety and liveness `violated` if some run violated it,
 * else `holds` (over the runs made, which is all a fuzzer can say); reachability guards
 * `holds` once hit, else `unexercised`; conformance (`refines-model`) likewise, `unknown`
 * when it was not checked.
 */
export const propertyRows = (s: CampaignSummary): PropertyRow[] => [
  ...[...CATALOGUE.safety, ...CATALOGUE.liveness].map((p) => ({
    name: p.name,
    kind: p.kind,
    status: s.violated.includes(p.name) ? ('violated' as const) : ('holds' as const),
  })),
  ...CATALOGUE.reachability.map((p) => ({
    name: p.name,
    kind: p.kind,
    status: s.hits.includes(p.name) ? ('holds' as const) : ('unexercised' as const),
  })),
  {
    name: CONFORMANCE_PROPERTY,
    kind: 'conformance',
    status: s.violated.includes(CONFORMANCE_PROPERTY)
      ? 'violated'
      : s.conformance
        ? 'holds'
        : 'unknown',
  },
];

const sumRecords = (
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> => {
  const out: Record<string, number> = { ...a };
  for (const [key, n] of Object.entries(b)) out[key] = (out[key] ?? 0) + n;
  return out;
};

const union = (a: readonly string[], b: readonly string[]): string[] =>
  [...new Set([...a, ...b])].sort();

/**
 * Two results of the same campaign combined: runs, steps and faults add up, seconds is the
 * longest (shards run side by side), and the first failure found is kept.
 */
export const mergeSummaries = (
  a: CampaignSummary,
  b: CampaignSummary,
  mergeCoverage: (x: unknown, y: unknown) => unknown,
): CampaignSummary => {
  for (const field of ['profile', 'mutant', 'preset', 'seed'] as const) {
    if (a[field] !== b[field])
      throw new Error(
        `cannot merge results of different campaigns: ${field} ${String(a[field])} vs ${String(b[field])}`,
      );
  }
  return {
    ...a,
    shard: null,
    ...(a.partial || b.partial ? { partial: true as const } : {}),
    modes: union(a.modes, b.modes) as CampaignSummary['modes'],
    conformance: a.conformance && b.conformance,
    runs: a.runs + b.runs,
    steps: a.steps + b.steps,
    seconds: Math.max(a.seconds, b.seconds),
    faults: sumRecords(a.faults, b.faults),
    hits: union(a.hits, b.hits),
    violated: union(a.violated, b.violated),
    failure: a.failure ?? b.failure,
    coverage:
      a.coverage === null
        ? b.coverage
        : b.coverage === null
          ? a.coverage
          : mergeCoverage(a.coverage, b.coverage),
  };
};
