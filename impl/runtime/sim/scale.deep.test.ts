import { describe, expect, it } from 'vitest';
import type { Config } from '../../../spec/types/config.js';
import type { StageId } from '../../../spec/types/ids.js';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';
import { registryOf, replicaSetKeyOf, TEST_CONFIG } from './testing/fakes.js';
import { fakeKubelet } from './testing/kubelet.js';
import { podEntry } from './testing/scheduler.js';

const NODE_COUNT = 2_000;
const PODS_PER_NODE = 5;
const FUNCTION_COUNT = 20;
const functions = Array.from({ length: FUNCTION_COUNT }, (_, f) => ({
  namespace: 'fns',
  name: `fn-${f}`,
}));
const nodes = Array.from({ length: NODE_COUNT }, (_, i) => `node-${i}`);
const rsKeys = functions.map((fn) => replicaSetKeyOf(fn.namespace, fn.name));

/** Each fake kubelet exposes its five pods as soon as its informers have synced. */
const binds = (node: string) =>
  Array.from({ length: PODS_PER_NODE }, (_, j) => {
    const index = Number(node.slice('node-'.length)) * PODS_PER_NODE + j;
    return podEntry(`fns/pod-${index}`, rsKeys[index % FUNCTION_COUNT] as string, node);
  });

describe('scale', () => {
  it('runs 10,000 pod exposures on 2,000 nodes in under 30 CPU seconds and 1.5 GB', () => {
    const config: Config = {
      ...TEST_CONFIG,
      preset: { ...TEST_CONFIG.preset, initialLoad: (NODE_COUNT * PODS_PER_NODE) / FUNCTION_COUNT },
    };
    // CPU time, not wall time: the deep tests share the machine's cores, and a timed test
    // must not fail because another file ran beside it.
    const started = process.cpuUsage();
    const cluster = new SimCluster({
      config,
      mode: 'direct',
      registry: registryOf({ kubelet: fakeKubelet(binds, false) }, false),
      topology: { functions, nodes, slotsPerNode: PODS_PER_NODE },
      observeEachStep: false,
      seed: 42,
    });
    const run = runDefault(cluster, { stepMax: 1_000_000 });
    const used = process.cpuUsage(started);
    const cpuMs = (used.user + used.system) / 1000;
    const summary = cluster.summary();
    const heapMb = process.memoryUsage().heapUsed / 1024 ** 2;
    console.log(
      `scale: ${summary.steps} steps, ${Math.round(cpuMs)} ms CPU, ${Math.round(heapMb)} MB heap, ` +
        `virtual ${summary.nowMs.toFixed(1)} ms, all Ready at ${summary.readyAtMs} ms, ` +
        `${summary.api.total.count} requests, ${(summary.api.total.requestBytes / 1024 ** 2).toFixed(1)} MB sent`,
    );
    expect(run.end).toBe('quiescent');
    // Every exposed pod, plus the template Pods seeded with the functions.
    expect(summary.api.byVerbKind['create Pod']?.count).toBe(
      NODE_COUNT * PODS_PER_NODE + FUNCTION_COUNT,
    );
    expect(summary.api.byVerbKind['patch Pod']?.count).toBe(NODE_COUNT * PODS_PER_NODE);
    expect(summary.readyAtMs).not.toBeNull();
    const obs = cluster.observe();
    expect(Object.values(obs.api.pods).filter((p) => p.ready)).toHaveLength(
      NODE_COUNT * PODS_PER_NODE,
    );
    expect(obs.stages.filter((s) => s.up)).toHaveLength(4 + NODE_COUNT);
    expect(cluster.snapshotOf(`kubelet/${nodes[0]}` as StageId)).not.toBeNull();
    expect(heapMb).toBeLessThan(1.5 * 1024);
    expect(cpuMs).toBeLessThan(30_000);
  });
});
