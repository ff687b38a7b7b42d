import { describe, expect, it } from 'vitest';
import { firstKeyDivergence } from '../test-support/key-soundness.js';
import { makeConfigs } from '../types/mutants.js';
import { createWorldModel } from '../world.js';

describe('canonical keys', () => {
  // `down` first showed two states with one key and different next steps (an informer
  // caught up with the API or not: key.ts `stageKey`), after some 8,000 meetings.
  it('give states met again under one key successors with the same keys', () => {
    const [config] = makeConfigs('down', 'hardened', null);
    if (config === undefined) throw new Error('no down config');
    expect(firstKeyDivergence(createWorldModel(config), 12_000)).toBeNull();
  }, 60_000);
});
