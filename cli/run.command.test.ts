import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { positive, type RunCliOptions, runRun } from './run.command.js';

const options = (extra: Partial<RunCliOptions> = {}): RunCliOptions => ({
  scenario: 'burst',
  mode: 'direct',
  pods: 5,
  nodes: 2,
  functions: 1,
  seed: 1,
  profile: 'hardened',
  stepMax: 50_000,
  clientLimits: 'off',
  jitterMs: 0,
  ...extra,
});

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
};

describe('kd run', () => {
  it('prints one JSON object with the fields of the issue and exits 0 when converged', async () => {
    const c = capture();
    expect(await runRun(options({ json: true }), c.io)).toBe(0);
    expect(c.out).toHaveLength(1);
    const report = JSON.parse(c.out[0] ?? '');
    expect(Object.keys(report)).toEqual(['converged', 'readyMs', 'apiWritesPerPod', 'violations']);
    expect(report).toMatchObject({ converged: true, apiWritesPerPod: 2, violations: [] });
  });

  it('prints a summary with requests by verb and the direct messages', async () => {
    const c = capture();
    await runRun(options(), c.io);
    const text = c.out.join('');
    expect(text).toMatch(/^scenario burst, mode direct, seed 1: converged/);
    expect(text).toMatch(/create Pod\s+5\s+0/);
    expect(text).toContain('kubelet.bindPod');
    expect(text).toContain('violations: none');
  });

  it('exits 1 when the run does not converge', async () => {
    const c = capture();
    expect(await runRun(options({ mutant: 'never-ready' }), c.io)).toBe(1);
    expect(c.out.join('')).toContain('not converged: replicas-converge');
  });

  it('rejects unknown names and impossible parameters with exit 2 and one line', async () => {
    const cases: [Partial<RunCliOptions>, string][] = [
      [{ scenario: 'stampede' }, "kd: unknown scenario 'stampede' (known: burst, scale-down,"],
      [{ mode: 'fast' }, "kd: unknown mode 'fast' (known: direct, api)"],
      [{ scenario: 'node-loss', nodes: 1 }, 'kd: scenario node-loss needs at least 2 nodes'],
      [{ mutant: 'nope' }, "kd: unknown mutant 'nope'"],
      [{ clientLimits: 'tight' }, "kd: unknown --client-limits 'tight' (known: off, kubernetes)"],
    ];
    for (const [extra, message] of cases) {
      const c = capture();
      expect(await runRun(options(extra), c.io)).toBe(2);
      expect(c.err.join('')).toContain(message);
      expect(c.out).toEqual([]);
    }
  });

  it('accepts only positive whole numbers for counts', () => {
    expect(positive('--pods')('12')).toBe(12);
    for (const bad of ['0', '-3', '2.5', 'ten', ''])
      expect(() => positive('--pods')(bad)).toThrow(InvalidArgumentError);
  });
});
