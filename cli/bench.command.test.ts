import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { reportOf } from '../bench/realtime/aggregate.js';
import { type CellResult, planOf } from '../bench/realtime/campaign.js';
import { runOne } from '../bench/realtime/run-one.js';
import { cellOf } from '../bench/realtime/workloads.js';
import { jsonOf, registerBench } from './bench.command.js';

// Not a timed test: a tiny burst per path in the real-time runtime, checked for what it
// must always do (every pod Ready, nothing lost, duplicated or orphaned), and the shape of
// `kd bench --json`.
describe('kd bench', () => {
  it('runs a tiny burst on both paths to Ready with no lost, duplicated or orphaned pod', async () => {
    const cell = { ...cellOf('W1', 12, 'unthrottled', 0), nodes: 3 };
    const pairs = [];
    for (const crash of [null, 'replicaset'] as const) {
      const api = await runOne(cell, 'api', crash);
      const direct = await runOne(cell, 'direct', crash);
      for (const run of [api, direct]) {
        expect(run.complete).toBe(true);
        expect(run.checks).toEqual({ lost: 0, duplicated: 0, orphaned: 0 });
        expect(run.p90Ms).toBeGreaterThan(0);
        // The wire's JSON is measured, as wall time inside its encodes and decodes: within
        // the run's wall time (one thread), but not always within its CPU, since on a busy
        // machine an encode descheduled midway counts its wait too (CI saw 4.1 against 3.1).
        expect(run.wireJsonMsPerPod).toBeGreaterThan(0);
        expect(run.wireJsonMsPerPod * run.pods).toBeLessThanOrEqual(run.wallMs + 1);
      }
      expect(direct.writesPerPod).toBeLessThanOrEqual(2);
      expect(api.writesPerPod).toBeGreaterThanOrEqual(3);
      pairs.push({ api, direct });
    }
    const report = reportOf([{ cell, pairs } satisfies CellResult]);
    const json = jsonOf(report);
    expect(Object.keys(json)).toEqual(['rows', 'ratios']);
    for (const key of [
      'workload',
      'n',
      'path',
      'config',
      'p50Ms',
      'p90Ms',
      'p99Ms',
      'writesPerPod',
      'cpuMsPerPod',
      'wireJsonMsPerPod',
    ])
      expect(json.rows[0]).toHaveProperty(key);
    for (const key of ['workload', 'n', 'config', 'p90Ratio'])
      expect(json.ratios[0]).toHaveProperty(key);
    expect(json.rows.map((r) => r.path)).toEqual(['api', 'direct']);
  }, 60_000);

  it('plans the quick subset and a selection', () => {
    const quick = planOf({ quick: true });
    expect(quick.reps).toBe(2);
    expect(quick.cells.some((c) => c.workload === 'W5')).toBe(true);
    const one = planOf({ quick: false, workloads: ['W1'], sizes: [600], sandboxMs: [200] });
    expect(one.cells.map((c) => `${c.workload} ${c.n} ${c.config}`)).toEqual([
      'W1 600 default-limits',
      'W1 600 unthrottled',
    ]);
  });

  it('refuses an unknown workload or a bad number with one line', async () => {
    const errors: string[] = [];
    for (const args of [
      ['--workload', 'W4'],
      ['--reps', '0'],
      ['--sizes', 'x'],
    ]) {
      const program = new Command('kd');
      registerBench(program);
      for (const command of [program, ...program.commands])
        command.exitOverride().configureOutput({ writeErr: (text) => errors.push(text) });
      await expect(program.parseAsync(['node', 'kd', 'bench', ...args])).rejects.toThrow();
    }
    expect(errors.join('')).toContain("--workload: unknown 'W4'");
    expect(errors.join('')).toContain('--reps expects a positive whole number');
    expect(errors.join('')).toContain('--sizes expects whole numbers');
  });

  it('refuses an --out in a folder that does not exist before running anything', () => {
    const kd = fileURLToPath(new URL('../bin/kd', import.meta.url));
    const started = performance.now();
    const result = spawnSync(kd, ['bench', '--quick', '--out', '/no-such-folder/bench.md'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'kd: --out: the folder /no-such-folder does not exist\nrun `kd bench --help` for usage\n',
    );
    // Refused at once, not after the quick run's two minutes.
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
