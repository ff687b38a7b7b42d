/**
 * The simulated nodes' container runtimes, kept by the supervisor: a kubelet process that is
 * killed leaves its sandboxes running, and its next incarnation lists them, as on a real
 * node. Each runtime's events go to whichever process hosts the node's kubelet now.
 */
import type { NodeName, PodKey } from '../../../../spec/types/ids.js';
import type { Sandbox } from '../../../../spec/types/observation.js';
import { FakeSandbox, type SandboxEvent } from '../host/index.js';
import type { ToSupervisor } from '../process/ipc.js';

type SandboxRequest = Extract<ToSupervisor, { type: `sandbox.${string}` }>;

export class SimulatedNodes {
  private readonly runtimes = new Map<NodeName, FakeSandbox>();

  constructor(
    nodes: readonly NodeName[],
    startMs: number,
    deliver: (node: NodeName, event: SandboxEvent) => void,
  ) {
    for (const node of nodes) {
      const runtime = new FakeSandbox(startMs);
      runtime.onEvent((event) => deliver(node, event));
      this.runtimes.set(node, runtime);
    }
  }

  /** Carries out a kubelet's request; a list is answered with the pods running. */
  async handle(request: SandboxRequest): Promise<readonly PodKey[] | undefined> {
    const runtime = this.runtimes.get(request.node);
    if (!runtime) throw new Error(`no simulated node ${request.node}`);
    switch (request.type) {
      case 'sandbox.start':
        runtime.start(request.pod, request.spec);
        return undefined;
      case 'sandbox.stop':
        runtime.stop(request.pod);
        return undefined;
      case 'sandbox.list':
        return runtime.list();
    }
  }

  /** Every node's sandboxes now, for an observation. */
  sandboxes(): { node: NodeName; sandboxes: readonly Sandbox[] }[] {
    return [...this.runtimes].map(([node, runtime]) => ({ node, sandboxes: runtime.sandboxes() }));
  }

  close(): void {
    for (const runtime of this.runtimes.values()) runtime.close();
  }
}
