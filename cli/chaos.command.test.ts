/** `kd chaos` refuses bad input before it starts a cluster (the run itself is deep). */
import { describe, expect, it } from 'vitest';
import { type ChaosCliOptions, runChaosCli } from './chaos.command.js';

const refusal = async (extra: Partial<ChaosCliOptions>) => {
  const errors: string[] = [];
  const code = await runChaosCli(
    {
      killsPerStage: 1,
      nodes: 2,
      podsMax: 10,
      seed: 1,
      profile: 'hardened',
      convergeWithinMs: 1_000,
      ...extra,
    },
    { out: () => undefined, err: (text) => errors.push(text) },
  );
  return { code, err: errors.join('') };
};

describe('kd chaos', () => {
  it('refuses an unknown profile or switch with one line and exit 2', async () => {
    for (const profile of ['nope', 'hardened:fence=maybe']) {
      const { code, err } = await refusal({ profile });
      expect(code).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses an --etcd that is neither a URL nor local', async () => {
    for (const etcd of ['127.0.0.1:2379', 'lokal', 'unix:///run/etcd.sock']) {
      const { code, err } = await refusal({ etcd });
      expect([code, err]).toEqual([
        2,
        `kd: --etcd expects etcd's client URL, such as http://127.0.0.1:2379 (got '${etcd}')\n`,
      ]);
    }
  });
});
