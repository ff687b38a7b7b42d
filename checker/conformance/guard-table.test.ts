import { describe, expect, test } from 'vitest';
import { makeConfig } from '../../spec/types/mutants.js';
import { configurations } from './generate.js';
import { committedGuards, generatedGuards } from './guard-table.js';
import { tableKey } from './table.js';

const REGENERATE = 'npx tsx checker/conformance/generate.ts';

describe('the committed guard tables', () => {
  test('hardened has one; every one stored was derived under its configuration today', () => {
    expect(committedGuards(makeConfig('up', 'hardened', null))).not.toBeNull();
    const known = new Map(configurations().map((c) => [tableKey(c), c]));
    for (const [key, entry] of Object.entries(generatedGuards().tables)) {
      const config = known.get(key);
      expect(config, `'${key}' is no configuration a campaign runs`).toBeDefined();
      expect(
        entry.switches,
        `'${key}' was derived under other switches: run ${REGENERATE}`,
      ).toEqual(config?.switches);
    }
  });

  test('a configuration without one runs without the enabledness check', () => {
    const base = makeConfig('up', 'hardened', null);
    const custom = { ...base, switches: { ...base.switches, fence: 'none' as const } };
    expect(committedGuards(custom)).toBeNull();
  });

  // Their staleness is tested in table.deep.test.ts, from the same sample derivation.
});
