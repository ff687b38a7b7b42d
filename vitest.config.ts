import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Exhaustive exploration and fuzz campaigns are bounded but can be slow.
    testTimeout: 120_000,
    pool: 'forks',
    // Every core: vitest's default leaves one idle, which on this 2-core machine ran the
    // suite's long explorations one after another (15 minutes instead of about 8).
    maxWorkers: availableParallelism(),
  },
});
