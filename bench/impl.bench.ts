// Implementation benchmark: the five stage machines (`STAGES`) in the sim runtime under the
// default seeded policy. Not a test: it measures and prints, it asserts nothing.
//
//   npm run bench:impl -- [--quick] [--runs 3] [--rounds 40] [--pods 10000] [--nodes 2000]
//                         [--functions 1] [--skip-burst] [--skip-api] [--check-runs 300]
//
// 1. Steps per second on the `small` preset (two tenants, two nodes × 2 slots, hardened): a
//    warm-up run, then `--runs` measured runs of `--rounds` load cycles 0 → 2 → 0 on each
//    function, with the runtime building the Observation after every step (the checker's
//    setting) and without. Prints steps, seconds and steps/s per run and their median.
// 2. The big burst: `makeScenario('burst', {pods, nodes, functions})` to all desired pods
//    Ready, in direct mode and then in api mode, each in a child process of its own so its
//    peak RSS is its own. Prints wall seconds, steps, steps/s, virtual time to all Ready,
//    peak RSS (sampled during the run, and the kernel's maxRSS) and heap used.
// 3. `kd check --runs N --seed 1` in a child process (`--check-runs`, 0 skips it): the
//    checker's own steps/s, with every property and conformance to the model.
//
// Each prints `figure` lines, which `npm run bench:compare` reads to put two revisions side
// by side. `--quick` takes 1 measured run of 10 rounds and a 1,000-pod / 200-node burst.
// Wall time comes from `performance.now()` here only: the implementation never reads it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeScenario, scenarioConfig } from '../impl/runtime/scenarios.js';
import { runDefault, SimCluster } from '../impl/runtime/sim/index.js';
import type { Mode } from '../impl/stages/io.js';
import { STAGES } from '../impl/stages/registry.js';
import { makeConfig } from '../spec/types/mutants.js';
import { benchArgs, wholeNumber } from './args.js';
import { figureLine } from './compare/figures.js';
import { median } from './realtime/stats.js';
import { smallRun } from './small-preset.js';

const MB = 1024 ** 2;
/** Step bound of the big burst. */
const BURST_STEP_MAX = 50_000_000;
/** How often (in steps) the big burst samples RSS. */
const SAMPLE_EVERY = 2_000;

const SCRIPT = 'bench:impl';

const args = benchArgs(SCRIPT, {
  quick: { type: 'boolean', default: false },
  runs: { type: 'string' },
  rounds: { type: 'string' },
  pods: { type: 'string' },
  nodes: { type: 'string' },
  functions: { type: 'string' },
  'skip-burst': { type: 'boolean', default: false },
  'skip-api': { type: 'boolean', default: false },
  'check-runs': { type: 'string' },
  // Internal: run one burst in this process and print its figures as JSON.
  child: { type: 'string' },
});

type CountFlag = 'runs' | 'rounds' | 'pods' | 'nodes' | 'functions' | 'check-runs';
const int = (flag: CountFlag, fallback: number, min = 1): number =>
  wholeNumber(SCRIPT, flag, args[flag], fallback, { min });

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ── 1. the small preset ─────────────────────────────────────────────────────────────────

const benchSmall = (runs: number, rounds: number): void => {
  console.log(
    `small preset (hardened, direct): ${rounds} rounds of load 0 → 2 → 0 on both functions, ` +
      `1 warm-up + ${runs} measured run(s)`,
  );
  for (const observeEachStep of [true, false]) {
    smallRun(Math.max(1, Math.floor(rounds / 4)), observeEachStep, 0);
    const rates: number[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const m = smallRun(rounds, observeEachStep, run);
      const rate = m.steps / m.seconds;
      rates.push(rate);
      console.log(
        `  observeEachStep ${String(observeEachStep).padEnd(5)} run ${run}: ` +
          `${fmt(m.steps)} steps, ${fmt(m.seconds, 2)} s, ${fmt(rate)} steps/s`,
      );
    }
    // `runs` is at least 1 (`int`), so there is a median.
    const rate = median(rates) as number;
    console.log(
      `  observeEachStep ${String(observeEachStep).padEnd(5)} median: ${fmt(rate)} steps/s`,
    );
    const what = observeEachStep ? 'Observation every step' : 'no Observation';
    console.log(figureLine(`small preset, ${what}`, rate, 'steps/s'));
  }
};

// ── 2. the big burst ────────────────────────────────────────────────────────────────────

interface BurstFigures {
  readonly mode: Mode;
  readonly ready: boolean;
  readonly setupSeconds: number;
  readonly seconds: number;
  readonly steps: number;
  readonly virtualReadyMs: number | null;
  readonly peakRssMb: number;
  readonly maxRssMb: number;
  readonly heapUsedMb: number;
  readonly requests: number;
}

/** Runs the burst to every desired pod Ready (`readyAtMs`), observing nothing per step. */
const burstInProcess = (
  mode: Mode,
  pods: number,
  nodes: number,
  functions: number,
): BurstFigures => {
  const scenario = makeScenario('burst', { pods, nodes, functions });
  const config = scenarioConfig(makeConfig('up', 'hardened', null));
  let peakRss = process.memoryUsage().rss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const started = performance.now();
  const cluster = new SimCluster({
    config,
    mode,
    registry: STAGES,
    topology: scenario.topology,
    seed: 1,
    observeEachStep: false,
  });
  const setupSeconds = (performance.now() - started) / 1000;
  const onStep = () => {
    if (cluster.steps % SAMPLE_EVERY === 0) sample();
  };
  for (const timed of [...scenario.actions].sort((a, b) => a.atMs - b.atMs)) {
    runDefault(cluster, { stepMax: BURST_STEP_MAX, untilMs: timed.atMs, onStep });
    if (cluster.nowMs < timed.atMs) cluster.apply({ type: 'advance', toMs: timed.atMs });
    cluster.apply(timed.action);
  }
  runDefault(cluster, {
    stepMax: BURST_STEP_MAX,
    // `readyAtMs` is `summary().readyAtMs` without building the whole summary every step.
    stopWhen: (c) => c.readyAtMs !== null,
    onStep,
  });
  const seconds = (performance.now() - started) / 1000;
  sample();
  const summary = cluster.summary();
  return {
    mode,
    ready: summary.readyAtMs !== null,
    setupSeconds,
    seconds,
    steps: summary.steps,
    virtualReadyMs: summary.readyAfterMs,
    peakRssMb: peakRss / MB,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: process.memoryUsage().heapUsed / MB,
    requests: summary.api.total.count,
  };
};

/** Runs one burst in a child process (same Node flags), so its memory figures are its own. */
const burstInChild = (
  mode: Mode,
  pods: number,
  nodes: number,
  functions: number,
): BurstFigures | null => {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [
    '--child',
    mode,
    '--pods',
    `${pods}`,
    '--nodes',
    `${nodes}`,
    '--functions',
    `${functions}`,
  ];
  const result = spawnSync(process.execPath, [...process.execArgv, script, ...childArgs], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * MB,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    console.log(
      `  ${mode}: the child process failed (status ${result.status}, signal ${result.signal})`,
    );
    return null;
  }
  return JSON.parse(line) as BurstFigures;
};

const printBurst = (f: BurstFigures): void => {
  console.log(
    `  ${f.mode.padEnd(6)}: ${f.ready ? 'all Ready' : 'NOT all Ready'} after ${fmt(f.steps)} steps, ` +
      `${fmt(f.seconds, 1)} s wall (setup ${fmt(f.setupSeconds, 1)} s), ${fmt(f.steps / f.seconds)} steps/s, ` +
      `Ready ${f.virtualReadyMs === null ? '—' : `${fmt(f.virtualReadyMs, 1)} ms`} virtual after the load rose`,
  );
  console.log(
    `          peak RSS ${fmt(f.peakRssMb)} MB sampled, maxRSS ${fmt(f.maxRssMb)} MB, ` +
      `heap used ${fmt(f.heapUsedMb)} MB at the end, ${fmt(f.requests)} API requests`,
  );
  console.log(figureLine(`burst ${f.mode}`, f.steps / f.seconds, 'steps/s'));
  console.log(figureLine(`burst ${f.mode} peak RSS`, f.maxRssMb, 'MB'));
};

const benchBurst = (pods: number, nodes: number, functions: number, skipApi: boolean): void => {
  console.log(
    `burst: ${fmt(functions)} function(s) × ${fmt(pods)} pods on ${fmt(nodes)} nodes, ` +
      'to all desired pods Ready, observeEachStep false, one child process per mode',
  );
  for (const mode of skipApi ? (['direct'] as const) : (['direct', 'api'] as const)) {
    const figures = burstInChild(mode, pods, nodes, functions);
    if (figures) printBurst(figures);
  }
};

// ── 3. kd check ─────────────────────────────────────────────────────────────────────────

/**
 * The checker as a user runs it (`kd check --runs N --seed 1`: both modes, every property,
 * conformance to the model) in a child process; its own figure of steps per second, which
 * counts the campaign, not the process's start-up.
 */
const benchCheck = (runs: number): void => {
  const kd = fileURLToPath(new URL('../cli/kd.ts', import.meta.url));
  const argv = ['check', '--runs', `${runs}`, '--seed', '1', '--json', '--no-save'];
  const result = spawnSync(process.execPath, [...process.execArgv, kd, ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * MB,
  });
  const json = result.stdout.slice(result.stdout.indexOf('{'));
  if (result.status !== 0 || !json.startsWith('{')) {
    console.log(`kd check ${argv.join(' ')}: failed (status ${result.status})`);
    return;
  }
  const { steps, seconds } = JSON.parse(json) as { steps: number; seconds: number };
  console.log(`kd ${argv.join(' ')}: ${fmt(steps)} steps in ${fmt(seconds, 1)} s`);
  console.log(figureLine(`kd check, ${runs} runs`, steps / seconds, 'steps/s'));
};

// ── main ────────────────────────────────────────────────────────────────────────────────

const quick = args.quick === true;
const pods = int('pods', quick ? 1_000 : 10_000);
const nodes = int('nodes', quick ? 200 : 2_000);
const functions = int('functions', 1);
if (args.child !== undefined) {
  const mode = args.child === 'api' ? 'api' : 'direct';
  console.log(JSON.stringify(burstInProcess(mode, pods, nodes, functions)));
} else {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  benchSmall(int('runs', quick ? 1 : 3), int('rounds', quick ? 10 : 40));
  const checkRuns = int('check-runs', quick ? 50 : 300, 0);
  if (checkRuns > 0) benchCheck(checkRuns);
  if (!args['skip-burst']) benchBurst(pods, nodes, functions, args['skip-api'] === true);
}
