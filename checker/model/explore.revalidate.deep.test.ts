import { describe, expect, it } from 'vitest';
import { explorePreset } from './explore-preset.js';

/**
 * The `revalidate` world (one function up and back down, one scheduler crash at any point),
 * where a restarted scheduler adopts from a stale kubelet snapshot a pod persisted and
 * deleted since: `kd check`'s seed-9 find, within the model's reach now that round 2 waits
 * for a resourceVersion the client reads itself. Hardened re-validates adopted entries and
 * converges; the fix switched off (mutant no-adopted-revalidation) is caught by caches-drain
 * in checker/model/mutants.deep.test.ts. About half a million states each.
 */
describe('kd explore --preset revalidate (hardened)', () => {
  it('every safety and liveness property holds', () => {
    const { total } = explorePreset('revalidate', 'hardened', null, true);
    expect(total.complete).toBe(true);
    const failing = total.properties.filter((p) => p.kind !== 'sometimes' && p.status !== 'holds');
    expect(failing, total.violations.map((v) => `${v.property}: ${v.message}`).join('\n')).toEqual(
      [],
    );
  }, 1_800_000);
});
