import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Exhaustive exploration and fuzz campaigns are bounded but can be slow.
    testTimeout: 120_000,
    pool: 'forks',
  },
});
