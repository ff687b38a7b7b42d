import { describeMutants } from './test-support/mutant-suite.js';

// Odd positions here, even ones in mutants-a: vitest runs the two files on both cores.
describeMutants(1);
