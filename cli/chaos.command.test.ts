/** `kd chaos` refuses a bad profile before it starts a cluster (the run itself is deep). */
import { describe, expect, it } from 'vitest';
import { runChaosCli } from './chaos.command.js';

describe('kd chaos', () => {
  it('refuses an unknown profile or switch with one line and exit 2', async () => {
    for (const profile of ['nope', 'hardened:fence=maybe']) {
      const errors: string[] = [];
      const code = await runChaosCli(
        { killsPerStage: 1, nodes: 2, podsMax: 10, seed: 1, profile, convergeWithinMs: 1_000 },
        { out: () => undefined, err: (text) => errors.push(text) },
      );
      expect(code).toBe(2);
      expect(errors.join('').trim().split('\n')).toHaveLength(1);
    }
  });
});
