/**
 * A kubelet's container runtime as seen from its stage process: the simulated node's
 * runtime lives in the supervisor (a kill -9 of the kubelet leaves its sandboxes running,
 * as on a real node) and is reached over the IPC channel.
 */
import type { NodeName, PodKey } from '../../../../spec/types/ids.js';
import type { SandboxEvent, SandboxPort, SandboxSpec } from '../host/index.js';
import type { Asks, SupervisorChannel } from './channel.js';

export class IpcSandbox implements SandboxPort {
  private readonly listeners = new Set<(event: SandboxEvent) => void>();

  constructor(
    private readonly node: NodeName,
    private readonly channel: SupervisorChannel,
    private readonly lists: Asks<readonly PodKey[]>,
  ) {}

  start(pod: PodKey, spec: SandboxSpec): void {
    const { ownerUid, templateHash } = spec;
    this.channel.send({
      type: 'sandbox.start',
      node: this.node,
      pod,
      spec: { ownerUid, templateHash },
    });
  }

  stop(pod: PodKey): void {
    this.channel.send({ type: 'sandbox.stop', node: this.node, pod });
  }

  list(): Promise<readonly PodKey[]> {
    return this.lists.ask((ask) =>
      this.channel.send({ type: 'sandbox.list', node: this.node, ask }),
    );
  }

  onEvent(listener: (event: SandboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An event of this node's runtime, from the supervisor. */
  deliver(event: SandboxEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
