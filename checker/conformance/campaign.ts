/**
 * The figures of the enabledness check over a campaign shaped like `kd check`'s default
 * (preset `small`, tenants), continuing past mismatches so that every distinct one shows:
 * steps, steps checked by footprint and by guard, mismatches grouped by kind, class and
 * guard, and how many distinct guards each judged class met in the implementation.
 *
 *   npx tsx checker/conformance/campaign.ts [runs=300] [seed=1] [modes=direct,api]
 */
import fc from 'fast-check';
import type { Mode } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import {
  caseArbitrary,
  caseConfig,
  caseScenario,
  checkPreset,
  DEFAULT_CHECK_PRESET,
} from '../fuzz/case.js';
import { runSchedule } from '../fuzz/run-schedule.js';
import { judgementOf } from './enabledness.js';
import { committedGuards } from './guard-table.js';
import { guardOf } from './guards.js';
import { createConformance } from './index.js';

const [runsArg = '300', seedArg = '1', modesArg = 'direct,api'] = process.argv.slice(2);
const modes = modesArg.split(',') as Mode[];
const preset = checkPreset(DEFAULT_CHECK_PRESET);
const config = caseConfig('hardened', null);
const guards = committedGuards(config) ?? {};
const cases = fc.sample(caseArbitrary({ preset, modes, tenants: true }), {
  numRuns: Number(runsArg),
  seed: Number(seedArg),
});

let steps = 0;
const totals = { checked: 0, guardChecked: 0, guardCheckedWhole: 0, mismatches: 0 };
const found = new Map<string, { count: number; first: string }>();
const met = new Map<string, Set<string>>();
for (const [i, fuzzCase] of cases.entries()) {
  const checker = createConformance(config, fuzzCase.mode);
  runSchedule({
    scenario: caseScenario(fuzzCase),
    config,
    mode: fuzzCase.mode,
    registry: STAGES,
    schedule: fuzzCase.schedule,
    seed: fuzzCase.seed,
    livenessStepMax: preset.livenessStepMax,
    onStep: (before, record, after) => {
      steps += 1;
      // Every guard met, extensions taken as out of force: a figure, not a judgement.
      const judgement = judgementOf(record, guards, { inForce: () => false, vanilla: false });
      const guard = judgement && guardOf(before, judgement.stage);
      if (judgement && guard) {
        const cls = `${judgement.by === 'guard' ? '' : '(phase) '}${judgement.classes.join(' or ')}`;
        const set = met.get(cls) ?? new Set();
        set.add(judgement.by === 'guard' ? guard : (guard.split(' | ')[0] ?? guard));
        met.set(cls, set);
      }
      const m = checker.check(before, record, after);
      if (!m) return;
      const key =
        m.kind === 'footprint'
          ? `footprint ${m.actionClass.split(' ≈ ')[0]}: ${m.unexpected.join('; ')}`
          : `enabledness ${m.startsWith?.join(' or ')}: ${m.guard}`;
      const seen = found.get(key);
      if (seen) seen.count += 1;
      else found.set(key, { count: 1, first: `case ${i} (${fuzzCase.mode}): ${m.message}` });
    },
  });
  const s = checker.stats();
  totals.checked += s.checked;
  totals.guardChecked += s.guardChecked;
  totals.guardCheckedWhole += s.guardCheckedWhole;
  totals.mismatches += s.mismatches;
}
console.log(JSON.stringify({ runs: cases.length, modes, steps, ...totals }, null, 2));
for (const [key, { count, first }] of found) console.log(`${count} × ${key}\n    ${first}`);
console.log('distinct guards met per judged class:');
for (const cls of [...met.keys()].sort()) console.log(`  ${cls}: ${met.get(cls)?.size}`);
