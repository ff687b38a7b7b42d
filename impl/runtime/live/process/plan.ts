/**
 * What a stage process is told when it is started: which stages it hosts, where every stage
 * listens, the shared token, the API to use (a kubeconfig file) and the design it runs. The
 * supervisor (../cluster/) passes it as JSON in the environment variable `KD_PROCESS_PLAN`;
 * the process checks it before it does anything, so a wrong plan is one clear error.
 */
import { z } from 'zod';
import { type Config, PRESETS } from '../../../../spec/types/config.js';
import type { NodeName, StageId } from '../../../../spec/types/ids.js';
import { parseProfile } from '../../../../spec/types/profile-spec.js';
import type { Mode } from '../../../stages/io.js';
import type { Address } from '../transport/index.js';

export const PLAN_VARIABLE = 'KD_PROCESS_PLAN';
/** How many times the supervisor has started the process, this time included. */
export const START_VARIABLE = 'KD_PROCESS_START';

const STAGE_ID = z
  .string()
  .regex(/^(autoscaler|deployment|replicaset|scheduler|kubelet\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/);

const PlanSchema = z.strictObject({
  /** The stages this process hosts, each with its own transport and API client. */
  stages: z.array(STAGE_ID).min(1),
  /** Where every stage of the cluster listens (this process's own stages included). */
  book: z.record(
    STAGE_ID,
    z.strictObject({ host: z.string().min(1), port: z.int().min(1).max(65_535) }),
  ),
  token: z.string().min(16),
  /** A kubeconfig file naming the API the stages use. */
  kubeconfig: z.string().min(1),
  /** `hardened`, `artifact`, or one with switches set otherwise (`kd --profile` syntax). */
  profile: z.string().min(1),
  mode: z.enum(['direct', 'api']),
  /** Every node of the cluster, in the scheduler's order. */
  nodes: z.array(z.string().min(1)),
  /**
   * Whether each stage's `applied` events and the handshakes it sends go to the supervisor
   * (a checked run needs them).
   */
  record: z.boolean(),
});

export interface ProcessPlan {
  readonly stages: readonly StageId[];
  readonly book: Readonly<Partial<Record<StageId, Address>>>;
  readonly token: string;
  readonly kubeconfig: string;
  readonly profile: string;
  readonly mode: Mode;
  readonly nodes: readonly NodeName[];
  readonly record: boolean;
}

/**
 * The plan a process finds in the environment variable `variable`, checked against
 * `schema`; throws one line naming what is wrong (the API process's plan too).
 */
export const parseVariable = <T>(
  variable: string,
  text: string | undefined,
  schema: z.ZodType<T>,
): T => {
  if (text === undefined)
    throw new Error(`${variable} is not set: the process is started by kd up`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${variable} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${variable}: ${issue?.path.join('.') || 'plan'}: ${issue?.message}`);
  }
  return parsed.data;
};

/** Reads the plan from its JSON; throws one line naming what is wrong. */
export const parsePlan = (text: string | undefined): ProcessPlan => {
  const plan = parseVariable(PLAN_VARIABLE, text, PlanSchema) as ProcessPlan;
  for (const stage of plan.stages) addressOf(plan, stage);
  configOf(plan);
  return plan;
};

/** The stages' `Config`: the profile's switches (the preset is the sim's, read by no stage). */
export const configOf = (plan: Pick<ProcessPlan, 'profile'>): Config => {
  const profile = parseProfile(plan.profile);
  return { preset: PRESETS.up, profile: profile.name, switches: profile.switches, mutant: null };
};

/** Where a stage listens, by the plan. */
export const addressOf = (plan: Pick<ProcessPlan, 'book'>, stage: StageId): Address => {
  const address = plan.book[stage];
  if (!address) throw new Error(`${PLAN_VARIABLE}: no address for ${stage}`);
  return address;
};
