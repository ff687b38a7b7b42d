import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a bench script as `npm run bench:*` would; every case here stops before any work. */
const bench = (script: string, args: readonly string[]) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
};

describe('bench scripts refuse bad arguments with one line naming them', () => {
  it.each([
    [['--bogus'], "bench:explore: Unknown option '--bogus'"],
    [['--max-states', '1x'], 'bench:explore: --max-states must be a whole number ≥ 1: 1x'],
    [['--workers', '99'], 'bench:explore: --workers must be a whole number from 1 to 64: 99'],
    [['--preset', 'nope'], "bench:explore: unknown preset 'nope'"],
    [
      ['--ceiling', '--workers', '2'],
      'bench:explore: --ceiling runs on one thread, without --profile-phases or --workers',
    ],
  ])('explore %j', (args, message) => {
    const { status, stderr } = bench('bench/explore.bench.ts', args);
    expect(status).toBe(2);
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr).not.toContain('    at ');
  });

  it.each([
    [['--runs', 'x'], 'bench:impl: --runs must be a whole number ≥ 1: x'],
    [['--check-runs', '1.5'], 'bench:impl: --check-runs must be a whole number ≥ 0: 1.5'],
  ])('impl %j', (args, message) => {
    const { status, stderr } = bench('bench/impl.bench.ts', args);
    expect(status).toBe(2);
    expect(stderr).toBe(message);
  });
});
