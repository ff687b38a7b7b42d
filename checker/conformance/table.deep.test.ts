import { describe, expect, test } from 'vitest';
import { makeConfig } from '../../spec/types/mutants.js';
import { LOCAL_WORK, REQUEST_CLASS } from './classes.js';
import { DEFAULT_WORLDS, deriveTable, type World } from './derive.js';
import { EXTENSIONS } from './extensions.js';
import { configurations } from './generate.js';
import { committedGuards } from './guard-table.js';
import { createConformance } from './index.js';
import { committedTable, generatedTables, tableKey } from './table.js';

const REGENERATE = 'npx tsx checker/conformance/generate.ts';

/**
 * A prefix of the generator's own exploration: the same worlds, breadth-first to fewer
 * states and fewer walks from the same seed, so every pair it finds is one the generator
 * found, unless the model changed since the table was generated.
 */
const SAMPLE: readonly World[] = DEFAULT_WORLDS.map((w) => ({
  ...w,
  ...(w.maxStates !== undefined ? { maxStates: Math.min(w.maxStates, 1_500) } : {}),
  ...(w.walks !== undefined ? { walks: { ...w.walks, count: 25 } } : {}),
}));

const pairs = (table: Readonly<Record<string, readonly string[]>>): string[] =>
  Object.entries(table).flatMap(([cls, atoms]) => atoms.map((atom) => `${cls} :: ${atom}`));

const configNamed = (name: string) =>
  name === 'hardened' || name === 'artifact'
    ? makeConfig('up', name, null)
    : makeConfig('up', 'hardened', name);

/** One sample derivation per configuration, shared by the footprint and the guard test. */
const samples = new Map<string, ReturnType<typeof deriveTable>>();
const sampleOf = (name: string) => {
  let sample = samples.get(name);
  if (!sample) {
    sample = deriveTable(configNamed(name), SAMPLE);
    samples.set(name, sample);
  }
  return sample;
};

describe('the committed footprint tables', () => {
  test('one for every configuration a campaign runs, derived under its switches today', () => {
    for (const config of configurations()) expect(() => committedTable(config)).not.toThrow();
    expect(Object.keys(generatedTables().tables).sort()).toEqual(
      configurations().map(tableKey).sort(),
    );
  });

  test('a configuration built by hand has none: derive one and pass it', () => {
    const base = makeConfig('up', 'hardened', null);
    const custom = { ...base, switches: { ...base.switches, fence: 'none' as const } };
    expect(() => createConformance(custom, 'direct')).toThrow(/deriveTable/);
    expect(() =>
      createConformance(custom, 'direct', { table: committedTable(base) }),
    ).not.toThrow();
  });

  test.each(['hardened', 'artifact', 'no-round2'])(
    'are not stale: a sample of the model (%s) finds nothing they lack',
    (name) => {
      const committed = new Set(pairs(committedTable(configNamed(name))));
      const missing = pairs(sampleOf(name).table).filter((p) => !committed.has(p));
      expect(missing, `the model changed since the table was generated: run ${REGENERATE}`).toEqual(
        [],
      );
    },
  );

  test('the guard table is not stale: the same sample (hardened) finds no guard it lacks', () => {
    const committed = new Set(pairs(committedGuards(configNamed('hardened')) ?? {}));
    const missing = pairs(sampleOf('hardened').guards).filter((p) => !committed.has(p));
    expect(missing, `the model changed since the guards were generated: run ${REGENERATE}`).toEqual(
      [],
    );
  });

  test('every class the implementation steps stand for is produced by the model, an extension, or known unreached', () => {
    /** Classes the model has but the table's worlds never reach, and why that is expected. */
    const unreached: Record<string, string> = {
      'kubelet: start': 'a pod shown without its sandbox: the model starts it in the expose step',
      'kubelet: kill': 'a leaked sandbox: only with the remove-before-stop defect',
      'replicaset: create template': 'templates exist from the start (docs/model.md §7.9)',
      'deployment: write back':
        "only with autoscalerLink: 'direct' (the table of hardened:autoscalerLink=direct)",
      'handshake autoscaler->deployment':
        "only with autoscalerLink: 'direct' (the table of hardened:autoscalerLink=direct)",
      'deliver autoscaler.handshakeReply':
        "only with autoscalerLink: 'direct' (the table of hardened:autoscalerLink=direct)",
      'autoscaler: read':
        "only with autoscalerLink: 'direct' (the table of hardened:autoscalerLink=direct)",
      'autoscaler: lease':
        "only with autoscalerLink: 'direct', where the autoscaler mints epochs (the table of hardened:autoscalerLink=direct)",
    };
    const table = committedTable(makeConfig('up', 'hardened', null));
    const known = new Set([
      ...Object.keys(table),
      ...EXTENSIONS.map((e) => e.modelClass),
      ...Object.keys(unreached),
    ]);
    const named = [
      ...Object.values(REQUEST_CLASS).flat(),
      ...Object.values(LOCAL_WORK)
        .flat()
        .map((c) => c.modelClass),
    ];
    expect(named.filter((cls) => !known.has(cls))).toEqual([]);
  });
});
