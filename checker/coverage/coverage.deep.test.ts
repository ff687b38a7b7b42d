/**
 * The coverage campaign's claims: what it covers is everything not listed as unreachable,
 * and the switch-gated transitions are taken exactly under their setting. Deep: each plays
 * every scenario on both paths (about a minute together).
 */
import { describe, expect, it } from 'vitest';
import { makeScenario, SCENARIO_NAMES, scenarioConfig } from '../../impl/runtime/scenarios.js';
import type { Config } from '../../spec/types/config.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { CAMPAIGN_PARAMS, coverageCampaign, playScenario } from './campaign.js';
import { gaps } from './gaps.js';
import { enumerateMachines } from './machines.js';
import { PROBES } from './probes.js';
import { CoverageRecorder } from './recorder.js';
import { SWITCH_GATED, UNREACHABLE, unreachableUnder } from './unreachable.js';

describe('the coverage campaign', () => {
  it('each probe reaches the transitions it is for', () => {
    for (const probe of PROBES) {
      const recorder = new CoverageRecorder();
      probe.play(recorder.onTransition);
      const report = recorder.report();
      const taken = Object.values(report.visited).flatMap((v) => v.transitions);
      expect(taken, probe.name).toEqual(expect.arrayContaining([...probe.reaches]));
    }
  });

  it('covers every state and transition that is not listed as unreachable, and none that is', () => {
    const { report } = coverageCampaign({ depth: 'quick' });
    const found = gaps(report);
    expect(found.uncovered).toEqual([]);
    expect(found.stale).toEqual([]);
    expect(found.contradicted).toEqual([]);
    // Every entry of the list names a real state or transition and gives a reason.
    const ids = new Set(
      enumerateMachines().flatMap((m) => [...m.states, ...m.transitions].map((x) => x.id)),
    );
    for (const entry of UNREACHABLE) {
      expect(ids.has(entry.id), entry.id).toBe(true);
      expect(entry.reason.length, entry.id).toBeGreaterThan(40);
    }
  });
});

describe('switch-gated transitions', () => {
  /** Every scenario on both paths under `switches`: the transitions taken (once per setting). */
  const taken = new Map<string, Set<string>>();
  const takenUnder = (switches: Partial<Config['switches']>): Set<string> => {
    const key = JSON.stringify(switches);
    const known = taken.get(key);
    if (known) return known;
    const found = playAll(switches);
    taken.set(key, found);
    return found;
  };
  const playAll = (switches: Partial<Config['switches']>): Set<string> => {
    const hardened = scenarioConfig(makeConfig('up', 'hardened', null));
    const config = { ...hardened, switches: { ...hardened.switches, ...switches } };
    const recorder = new CoverageRecorder();
    for (const name of SCENARIO_NAMES)
      for (const mode of ['direct', 'api'] as const)
        playScenario(makeScenario(name, CAMPAIGN_PARAMS), config, mode, recorder.onTransition);
    return new Set(Object.values(recorder.report().visited).flatMap((v) => v.transitions));
  };

  it('are taken under the setting they need and not under hardened, which lists them', () => {
    const hardened = takenUnder({});
    const listed = new Set(
      unreachableUnder(makeConfig('up', 'hardened', null).switches).map((u) => u.id),
    );
    for (const gated of SWITCH_GATED) {
      expect(hardened.has(gated.id), gated.id).toBe(false);
      expect(listed.has(gated.id), gated.id).toBe(true);
      expect(takenUnder(gated.needs).has(gated.id), gated.id).toBe(true);
    }
  });

  it('are not listed under a profile that has their setting', () => {
    const noFence = makeConfig('up', 'hardened', 'no-fence').switches;
    const listed = unreachableUnder(noFence).map((u) => u.id);
    expect(listed).not.toContain(
      'replicaset: server.listening --timer[applyTimer]--> (targetless)',
    );
    // The Deployment controller's also needs the direct autoscaler link, which no-fence does not set.
    expect(listed).toContain('deployment: server.listening --timer[applyTimer]--> (targetless)');
  });
});
