import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../spec/types/mutants.js';
import { createWorldModel, type WorldState } from '../../spec/world.js';
import { CATALOGUE } from '../catalogue.js';
import { loadAllCounterexamples, loadIndex } from './load.js';

const DIR = fileURLToPath(new URL('../../counterexamples/', import.meta.url));
const saved = loadAllCounterexamples(DIR);

describe('the committed counterexamples', () => {
  it('are all valid files, listed in the index', () => {
    expect(saved.length).toBeGreaterThan(0);
    expect(
      loadIndex(DIR)
        .map((e) => e.file)
        .sort(),
    ).toEqual(saved.map((s) => s.file));
  });

  // Replaying against the model (not the implementation, which is the checker issue's):
  // following the recorded labels from the initial state must reach a state where the
  // recorded property fails, which shows the file still describes the model as it is.
  for (const { file, counterexample: cx } of saved) {
    it(`${file} still reproduces on the model`, () => {
      const config = makeConfig(cx.preset.name, cx.profile, cx.mutant);
      const model = createWorldModel(config);
      let state = model.initial();
      const states: WorldState[] = [state];
      for (const step of cx.steps) {
        const next = model
          .transitions(state)
          .find((t) => t.action.label === step.label && t.action.actor === step.actor);
        expect(next, `step '${step.label}' is no longer enabled`).toBeDefined();
        state = (next as { next: WorldState }).next;
        states.push(state);
      }
      const property = [...CATALOGUE.safety, ...CATALOGUE.liveness].find(
        (p) => p.name === cx.property,
      );
      expect(property).toBeDefined();
      const failing = states[cx.failingStep] as WorldState;
      const before = states[Math.max(0, cx.failingStep - 1)] as WorldState;
      const verdict =
        property?.kind === 'step'
          ? property.check(model.observe(before), model.observe(failing))
          : property?.kind === 'always' || property?.kind === 'eventually'
            ? property.check(model.observe(failing))
            : { ok: true };
      expect(verdict.ok).toBe(false);
      expect(cx.expected).toBe(
        cx.profile === 'artifact' || cx.mutant !== null ? 'expected-failure' : 'open',
      );
    });
  }
});
