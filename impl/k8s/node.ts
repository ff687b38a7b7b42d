/**
 * Node objects as a kubelet registers them: capacity and allocatable (the `pods` count is
 * what the scheduler fits pods against), the usual conditions, addresses and node info.
 */
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { fnv1a } from './hash.js';

interface NodeOptions {
  /** Allocatable pod slots. */
  readonly allocatablePods: number;
  readonly cpu?: string;
  readonly memory?: string;
}

/** A deterministic private address for `seed`, in 10.0.0.0/8. */
export const ipFor = (seed: string): string => {
  const h = fnv1a(seed);
  return `10.${(h >>> 16) & 0xff}.${(h >>> 8) & 0xff}.${Math.max(2, h & 0xff)}`;
};

const condition = (
  type: string,
  status: string,
  reason: string,
  message: string,
  at: Date,
): V1NodeCondition => ({
  lastHeartbeatTime: at,
  lastTransitionTime: at,
  message,
  reason,
  status,
  type,
});

const conditions = (at: Date): V1NodeCondition[] => [
  condition(
    'MemoryPressure',
    'False',
    'KubeletHasSufficientMemory',
    'kubelet has sufficient memory available',
    at,
  ),
  condition(
    'DiskPressure',
    'False',
    'KubeletHasNoDiskPressure',
    'kubelet has no disk pressure',
    at,
  ),
  condition(
    'PIDPressure',
    'False',
    'KubeletHasSufficientPID',
    'kubelet has sufficient PID available',
    at,
  ),
  condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', at),
];

export const buildNode = (name: string, options: NodeOptions, nowMs: number): V1Node => {
  const resources = {
    cpu: options.cpu ?? '8',
    'ephemeral-storage': '101430960Ki',
    'hugepages-2Mi': '0',
    memory: options.memory ?? '32827412Ki',
    pods: String(options.allocatablePods),
  };
  const at = new Date(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'm5.2xlarge',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    status: {
      addresses: [
        { address: ipFor(name), type: 'InternalIP' },
        { address: name, type: 'Hostname' },
      ],
      allocatable: resources,
      capacity: resources,
      conditions: conditions(at),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: `boot-${fnv1a(name).toString(16)}`,
        containerRuntimeVersion: 'containerd://1.7.22',
        kernelVersion: '6.1.0-25-amd64',
        kubeProxyVersion: 'v1.32.0',
        kubeletVersion: 'v1.32.0',
        machineID: fnv1a(`${name}/machine`).toString(16).padStart(8, '0').repeat(4),
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: fnv1a(`${name}/system`).toString(16).padStart(8, '0').repeat(4),
      },
    },
  };
};
