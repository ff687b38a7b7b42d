/**
 * Replaying a counterexample file deterministically: an `explore` file against the model
 * (its step labels are followed from the initial state), a `check` file against the
 * implementation (its case is played in the sim runtime). The replay rebuilds the printed
 * trace from scratch, so comparing it with the file's shows the run is the same one, byte
 * for byte; and it says whether the recorded property still fails where the file says.
 *
 * The outcome matches the file's expectation when an `open` or `expected-failure` file
 * still fails as recorded, and a `fixed` one no longer does.
 */

import { findProperty } from '../../properties/catalogue.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { createWorldModel, type WorldState } from '../../spec/world.js';
import { failuresOf, runCase } from '../check/campaign.js';
import { conformanceCheck } from '../check/conformance.js';
import { fuzzCaseOf, traceLines } from '../check/counterexample.js';
import { checkPreset } from '../fuzz/case.js';
import { formatTrace } from '../trace/format.js';
import { CONFORMANCE_PROPERTY, type Counterexample } from '../trace/schema.js';
import { replayProfile } from '../trace/switches.js';

interface ReplayResult {
  /** The trace rebuilt by the replay. */
  readonly trace: readonly string[];
  /** The recorded property failed where the file says. */
  readonly reproduced: boolean;
  /** What happened, in one line. */
  readonly verdict: string;
  /** The rebuilt trace is the file's, byte for byte. */
  readonly sameTrace: boolean;
  /** The outcome is the one the file expects. */
  readonly matches: boolean;
}

export function replayCounterexample(cx: Counterexample): ReplayResult {
  const { trace, reproduced, verdict } = cx.tool === 'check' ? replayOnImpl(cx) : replayOnModel(cx);
  const sameTrace =
    trace.length === cx.trace.length && trace.every((line, i) => line === cx.trace[i]);
  const matches =
    (cx.expected === 'fixed' ? !reproduced : reproduced) && (sameTrace || !reproduced);
  return { trace, reproduced, verdict, sameTrace, matches };
}

function replayOnModel(cx: Counterexample) {
  const model = createWorldModel(makeConfig(cx.preset.name, replayProfile(cx), cx.mutant));
  let state = model.initial();
  const states: WorldState[] = [state];
  for (const [i, step] of cx.steps.entries()) {
    const next = model
      .transitions(state)
      .find((t) => t.action.label === step.label && t.action.actor === step.actor);
    if (!next) {
      const trace = formatTrace({
        steps: cx.steps.slice(0, i),
        summaries: states.map((s) => model.summary(s)),
        failingStep: i,
      });
      return {
        trace,
        reproduced: false,
        verdict: `step ${i + 1} '${step.label}' is no longer enabled on the model`,
      };
    }
    state = next.next;
    states.push(state);
  }
  const trace = formatTrace({
    steps: cx.steps,
    summaries: states.map((s) => model.summary(s)),
    failingStep: cx.failingStep,
    cycleStart: cx.cycleStart,
  });
  const property = findProperty(cx.property);
  const failing = states[cx.failingStep] as WorldState;
  const before = states[Math.max(0, cx.failingStep - 1)] as WorldState;
  const verdict =
    property?.kind === 'step'
      ? property.check(model.observe(before), model.observe(failing))
      : property?.kind === 'always' || property?.kind === 'eventually'
        ? property.check(model.observe(failing))
        : ({ ok: true } as const);
  return {
    trace,
    reproduced: !verdict.ok,
    verdict: verdict.ok
      ? `${cx.property} holds after step ${cx.failingStep} on the model`
      : `${cx.property} fails after step ${cx.failingStep} on the model: ${verdict.message}`,
  };
}

function replayOnImpl(cx: Counterexample) {
  const impl = cx.impl;
  if (!impl) throw new Error('a check counterexample needs its case (field impl)');
  const profile = replayProfile(cx);
  const config = makeConfig(cx.preset.name, profile, cx.mutant);
  const outcome = runCase(
    fuzzCaseOf(impl),
    {
      profile,
      mutant: cx.mutant,
      preset: { ...checkPreset(impl.preset), livenessStepMax: impl.livenessStepMax },
      ...(cx.property === CONFORMANCE_PROPERTY
        ? { stepCheck: (mode) => conformanceCheck(config, mode) }
        : {}),
    },
    true,
  );
  const failure = failuresOf(outcome).find((f) => f.property === cx.property);
  return {
    trace: traceLines(outcome),
    reproduced: failure !== undefined,
    verdict: failure
      ? `${cx.property} fails on the implementation: ${failure.message}`
      : `${cx.property} holds on the implementation${
          failuresOf(outcome).length > 0
            ? ` (other failures: ${failuresOf(outcome)
                .map((f) => f.property)
                .join(', ')})`
            : ''
        }`,
  };
}
