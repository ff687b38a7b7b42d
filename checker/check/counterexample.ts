/**
 * A shrunk `kd check` failure as a counterexample file, and the trace both `kd check` and
 * `kd replay` print for it. The file carries the whole case (path, topology, seed,
 * schedule), so replay never depends on fast-check drawing the same values again; the
 * trace is rebuilt by replaying it, and must come out byte for byte the same.
 */
import type { Config } from '../../spec/types/config.js';
import type { FuzzCase } from '../fuzz/case.js';
import { LIVENESS_TAIL, type ScheduleOutcome } from '../fuzz/run-schedule.js';
import { formatTrace, type TraceStep } from '../trace/format.js';
import type { Counterexample, Expected, ImplCase } from '../trace/schema.js';

/** The steps and key states of a traced run, the omitted liveness steps as one line. */
export const traceSteps = (
  outcome: ScheduleOutcome,
): { steps: TraceStep[]; summaries: string[] } => {
  const steps: TraceStep[] = [];
  const summaries = [outcome.initialState];
  const tailStart = outcome.trace.length - Math.min(outcome.trace.length, tailLength(outcome));
  outcome.trace.forEach((entry, i) => {
    if (i === tailStart && outcome.livenessStepsOmitted > 0) {
      steps.push({
        actor: 'policy',
        label: `(${outcome.livenessStepsOmitted} steps of the liveness phase left out)`,
      });
      summaries.push('…');
    }
    steps.push({ actor: entry.actor, label: entry.label });
    summaries.push(entry.state);
  });
  return { steps, summaries };
};

/** How many trace entries are the liveness phase's kept tail. */
const tailLength = (outcome: ScheduleOutcome): number =>
  outcome.livenessStepsOmitted > 0 ? Math.min(outcome.trace.length, LIVENESS_TAIL) : 0;

/** The printed trace: one line per step, the failing (last) step marked. */
export const traceLines = (outcome: ScheduleOutcome): string[] => {
  const { steps, summaries } = traceSteps(outcome);
  return formatTrace({ steps, summaries, failingStep: steps.length });
};

export const implCaseOf = (
  fuzzCase: FuzzCase,
  preset: string,
  livenessStepMax: number,
): ImplCase => ({
  preset,
  mode: fuzzCase.mode,
  pods: fuzzCase.pods,
  nodes: fuzzCase.nodes,
  functions: fuzzCase.functions,
  tenants: fuzzCase.tenants,
  seed: fuzzCase.seed,
  livenessStepMax,
  schedule: fuzzCase.schedule,
});

export const fuzzCaseOf = (impl: ImplCase): FuzzCase => ({
  mode: impl.mode,
  pods: impl.pods,
  nodes: impl.nodes,
  functions: impl.functions,
  tenants: impl.tenants,
  seed: impl.seed,
  schedule: impl.schedule,
});

interface CheckFailureFile {
  readonly config: Config;
  readonly property: string;
  readonly kind: 'safety' | 'liveness' | 'conformance';
  readonly message: string;
  readonly fuzzCase: FuzzCase;
  readonly outcome: ScheduleOutcome;
  readonly checkPreset: string;
  readonly livenessStepMax: number;
  readonly expected: Expected;
  readonly seed: number;
  readonly command: string;
  readonly createdBy: string;
}

export const toCheckCounterexample = (f: CheckFailureFile): Counterexample => {
  const { steps } = traceSteps(f.outcome);
  return {
    format: 1,
    kind: f.kind,
    tool: 'check',
    profile: f.config.profile,
    mutant: f.config.mutant,
    switches: { ...f.config.switches },
    preset: f.config.preset,
    property: f.property as Counterexample['property'],
    message: f.message,
    failingStep: steps.length,
    cycleStart: null,
    steps,
    trace: traceLines(f.outcome),
    expected: f.expected,
    impl: implCaseOf(f.fuzzCase, f.checkPreset, f.livenessStepMax),
    source: { seed: f.seed, command: f.command },
    createdBy: f.createdBy,
  };
};
