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
    expect(fcSettings(DEFAULTS)).toEqual({ numRuns: 25, seed: 1 });
  });

  it('takes another seed and run count, or a random seed', () => {
    vi.stubEnv('FC_SEED', '7');
    vi.stubEnv('FC_NUM_RUNS', '200');
    expect(fcSettings(DEFAULTS)).toEqual({ numRuns: 200, seed: 7 });
    vi.stubEnv('FC_SEED', 'random');
    expect(fcSettings(DEFAULTS)).toEqual({ numRuns: 200 });
  });

  it('names a bad value instead of running with NaN', () => {
    vi.stubEnv('FC_NUM_RUNS', 'abc');
    expect(() => fcSettings(DEFAULTS)).toThrow('FC_NUM_RUNS must be a positive integer, not "abc"');
    vi.stubEnv('FC_NUM_RUNS', '10');
    vi.stubEnv('FC_SEED', '1.5');
    expect(() => fcSettings(DEFAULTS)).toThrow('FC_SEED must be an integer or "random", not "1.5"');
  });
});
