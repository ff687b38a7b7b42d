import { describe, expect, it } from 'vitest';
import { Lane } from './lane.js';

describe('Lane', () => {
  it('keeps at most max sends in flight and starts the waiting ones in order', () => {
    const lane = new Lane(2);
    const started: number[] = [];
    const finishers: (() => void)[] = [];
    for (let i = 0; i < 5; i += 1)
      lane.run((done) => {
        started.push(i);
        finishers[i] = done;
      });
    expect(started).toEqual([0, 1]);
    finishers[1]?.();
    finishers[1]?.(); // a second call of one send's done frees nothing more
    expect(started).toEqual([0, 1, 2]);
    finishers[0]?.();
    finishers[2]?.();
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('goes on when a send finishes as it starts', () => {
    const lane = new Lane(1);
    const started: number[] = [];
    for (let i = 0; i < 3; i += 1)
      lane.run((done) => {
        started.push(i);
        done();
      });
    expect(started).toEqual([0, 1, 2]);
  });
});
