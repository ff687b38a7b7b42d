import { describe, expect, it } from 'vitest';
import { findMutant } from '../../spec/types/mutants.js';
import { failuresOf, runCase } from '../check/campaign.js';
import { checkPreset, type FuzzCase } from './case.js';
import type { Choice } from './schedule.js';

const takes = (n: number): Choice[] =>
  Array.from({ length: n }, () => ({ kind: 'take', index: 0 }) as const);

/**
 * After the burst, the newest data message (the Deployment controller's scale to the
 * ReplicaSet controller) is held for 10 s: its sender's 2 s dirty re-check starts a new
 * handshake, the run converges without it within about a second, and the message arrives
 * long after, under an epoch the server has moved past.
 */
const lateMessage: FuzzCase = {
  mode: 'direct',
  pods: 2,
  nodes: 2,
  functions: 1,
  tenants: false,
  seed: 1,
  schedule: [...takes(4), { kind: 'delay', index: 0, of: 'data', ms: 10_000 }],
};

const run = (mutant: string | null) =>
  runCase(lateMessage, { profile: 'hardened', mutant, preset: checkPreset('small') }, true);

describe('the liveness phase delivers what is still pending after convergence', () => {
  it('a late message of an older epoch, admitted by no-epoch-check, is reported', () => {
    const outcome = run('no-epoch-check');
    const failed = failuresOf(outcome).map((f) => f.property);
    // Before the drain, the message was thrown away at convergence and the run passed.
    expect(failed).toContain(findMutant('no-epoch-check')?.property);
    // It failed after converging once, while the late message was being delivered.
    expect(outcome.drain.steps).toBeGreaterThan(0);
    expect(outcome.trace.at(-1)?.label).toMatch(/^deliver replicaset\.scale/);
  });

  it('the hardened design refuses it, empties the agenda and converges again', () => {
    const outcome = run(null);
    expect(failuresOf(outcome)).toEqual([]);
    expect(outcome.drain.drained).toBe(true);
    expect(outcome.drain.steps).toBeGreaterThan(0);
  });
});
