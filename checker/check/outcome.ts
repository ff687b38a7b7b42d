/**
 * What one played case found: the schedule's outcome and the step check's (conformance)
 * failure, and every property it violated, in the order a campaign reports them.
 */
import type { ScheduleOutcome } from '../fuzz/run-schedule.js';

export interface CaseOutcome extends ScheduleOutcome {
  /** The step check's failure (conformance), if any. */
  readonly stepFailure: { readonly property: string; readonly message: string } | null;
}

/** Every property a run violated: safety first, then liveness, then the step check's. */
export const failuresOf = (outcome: CaseOutcome): { property: string; message: string }[] => [
  ...outcome.violations.map((v) => ({ property: v.property, message: v.message })),
  ...outcome.unconverged,
  ...(outcome.stepFailure ? [outcome.stepFailure] : []),
];

export const failureOf = (outcome: CaseOutcome, target: string | null) =>
  failuresOf(outcome).find((f) => target === null || f.property === target);
