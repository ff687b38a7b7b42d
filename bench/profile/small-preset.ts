// The small preset's load cycles with the Observation built every step (the checker's
// setting: bench:impl's first figure), for `node --cpu-prof`. Bundled first, as one-run.ts
// says, so that the profile keeps function names:
//
//   npx esbuild bench/profile/small-preset.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=scratch/small-preset.mjs
//   node --cpu-prof --cpu-prof-dir=/tmp/prof scratch/small-preset.mjs [ROUNDS] [RUNS]
//   npx tsx bench/profile/summarise.ts /tmp/prof/*.cpuprofile
//
// Runs RUNS (default 5) runs of ROUNDS (default 100) rounds, seeds 0 to RUNS - 1, and prints
// their steps and seconds.
import { smallRun } from '../small-preset.js';

const [rounds = '100', runs = '5'] = process.argv.slice(2);
if (!/^[1-9]\d*$/.test(rounds) || !/^[1-9]\d*$/.test(runs)) {
  console.error('usage: small-preset.ts [ROUNDS] [RUNS]');
  process.exit(2);
}
let steps = 0;
let seconds = 0;
for (let seed = 0; seed < Number(runs); seed += 1) {
  const run = smallRun(Number(rounds), true, seed);
  steps += run.steps;
  seconds += run.seconds;
}
console.log(`${steps} steps in ${seconds.toFixed(2)} s: ${Math.round(steps / seconds)} steps/s`);
