/**
 * Rebuilds a trace from transition ordinals. The explorer does not keep visited states
 * alive, only how each was reached; since `transitions()` is deterministic, replaying the
 * ordinals from the initial state gives back the actions and the states along the way.
 */
import type { Action, Model } from '../model.js';
import { fingerprintBuffer, fingerprintInto } from './fingerprint.js';
import type { Fingerprint } from './store.js';

interface ReplayedTrace<S> {
  readonly actions: readonly Action[];
  /** `states[0]` is the initial state; `states[i]` the state after step `i`. */
  readonly states: readonly S[];
}

/**
 * `expected[i]`, when given, is the fingerprint the state after step `i` must have; a
 * mismatch means the model is not deterministic, and any trace it gives would be a lie.
 */
export function replayOrdinals<S>(
  model: Model<S>,
  ordinals: readonly number[],
  expected: readonly (Fingerprint | null)[] = [],
): ReplayedTrace<S> {
  let state = model.initial();
  checkKey(model, state, expected[0] ?? null, 0);
  const actions: Action[] = [];
  const states: S[] = [state];
  ordinals.forEach((ordinal, i) => {
    const transition = model.transitions(state)[ordinal];
    if (transition === undefined) {
      throw new Error(
        `replay: step ${i + 1} has no transition #${ordinal}; is the model deterministic?`,
      );
    }
    state = transition.next;
    checkKey(model, state, expected[i + 1] ?? null, i + 1);
    actions.push(transition.action);
    states.push(state);
  });
  return { actions, states };
}

const replayed = fingerprintBuffer();

function checkKey<S>(model: Model<S>, state: S, expected: Fingerprint | null, step: number): void {
  if (expected === null) return;
  fingerprintInto(model.key(state), replayed);
  if (replayed[0] !== expected.high || replayed[1] !== expected.low) {
    throw new Error(
      `replay: the state after step ${step} differs from the explored one; is the model deterministic?`,
    );
  }
}
