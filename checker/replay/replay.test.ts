import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAllCounterexamples } from '../trace/load.js';
import type { Counterexample } from '../trace/schema.js';
import { replayCounterexample } from './replay.js';

const DIR = fileURLToPath(new URL('../../counterexamples/', import.meta.url));

describe('replaying every committed counterexample', () => {
  for (const { file, counterexample } of loadAllCounterexamples(DIR)) {
    it(`${file}: twice, byte-identical traces and the recorded outcome`, () => {
      const first = replayCounterexample(counterexample);
      const second = replayCounterexample(counterexample);
      expect(second.trace).toEqual(first.trace);
      // A fixed file records the failing run; the fixed code takes another path from there.
      if (counterexample.expected !== 'fixed') expect(first.sameTrace, first.verdict).toBe(true);
      expect(first.reproduced, first.verdict).toBe(counterexample.expected !== 'fixed');
      expect(first.matches).toBe(true);
    });
  }
});

describe('a replay can fail', () => {
  const [some] = loadAllCounterexamples(DIR).filter((s) => s.counterexample.tool === 'explore');
  const cx = some?.counterexample as Counterexample;

  it('a file marked fixed that still fails does not match', () => {
    const result = replayCounterexample({ ...cx, expected: 'fixed' });
    expect(result.reproduced).toBe(true);
    expect(result.matches).toBe(false);
  });

  it('a step the model no longer takes is reported, and the outcome does not match', () => {
    const steps = [...cx.steps];
    steps[0] = { actor: 'nobody', label: 'a step that does not exist' };
    const result = replayCounterexample({ ...cx, steps });
    expect(result.reproduced).toBe(false);
    expect(result.verdict).toContain('no longer enabled');
    expect(result.matches).toBe(false);
  });

  it('a stale trace is told apart from the replayed one', () => {
    const result = replayCounterexample({ ...cx, trace: [...cx.trace.slice(0, -1), 'edited'] });
    expect(result.sameTrace).toBe(false);
    expect(result.matches).toBe(false);
  });
});
