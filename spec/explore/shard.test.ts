import { describe, expect, it } from 'vitest';
import { balance } from './shard.js';

describe('balance: frontier states moved between shards before a level', () => {
  it('moves nothing while frontiers are within an eighth of an even share', () => {
    expect(balance([0, 0])).toEqual([]);
    expect(balance([108, 100])).toEqual([]);
    expect(balance([5, 0])).toEqual([]);
  });

  it('evens out a lopsided frontier, surplus to deficit in shard order', () => {
    expect(balance([100, 0])).toEqual([{ from: 0, to: 1, count: 50 }]);
    expect(balance([0, 90, 0])).toEqual([
      { from: 1, to: 0, count: 30 },
      { from: 1, to: 2, count: 30 },
    ]);
  });

  it('leaves every shard with its even share, whatever the sizes', () => {
    for (const sizes of [
      [1000, 3, 7, 0],
      [17, 400, 400, 1],
      [0, 0, 0, 999],
    ]) {
      const after = [...sizes];
      for (const { from, to, count } of balance(sizes)) {
        expect(count).toBeGreaterThan(0);
        after[from] = (after[from] as number) - count;
        after[to] = (after[to] as number) + count;
      }
      expect(Math.max(...after) - Math.min(...after)).toBeLessThanOrEqual(1);
      expect(after.reduce((a, b) => a + b)).toBe(sizes.reduce((a, b) => a + b));
    }
  });
});
