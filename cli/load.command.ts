// `kd load`: a burst from zero on the cluster a `kd up` runs. It sets the load of F functions
// to 0 and waits until the API shows none of their pods, then asks for N pods spread over
// them and measures, through the API (client-node with kd up's kubeconfig), the time from
// the accepted load until N pods are Ready, and each pod's time to its first Ready.
//
// The live runtime and client-node are loaded lazily inside the action, so `kd --help` stays
// fast.
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { UpState } from '../impl/runtime/live/cluster/up-state.js';
import type { BurstOutcome } from '../impl/runtime/live/load/drive.js';
import { countOption, dirOption, durationOption, reportError, UsageError } from './live-options.js';
import type { ProgressDisplay } from './load-progress.js';

export interface LoadCliOptions {
  readonly pods?: string;
  readonly functions?: string;
  readonly dir?: string;
  readonly timeout: string;
  readonly json?: boolean;
}

export interface LoadIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stderr when it is a terminal (a progress bar); otherwise progress lines on `err`. */
  readonly terminal?: NodeJS.WriteStream;
}

/** One burst asks for at most this many pods (the control endpoint's bound per function). */
const PODS_MAX = 100_000;

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('Measure a burst from zero on the cluster kd up runs: N pods to Ready')
    .option('--pods <n>', 'pods at the peak, spread over the functions (required)')
    .option('--functions <f>', "the first F of kd up's functions (default: all)")
    .option('--dir <dir>', "kd up's state directory (default: <tmpdir>/kd-up-<uid>)")
    .option('--timeout <duration>', 'bound on the drain and on the burst, each', '120s')
    .option('--json', 'print one JSON object')
    .action(async (options: LoadCliOptions) => {
      process.exitCode = await runLoad(options, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        ...(process.stderr.isTTY ? { terminal: process.stderr } : {}),
      });
    });
}

interface LoadPlan {
  readonly pods: number;
  readonly timeoutMs: number;
  readonly dir: string;
  readonly state: UpState;
  readonly functions: readonly string[];
}

/** Exit code: 0 all Ready, 1 timed out or failed, 2 usage error (kd up not running too). */
export async function runLoad(options: LoadCliOptions, io: LoadIo): Promise<number> {
  let plan: LoadPlan;
  try {
    plan = await loadPlanOf(options);
  } catch (error) {
    return reportError(error, io.err);
  }
  try {
    const outcome = await measure(plan, io);
    io.out(
      options.json ? `${JSON.stringify(jsonOf(plan, outcome))}\n` : `${lineOf(plan, outcome)}\n`,
    );
    return outcome.kind === 'burst' && outcome.allReadyMs !== null ? 0 : 1;
  } catch (error) {
    return reportError(error, io.err);
  }
}

const loadPlanOf = async (options: LoadCliOptions): Promise<LoadPlan> => {
  if (options.pods === undefined) throw new UsageError('--pods is required (kd load --pods N)');
  const pods = countOption('--pods', options.pods, 1, PODS_MAX);
  const timeoutMs = durationOption('--timeout', options.timeout);
  const dir = await dirOption(options.dir);
  const { isAlive, readUpState } = await import('../impl/runtime/live/cluster/up-state.js');
  let state: UpState | null;
  try {
    state = readUpState(dir);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (state === null) throw new UsageError(`no kd up running in ${dir}: start one with \`kd up\``);
  if (!isAlive(state.pid))
    throw new UsageError(
      `no kd up running in ${dir} (up.json names pid ${state.pid}, which is gone): start one with \`kd up\``,
    );
  const started = state.functions.length;
  const count =
    options.functions === undefined
      ? started
      : countOption('--functions', options.functions, 1, 1_000);
  if (count > started)
    throw new UsageError(
      `--functions ${count} is more than the ${started} functions the kd up in ${dir} started`,
    );
  return { pods, timeoutMs, dir, state, functions: state.functions.slice(0, count) };
};

const measure = async (plan: LoadPlan, io: LoadIo): Promise<BurstOutcome> => {
  const [
    { kubeConfigFromFile },
    { ControlClient },
    { watchFunctionPods },
    { driveBurst },
    { progressBar, progressLines },
  ] = await Promise.all([
    import('../impl/k8s/client.js'),
    import('../impl/runtime/live/cluster/control-client.js'),
    import('../impl/runtime/live/load/function-pods.js'),
    import('../impl/runtime/live/load/drive.js'),
    import('./load-progress.js'),
  ]);
  const control = new ControlClient(plan.state.control, plan.state.token);
  const watch = await watchFunctionPods(kubeConfigFromFile(plan.state.kubeconfig), plan.functions);
  const nowMs = () => performance.now();
  const progress: ProgressDisplay = io.terminal
    ? progressBar(io.terminal, plan.functions.length)
    : progressLines(io.err, nowMs, plan.functions.length);
  try {
    return await driveBurst(
      { pods: plan.pods, functions: plan.functions, timeoutMs: plan.timeoutMs },
      {
        setLoads: (loads) => control.setLoads(loads),
        watch,
        nowMs,
        onProgress: (p) => progress.update(p),
      },
    );
  } finally {
    progress.stop();
    await watch.stop();
  }
};

/** 812 ms, 3.42 s. */
const timeText = (ms: number): string =>
  ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;

const lineOf = (plan: LoadPlan, outcome: BurstOutcome): string => {
  const functions = `${plan.functions.length} function${plan.functions.length === 1 ? '' : 's'}`;
  const timeout = `${plan.timeoutMs / 1000} s`;
  if (outcome.kind === 'not-drained')
    return `timed out after ${timeout} waiting for ${outcome.remaining} pods to go (load 0 on ${functions}); no burst measured`;
  if (outcome.allReadyMs === null)
    return `timed out after ${timeout}: ${outcome.ready} of ${outcome.target} pods Ready (${functions})`;
  const perPod = outcome.perPodMs
    ? `p50 ${timeText(outcome.perPodMs.p50)}, p90 ${timeText(outcome.perPodMs.p90)} per pod; `
    : '';
  return `${outcome.target} pods Ready in ${timeText(outcome.allReadyMs)} (${perPod}${functions})`;
};

const round = (ms: number | null | undefined): number | null =>
  ms === null || ms === undefined ? null : Number(ms.toFixed(1));

const jsonOf = (plan: LoadPlan, outcome: BurstOutcome) => {
  const base = { pods: plan.pods, functions: plan.functions.length };
  if (outcome.kind === 'not-drained')
    return {
      ...base,
      outcome: 'drain-timeout',
      ready: 0,
      allReadyMs: null,
      p50Ms: null,
      p90Ms: null,
      remaining: outcome.remaining,
    };
  return {
    ...base,
    outcome: outcome.allReadyMs === null ? 'timeout' : 'ready',
    ready: outcome.ready,
    allReadyMs: round(outcome.allReadyMs),
    p50Ms: round(outcome.perPodMs?.p50),
    p90Ms: round(outcome.perPodMs?.p90),
  };
};
