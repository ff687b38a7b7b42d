import { describeMutants } from './test-support/mutant-suite.js';

// Even positions here, odd ones in mutants-b: vitest runs the two files on both cores.
describeMutants(0);
