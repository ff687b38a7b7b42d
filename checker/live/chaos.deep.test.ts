/**
 * The live chaos run in CI: every stage's process (two kubelets) killed with SIGKILL ten
 * times mid-burst, the catalogue judged on consistent cuts (judge.ts), convergence within
 * 30 s of every kill. `KD_CHAOS_KILLS` raises the kills for a soak (`kd chaos` prints the
 * same run's figures). A second run shows the live judge can fail: the mutant that skips
 * round 2 loses what a restarted stage held and never converges.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos.js';

const KILLS = Number(process.env.KD_CHAOS_KILLS ?? 10);
const STAGES = ['autoscaler', 'deployment', 'replicaset', 'scheduler', 'kubelet/n1', 'kubelet/n2'];
const BASE = { nodes: 2, slotsPerNode: 45, podsMax: 60, convergeWithinMs: 30_000, cutEveryMs: 100 };

describe('live chaos', () => {
  it(
    `converges with nothing lost, duplicated or orphaned across ${KILLS} kills of every stage`,
    async () => {
      const result = await runChaos({
        ...BASE,
        killsPerStage: KILLS,
        seed: 1,
        profile: 'hardened',
      });
      expect(result.violations).toEqual([]);
      expect(result.kills).toEqual(Object.fromEntries(STAGES.map((stage) => [stage, KILLS])));
      expect([result.duplicated, result.lost, result.orphaned]).toEqual([0, 0, 0]);
      expect(result.cuts).toBeGreaterThan(KILLS * STAGES.length);
      expect(result.admissions).toBeGreaterThan(KILLS * STAGES.length);
      expect(result.pods).toBeGreaterThan(BASE.podsMax);
    },
    (60 + KILLS * STAGES.length * 35) * 1_000,
  );

  it('fails a mutant: without round 2 a restarted stage loses what it held and the cluster does not converge', async () => {
    // The same bound as the hardened run above, which converges well within it.
    const result = await runChaos({
      ...BASE,
      killsPerStage: 1,
      seed: 1,
      profile: 'hardened:round2=none',
    });
    expect(result.violations.map((v) => v.name)).toContain('convergence');
  }, 180_000);
});
