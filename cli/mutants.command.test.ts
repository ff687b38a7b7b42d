import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { type MutantsCliOptions, runMutants } from './mutants.command.js';

const run = async (over: Partial<MutantsCliOptions>) => {
  let out = '';
  let err = '';
  const code = await runMutants(
    { preset: 'small', runs: 200, time: 30_000, seed: 1, save: false, ...over },
    {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      counterexamplesDir: join(tempDir('kd-mutants-test'), 'counterexamples'),
    },
  );
  return { code, out, err };
};

describe('kd mutants', () => {
  it('prints the JSON of the issue: a mutant caught by its property, with time and length', async () => {
    const { code, out } = await run({ only: 'never-ready', json: true });
    const [row] = JSON.parse(out).mutants;
    expect(code).toBe(0);
    expect(row).toMatchObject({ name: 'never-ready', property: 'replicas-converge', caught: true });
    expect(row.seconds).toBeGreaterThanOrEqual(0);
    expect(row.steps).toBeGreaterThanOrEqual(0);
    expect(row.prevented).toBeNull();
  });

  it('reports a mutant the API Server rules out as prevented, with the reason, not as a miss', async () => {
    const { code, out } = await run({ only: 'ready-update-from-memory', runs: 20 });
    expect(code).toBe(0);
    expect(out).toMatch(/ready-update-from-memory\s+api-precedence\s+prevented/);
    expect(out).toContain('prevented: ready-update-from-memory: a write to pods/status');
  });

  it('names an unknown mutant and exits 2', async () => {
    const { code, err } = await run({ only: 'no-such-mutant' });
    expect(code).toBe(2);
    expect(err).toContain('unknown mutant no-such-mutant');
  });
});
