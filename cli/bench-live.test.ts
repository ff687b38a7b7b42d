/** `kd bench --live` refuses what it cannot run, before it starts anything (exit 2). */
import { describe, expect, it } from 'vitest';
import type { BenchCliOptions } from './bench.command.js';
import { runLiveBench } from './bench-live.js';

const attempt = async (options: BenchCliOptions) => {
  const errors: string[] = [];
  const code = await runLiveBench(
    { live: true, ...options },
    { out: () => undefined, err: (text) => errors.push(text), cwd: '/nonexistent' },
  );
  return { code, errors: errors.join('') };
};

describe('kd bench --live', () => {
  it.each([
    [{ full: true }, /--full runs the in-process matrix/],
    [{ workload: ['W2'] }, /W1 only/],
    [{ config: ['default-limits'] }, /unthrottled only/],
  ] as [BenchCliOptions, RegExp][])('refuses %j with one line', async (options, message) => {
    const { code, errors } = await attempt(options);
    expect(code).toBe(2);
    expect(errors).toMatch(message);
    expect(errors.trim().split('\n')).toHaveLength(1);
  });
});
