// `kd chaos`: the live chaos run (checker/live/chaos.ts). The stages run as processes
// against the embedded API endpoint; each round sets a new load and kills one stage's
// process with SIGKILL mid-burst, every stage in turn (with --etcd, the API Server's
// process too), then waits for convergence, judging the property catalogue on consistent
// cuts. Prints a line per round and the figures.
import type { Command } from 'commander';
import type { ChaosResult } from '../checker/live/chaos.js';
import type { LocalEtcd } from '../impl/apiserver/etcd/local-etcd.js';
import { etcdOption } from './live-options.js';
import { positive, seedOption } from './run.command.js';

export interface ChaosCliOptions {
  readonly killsPerStage: number;
  readonly nodes: number;
  readonly podsMax: number;
  readonly seed: number;
  readonly profile: string;
  readonly convergeWithinMs: number;
  readonly etcd?: string;
  readonly json?: boolean;
}

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description(
      'Kill -9 every stage process mid-burst, in turn, on a live cluster, and check the properties',
    )
    .option('--kills-per-stage <n>', 'kills of each stage', positive('--kills-per-stage'), 10)
    .option('--nodes <m>', 'nodes (one kubelet process each)', positive('--nodes'), 2)
    .option('--pods-max <n>', 'largest load of a round', positive('--pods-max'), 60)
    .option('--seed <s>', 'seed of the loads and the moments of the kills', seedOption, 1)
    .option(
      '--profile <name>',
      'design-switch profile (hardened, artifact, with overrides)',
      'hardened',
    )
    .option(
      '--converge-within-ms <ms>',
      'bound on convergence after each kill',
      positive('--converge-within-ms'),
      30_000,
    )
    .option(
      '--etcd <url|local>',
      "keep the API's objects in etcd (its client URL, or local: a throwaway etcd-server) and kill the API Server's process too",
    )
    .option('--json', 'print one JSON object')
    .action(async (options: ChaosCliOptions) => {
      process.exitCode = await runChaosCli(options, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
    });
}

interface ChaosIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Exit code: 0 every round converged with no violation, 1 otherwise, 2 for a usage error. */
export async function runChaosCli(options: ChaosCliOptions, io: ChaosIo): Promise<number> {
  const [{ parseProfile }, { runChaos }, { startLocalEtcd }] = await Promise.all([
    import('../spec/types/profile-spec.js'),
    import('../checker/live/chaos.js'),
    import('../impl/apiserver/etcd/local-etcd.js'),
  ]);
  let etcdUrl: string | undefined;
  try {
    parseProfile(options.profile);
    if (options.etcd !== undefined && options.etcd !== 'local') etcdUrl = etcdOption(options.etcd);
  } catch (error) {
    io.err(`kd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let local: LocalEtcd | undefined;
  if (options.etcd === 'local') {
    try {
      local = await startLocalEtcd();
    } catch (error) {
      io.err(`kd: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    etcdUrl = local.url;
  }
  const slotsPerNode = Math.ceil((options.podsMax * 1.5) / options.nodes);
  const result = await runChaos({
    killsPerStage: options.killsPerStage,
    nodes: options.nodes,
    slotsPerNode,
    podsMax: options.podsMax,
    seed: options.seed,
    convergeWithinMs: options.convergeWithinMs,
    cutEveryMs: 100,
    profile: options.profile,
    ...(etcdUrl === undefined ? {} : { etcd: etcdUrl }),
    ...(options.json ? {} : { log: (line: string) => io.out(`${line}\n`) }),
  }).finally(() => local?.stop());
  io.out(options.json ? `${JSON.stringify(result)}\n` : `${summaryLines(result).join('\n')}\n`);
  return result.violations.length === 0 ? 0 : 1;
}

const summaryLines = (result: ChaosResult): string[] => {
  const converged = result.rounds.map((r) => r.convergedMs ?? 0).sort((a, b) => a - b);
  const at = (q: number) =>
    converged[Math.min(converged.length - 1, Math.floor(q * converged.length))] ?? 0;
  const kills = Object.entries(result.kills).map(([stage, n]) => `${stage} ${n}`);
  return [
    '',
    `kills: ${kills.join(', ')} (${Object.values(result.kills).reduce((a, b) => a + b, 0)} in all)`,
    `pods created: ${result.pods}; consistent cuts judged: ${result.cuts}${result.blindCuts > 0 ? ` (and ${result.blindCuts} with the API down, not judged)` : ''}; admissions judged for epoch-fencing: ${result.admissions}`,
    `at every quiescence: duplicated ${result.duplicated}, lost ${result.lost}, orphaned ${result.orphaned}`,
    `convergence after a kill: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${converged.at(-1) ?? 0} ms`,
    result.violations.length === 0
      ? 'violations: none'
      : `violations:\n${result.violations.map((v) => `  round ${v.round}: ${v.name}: ${v.message}`).join('\n')}`,
  ];
};
