import { describe, expect, it } from 'vitest';
import { checkSafety, livenessFailures } from '../../properties/catalogue.js';
import { follow, runFaultFree } from '../../spec/test-support/walk.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { createWorldModel, type WorldState } from '../../spec/world.js';

/** The direct autoscaler link (`autoscalerLink: 'direct'`), which no profile sets. */
const model = createWorldModel(makeConfig('up', 'hardened:autoscalerLink=direct', null));
const converged = (s: WorldState) => livenessFailures(model.observe(s)).length === 0;
const SCALE = 'deployment.scale autoscaler->deployment e=autoscaler#1.1 [a/fn] 1@v1001';

/** Runs on fault-free from `labels`, checking safety on every step; returns the whole walk. */
const settle = (labels: readonly string[]) => {
  const start = follow(model, model.initial(), labels);
  const rest = runFaultFree(model, start.states.at(-1) as WorldState, converged, 400);
  const states = [...start.states, ...rest.states.slice(1)];
  for (let i = 1; i < states.length; i++) {
    const before = model.observe(states[i - 1] as WorldState);
    expect(checkSafety(before, model.observe(states[i] as WorldState))).toBeNull();
  }
  return { states, labels: [...start.labels, ...rest.labels] };
};

const resentOnAutoscalerLink = (states: readonly WorldState[]): string[] =>
  states.flatMap((s) =>
    s.events.flatMap((e) =>
      e.kind === 'sync' && e.link === 'autoscaler->deployment' ? e.resent : [],
    ),
  );

describe("the model with autoscalerLink 'direct'", () => {
  it('starts with the autoscaler link connected', () => {
    const link = model.initial().links['autoscaler->deployment'];
    expect(link).toMatchObject({ phase: 'connected', epoch: 'autoscaler#1.1' });
  });

  it('sends the count directly; the Deployment controller acts on it and writes it back', () => {
    const run = settle([]);
    const last = run.states.at(-1) as WorldState;
    expect(converged(last)).toBe(true);
    expect(run.labels).toContain(`deliver ${SCALE}`);
    expect(run.labels).toContain('write back a/fn');
    // The ReplicaSet's count is versioned by (generation 1, count version 1001).
    expect(run.labels.some((l) => l.includes('[a/fn-h1] 1@v1001001'))).toBe(true);
    expect(last.api.deployments['a/fn']).toMatchObject({ replicas: 1, replicasVersion: 1001 });
    expect(last.autoscaler.held).toEqual({});
    expect(last.deployment.scales).toEqual({});
  });

  it('re-sends a count lost on the wire in round 2', () => {
    const run = settle(['scale a/fn 1', `drop ${SCALE}`]);
    expect(converged(run.states.at(-1) as WorldState)).toBe(true);
    expect(resentOnAutoscalerLink(run.states)).toEqual(['a/fn']);
  });

  it('re-sends a count a crashed Deployment controller held and had not written back', () => {
    const run = settle(['scale a/fn 1', `deliver ${SCALE}`, 'crash deployment']);
    expect(converged(run.states.at(-1) as WorldState)).toBe(true);
    expect(resentOnAutoscalerLink(run.states)).toEqual(['a/fn']);
  });

  it('drops, without re-sending, a count that round 2 reads as written back', () => {
    const run = settle(['scale a/fn 1', `deliver ${SCALE}`, 'write back a/fn']);
    expect(run.labels).toContain('retry autoscaler->deployment');
    expect(resentOnAutoscalerLink(run.states)).toEqual([]);
    expect((run.states.at(-1) as WorldState).autoscaler.held).toEqual({});
  });

  it("has no autoscaler link under 'api'", () => {
    const api = createWorldModel(makeConfig('up', 'hardened', null));
    expect(api.initial().links['autoscaler->deployment']).toBeUndefined();
  });
});
