/**
 * What the conformance check costs a fuzz campaign: steps per second of `runSchedule` over
 * the same fault schedules, without and with the checker as `onStep`, interleaved so that
 * both see the same machine load.
 *
 *   npx tsx checker/conformance/bench.ts [runs=300] [seed=1] [mode=direct]
 */
import fc from 'fast-check';
import { makeScenario, scenarioConfig } from '../../impl/runtime/scenarios.js';
import type { Mode } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { scheduleArbitrary } from '../fuzz/draw.js';
import { runSchedule } from '../fuzz/run-schedule.js';
import type { Choice } from '../fuzz/schedule.js';
import { createConformance } from './index.js';

const [runsArg = '300', seedArg = '1', modeArg = 'direct'] = process.argv.slice(2);
const mode = modeArg as Mode;
const config = scenarioConfig(makeConfig('up', 'hardened', null));
const scenario = makeScenario('burst', { pods: 4, nodes: 3, functions: 2 });
const schedules = fc.sample(scheduleArbitrary(60), {
  numRuns: Number(runsArg),
  seed: Number(seedArg),
});

const play = (schedule: readonly Choice[], checked: boolean): { steps: number; ms: number } => {
  const checker = checked ? createConformance(config, mode) : null;
  let steps = 0;
  let mismatches = 0;
  const started = performance.now();
  runSchedule({
    scenario,
    config,
    mode,
    registry: STAGES,
    seed: 1,
    schedule,
    livenessStepMax: 20_000,
    onStep: (before, record, after) => {
      steps += 1;
      if (checker?.check(before, record, after)) mismatches += 1;
    },
  });
  if (mismatches > 0) console.warn(`${mismatches} mismatches`);
  return { steps, ms: performance.now() - started };
};

// Warm up both paths (JIT, the table and the allowed sets).
for (const schedule of schedules.slice(0, 20)) {
  play(schedule, false);
  play(schedule, true);
}
const total = { off: { steps: 0, ms: 0 }, on: { steps: 0, ms: 0 } };
for (const schedule of schedules) {
  for (const [key, checked] of [
    ['off', false],
    ['on', true],
  ] as const) {
    const r = play(schedule, checked);
    total[key].steps += r.steps;
    total[key].ms += r.ms;
  }
}
const rate = (t: { steps: number; ms: number }) => Math.round(t.steps / (t.ms / 1000));
console.log(
  JSON.stringify({
    mode,
    runs: schedules.length,
    steps: total.on.steps,
    stepsPerSecondWithout: rate(total.off),
    stepsPerSecondWith: rate(total.on),
    overheadPercent: Math.round((total.on.ms / total.off.ms - 1) * 1000) / 10,
  }),
);
