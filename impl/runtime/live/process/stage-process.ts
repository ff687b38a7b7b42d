/**
 * One stage process: the stages its plan names, each a `StageHost` with its own transport
 * (listening on the address the plan gives it, so a restarted process is found where its
 * peers expect it) and its own client-node adapter (the API named by the plan's
 * kubeconfig). Kubelets reach their node's runtime and the autoscaler hears the load over
 * the supervisor's channel. Each stage starts as a fresh incarnation: nothing survives a
 * process but what the API Server and the node's runtime keep.
 */
import {
  linkId,
  nodeOfKubelet,
  type PodKey,
  type StageId,
  stageKindOf,
} from '../../../../spec/types/ids.js';
import { createKubeAdapter, type KubeAdapter } from '../../../k8s/adapter/index.js';
import { kubeConfigFromFile } from '../../../k8s/client.js';
import type { StageReport } from '../../../stages/io.js';
import { STAGES } from '../../../stages/registry.js';
import { listensToProgress } from '../../stage-io/index.js';
import { type ApiPort, downstreamOf, type MessagePort, StageHost } from '../host/index.js';
import { type AddressBook, StageTransport } from '../transport/index.js';
import { Asks, type SupervisorChannel } from './channel.js';
import type { ToStage } from './ipc.js';
import { IpcSandbox } from './ipc-sandbox.js';
import { addressOf, configOf, type ProcessPlan } from './plan.js';

interface HostedStage {
  readonly host: StageHost;
  readonly transport: StageTransport;
  readonly adapter: KubeAdapter;
}

export interface RunningProcess {
  /** Stops every stage (a clean shutdown; a crash is the process's death). */
  stop(): Promise<void>;
}

/** The adapter as the host's API port: one informer run per incarnation. */
const apiPortOf = (adapter: KubeAdapter): ApiPort => ({
  request: (effect) => adapter.request(effect),
  startInformers: async (onEvent) => {
    const run = await adapter.startInformers(onEvent);
    return async () => run.stop();
  },
});

/** `start`: how many times the supervisor has started this process, this time included. */
export const runStageProcess = async (
  plan: ProcessPlan,
  channel: SupervisorChannel,
  start = 1,
): Promise<RunningProcess> => {
  const config = configOf(plan);
  const kubeConfig = kubeConfigFromFile(plan.kubeconfig);
  const book: AddressBook = new Map(
    Object.entries(plan.book) as [StageId, { host: string; port: number }][],
  );
  const lists = new Asks<readonly PodKey[]>();
  const sandboxes = new Map<string, IpcSandbox>();
  const stages = new Map<StageId, HostedStage>();

  const fault = (stage: StageId) => (error: unknown) => {
    channel.send({
      type: 'fault',
      stage,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    // A host that could not execute an effect is broken: die as a crashed stage does.
    setImmediate(() => process.exit(70));
  };

  for (const id of plan.stages) {
    const node = nodeOfKubelet(id);
    const sandbox = node === null ? undefined : new IpcSandbox(node, channel, lists);
    if (node !== null && sandbox) sandboxes.set(node, sandbox);
    const adapter = createKubeAdapter({
      kubeConfig,
      stage: id,
      progress: listensToProgress(id, config, plan.mode),
    });
    let host: StageHost | undefined;
    // As an observation shows it: a leased stage's from its Lease, the others' the count of
    // their process's starts (the sim counts restarts the same way).
    const incarnation = () =>
      (host?.current && STAGES[stageKindOf(id)].report(host.current).incarnation) ?? start;
    const transport = new StageTransport({
      self: id,
      token: plan.token,
      book,
      ...addressOf(plan, id),
      onMessage: (message) => host?.onMessage(message),
      onConnectionLost: (server) => host?.onConnectionLost(server),
    });
    host = new StageHost(
      { id, config, mode: plan.mode, downstream: downstreamOf(id, config, plan.mode, plan.nodes) },
      {
        api: apiPortOf(adapter),
        transport: plan.record ? noteSessions(transport, channel, incarnation) : transport,
        ...(sandbox ? { sandbox } : {}),
        ...(plan.record
          ? {
              onApplied: (event) =>
                channel.send({ type: 'applied', stage: id, event, incarnation: incarnation() }),
            }
          : {}),
        onError: fault(id),
      },
    );
    stages.set(id, { host, transport, adapter });
  }

  channel.onMessage((message: ToStage) => {
    switch (message.type) {
      case 'load':
        stages
          .get('autoscaler')
          ?.host.post({ type: 'load', deployment: message.deployment, load: message.load });
        break;
      case 'sandbox.event':
        sandboxes.get(message.node)?.deliver(message.event);
        break;
      case 'sandbox.listed':
        lists.answer(message.ask, message.pods);
        break;
      case 'reports':
        if (message.freeze) for (const stage of stages.values()) stage.host.pause();
        channel.send({
          type: 'reports',
          ask: message.ask,
          reports: reportsOf(stages),
          transports: Object.fromEntries(
            [...stages].map(([id, stage]) => [id, stage.transport.counts()]),
          ),
        });
        break;
      case 'thaw':
        for (const stage of stages.values()) stage.host.resume();
        break;
    }
  });

  const addresses = [];
  for (const [id, stage] of stages) addresses.push({ id, address: await stage.transport.listen() });
  await Promise.all([...stages.values()].map((stage) => stage.host.start()));
  channel.send({ type: 'ready', stages: addresses });

  return {
    stop: async () => {
      for (const stage of stages.values()) {
        await stage.host.stop();
        stage.adapter.close();
        await stage.transport.close();
      }
    },
  };
};

/**
 * The transport, telling the supervisor of each handshake and each handshake reply as it
 * leaves: the runtime's record of the sessions, not the stages' word.
 */
const noteSessions = (
  transport: StageTransport,
  channel: SupervisorChannel,
  incarnation: () => number,
): MessagePort => ({
  send: (message) => {
    if (message.type.endsWith('.handshake'))
      channel.send({
        type: 'handshake',
        link: linkId(message.source, message.destination),
        epoch: message.epoch,
      });
    else if (message.type.endsWith('.handshakeReply'))
      channel.send({
        type: 'reply',
        link: linkId(message.destination, message.source),
        epoch: message.epoch,
        incarnation: incarnation(),
      });
    return transport.send(message);
  },
  countStageRefusal: (reply) => transport.countStageRefusal(reply),
});

/** Each hosted stage's report now (a stage not yet started has none). */
const reportsOf = (
  stages: ReadonlyMap<StageId, HostedStage>,
): Partial<Record<StageId, StageReport>> => {
  const reports: Partial<Record<StageId, StageReport>> = {};
  for (const [id, { host }] of stages)
    if (host.current) reports[id] = STAGES[stageKindOf(id)].report(host.current);
  return reports;
};
