/**
 * A live cluster, as `kd up` runs it: the API (the embedded endpoint in the supervisor;
 * with etcd, the same endpoint as a process of its own, restarted from etcd when it dies;
 * or a real cluster through a kubeconfig), the simulated nodes' container runtimes, and the stages as OS
 * processes, each listening on a fixed loopback port with one shared token. The supervisor
 * restarts a stage process that dies (a crash is a fresh incarnation: the stages recover
 * from the API and their neighbours, protocol.md §5), keeps the load and tells it again to a
 * restarted autoscaler, as the metrics pipeline would.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from '../../../../spec/types/config.js';
import type { Epoch, LinkId, NodeName, ObjectKey, StageId } from '../../../../spec/types/ids.js';
import type { AppliedEvent } from '../../../../spec/types/observation.js';
import { EtcdClient } from '../../../apiserver/etcd/client.js';
import { DEFAULT_PREFIX } from '../../../apiserver/etcd/durable.js';
import { kubeConfigFromFile } from '../../../k8s/client.js';
import type { Mode, StageReport } from '../../../stages/io.js';
import { API_PLAN_VARIABLE, type ApiPlan, type FromApiProcess } from '../api-process/plan.js';
import { downstreamOf } from '../host/index.js';
import { Asks } from '../process/channel.js';
import type { ToSupervisor } from '../process/ipc.js';
import { configOf, type ProcessPlan } from '../process/plan.js';
import { type Address, type CountersSnapshot, generateToken } from '../transport/index.js';
import { type EmbeddedApi, startEmbeddedApi, writeKubeConfig } from './embedded-api.js';
import { ForkedChild } from './forked-child.js';
import { addressesFor, freePorts, layoutOf } from './layout.js';
import { SimulatedNodes } from './nodes.js';
import { seedOverApi } from './seed.js';
import { StageChild } from './stage-child.js';

export interface LiveClusterOptions {
  /** Where the kubeconfig of the embedded endpoint is written. */
  readonly dir: string;
  readonly nodes: readonly NodeName[];
  readonly slotsPerNode: number;
  readonly functions: readonly FunctionSpec[];
  /** `kd --profile` syntax. */
  readonly profile: string;
  readonly mode: Mode;
  /** A real cluster's kubeconfig; absent: the embedded endpoint. */
  readonly kubeconfig?: string;
  /** The embedded endpoint's port (default 0: a free one). */
  readonly apiPort?: number;
  /**
   * etcd's client URL: the embedded endpoint keeps its objects there and runs as a process
   * of its own (`apiserver`), which can be killed and comes back with them.
   */
  readonly etcd?: string;
  /** Where in etcd (default `/kd/registry/`). */
  readonly etcdPrefix?: string;
  /** Default: one process per node. */
  readonly kubeletProcesses?: number;
  /** How long a simulated sandbox takes to start (default 5 ms). */
  readonly sandboxStartMs?: number;
  /** The pause before a dead stage process is started again (default 200 ms). */
  readonly restartDelayMs?: number;
  /** Told each stage's `applied` events and sent handshakes (turns on their recording). */
  readonly recorder?: LiveRecorder;
  /** What happens to the processes, for a log. */
  readonly onEvent?: (event: ClusterEvent) => void;
}

export type ClusterEvent =
  | { readonly type: 'ready'; readonly process: string; readonly starts: number }
  | {
      readonly type: 'exited';
      readonly process: string;
      readonly code: number | null;
      readonly signal: string | null;
      readonly stderr: string;
    }
  | { readonly type: 'fault'; readonly stage: StageId; readonly message: string };

/** The process that serves the API when the cluster keeps its objects in etcd. */
export const API_PROCESS = 'apiserver' as const;
const API_MAIN = fileURLToPath(new URL('../api-process/main.ts', import.meta.url));
const GC_EVERY_MS = 100;

/** What can be killed: a stage (its process) or the API Server's process. */
export type KillTarget = StageId | typeof API_PROCESS;

// biome-ignore lint/suspicious/noExplicitAny: the children differ only in their messages
type AnyChild = ForkedChild<any, any>;

type ProcessReports = Pick<Extract<ToSupervisor, { type: 'reports' }>, 'reports' | 'transports'>;
const NO_REPORTS: ProcessReports = { reports: {}, transports: {} };

export interface StageStatus {
  readonly reports: ReadonlyMap<StageId, StageReport>;
  readonly transports: ReadonlyMap<StageId, CountersSnapshot>;
}

/** A stage process that dies this many times in a row before it is ready is not restarted. */
const FAILED_STARTS_MAX = 5;
const READY_TIMEOUT_MS = 60_000;
const SERVING_TIMEOUT_MS = 60_000;
/** A process that does not answer within this is left out of a report (it is dying). */
const REPORT_TIMEOUT_MS = 2_000;

/** What a checked run records of the stages, from the runtime (not the stages' memory). */
export interface LiveRecorder {
  /** An event `stage` applied, in the incarnation the observation shows for it. */
  applied(stage: StageId, event: AppliedEvent, incarnation: number): void;
  /** A handshake as it left its client. */
  handshake(link: LinkId, epoch: Epoch): void;
  /** A handshake reply as it left its server, in that server's incarnation. */
  reply(link: LinkId, epoch: Epoch, incarnation: number): void;
}

export class LiveCluster {
  private embedded: EmbeddedApi | null = null;
  private apiChild: ForkedChild<FromApiProcess> | null = null;
  private nodes: SimulatedNodes | null = null;
  private readonly children = new Map<string, StageChild>();
  private readonly hostOf = new Map<StageId, StageChild>();
  private readonly ready = new Set<AnyChild>();
  private readonly waiting = new Map<AnyChild, (() => void)[]>();
  private readonly failedStarts = new Map<AnyChild, number>();
  private readonly load = new Map<ObjectKey, number>();
  private readonly reportAsks = new Asks<ProcessReports>();
  private stopped = false;
  /** The kubeconfig file the stages (and kubectl) use. */
  kubeconfig = '';
  book: Readonly<Partial<Record<StageId, Address>>> = {};

  constructor(readonly options: LiveClusterOptions) {}

  /** The embedded API Server (null against a real cluster). */
  get api(): EmbeddedApi | null {
    return this.embedded;
  }

  get processes(): readonly StageChild[] {
    return [...this.children.values()];
  }

  /** The API Server's own process (only with etcd). */
  get apiProcess(): ForkedChild<FromApiProcess> | null {
    return this.apiChild;
  }

  async start(): Promise<void> {
    const { options } = this;
    if (options.kubeconfig) this.kubeconfig = options.kubeconfig;
    else if (options.etcd) {
      const url = await this.startApiProcess(options.etcd);
      this.kubeconfig = join(options.dir, 'kubeconfig');
      writeKubeConfig(this.kubeconfig, url);
    } else {
      this.embedded = await startEmbeddedApi(
        options.apiPort === undefined ? {} : { port: options.apiPort },
      );
      this.kubeconfig = join(options.dir, 'kubeconfig');
      writeKubeConfig(this.kubeconfig, this.embedded.endpoint.url);
    }
    await seedOverApi(kubeConfigFromFile(this.kubeconfig), options);
    this.nodes = new SimulatedNodes(options.nodes, options.sandboxStartMs ?? 5, (node, event) =>
      this.hostOf.get(`kubelet/${node}`)?.send({ type: 'sandbox.event', node, event }),
    );
    const layout = layoutOf(options.nodes, options.kubeletProcesses);
    this.book = await addressesFor(layout);
    const token = generateToken();
    for (const { name, stages } of layout) {
      const plan: ProcessPlan = {
        stages,
        book: this.book,
        token,
        kubeconfig: this.kubeconfig,
        profile: options.profile,
        mode: options.mode,
        nodes: options.nodes,
        record: options.recorder !== undefined,
      };
      const child: StageChild = new StageChild(name, plan, {
        onMessage: (message) => this.onMessage(child, message),
        onExit: (code, signal, stderr) => this.onExit(child, code, signal, stderr),
      });
      this.children.set(name, child);
      for (const stage of stages) this.hostOf.set(stage, child);
    }
    for (const child of this.children.values()) child.start();
    await Promise.all([...this.children.values()].map((child) => this.whenReady(child)));
  }

  /**
   * Starts the API Server's process on a port it keeps across restarts; returns its URL.
   * etcd is asked first, and a first start that fails is an error with the process's own
   * words, not a wait for readiness.
   */
  private async startApiProcess(etcd: string): Promise<string> {
    const prefix = this.options.etcdPrefix ?? DEFAULT_PREFIX;
    await new EtcdClient(etcd).range(prefix);
    const port = this.options.apiPort || ((await freePorts('127.0.0.1', 1))[0] as number);
    const plan: ApiPlan = { port, etcd, prefix, gcEveryMs: GC_EVERY_MS };
    let firstStart: { resolve: () => void; reject: (error: Error) => void } | null = null;
    const child: ForkedChild<FromApiProcess> = new ForkedChild(
      API_PROCESS,
      API_MAIN,
      () => ({ [API_PLAN_VARIABLE]: JSON.stringify(plan) }),
      {
        onMessage: () => {
          firstStart?.resolve();
          this.onReady(child);
        },
        onExit: (code, signal, stderr) => {
          firstStart?.reject(
            new Error(stderr.trim() || `the API process exited (${code ?? signal})`),
          );
          this.onExit(child, code, signal, stderr);
        },
      },
    );
    this.apiChild = child;
    await new Promise<void>((resolve, reject) => {
      firstStart = { resolve, reject };
      child.start();
    });
    firstStart = null;
    return `http://127.0.0.1:${port}`;
  }

  /** Sets a function's load (the autoscaler's input), now and after its restarts. */
  setLoad(deployment: ObjectKey, load: number): void {
    this.load.set(deployment, load);
    this.hostOf.get('autoscaler')?.send({ type: 'load', deployment, load });
  }

  /** The load of every function it was set for. */
  loads(): Record<ObjectKey, number> {
    return Object.fromEntries(this.load);
  }

  /** How many times the process hosting `stage` was started (its incarnation, unleased). */
  startsOf(stage: StageId): number {
    return this.hostOf.get(stage)?.starts ?? 0;
  }

  /** The servers `client` keeps a direct link to, as the stages are wired. */
  downstreamOf(client: StageId): StageId[] {
    const { nodes, mode } = this.options;
    return downstreamOf(client, configOf(this.options), mode, nodes);
  }

  /** Kills the process of `target` with SIGKILL; the supervisor starts it again. */
  kill(target: KillTarget): void {
    const child = this.childOf(target);
    if (!child) throw new Error(`no process for ${target}`);
    this.ready.delete(child);
    child.kill('SIGKILL');
  }

  /**
   * Kills every process at once, for a Ctrl-C that ends the supervisor before `stop` can run:
   * the stages ignore SIGINT, and were seen to outlive a supervisor interrupted so.
   */
  killAll(): void {
    for (const child of this.children.values()) child.kill('SIGKILL');
    this.apiChild?.kill('SIGKILL');
  }

  /** Resolves once the process that hosts `stage` (all of them, without one) is ready. */
  async whenReady(target?: KillTarget | AnyChild): Promise<void> {
    const children =
      target === undefined
        ? [...this.children.values()]
        : [typeof target === 'string' ? this.childOf(target) : target];
    await Promise.all(
      children.map((child) => {
        if (!child || this.ready.has(child)) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${child.name} not ready within ${READY_TIMEOUT_MS / 1000} s`)),
            READY_TIMEOUT_MS,
          );
          this.waiting.set(child, [
            ...(this.waiting.get(child) ?? []),
            () => {
              clearTimeout(timer);
              resolve();
            },
          ]);
        });
      }),
    );
  }

  private childOf(target: KillTarget): AnyChild | undefined {
    return target === API_PROCESS ? (this.apiChild ?? undefined) : this.hostOf.get(target);
  }

  /**
   * Resolves once every stage serves (its informers synced, its links to its servers
   * connected): a load set earlier would wait for the handshakes. Rejects after `timeoutMs`.
   */
  async whenServing(timeoutMs = SERVING_TIMEOUT_MS): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const stages = Object.keys(this.book).length;
    while (performance.now() < deadline) {
      const { reports } = await this.reports();
      const serving = [...reports.values()].filter((r) => r.phase === 'serving').length;
      if (serving === stages) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the stages did not all serve within ${timeoutMs / 1000} s`);
  }

  /** Every running stage's report and transport counters now (a dead one gives none). */
  reports(): Promise<StageStatus> {
    return this.askReports(false);
  }

  /**
   * A consistent cut: every running stage's report, taken while the stages hold still (each
   * takes no input from its answer on), and `read()` of what the supervisor holds itself
   * (the API, the nodes' runtimes), made before they move again. Requests already on their
   * way still land meanwhile, as they may in any state of the sim.
   */
  async cut<T>(
    read: () => T | Promise<T>,
  ): Promise<{ readonly status: StageStatus; readonly read: T }> {
    const frozen = this.readyStages();
    try {
      const status = await this.askReports(true, frozen);
      return { status, read: await read() };
    } finally {
      for (const child of frozen) child.send({ type: 'thaw' });
    }
  }

  private readyStages(): StageChild[] {
    return [...this.ready].filter((child): child is StageChild => child instanceof StageChild);
  }

  private async askReports(freeze: boolean, children = this.readyStages()): Promise<StageStatus> {
    const answers = await Promise.all(
      children.map((child) =>
        Promise.race([
          this.reportAsks.ask((ask) => child.send({ type: 'reports', ask, freeze })),
          new Promise<ProcessReports>((resolve) =>
            setTimeout(() => resolve(NO_REPORTS), REPORT_TIMEOUT_MS),
          ),
        ]),
      ),
    );
    const entries = <T>(pick: (answer: ProcessReports) => Readonly<Partial<Record<StageId, T>>>) =>
      new Map(answers.flatMap((answer) => Object.entries(pick(answer)) as [StageId, T][]));
    return { reports: entries((a) => a.reports), transports: entries((a) => a.transports) };
  }

  /** Every simulated node's sandboxes now. */
  sandboxes(): ReturnType<SimulatedNodes['sandboxes']> {
    return this.nodes?.sandboxes() ?? [];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.children.values()].map((child) => child.stop()));
    this.nodes?.close();
    await this.apiChild?.stop();
    await this.embedded?.close();
  }

  private onMessage(child: StageChild, message: ToSupervisor): void {
    switch (message.type) {
      case 'ready':
        this.onReady(child);
        break;
      case 'sandbox.start':
      case 'sandbox.stop':
        void this.nodes?.handle(message);
        break;
      case 'sandbox.list':
        void this.nodes
          ?.handle(message)
          .then((pods) =>
            child.send({ type: 'sandbox.listed', ask: message.ask, pods: pods ?? [] }),
          );
        break;
      case 'applied':
        this.options.recorder?.applied(message.stage, message.event, message.incarnation);
        break;
      case 'handshake':
        this.options.recorder?.handshake(message.link, message.epoch);
        break;
      case 'reply':
        this.options.recorder?.reply(message.link, message.epoch, message.incarnation);
        break;
      case 'reports':
        this.reportAsks.answer(message.ask, message);
        break;
      case 'fault':
        this.options.onEvent?.({ type: 'fault', stage: message.stage, message: message.message });
        break;
    }
  }

  private onReady(child: AnyChild): void {
    this.ready.add(child);
    this.failedStarts.delete(child);
    if (child instanceof StageChild && child.plan.stages.includes('autoscaler'))
      for (const [deployment, load] of this.load) child.send({ type: 'load', deployment, load });
    this.options.onEvent?.({ type: 'ready', process: child.name, starts: child.starts });
    for (const resolve of this.waiting.get(child) ?? []) resolve();
    this.waiting.delete(child);
  }

  private onExit(
    child: AnyChild,
    code: number | null,
    signal: NodeJS.Signals | null,
    stderr: string,
  ): void {
    const wasReady = this.ready.delete(child);
    this.options.onEvent?.({ type: 'exited', process: child.name, code, signal, stderr });
    if (this.stopped) return;
    const failed = wasReady ? 0 : (this.failedStarts.get(child) ?? 0) + 1;
    this.failedStarts.set(child, failed);
    if (failed >= FAILED_STARTS_MAX) return;
    setTimeout(() => {
      if (!this.stopped && !child.running) child.start();
    }, this.options.restartDelayMs ?? 200);
  }
}
