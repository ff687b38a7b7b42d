import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAllCounterexamples, loadIndex } from './load.js';
import { switchesOf } from './switches.js';

const DIR = fileURLToPath(new URL('../../counterexamples/', import.meta.url));
const saved = loadAllCounterexamples(DIR);

describe('the committed counterexamples', () => {
  it('are all valid files, listed in the index', () => {
    expect(saved.length).toBeGreaterThan(0);
    expect(
      loadIndex(DIR)
        .map((e) => e.file)
        .sort(),
    ).toEqual(saved.map((s) => s.file));
  });

  it('are in the current format: every switch in force written out (resave.ts re-saves them)', () => {
    for (const { file, counterexample: cx } of saved)
      expect(cx.switches, file).toEqual(switchesOf(cx));
  });

  // Replaying them (on the model or the implementation) is checker/replay/replay.test.ts.
  it('record the outcome the tool that wrote them expects, or fixed once the bug is', () => {
    for (const { counterexample: cx } of saved)
      expect(cx.expected, cx.property).toBe(
        cx.profile === 'artifact' || cx.mutant !== null
          ? 'expected-failure'
          : cx.expected === 'fixed'
            ? 'fixed'
            : 'open',
      );
  });
});
