import { describe, expect, it } from 'vitest';
import { makeConfigs } from '../types/mutants.js';
import { createWorldModel, type WorldState } from '../world.js';
import { shareParts } from './share.js';

const modelOf = (preset: string) => {
  const [config] = makeConfigs(preset, 'hardened', null);
  if (config === undefined) throw new Error(`no ${preset} config`);
  return createWorldModel(config);
};

/** What the explorer reads of a state, in order: its fields, transitions and their keys. */
const behaviour = (model: ReturnType<typeof modelOf>, state: WorldState) => ({
  json: JSON.stringify(state),
  key: model.key(state),
  next: model.transitions(state).map((t) => `${t.action.label} → ${model.key(t.next)}`),
});

describe('held states share equal parts', () => {
  it('hold what they were, in the same order, and do share parts', () => {
    const model = modelOf('up');
    const seen = new Set<string>();
    let frontier = [model.initial()];
    let states = 0;
    let sharedParts = 0;
    while (frontier.length > 0 && states < 3_000) {
      const next: WorldState[] = [];
      for (const state of frontier) {
        for (const { next: successor } of model.transitions(state)) {
          const key = model.key(successor);
          if (seen.has(key)) continue;
          seen.add(key);
          states += 1;
          model.observe(successor);
          const before = behaviour(model, successor);
          const held = model.kept?.(successor) ?? successor;
          expect(behaviour(model, held)).toEqual(before);
          for (const part of ['api', 'scheduler', 'net', 'links'] as const)
            if (held[part] !== successor[part]) sharedParts += 1;
          next.push(held);
        }
      }
      frontier = next;
    }
    // Interleavings build equal parts twice: a walk this long meets many.
    expect(sharedParts).toBeGreaterThan(100);
  }, 60_000);

  it('never share a record whose keys come in another order', () => {
    const initial = modelOf('up').initial();
    const first = shareParts({ ...initial, load: { 'a/f': 1, 'b/g': 2 } });
    const again = shareParts({ ...initial, load: { 'a/f': 1, 'b/g': 2 } });
    const reordered = shareParts({ ...initial, load: { 'b/g': 2, 'a/f': 1 } });
    expect(again.load).toBe(first.load);
    expect(reordered.load).not.toBe(first.load);
    expect(Object.keys(reordered.load)).toEqual(['b/g', 'a/f']);
  });
});
