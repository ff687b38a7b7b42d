// Explorer benchmark: one warm-up run and three measured runs on a preset (tiny, hardened by
// default), printing distinct states, seconds, states/s and the cores the process kept busy
// (CPU time over wall time: the compiler and the garbage collector run on threads of their
// own) per run, and their median.
//
//   npm run bench:explore -- [--preset tiny|up|updown|small] [--profile hardened|artifact]
//                            [--runs 3] [--max-states N] [--profile-phases] [--workers N]
//                            [--ceiling]
//
// `--workers N` (N > 1) runs every round twice, on one thread and on N worker threads
// (`kd explore --workers`), one after the other, and prints both rates and their ratio: the
// speed-up, measured side by side on the same machine state. Each round then measures what
// the machine gives N threads at once (`parallel-ceiling.ts`), for arithmetic and for work
// that allocates as the explorer does: the second bounds that speed-up.
//
// `--profile-phases` wraps the model's functions and every property check with timers and
// reports where the time goes (transitions, key, observe, summary, property checks, and the
// explorer's own bookkeeping). The timers cost a little themselves, so compare phases with
// each other, not the profiled rate with an unprofiled one.
//
// `--ceiling` measures instead what the property catalogue and the Observations cost per
// state by leaving them out (`explore-ceiling.ts`): a warm-up round and `--runs` rounds of
// three runs each. Not a test: it measures.
import { exploreWorker } from '../checker/model/explore-worker.js';
import { CATALOGUE } from '../properties/catalogue.js';
import { exploreParallel } from '../spec/explore/parallel.js';
import { exploreSuite, exploreSuiteAsync } from '../spec/explore/suite.js';
import type { ExploreOptions, ExploreResult } from '../spec/explore.js';
import type { Model } from '../spec/model.js';
import type { Catalogue, Config } from '../spec/types/index.js';
import { makeConfigs } from '../spec/types/mutants.js';
import { createWorldModel } from '../spec/world.js';
import { benchArgs, usageError, wholeNumber } from './args.js';
import { figureLine } from './compare/figures.js';
import { measureCeiling } from './explore-ceiling.js';
import { type Ceiling, parallelCeiling } from './parallel-ceiling.js';
import { median } from './realtime/stats.js';

type Phase = 'transitions' | 'key' | 'observe' | 'summary' | 'properties';

class PhaseTimer {
  readonly totals: Record<Phase, number> = {
    transitions: 0,
    key: 0,
    observe: 0,
    summary: 0,
    properties: 0,
  };

  time<A extends unknown[], R>(phase: Phase, run: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const start = performance.now();
      try {
        return run(...args);
      } finally {
        this.totals[phase] += performance.now() - start;
      }
    };
  }
}

function timedModel<S>(model: Model<S>, timer: PhaseTimer): Model<S> {
  return {
    config: model.config,
    initial: () => model.initial(),
    transitions: timer.time('transitions', (state: S) => model.transitions(state)),
    key: timer.time('key', (state: S) => model.key(state)),
    observe: timer.time('observe', (state: S) => model.observe(state)),
    summary: timer.time('summary', (state: S) => model.summary(state)),
    // Not timed: it only writes what the key and observation of a kept state memoised.
    ...(model.kept === undefined ? {} : { kept: model.kept }),
  };
}

function timedCatalogue(catalogue: Catalogue, timer: PhaseTimer): Catalogue {
  return {
    // Two identical branches on purpose: `always` and `step` checks have different
    // signatures, and TypeScript needs the kind narrowed to wrap each one.
    safety: catalogue.safety.map((p) =>
      p.kind === 'always'
        ? { ...p, check: timer.time('properties', p.check) }
        : { ...p, check: timer.time('properties', p.check) },
    ),
    liveness: catalogue.liveness.map((p) => ({ ...p, check: timer.time('properties', p.check) })),
    reachability: catalogue.reachability.map((p) => ({
      ...p,
      hit: timer.time('properties', p.hit),
    })),
  };
}

function runOnce(
  configs: readonly Config[],
  maxStates: number | undefined,
  timer: PhaseTimer | null,
): ExploreResult {
  const build = (config: Config): Model<unknown> => {
    const model = createWorldModel(config) as Model<unknown>;
    return timer === null ? model : timedModel(model, timer);
  };
  return exploreSuite(
    configs,
    build,
    timer === null ? CATALOGUE : timedCatalogue(CATALOGUE, timer),
    { stopAtFirstViolation: false, ...(maxStates === undefined ? {} : { maxStates }) },
  ).total;
}

function runOnWorkers(
  configs: readonly Config[],
  maxStates: number | undefined,
  workers: number,
): Promise<ExploreResult> {
  const explorePart = (config: Config, options: ExploreOptions) =>
    exploreParallel(createWorldModel(config) as Model<unknown>, CATALOGUE, {
      ...options,
      workers,
      worker: exploreWorker(config),
    });
  const options = {
    stopAtFirstViolation: false,
    ...(maxStates === undefined ? {} : { maxStates }),
  };
  return exploreSuiteAsync(configs, explorePart, options).then((suite) => suite.total);
}

function describeRun(label: string, { result, cores }: Measured): string {
  const complete = result.complete ? '' : ` (incomplete: ${result.stopReason})`;
  return (
    `${label.padEnd(8)} ${String(result.states).padStart(10)} states  ${result.seconds.toFixed(2).padStart(7)} s  ` +
    `${Math.round(result.statesPerSecond).toString().padStart(8)} states/s  ${cores.toFixed(2)} cores busy${complete}`
  );
}

/**
 * A run and the cores it kept busy: the process's CPU time (every thread's: the explorer's,
 * its workers', the compiler's and the garbage collector's) over the run's wall time.
 */
interface Measured {
  readonly result: ExploreResult;
  readonly cores: number;
}

async function withCores(run: () => ExploreResult | Promise<ExploreResult>): Promise<Measured> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const { user, system } = process.cpuUsage(cpu);
  return { result, cores: (user + system) / 1000 / (performance.now() - wall) };
}

function printPhases(timer: PhaseTimer, totalSeconds: number): void {
  const totalMs = totalSeconds * 1000;
  const measured = Object.values(timer.totals).reduce((a, b) => a + b, 0);
  const rows: [string, number][] = [
    ...(Object.entries(timer.totals) as [Phase, number][]),
    ['explorer (rest)', Math.max(0, totalMs - measured)],
  ];
  console.log('\nwhere the time goes (all measured runs):');
  for (const [phase, ms] of rows) {
    const share = totalMs > 0 ? (100 * ms) / totalMs : 0;
    console.log(
      `  ${phase.padEnd(16)} ${(ms / 1000).toFixed(2).padStart(8)} s  ${share.toFixed(1).padStart(5)} %`,
    );
  }
}

const SCRIPT = 'bench:explore';

/** The preset's configs; an unknown preset or profile stops the script naming it. */
function configsOf(preset: string, profile: string): Config[] {
  try {
    return makeConfigs(preset, profile, null);
  } catch (error) {
    return usageError(SCRIPT, error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const values = benchArgs(SCRIPT, {
    preset: { type: 'string', default: 'tiny' },
    profile: { type: 'string', default: 'hardened' },
    runs: { type: 'string' },
    'max-states': { type: 'string' },
    'profile-phases': { type: 'boolean', default: false },
    workers: { type: 'string' },
    ceiling: { type: 'boolean', default: false },
  });
  const runs = wholeNumber(SCRIPT, 'runs', values.runs, 3);
  const workers = wholeNumber(SCRIPT, 'workers', values.workers, 1, { max: 64 });
  const configs = configsOf(values.preset, values.profile);
  const maxStates = wholeNumber(SCRIPT, 'max-states', values['max-states'], undefined);
  const timer = values['profile-phases'] ? new PhaseTimer() : null;
  console.log(`explore bench: preset ${values.preset}, profile ${values.profile}`);
  if (values.ceiling) {
    if (timer !== null || workers > 1)
      usageError(SCRIPT, '--ceiling runs on one thread, without --profile-phases or --workers');
    measureCeiling(values.preset, configs, maxStates, runs);
    return;
  }
  console.log(describeRun('warm-up', await withCores(() => runOnce(configs, maxStates, null))));
  const results: Measured[] = [];
  const parallel: Measured[] = [];
  const ceilings: Ceiling[] = [];
  for (let run = 1; run <= runs; run++) {
    const one = await withCores(() => runOnce(configs, maxStates, timer));
    results.push(one);
    console.log(describeRun(`run ${run}`, one));
    if (workers > 1) {
      const onWorkers = await withCores(() => runOnWorkers(configs, maxStates, workers));
      parallel.push(onWorkers);
      console.log(describeRun(`run ${run}, ${workers} workers`, onWorkers));
      const traffic = onWorkers.result.sharding;
      if (traffic !== undefined) {
        console.log(
          `run ${run}, between shards: ${traffic.claims} claims, ${traffic.granted} granted, ${traffic.moved} states moved`,
        );
      }
      const ceiling = await parallelCeiling(workers);
      ceilings.push(ceiling);
      console.log(
        `run ${run}, machine: ${workers} threads do ${ceiling.arithmetic.toFixed(2)} x one's work (arithmetic), ${ceiling.allocating.toFixed(2)} x (allocating)`,
      );
    }
  }
  const seconds = median(results.map((r) => r.result.seconds));
  const rate = median(results.map((r) => r.result.statesPerSecond));
  // `runs` is at least 1, so there are medians.
  if (seconds === null || rate === null) return;
  console.log(`median   ${seconds.toFixed(2)} s, ${Math.round(rate)} states/s`);
  console.log(figureLine(`explore ${values.preset}`, rate, 'states/s'));
  console.log(
    figureLine(
      `explore ${values.preset} distinct states`,
      results[0]?.result.states ?? 0,
      'states',
    ),
  );
  console.log(
    figureLine(
      `explore ${values.preset} cores busy, one thread`,
      median(results.map((r) => r.cores)) ?? 0,
      'cores',
    ),
  );
  const parallelRate = median(parallel.map((r) => r.result.statesPerSecond));
  if (parallelRate !== null) {
    console.log(
      figureLine(`explore ${values.preset} ${workers} workers`, parallelRate, 'states/s'),
    );
    const speedUps = parallel.map(
      (r, i) => r.result.statesPerSecond / (results[i]?.result.statesPerSecond ?? 1),
    );
    console.log(
      figureLine(
        `explore ${values.preset} speed-up with ${workers} workers`,
        median(speedUps) ?? 0,
        'x',
      ),
    );
    console.log(
      figureLine(
        `explore ${values.preset} cores busy, ${workers} workers`,
        median(parallel.map((r) => r.cores)) ?? 0,
        'cores',
      ),
    );
    console.log(
      figureLine(
        `machine parallel ceiling with ${workers} threads`,
        median(ceilings.map((c) => c.arithmetic)) ?? 0,
        'x',
      ),
    );
    console.log(
      figureLine(
        `machine parallel ceiling with ${workers} threads, allocating`,
        median(ceilings.map((c) => c.allocating)) ?? 0,
        'x',
      ),
    );
  }
  if (timer !== null)
    printPhases(
      timer,
      results.reduce((sum, r) => sum + r.result.seconds, 0),
    );
}

await main();
