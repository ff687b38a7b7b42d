/**
 * Which stages run in which process: each controller in its own, the kubelets spread over
 * `kubeletProcesses` processes (one per node by default), and a free loopback port for
 * every stage, chosen once so that a restarted process listens where its peers expect it.
 */
import { createServer } from 'node:net';
import { kubeletId, type NodeName, type StageId } from '../../../../spec/types/ids.js';
import { type Address, LOOPBACK } from '../transport/index.js';

export interface ProcessLayout {
  /** `autoscaler`, …, `kubelet/n1`, or `kubelets-2` for a process of several kubelets. */
  readonly name: string;
  readonly stages: readonly StageId[];
}

const CONTROLLERS: readonly StageId[] = ['autoscaler', 'deployment', 'replicaset', 'scheduler'];

export const layoutOf = (
  nodes: readonly NodeName[],
  kubeletProcesses = nodes.length,
): ProcessLayout[] => {
  const groups = Math.max(1, Math.min(kubeletProcesses, nodes.length));
  const kubelets: StageId[][] = Array.from({ length: groups }, () => []);
  for (const [i, node] of nodes.entries()) kubelets[i % groups]?.push(kubeletId(node));
  return [
    ...CONTROLLERS.map((stage) => ({ name: stage, stages: [stage] })),
    ...kubelets
      .filter((stages) => stages.length > 0)
      .map((stages, i) => ({
        name: stages.length === 1 ? (stages[0] as string) : `kubelets-${i + 1}`,
        stages,
      })),
  ];
};

/**
 * `count` ports nobody listens on now: the system's choices for port 0, all held until the
 * last is chosen (so no two are the same), then released.
 */
export const freePorts = async (host: string, count: number): Promise<number[]> => {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, host, () => {
            const address = server.address();
            if (typeof address === 'object' && address) resolve(address.port);
            else reject(new Error(`no port on ${host}`));
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
};

/** An address for every stage of the layout, on `host`. */
export const addressesFor = async (
  layout: readonly ProcessLayout[],
  host = LOOPBACK,
): Promise<Record<StageId, Address>> => {
  const stages = layout.flatMap((p) => p.stages);
  const ports = await freePorts(host, stages.length);
  return Object.fromEntries(
    stages.map((stage, i) => [stage, { host, port: ports[i] as number }]),
  ) as Record<StageId, Address>;
};
