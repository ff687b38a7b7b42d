import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeConfigs } from '../spec/types/mutants.js';
import { measureCeiling } from './explore-ceiling.js';

afterEach(() => vi.restoreAllMocks());

describe('measureCeiling', () => {
  it('runs the three variants over the same states and prints the four figures', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    measureCeiling('up', makeConfigs('up', 'hardened', null), 400, 1);
    // A warm-up round and one measured round of three runs, all over the same 400 states.
    const runs = lines.filter((line) => line.includes(' 400 states '));
    expect(runs).toHaveLength(6);
    const figures = lines.filter((line) => line.startsWith('figure '));
    expect(figures.map((line) => line.replace(/: [-\d.e]+ .*$/, ''))).toEqual([
      'figure explore up per state',
      'figure explore up properties per state',
      'figure explore up observations per state',
      'figure explore up ceiling with this catalogue and these observations',
    ]);
  });
});
