import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fcSettings } from './fc-settings.js';

const DEFAULTS = { numRuns: 25, seed: 1 };

describe('fcSettings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('keeps the suite’s pinned defaults when nothing is set', () => {
    vi.stubEnv('FC_SEED', undefined);
    vi.stubEnv('FC_NUM_RUNS', undefined);
    expect(fcSettings(DEFAULTS, 'x.test.ts')).toMatchObject({ numRuns: 25, seed: 1 });
  });

  it('takes another seed and run count, or a random seed', () => {
    vi.stubEnv('FC_SEED', '7');
    vi.stubEnv('FC_NUM_RUNS', '200');
    expect(fcSettings(DEFAULTS, 'x.test.ts')).toMatchObject({ numRuns: 200, seed: 7 });
    vi.stubEnv('FC_SEED', 'random');
    expect(fcSettings(DEFAULTS, 'x.test.ts').seed).toBeUndefined();
  });

  it('names a bad value instead of running with NaN', () => {
    vi.stubEnv('FC_NUM_RUNS', 'abc');
    expect(() => fcSettings(DEFAULTS, 'x.test.ts')).toThrow(
      'FC_NUM_RUNS must be a positive integer, not "abc"',
    );
    vi.stubEnv('FC_NUM_RUNS', '10');
    vi.stubEnv('FC_SEED', '1.5');
    expect(() => fcSettings(DEFAULTS, 'x.test.ts')).toThrow(
      'FC_SEED must be an integer or "random", not "1.5"',
    );
  });
});

describe('a failing property', () => {
  it('says how to rerun it: the seed, the run count and the test file', () => {
    vi.stubEnv('FC_SEED', undefined);
    vi.stubEnv('FC_NUM_RUNS', undefined);
    const settings = fcSettings({ numRuns: 50, seed: 42 }, 'checker/fuzz/example.test.ts');
    // A property that fails on purpose, checked without throwing, then reported.
    const details = fc.check(
      fc.property(fc.integer(), (n) => n < 10),
      settings,
    );
    expect(details.failed).toBe(true);
    expect(() => settings.reporter(details)).toThrow(
      'rerun: FC_SEED=42 FC_NUM_RUNS=50 npx vitest run checker/fuzz/example.test.ts',
    );
    expect(() => settings.reporter(details)).toThrow(/Counterexample: \[10\]/);
  });

  it('reports nothing when the property holds', () => {
    const settings = fcSettings(DEFAULTS, 'x.test.ts');
    expect(() =>
      settings.reporter(
        fc.check(
          fc.property(fc.integer(), () => true),
          settings,
        ),
      ),
    ).not.toThrow();
  });
});
