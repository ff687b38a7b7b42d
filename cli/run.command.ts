// `kd run`: run one named scenario on the implementation in the deterministic sim runtime,
// check the whole property catalogue at every step, and print a summary: converged or not,
// virtual time to all Ready, API requests by verb and bytes, direct messages, violations.
//
// The implementation is loaded lazily inside the action, so `kd --help` stays fast.
import { type Command, InvalidArgumentError } from 'commander';
import type { RunReport } from '../checker/run/check-scenario.js';
import { SEED_MAX } from '../impl/runtime/sim/prng.js';
import { messageOf, usageError } from './usage.js';

export interface RunCliOptions {
  readonly scenario: string;
  readonly mode: string;
  readonly pods: number;
  readonly nodes: number;
  readonly functions: number;
  readonly seed: number;
  readonly profile: string;
  readonly mutant?: string;
  readonly stepMax: number;
  readonly clientLimits: string;
  readonly jitterMs: number;
  readonly json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a scenario on the implementation (sim runtime) and check every property')
    .requiredOption(
      '--scenario <name>',
      'burst | scale-down | crash-<stage> | api-outage | node-loss | label-flip | fallback-binding | fallback-scaling | template-change | delete-deployment',
    )
    .option('--mode <mode>', 'direct (KubeDirect) or api (the vanilla path)', 'direct')
    .option('--pods <n>', 'pods per function at the peak', positive('--pods', RUN_MAX.pods), 100)
    .option('--nodes <m>', 'nodes', positive('--nodes', RUN_MAX.nodes), 10)
    .option('--functions <f>', 'functions (tenants)', positive('--functions', RUN_MAX.functions), 1)
    .option('--seed <s>', 'seed of the default policy', seedOption, 1)
    .option(
      '--profile <name>',
      'design-switch profile: hardened | artifact, optionally with switches set otherwise (hardened:autoscalerLink=direct)',
      'hardened',
    )
    .option('--mutant <name>', 'flip one switch from hardened (see kd explore --list-mutants)')
    .option('--step-max <n>', 'bound on the steps of the run', positive('--step-max'), 200_000)
    .option(
      '--client-limits <limits>',
      'client token buckets: off, or kubernetes (controller-manager 20/30, scheduler and kubelet 50/100)',
      'off',
    )
    .option(
      '--jitter-ms <ms>',
      'extra delay of up to this many virtual ms per event, drawn from the seed',
      whole('--jitter-ms'),
      0,
    )
    .option('--json', 'print one JSON object')
    .action(async (options: RunCliOptions) => {
      process.exitCode = await runRun(options, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
    });
}

export const positive =
  (flag: string, max = Number.MAX_SAFE_INTEGER) =>
  (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`${flag} expects a positive whole number`);
    if (n > max)
      throw new InvalidArgumentError(`${flag} is at most ${max.toLocaleString('en-US')}`);
    return n;
  };

/**
 * The largest run `kd run` takes: twice the pods of the 10,000-pod scale test
 * (impl/runtime/sim/scale.deep.test.ts, 1.5 GB), nodes and functions as `kd up` bounds
 * them. `--pods 100000000` used to build its burst until the heap ran out.
 */
export const RUN_MAX = { pods: 20_000, nodes: 5_000, functions: 1_000 } as const;

export const whole = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${flag} expects a whole number`);
  return n;
};

/** `--seed`: a whole number from 0 to 2^32 − 1 (4294967295). */
export const seedOption = (value: string): number => {
  const n = whole('--seed')(value);
  if (n > SEED_MAX)
    throw new InvalidArgumentError(`--seed must lie from 0 to ${SEED_MAX} (2^32 - 1)`);
  return n;
};

/** Exit code: 0 converged with no violation, 1 otherwise, 2 for a usage error. */
interface RunIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export async function runRun(options: RunCliOptions, io: RunIo): Promise<number> {
  const [
    { makeScenario, scenarioConfig },
    { checkScenario },
    { STAGES },
    { makeConfig },
    { KUBERNETES_DEFAULT_LIMITS },
  ] = await Promise.all([
    import('../impl/runtime/scenarios.js'),
    import('../checker/run/check-scenario.js'),
    import('../impl/stages/registry.js'),
    import('../spec/types/mutants.js'),
    import('../impl/runtime/sim/rate-limit.js'),
  ]);
  if (options.clientLimits !== 'off' && options.clientLimits !== 'kubernetes')
    return usageError(
      io.err,
      'run',
      `unknown --client-limits '${options.clientLimits}' (known: off, kubernetes)`,
    );
  if (options.mode !== 'direct' && options.mode !== 'api')
    return usageError(io.err, 'run', `unknown mode '${options.mode}' (known: direct, api)`);
  if (options.pods * options.functions > RUN_MAX.pods)
    return usageError(
      io.err,
      'run',
      `--pods × --functions is at most ${RUN_MAX.pods.toLocaleString('en-US')} pods (got ${(options.pods * options.functions).toLocaleString('en-US')})`,
    );
  let scenario: ReturnType<typeof makeScenario>;
  let config: ReturnType<typeof makeConfig>;
  try {
    scenario = makeScenario(options.scenario, {
      pods: options.pods,
      nodes: options.nodes,
      functions: options.functions,
    });
    config = scenarioConfig(makeConfig('up', options.profile, options.mutant ?? null));
  } catch (error) {
    return usageError(io.err, 'run', messageOf(error));
  }
  const report = checkScenario({
    scenario,
    config,
    mode: options.mode,
    registry: STAGES,
    seed: options.seed,
    stepMax: options.stepMax,
    ...(options.clientLimits === 'kubernetes' ? { rateLimits: KUBERNETES_DEFAULT_LIMITS } : {}),
    ...(options.jitterMs > 0 ? { latencies: { jitterMs: options.jitterMs } } : {}),
  });
  io.out(
    options.json ? `${JSON.stringify(jsonRun(report))}\n` : `${runLines(report).join('\n')}\n`,
  );
  return report.converged && report.violations.length === 0 ? 0 : 1;
}

function jsonRun(report: RunReport) {
  return {
    converged: report.converged,
    readyMs:
      report.summary.readyAfterMs === null ? null : Number(report.summary.readyAfterMs.toFixed(1)),
    apiWritesPerPod: Number(report.apiWritesPerPod.toFixed(3)),
    violations: report.violations.map((v) => ({
      property: v.property,
      step: v.step,
      message: v.message,
    })),
  };
}

function runLines(report: RunReport): string[] {
  const { summary } = report;
  const lines = [
    `scenario ${report.scenario}, mode ${report.mode}, seed ${report.seed}: ` +
      `${report.converged ? 'converged' : 'NOT converged'} after ${summary.steps.toLocaleString('en-US')} steps, ` +
      `${summary.nowMs.toFixed(1)} ms virtual`,
    `all Ready after ${summary.readyAfterMs === null ? '—' : `${summary.readyAfterMs.toFixed(1)} ms`} (virtual)`,
    `API writes to pods per pod: ${report.apiWritesPerPod.toFixed(2)}`,
    '',
    'API requests of the run (seeding the cluster not counted)',
    '                     count   errors       bytes',
  ];
  for (const [verbKind, t] of Object.entries(report.requests)) {
    const bytes = t.requestBytes + t.responseBytes;
    lines.push(
      `  ${verbKind.padEnd(18)} ${String(t.count).padStart(6)} ${String(t.errors).padStart(8)} ${bytes.toLocaleString('en-US').padStart(11)}`,
    );
  }
  lines.push('', `direct messages: ${summary.messagesSent.total.toLocaleString('en-US')}`);
  for (const [type, n] of Object.entries(summary.messagesSent.byType))
    lines.push(`  ${type.padEnd(28)} ${String(n).padStart(6)}`);
  lines.push('');
  if (report.violations.length === 0) lines.push('violations: none');
  for (const v of report.violations)
    lines.push(
      `violated ${v.property} (${v.kind}) at step ${v.step}, ${v.atMs.toFixed(1)} ms: ${v.message}`,
    );
  for (const u of report.unconverged) lines.push(`not converged: ${u.property}: ${u.message}`);
  return lines;
}
