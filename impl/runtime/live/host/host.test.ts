/**
 * The five stages as stage hosts in one test process, each with its own transport on a
 * port of its own, against one in-process API Server seeded as the sim seeds a cluster:
 * a load of 20 pods ends with 20 Ready pods, in real time; a kubelet stopped and started
 * again (its sandboxes survive) takes the pods that fill its node.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type Config, HARDENED, PRESETS } from '../../../../spec/types/config.js';
import type { NodeName, StageId } from '../../../../spec/types/ids.js';
import { ApiServer, seedFunction, seedNodes } from '../../../apiserver/index.js';
import { isTemplatePod, toPodView } from '../../../k8s/index.js';
import { type Address, generateToken, StageTransport } from '../transport/index.js';
import { downstreamOf, FakeSandbox, InProcessApi, StageHost } from './index.js';

const NODES: readonly NodeName[] = ['n1', 'n2'];
const DEPLOYMENT = 'a/fn';
/** 20 pods fit on two nodes; 24 fill them, so both kubelets must take some. */
const SLOTS_PER_NODE = 12;
const CONFIG: Config = {
  preset: { ...PRESETS.up, initialLoad: 0 },
  profile: 'hardened',
  switches: HARDENED,
  mutant: null,
};
const STAGE_IDS: readonly StageId[] = [
  'autoscaler',
  'deployment',
  'replicaset',
  'scheduler',
  ...NODES.map((node): StageId => `kubelet/${node}`),
];

interface Running {
  readonly host: StageHost;
  readonly transport: StageTransport;
}

/** One cluster: the API Server, the shared token and address book, the nodes' runtimes. */
class Cluster {
  readonly api = new ApiServer({ now: () => Math.floor(performance.now()) });
  readonly token = generateToken();
  readonly book = new Map<StageId, Address>();
  readonly sandboxes = new Map(NODES.map((node) => [`kubelet/${node}`, new FakeSandbox(5)]));
  readonly running = new Map<StageId, Running>();
  readonly errors: unknown[] = [];
  /** The `applied` effects the hosts recorded, by kind. */
  readonly applied = new Map<string, number>();

  constructor() {
    seedNodes(this.api, NODES, SLOTS_PER_NODE);
    seedFunction(this.api, { namespace: 'a', name: 'fn' });
  }

  async startAll(): Promise<void> {
    const hosts = await Promise.all(STAGE_IDS.map((id) => this.open(id)));
    for (const host of hosts) await host.start();
  }

  /** Builds the host and its transport, listening (its address in the book), not started. */
  async open(id: StageId): Promise<StageHost> {
    let host: StageHost | undefined;
    const transport = new StageTransport({
      self: id,
      token: this.token,
      book: this.book,
      onMessage: (message) => host?.onMessage(message),
    });
    host = new StageHost(
      { id, config: CONFIG, mode: 'direct', downstream: downstreamOf(id, CONFIG, 'direct', NODES) },
      {
        api: new InProcessApi(this.api, id, () => Math.floor(performance.now())),
        transport,
        ...(this.sandboxes.has(id) ? { sandbox: this.sandboxes.get(id) as FakeSandbox } : {}),
        onApplied: (event) => this.applied.set(event.kind, (this.applied.get(event.kind) ?? 0) + 1),
        onError: (error) => this.errors.push(error),
      },
    );
    this.book.set(id, await transport.listen());
    this.running.set(id, { host, transport });
    return host;
  }

  /** A stage's process goes away: its host stops and its transport closes. */
  async kill(id: StageId): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    await running.host.stop();
    await running.transport.close();
  }

  host(id: StageId): StageHost {
    const running = this.running.get(id);
    if (!running) throw new Error(`${id} is not running`);
    return running.host;
  }

  /** How many of a stage's sends failed because the peer was gone or silent. */
  sendFailures(id: StageId): number {
    const counts = this.running.get(id)?.transport.counts();
    return (counts?.sendFailed.unreachable ?? 0) + (counts?.sendFailed.timeout ?? 0);
  }

  /** Ready pods not being deleted, on `node` or anywhere. */
  readyPods(node?: NodeName): number {
    const response = this.api.handle({ verb: 'list', kind: 'Pod', client: 'test' });
    if (!response.ok || !('items' in response)) return -1;
    const pods = (response.items as V1Pod[]).filter((pod) => !isTemplatePod(pod));
    return pods
      .map(toPodView)
      .filter((pod) => pod.ready && !pod.deleting && (node === undefined || pod.nodeName === node))
      .length;
  }

  async close(): Promise<void> {
    for (const id of [...this.running.keys()]) await this.kill(id);
    for (const sandbox of this.sandboxes.values()) sandbox.close();
  }
}

describe('stage hosts over real sockets', () => {
  const cluster = new Cluster();
  afterAll(() => cluster.close());

  it('scales a function to 20 Ready pods', async () => {
    await cluster.startAll();
    cluster.host('autoscaler').post({ type: 'load', deployment: DEPLOYMENT, load: 20 });
    await vi.waitFor(() => expect(cluster.readyPods()).toBe(20), { timeout: 15_000, interval: 20 });
    expect(cluster.errors).toEqual([]);
    expect(cluster.applied.size).toBeGreaterThan(0);
  });

  it('converges again after a kubelet is stopped and started', async () => {
    // The kubelet of the emptier node goes away; filling the cluster needs it back.
    const [node] = [...NODES].sort((a, b) => cluster.readyPods(a) - cluster.readyPods(b));
    const kubelet: StageId = `kubelet/${node as NodeName}`;
    const before = cluster.readyPods(node);
    await cluster.kill(kubelet);
    cluster.host('autoscaler').post({ type: 'load', deployment: DEPLOYMENT, load: 24 });
    // The scheduler binds pods to the dead kubelet, fails and drops the link (link.down).
    await vi.waitFor(() => expect(cluster.sendFailures('scheduler')).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 5,
    });
    const host = await cluster.open(kubelet);
    await host.start();
    await vi.waitFor(() => expect(cluster.readyPods()).toBe(24), { timeout: 20_000, interval: 20 });
    expect(cluster.readyPods(node)).toBe(SLOTS_PER_NODE);
    expect(before).toBeLessThan(SLOTS_PER_NODE);
    expect(cluster.errors).toEqual([]);
  });
});
