import { describe, expect, it } from 'vitest';
import { follow } from '../test-support/walk.js';
import { makeConfig } from '../types/mutants.js';
import { createWorldModel, type WorldState } from '../world.js';

const up = makeConfig('up', 'hardened', null);
const hardened = createWorldModel(up);
/** `up` with room for two crashes and an outage in one run. */
const roomy = createWorldModel({
  ...up,
  preset: {
    ...up.preset,
    budgets: { ...up.preset.budgets, crashes: 2, apiOutages: 1, faultsTotal: 3 },
  },
});
const labels = (model: typeof hardened, s: WorldState) =>
  model.transitions(s).map((t) => t.action.label);
const last = (states: WorldState[]) => states.at(-1) as WorldState;

describe('incarnations from Leases (model)', () => {
  it('a crash leaves a leased stage at incarnation 0; only its lease step sets it, with the next transitions', () => {
    const crashed = last(follow(hardened, hardened.initial(), ['crash deployment']).states);
    expect(crashed.deployment.incarnation).toBe(0);
    expect(crashed.api.leases.deployment).toBe(1);
    // Without its Lease it does not list its informers, so it neither syncs nor handshakes.
    expect(labels(hardened, crashed)).toContain('lease deployment');
    expect(labels(hardened, crashed)).not.toContain('informer sync deployment');
    const leased = last(follow(hardened, crashed, ['lease deployment']).states);
    expect(leased.deployment.incarnation).toBe(2);
    expect(leased.api.leases.deployment).toBe(2);
    expect(labels(hardened, leased)).toContain('informer sync deployment');
  });

  it('the lease step needs the API Server', () => {
    const down = last(follow(roomy, roomy.initial(), ['crash scheduler', 'outage']).states);
    expect(labels(roomy, down)).not.toContain('lease scheduler');
  });

  it('a stage that mints nothing counts its processes: a kubelet, the autoscaler on the API hop', () => {
    const crashed = last(
      follow(roomy, roomy.initial(), ['crash kubelet/n1', 'crash autoscaler']).states,
    );
    expect(crashed.kubelets.n1?.incarnation).toBe(2);
    expect(crashed.autoscaler.incarnation).toBe(2);
    expect(crashed.api.leases.autoscaler).toBeUndefined();
  });

  it('the autoscaler on its direct hop mints epochs and scale versions, so it holds a Lease', () => {
    const direct = createWorldModel(makeConfig('up', 'hardened:autoscalerLink=direct', null));
    expect(direct.initial().api.leases.autoscaler).toBe(1);
    const crashed = last(follow(direct, direct.initial(), ['crash autoscaler']).states);
    expect(crashed.autoscaler.incarnation).toBe(0);
    const leased = last(follow(direct, crashed, ['lease autoscaler']).states);
    expect(leased.autoscaler.incarnation).toBe(2);
  });
});
