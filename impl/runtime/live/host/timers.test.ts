import { describe, expect, it } from 'vitest';
import type { TimerPort } from './ports.js';
import { Timers } from './timers.js';

/** A timer port whose timers fire when the test says. */
const manual = () => {
  const armed = new Map<number, { afterMs: number; fire: () => void }>();
  let next = 0;
  const port: TimerPort = {
    set: (afterMs, fire) => {
      next += 1;
      armed.set(next, { afterMs, fire });
      return next;
    },
    clear: (handle) => armed.delete(handle as number),
  };
  return { port, armed };
};

describe('named timers', () => {
  it('replace a pending timer of the same name and fire once', () => {
    const { port, armed } = manual();
    const fired: string[] = [];
    const timers = new Timers(port, (name) => fired.push(name));
    timers.set('retry', 100);
    const [first] = [...armed.values()];
    timers.set('retry', 50);
    expect(armed.size).toBe(1);
    first?.fire();
    expect(fired).toEqual([]);
    for (const timer of [...armed.values()]) timer.fire();
    expect(fired).toEqual(['retry']);
    expect(timers.size).toBe(0);
  });

  it('are cancelled by name and all at once', () => {
    const { port, armed } = manual();
    const timers = new Timers(port, () => undefined);
    timers.set('a', 1);
    timers.set('b', 1);
    timers.cancel('a');
    expect(timers.size).toBe(1);
    timers.clearAll();
    expect(armed.size).toBe(0);
  });
});
