import { describe, expect, it } from 'vitest';
import {
  checkProgress,
  etaSeconds,
  progressText,
  sumProgress,
  workerProgress,
} from './check-progress.js';

const at = (runs: number, seconds: number, over = {}) => ({
  runs,
  steps: runs * 100,
  seconds,
  faults: runs,
  hits: 2,
  shrinking: false,
  ...over,
});

describe('kd check progress', () => {
  it('estimates the time left of a --runs budget from the rate so far', () => {
    expect(etaSeconds(at(250, 10), { runs: 1000, timeMs: null })).toBe(30);
    expect(progressText(at(250, 10), { runs: 1000, timeMs: null }, 5)).toBe(
      'check: runs 250/1,000, 2,500 steps/s, faults 250, guards hit 2/5, ETA 30 s',
    );
  });

  it('estimates the time left of a --time budget, whichever budget ends first', () => {
    expect(etaSeconds(at(10, 15), { runs: null, timeMs: 60_000 })).toBe(45);
    expect(etaSeconds(at(900, 50), { runs: 1000, timeMs: 600_000 })).toBeCloseTo(5.56, 1);
    expect(progressText(at(10, 15), { runs: null, timeMs: 150_000 }, 5)).toContain(
      'ETA 2 min 15 s',
    );
  });

  it('gives no ETA while shrinking a failure (its budget is its own)', () => {
    expect(etaSeconds(at(1, 1, { shrinking: true }), { runs: 10, timeMs: null })).toBeNull();
    expect(progressText(at(1, 1, { shrinking: true }), { runs: 10, timeMs: null }, 5)).toMatch(
      /shrinking a failure…$/,
    );
  });

  it('prints plain lines, not in place, when stderr is not a terminal', () => {
    const lines: string[] = [];
    const progress = checkProgress(
      { write: (t) => lines.push(t), isTTY: false },
      {
        runs: 100,
        timeMs: null,
      },
      5,
    );
    progress.report(at(10, 1));
    progress.done();
    expect(lines).toEqual([
      'check: runs 10/100, 1,000 steps/s, faults 10, guards hit 2/5, ETA 9 s\n',
    ]);
  });

  it('--workers: adds up the progress the workers send as JSON lines on stderr', () => {
    const seen = workerProgress(2);
    seen.take(0, `${JSON.stringify(at(10, 2))}\n`);
    seen.take(1, `${JSON.stringify(at(30, 3))}\nsome other text\n`);
    seen.take(0, JSON.stringify(at(20, 4)).slice(0, 5));
    seen.take(0, `${JSON.stringify(at(20, 4)).slice(5)}\n`);
    expect(sumProgress(seen.latest())).toMatchObject({
      runs: 50,
      steps: 5000,
      seconds: 4,
      faults: 50,
    });
    expect(seen.otherText(1)).toBe('some other text\n');
  });
});
