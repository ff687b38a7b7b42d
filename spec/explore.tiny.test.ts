import { describe, expect, it } from 'vitest';
import { explorePreset } from './test-support/explore-preset.js';

/**
 * The exhaustive run of the tiny preset, hardened profile. Its distinct-state count is
 * pinned: a change of the model that changes it must say so here (and in docs/model.md).
 */
const TINY_STATES = 218_211;

describe('kd explore --preset tiny (hardened)', () => {
  const result = explorePreset('tiny', 'hardened', null, true);

  it('explores the whole tiny state space', () => {
    expect(result.complete).toBe(true);
    expect(result.states).toBe(TINY_STATES);
  });

  it('finds every safety and liveness property holding', () => {
    const failing = result.properties.filter((p) => p.kind !== 'sometimes' && p.status !== 'holds');
    expect(failing, result.violations.map((v) => `${v.property}: ${v.message}`).join('\n')).toEqual(
      [],
    );
  });

  it('exercises every reachability property, so none of the above holds vacuously', () => {
    const unexercised = result.properties.filter(
      (p) => p.kind === 'sometimes' && p.status !== 'holds',
    );
    expect(unexercised).toEqual([]);
  });
});
