/**
 * Small drivers for model tests: follow actions by label, or let the system run on its own
 * (the first enabled fault-free action each step) until it converges or stops.
 */
import type { Model } from '../model.js';

interface Walk<S> {
  readonly states: S[];
  readonly labels: string[];
}

/** Follows `labels` from `start`; throws naming the label and the enabled actions if one is missing. */
export const follow = <S>(model: Model<S>, start: S, labels: readonly string[]): Walk<S> => {
  const states = [start];
  let state = start;
  for (const label of labels) {
    const transitions = model.transitions(state);
    const next = transitions.find((t) => t.action.label === label);
    if (!next) {
      const enabled = transitions.map((t) => t.action.label).join('\n  ');
      throw new Error(`action '${label}' is not enabled; enabled:\n  ${enabled}`);
    }
    state = next.next;
    states.push(state);
  }
  return { states, labels: [...labels] };
};

/**
 * Runs the first enabled fault-free action whose successor differs from the current
 * state, `maxSteps` times at most, stopping early when `done(state)` holds.
 */
export const runFaultFree = <S>(
  model: Model<S>,
  start: S,
  done: (s: S) => boolean,
  maxSteps = 200,
): Walk<S> => {
  const states = [start];
  const labels: string[] = [];
  let state = start;
  for (let i = 0; i < maxSteps && !done(state); i++) {
    const key = model.key(state);
    const next = model.transitions(state).find((t) => !t.action.fault && model.key(t.next) !== key);
    if (!next) break;
    state = next.next;
    states.push(state);
    labels.push(next.action.label);
  }
  return { states, labels };
};
