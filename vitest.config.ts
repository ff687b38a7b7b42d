import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects. `unit` (`npm test`) is the fast default, about a minute on this 2-core
 * machine. `deep` (`npm run test:deep`) holds the files named `*.deep.test.ts`: the
 * exhaustive explorations and the model's mutants, the conformance campaigns, the coverage
 * campaign, the timed scale test, the scenario runs and the browser test. `.ci/run` runs
 * both.
 */
const DEEP = ['**/*.deep.test.ts'];

export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude],
    // Exhaustive exploration and fuzz campaigns are bounded but can be slow.
    testTimeout: 120_000,
    pool: 'forks',
    // Every core: vitest's default leaves one idle, which on this 2-core machine ran the
    // suite's long explorations one after another.
    maxWorkers: availableParallelism(),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...DEEP],
        },
      },
      { extends: true, test: { name: 'deep', include: DEEP } },
    ],
  },
});
