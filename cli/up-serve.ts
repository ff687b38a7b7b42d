// `kd up` once its options are read: start the live cluster, serve the control endpoint,
// write up.json, print where everything is, log what happens to the processes, and on the
// stop signal stop it all and remove what it wrote. Loaded lazily by up.command.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { kubeConfigFromFile } from '../impl/k8s/client.js';
import { type ClusterEvent, LiveCluster } from '../impl/runtime/live/cluster/cluster.js';
import { serveControl } from '../impl/runtime/live/cluster/control.js';
import { removeUpState, upStatePath, writeUpState } from '../impl/runtime/live/cluster/up-state.js';
import { generateToken } from '../impl/runtime/live/transport/index.js';
import { objectKey } from '../spec/types/ids.js';
import { reportError } from './live-options.js';
import type { StopSignal, UpIo, UpPlan } from './up.command.js';
import { eventLine, readyLines } from './up-lines.js';

const exitCodeOf = (signal: StopSignal): number => (signal === 'SIGINT' ? 130 : 0);

/** The time of day (UTC, to the ms) that starts each log line. */
const stamp = (): string => new Date().toISOString().slice(11, 23);

export const serveUp = async (plan: UpPlan, io: UpIo): Promise<number> => {
  const startMs = performance.now();
  const startedAt = new Date().toISOString();
  const functions = plan.functions.map((fn) => objectKey(fn.namespace, fn.name));
  const cluster: LiveCluster = new LiveCluster({
    dir: plan.dir,
    nodes: plan.nodes,
    slotsPerNode: plan.slotsPerNode,
    functions: plan.functions,
    profile: plan.profile,
    mode: plan.mode,
    kubeletProcesses: plan.kubeletProcesses,
    apiPort: plan.apiPort,
    ...(plan.kubeconfig === undefined ? {} : { kubeconfig: plan.kubeconfig }),
    ...(plan.etcd === undefined ? {} : { etcd: plan.etcd }),
    onEvent: (event) => logEvent(cluster, event, io.out),
  });
  io.out(
    `kd up: starting ${plan.nodes.length} nodes × ${plan.slotsPerNode} pods, ` +
      `${functions.length} functions (${rangeText(functions)}), mode ${plan.mode}, ` +
      `profile ${plan.profile}, in ${plan.dir}\n`,
  );
  // Ready once every stage serves: a load set before the handshakes would wait for them.
  const started = cluster
    .start()
    .then(() => cluster.whenServing())
    .then(() => 'ready' as const);
  let first: 'ready' | StopSignal;
  try {
    first = await Promise.race([started, io.stopSignal]);
  } catch (error) {
    const code = reportError(error, io.err);
    await stopAll(cluster, plan, io);
    return code;
  }
  if (first !== 'ready') {
    // A process forked after a stop would be left behind: the start ends first (bounded by
    // the supervisor's readiness timeout), then everything stops.
    io.out(`kd up: ${first} while starting; stopping once the processes are up\n`);
    await started.catch(() => undefined);
    await stopAll(cluster, plan, io);
    return exitCodeOf(first);
  }
  const token = generateToken();
  const control = await serveControl(cluster, { functions, token });
  writeUpState(plan.dir, {
    pid: process.pid,
    control: control.url,
    token,
    kubeconfig: cluster.kubeconfig,
    functions,
    nodes: [...plan.nodes],
    startedAt,
  });
  const lines = readyLines({
    apiUrl: cluster.api?.endpoint.url ?? serverOf(cluster.kubeconfig),
    embedded: cluster.api !== null,
    ...(plan.etcd === undefined ? {} : { etcd: plan.etcd, apiPid: cluster.apiProcess?.pid }),
    kubeconfig: cluster.kubeconfig,
    control: control.url,
    stateFile: upStatePath(plan.dir),
    processes: cluster.processes.map((p) => ({ name: p.name, pid: p.pid, stages: p.plan.stages })),
    book: cluster.book,
    startMs: performance.now() - startMs,
  });
  io.out(`${lines.join('\n')}\n`);
  const signal = await io.stopSignal;
  const count = cluster.processes.length + (cluster.apiProcess === null ? 0 : 1);
  io.out(`kd up: ${signal}, stopping ${count} processes\n`);
  await control.close();
  await stopAll(cluster, plan, io);
  return exitCodeOf(signal);
};

const stopAll = async (cluster: LiveCluster, plan: UpPlan, io: UpIo): Promise<void> => {
  await cluster.stop();
  removeUpState(plan.dir, process.pid);
  // The embedded endpoint's kubeconfig names a server that is gone now.
  if (plan.kubeconfig === undefined) rmSync(join(plan.dir, 'kubeconfig'), { force: true });
  io.out('kd up: stopped\n');
};

const logEvent = (cluster: LiveCluster, event: ClusterEvent, out: (text: string) => void) => {
  const pid =
    event.type === 'ready'
      ? [...cluster.processes, cluster.apiProcess].find((p) => p?.name === event.process)?.pid
      : undefined;
  const line = eventLine(event, pid);
  if (line) out(`${stamp()} ${line}\n`);
};

/** `kd/fn-1`, or `kd/fn-1 … kd/fn-4`. */
const rangeText = (keys: readonly string[]): string =>
  keys.length <= 2 ? keys.join(', ') : `${keys[0]} … ${keys.at(-1)}`;

/** The server a real cluster's kubeconfig names, for the banner. */
const serverOf = (kubeconfig: string): string =>
  kubeConfigFromFile(kubeconfig).getCurrentCluster()?.server ?? kubeconfig;
