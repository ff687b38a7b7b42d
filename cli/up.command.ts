// `kd up`: a live cluster that keeps running: the API (the embedded endpoint, or a real
// cluster through --kubeconfig), the stages as OS processes over real sockets, and a control
// endpoint through which `kd load` sets the load. It stops every process on SIGINT or
// SIGTERM. What it is and the files it writes: docs/live.md, "kd up and kd load".
//
// The live runtime is loaded lazily inside the action, so `kd --help` stays fast.
import type { Command } from 'commander';
import type { FunctionSpec } from '../spec/types/config.js';
import type { NodeName } from '../spec/types/ids.js';
import { countOption, dirOption, etcdOption, reportError, UsageError } from './live-options.js';

export interface UpCliOptions {
  readonly nodes: string;
  readonly slots: string;
  readonly functions: string;
  readonly mode: string;
  readonly profile: string;
  readonly kubeletProcesses?: string;
  readonly apiPort: string;
  readonly kubeconfig?: string;
  readonly etcd?: string;
  readonly dir?: string;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface UpIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The first SIGINT or SIGTERM. */
  readonly stopSignal: Promise<StopSignal>;
}

/** What `kd up` runs, once its options are read. */
export interface UpPlan {
  readonly nodes: readonly NodeName[];
  readonly slotsPerNode: number;
  readonly functions: readonly FunctionSpec[];
  readonly mode: 'direct' | 'api';
  readonly profile: string;
  readonly kubeletProcesses: number;
  readonly apiPort: number;
  readonly kubeconfig?: string;
  /** etcd's client URL: the embedded API keeps its objects there, as a process of its own. */
  readonly etcd?: string;
  readonly dir: string;
}

/** Kubelets share processes beyond this many nodes: a process costs ~100 MB of memory. */
const KUBELET_PROCESSES_DEFAULT_MAX = 8;

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Run a live cluster (stages as processes, an API over HTTP) until Ctrl-C')
    .option('--nodes <n>', 'simulated nodes, named n1..nN', '4')
    .option('--slots <s>', "pods per node (Kubernetes' default max pods)", '110')
    .option('--functions <f>', 'functions kd/fn-1..kd/fn-F, in namespace kd', '4')
    .option('--mode <mode>', 'direct (KubeDirect) or api (the vanilla path)', 'direct')
    .option(
      '--profile <name>',
      'design-switch profile: hardened | artifact, optionally with switches set otherwise (hardened:autoscalerLink=direct)',
      'hardened',
    )
    .option(
      '--kubelet-processes <k>',
      `processes the kubelets are spread over (default: one per node, at most ${KUBELET_PROCESSES_DEFAULT_MAX})`,
    )
    .option('--api-port <p>', "the embedded API endpoint's port (0: any free one)", '0')
    .option('--kubeconfig <file>', 'a real cluster instead of the embedded endpoint')
    .option(
      '--etcd <url>',
      "keep the embedded endpoint's objects in etcd (its client URL); the API then runs as a process of its own",
    )
    .option('--dir <dir>', 'state directory (default: <tmpdir>/kd-up-<uid>)')
    .action(async (options: UpCliOptions) => {
      const io = {
        out: (text: string) => process.stdout.write(text),
        err: (text: string) => process.stderr.write(text),
      };
      const code = await runUp(options, { ...io, stopSignal: firstStopSignal(io.err) });
      // Every process is stopped by now; a timer of a failed start must not keep kd up alive.
      process.exit(code);
    });
}

/** The first SIGINT or SIGTERM; a second one exits at once (the stages exit with it). */
const firstStopSignal = (err: (text: string) => void): Promise<StopSignal> =>
  new Promise((resolve) => {
    let received = false;
    const on = (signal: StopSignal) => {
      if (received) {
        err(`kd up: ${signal} again, exiting without waiting for the processes\n`);
        // As a shell reports a death by that signal; the stages exit with their channel.
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

/** Exit code: 130 after SIGINT, 0 after SIGTERM, 1 if the cluster failed, 2 usage error. */
export async function runUp(options: UpCliOptions, io: UpIo): Promise<number> {
  let plan: UpPlan;
  try {
    plan = await upPlanOf(options);
    await claimDir(plan.dir, io.err);
  } catch (error) {
    return reportError(error, io.err);
  }
  const { serveUp } = await import('./up-serve.js');
  return serveUp(plan, io);
}

export const upPlanOf = async (options: UpCliOptions): Promise<UpPlan> => {
  if (options.mode !== 'direct' && options.mode !== 'api')
    throw new UsageError(`unknown mode '${options.mode}' (known: direct, api)`);
  const { parseProfile } = await import('../spec/types/profile-spec.js');
  try {
    parseProfile(options.profile);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const nodeCount = countOption('--nodes', options.nodes, 1, 1_000);
  const nodes = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
  const functionCount = countOption('--functions', options.functions, 1, 1_000);
  const apiPort = countOption('--api-port', options.apiPort, 0, 65_535);
  if (options.kubeconfig !== undefined && apiPort !== 0)
    throw new UsageError("--api-port is the embedded endpoint's; --kubeconfig names another API");
  if (options.kubeconfig !== undefined && options.etcd !== undefined)
    throw new UsageError(
      "--etcd is the embedded endpoint's storage; --kubeconfig names another API",
    );
  if (options.kubeconfig !== undefined) await checkKubeconfig(options.kubeconfig);
  return {
    nodes,
    slotsPerNode: countOption('--slots', options.slots, 1, 10_000),
    functions: Array.from({ length: functionCount }, (_, i) => ({
      namespace: 'kd',
      name: `fn-${i + 1}`,
    })),
    mode: options.mode,
    profile: options.profile,
    kubeletProcesses:
      options.kubeletProcesses === undefined
        ? Math.min(nodeCount, KUBELET_PROCESSES_DEFAULT_MAX)
        : Math.min(
            countOption('--kubelet-processes', options.kubeletProcesses, 1, 1_000),
            nodeCount,
          ),
    apiPort,
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.etcd === undefined ? {} : { etcd: etcdOption(options.etcd) }),
    dir: await dirOption(options.dir),
  };
};

const checkKubeconfig = async (file: string): Promise<void> => {
  const { kubeConfigFromFile } = await import('../impl/k8s/client.js');
  try {
    kubeConfigFromFile(file);
  } catch (error) {
    throw new UsageError(`--kubeconfig: ${(error as Error).message}`);
  }
};

/**
 * Makes `dir` kd up's own: created if missing, refused while another kd up runs in it (its
 * up.json names a live pid); a stale up.json is replaced once this one is ready.
 */
const claimDir = async (dir: string, err: (text: string) => void): Promise<void> => {
  const { ensureUpDir, isAlive, readUpState, upStatePath } = await import(
    '../impl/runtime/live/cluster/up-state.js'
  );
  try {
    ensureUpDir(dir);
  } catch (error) {
    throw new UsageError(`cannot use --dir ${dir}: ${(error as Error).message}`);
  }
  let state: ReturnType<typeof readUpState>;
  try {
    state = readUpState(dir);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; remove it or pass --dir`);
  }
  if (state && isAlive(state.pid))
    throw new UsageError(
      `kd up is already running (pid ${state.pid}, dir ${dir}); stop it or pass --dir`,
    );
  if (state) err(`kd up: replacing ${upStatePath(dir)} of pid ${state.pid}, which is gone\n`);
};
