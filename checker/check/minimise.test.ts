import { describe, expect, it } from 'vitest';
import type { FuzzCase } from '../fuzz/case.js';
import type { Choice } from '../fuzz/schedule.js';
import { minimise } from './minimise.js';

const take = (index: number): Choice => ({ kind: 'take', index });
const caseOf = (schedule: Choice[]): FuzzCase => ({
  mode: 'direct',
  pods: 1,
  nodes: 1,
  functions: 1,
  tenants: false,
  seed: 1,
  schedule,
});

describe('minimise', () => {
  it('removes every choice the failure does not need, keeping their order', () => {
    // Fails while take 3 comes somewhere before take 7.
    const fails = (c: FuzzCase) => {
      const indices = c.schedule.map((x) => (x.kind === 'take' ? x.index : -1));
      const three = indices.indexOf(3);
      return three >= 0 && indices.indexOf(7, three) > three;
    };
    const found = caseOf([take(1), take(3), take(5), take(9), take(7), take(2)]);
    expect(minimise(found, fails).schedule).toEqual([take(3), take(7)]);
  });

  it('stops at its budget with the smallest failing case so far', () => {
    const found = caseOf([take(1), take(2), take(3), take(4)]);
    expect(
      minimise(found, () => true, { runsMax: 2, outOfTime: () => false }).schedule,
    ).toHaveLength(2);
    expect(
      minimise(found, () => true, { runsMax: 99, outOfTime: () => true }).schedule,
    ).toHaveLength(4);
  });
});
