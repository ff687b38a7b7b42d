import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { materialisePod } from '../k8s/builders.js';
import { runningStatus } from '../k8s/pod-status.js';
import { toPodView } from '../k8s/views.js';
import { ApiServer } from './api-server.js';
import { must, type SeededFunction, seedFunction, seedNodes, virtualClock } from './fixtures.js';

const POD_COUNT = 10_000;
const NODE_COUNT = 2_000;
const FUNCTION_COUNT = 20;

/** The paper's largest burst: 10,000 pods on 2,000 nodes, every pod exposed and made Ready. */
const burst = () => {
  const clock = virtualClock(0);
  const api = new ApiServer({ now: clock.now });
  const nodes = Array.from({ length: NODE_COUNT }, (_, i) => `node-${i}`);
  seedNodes(api, nodes, 5);
  const functions: SeededFunction[] = [];
  for (let f = 0; f < FUNCTION_COUNT; f += 1)
    functions.push(seedFunction(api, { namespace: 'fns', name: `fn-${f}` }));
  const informers = [
    api.informer('autoscaler', { kind: 'Deployment' }),
    api.informer('deployment', { kind: 'ReplicaSet' }),
    api.informer('replicaset', { kind: 'Pod' }),
    api.informer('scheduler', {
      kind: 'Pod',
      labelSelector: {
        matchExpressions: [{ key: 'kubedirect/template', operator: 'DoesNotExist' }],
      },
    }),
    api.informer('observer', {
      kind: 'Pod',
      labelSelector: { matchLabels: { 'kubedirect/persistent': 'true' } },
    }),
  ];
  for (let i = 0; i < POD_COUNT; i += 1) {
    clock.advance(1);
    const fn = functions[i % FUNCTION_COUNT] as SeededFunction;
    const node = nodes[i % NODE_COUNT] as string;
    const object = materialisePod(fn.templatePod, `pod-${i}`, node, clock.now());
    const pod = must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object,
        client: `kubelet/${node}`,
      }),
    );
    const patch = { status: runningStatus(pod, clock.now()) };
    must(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'fns',
        name: `pod-${i}`,
        subresource: 'status',
        patch,
        client: `kubelet/${node}`,
      }),
    );
  }
  const delivered = informers.map((informer) => informer.deliverAll().length);
  return { api, informers, delivered };
};

describe('scale', () => {
  it('handles a 10,000-pod burst on 2,000 nodes with 5 informers in seconds and well under 1.5 GB', () => {
    const started = performance.now();
    const { api, informers, delivered } = burst();
    const elapsedMs = performance.now() - started;
    expect(api.count('Pod')).toBe(POD_COUNT + FUNCTION_COUNT);
    expect(delivered).toEqual([
      FUNCTION_COUNT,
      FUNCTION_COUNT,
      FUNCTION_COUNT + 2 * POD_COUNT,
      2 * POD_COUNT,
      2 * POD_COUNT,
    ]);
    const ready = (informers[2]?.list() ?? []).filter((p) => toPodView(p as V1Pod).ready).length;
    expect(ready).toBe(POD_COUNT);
    expect(api.stats().byVerbKind['create Pod']?.requestBytes).toBeGreaterThan(POD_COUNT * 16_000);
    expect(process.memoryUsage().heapUsed).toBeLessThan(1.5 * 1024 ** 3);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
