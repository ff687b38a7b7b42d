import { describe, expect, it } from 'vitest';
import { explorePreset } from './explore-preset.js';

/**
 * The exhaustive run of the tiny suite, hardened profile. Each part's distinct-state count is
 * pinned: a change of the model that changes one must say so here (and in docs/model.md).
 */
const PART_STATES = {
  up: 286_235,
  down: 187_965,
  retries: 1_782,
  tenants: 281_149,
  spread: 267_010,
};

describe('kd explore --preset tiny (hardened)', () => {
  const { parts, total } = explorePreset('tiny', 'hardened', null, true);

  it('explores every part of the tiny suite to the end', () => {
    expect(total.complete).toBe(true);
    expect(Object.fromEntries(parts.map((p) => [p.config.preset.name, p.result.states]))).toEqual(
      PART_STATES,
    );
  });

  it('finds every safety and liveness property holding', () => {
    const failing = total.properties.filter((p) => p.kind !== 'sometimes' && p.status !== 'holds');
    expect(failing, total.violations.map((v) => `${v.property}: ${v.message}`).join('\n')).toEqual(
      [],
    );
  });

  it('exercises every reachability property, so none of the above holds vacuously', () => {
    const unexercised = total.properties.filter(
      (p) => p.kind === 'sometimes' && p.status !== 'holds',
    );
    expect(unexercised).toEqual([]);
  });
});
