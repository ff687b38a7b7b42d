// One real-time run of one path on one cell of `kd bench` (after a small warm-up run), for
// `node --cpu-prof`: what the profiles in docs/bench-impl.md were taken of. Bundled first, so
// that the profile keeps function names and lines (tsx's output loses them):
//
//   npx esbuild bench/profile/one-run.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=scratch/one-run.mjs
//   node --cpu-prof --cpu-prof-dir=/tmp/prof scratch/one-run.mjs W1 600 direct
//   npx tsx bench/profile/summarise.ts /tmp/prof/*.001.cpuprofile
//
// (`kd check` is profiled the same way from a bundle of cli/kd.ts in scratch/, with
// checker/conformance/*.generated.json copied beside it, which the checker reads.) Prints the
// run's p90 and CPU per pod. The profile covers the whole process: both runs' cluster builds
// as well as the burst.
import { runOne } from '../realtime/run-one.js';
import { cellOf, WORKLOADS, type WorkloadName } from '../realtime/workloads.js';

const [workload, n, path] = process.argv.slice(2);
if (
  !WORKLOADS.includes(workload as WorkloadName) ||
  !/^\d+$/.test(n ?? '') ||
  (path !== 'api' && path !== 'direct')
) {
  console.error('usage: one-run.ts W1|W2|W3|W5 N api|direct');
  process.exit(2);
}
const kind = workload as WorkloadName;
await runOne(cellOf(kind, 50, 'unthrottled', 200), path, null);
const run = await runOne(cellOf(kind, Number(n), 'unthrottled', 200), path, null);
console.log(
  `${workload} n=${n} ${path}: complete ${run.complete}, p90 ${run.p90Ms} ms, ${run.cpuMsPerPod} CPU ms per pod`,
);
