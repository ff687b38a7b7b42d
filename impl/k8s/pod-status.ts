/**
 * Pod status as the API Server defaults it on create (Pending, with a QoS class) and as a
 * kubelet reports a started pod (Running, every condition True, container statuses). The
 * kubelet stage PATCHes the latter after the sandbox start delay (protocol.md §6).
 */
import type {
  V1ContainerStatus,
  V1Pod,
  V1PodCondition,
  V1PodSpec,
  V1PodStatus,
} from '@kubernetes/client-node';
import { digestFrom, fnv1a } from './hash.js';
import { ipFor } from './node.js';

/** Kubernetes' QoS class: Guaranteed iff every container's requests equal its limits. */
const qosClassOf = (spec: V1PodSpec | undefined): string => {
  const containers = spec?.containers ?? [];
  const resources = containers.map((c) => c.resources ?? {});
  if (resources.every((r) => !r.requests && !r.limits)) return 'BestEffort';
  const guaranteed = resources.every((r) => {
    const limits = r.limits ?? {};
    const requests = r.requests ?? limits;
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && requests[k] === limits[k]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
};

/** The status the API Server gives every new pod, whatever the client sent. */
export const pendingStatus = (spec: V1PodSpec | undefined): V1PodStatus => ({
  phase: 'Pending',
  qosClass: qosClassOf(spec),
});

const readyCondition = (type: string, at: Date): V1PodCondition => ({
  lastTransitionTime: at,
  status: 'True',
  type,
});

const containerStatus = (pod: V1Pod, name: string, image: string, at: Date): V1ContainerStatus => ({
  containerID: `containerd://${digestFrom(`${pod.metadata?.namespace}/${pod.metadata?.name}/${name}`)}`,
  image,
  imageID: image.includes('@') ? image : `${image}@sha256:${digestFrom(image)}`,
  lastState: {},
  name,
  ready: true,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: at } },
});

/** A pod's status once its sandbox runs and every container is ready. */
export const runningStatus = (pod: V1Pod, startedAtMs: number): V1PodStatus => {
  const at = new Date(startedAtMs);
  const podIP = ipFor(
    `${pod.metadata?.namespace}/${pod.metadata?.name}#${fnv1a(String(pod.metadata?.uid))}`,
  );
  const hostIP = ipFor(pod.spec?.nodeName ?? '');
  return {
    conditions: [
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ].map((type) => readyCondition(type, at)),
    containerStatuses: (pod.spec?.containers ?? []).map((c) =>
      containerStatus(pod, c.name, c.image ?? '', at),
    ),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    phase: 'Running',
    podIP,
    podIPs: [{ ip: podIP }],
    qosClass: qosClassOf(pod.spec),
    startTime: at,
  };
};
