/** Assertions on verdicts that print the failure message when a test goes wrong. */
import { expect } from 'vitest';
import type { Verdict } from '../../spec/types/property.js';

export const expectHolds = (verdict: Verdict): void => {
  expect(verdict.ok ? 'holds' : verdict.message).toBe('holds');
};

/** The verdict fails and its message names every one of `names`. */
export const expectFails = (verdict: Verdict, ...names: string[]): void => {
  expect(verdict.ok, 'expected a failing verdict').toBe(false);
  if (verdict.ok) return;
  for (const name of names) expect(verdict.message).toContain(name);
};
