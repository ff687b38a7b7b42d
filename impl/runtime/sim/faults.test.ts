import { describe, expect, it } from 'vitest';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';
import {
  TEST_CONFIG as CONFIG,
  fakeStage,
  logOf,
  registryOf,
  replicaSetKeyOf,
} from './testing/fakes.js';
import { fakeKubelet } from './testing/kubelet.js';
import { fakeScheduler, podEntry } from './testing/scheduler.js';

const RS = replicaSetKeyOf('a', 'fn');

/** A deployment controller that writes the ReplicaSet's replicas on every timer. */
const writer = () =>
  fakeStage<number>(
    () => 1,
    (calls, event) => {
      if (event.type === 'informer.synced')
        return { effects: [{ type: 'timer.set', name: 'write', afterMs: 10 }] };
      if (event.type !== 'timer') return undefined;
      const intent = { op: 'scaleReplicaSet' as const, key: RS, replicas: calls, version: calls };
      return { state: calls + 1, effects: [{ type: 'api', id: calls, intent }] };
    },
  );

const onePod = () =>
  registryOf({
    scheduler: fakeScheduler([podEntry('a/p1', RS, 'n1')]),
    kubelet: fakeKubelet(),
    deployment: writer(),
  });

const settled = (cluster: SimCluster) =>
  runDefault(cluster, {
    stepMax: 2000,
    stopWhen: (c) => c.pending().every((p) => p.kind === 'timer'),
  });

describe('API outage', () => {
  it('answers intents with outage and flags the next attempt as a retry', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: onePod() });
    runDefault(cluster, {
      stepMax: 1000,
      stopWhen: (c) => c.pending().some((p) => p.kind === 'timer' && p.actor === 'deployment'),
    });
    cluster.apply({ type: 'apiOutage', on: true });
    const timer = cluster.pending().find((p) => p.kind === 'timer' && p.actor === 'deployment');
    cluster.step(timer?.id ?? '');
    const call = cluster.pending().find((p) => p.kind === 'api' && p.actor === 'deployment');
    const failed = cluster.step(call?.id ?? '');
    expect(failed.events).toEqual([
      {
        kind: 'api',
        actor: 'deployment',
        verb: 'patch',
        resource: 'replicaset',
        key: RS,
        outcome: 'outage',
        retry: false,
      },
    ]);
    const done = cluster.pending().find((p) => p.kind === 'apiDone');
    expect(done?.label).toBe(`api.done deployment scaleReplicaSet ${RS} outage`);
    expect(cluster.observe().api.up).toBe(false);
    cluster.apply({ type: 'apiOutage', on: false });
    cluster.step(done?.id ?? '');
    const deployment = cluster.snapshotOf('deployment') as { context: { log: string[] } } | null;
    expect(deployment?.context.log.at(-1)).toBe('api.done scaleReplicaSet outage');
  });

  it('fails an informer list during an outage and retries it later', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: registryOf() });
    runDefault(cluster, { stepMax: 1000 });
    cluster.apply({ type: 'apiOutage', on: true });
    cluster.apply({ type: 'restart', stage: 'scheduler' });
    const list = cluster
      .pending()
      .filter((p) => p.kind === 'list')
      .map((p) => p.id);
    expect(list).toContain('list scheduler:pods');
    expect(list).toContain('list scheduler:nodes');
    expect(cluster.step('list scheduler:pods').note).toBe('list failed: API Server unavailable');
    cluster.apply({ type: 'apiOutage', on: false });
    runDefault(cluster, { stepMax: 1000 });
    const log = logOf(cluster.snapshotOf('scheduler'));
    expect(log[0]).toBe('start');
    expect(log).toContain('informer.upsert Node n1');
    expect(log.at(-1)).toBe('informer.synced');
  });
});

describe('informers', () => {
  it('deliver each write after the informer lag, and a relist coalesces and tombstones', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: onePod() });
    settled(cluster);
    const before = cluster.nowMs;
    cluster.apply({
      type: 'write',
      write: { op: 'setLabel', kind: 'Pod', key: 'a/p1', label: 'x/one', on: true },
    });
    cluster.apply({
      type: 'write',
      write: { op: 'setLabel', kind: 'Pod', key: 'a/p1', label: 'x/two', on: true },
    });
    const inform = cluster.pending().find((p) => p.id === 'inform scheduler:pods');
    expect(inform?.dueAtMs).toBe(before + 1);
    cluster.apply({ type: 'relist', stage: 'scheduler' });
    cluster.step('inform scheduler:pods');
    expect(cluster.pending().some((p) => p.id === 'inform scheduler:pods')).toBe(false);
    cluster.apply({ type: 'write', write: { op: 'deletePod', key: 'a/p1' } });
    cluster.apply({
      type: 'write',
      write: { op: 'setLabel', kind: 'Pod', key: 'a/p1', label: 'x/three', on: true },
    });
    expect(logOf(cluster.snapshotOf('scheduler')).slice(-1)).toEqual(['informer.upsert Pod a/p1']);
  });

  it('can be delayed as a whole', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: registryOf() });
    const due = cluster.pending().find((p) => p.id === 'inform scheduler:nodes')?.dueAtMs ?? 0;
    cluster.apply({ type: 'delay', id: 'inform scheduler:nodes', ms: 25 });
    expect(cluster.pending().find((p) => p.id === 'inform scheduler:nodes')?.dueAtMs).toBe(
      due + 25,
    );
  });
});

describe('environment', () => {
  it('loses a node: kubelet down for good, sandboxes gone, pods force-deleted by the pod GC', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: onePod() });
    settled(cluster);
    expect(cluster.observe().kubelets[0]?.sandboxes.length).toBe(1);
    const lost = cluster.apply({ type: 'nodeLoss', node: 'n1' });
    expect(lost.events).toEqual([
      { kind: 'fault', fault: 'nodeLoss', target: 'n1' },
      {
        kind: 'api',
        actor: 'nodeLifecycle',
        verb: 'delete',
        resource: 'node',
        key: 'n1',
        outcome: 'ok',
        retry: false,
      },
    ]);
    const gc = cluster.step('gc');
    expect(gc.events).toEqual([
      {
        kind: 'api',
        actor: 'gc',
        verb: 'delete',
        resource: 'pod',
        key: 'a/p1',
        outcome: 'ok',
        retry: false,
      },
    ]);
    const obs = cluster.observe();
    expect(obs.kubelets[0]).toEqual({ node: 'n1', nodeAlive: false, sandboxes: [] });
    expect(obs.ghost.deletedPods.has('a/p1')).toBe(true);
    expect(obs.links.map((l) => l.id)).toEqual(['deployment->replicaset', 'replicaset->scheduler']);
    expect(() => cluster.apply({ type: 'restart', stage: 'kubelet/n1' })).toThrow(/lost/);
  });

  it('deletes a Deployment: garbage collection removes its ReplicaSet, template Pod and pods', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: onePod() });
    settled(cluster);
    cluster.apply({ type: 'write', write: { op: 'deleteDeployment', key: 'a/fn' } });
    runDefault(cluster, {
      stepMax: 100,
      stopWhen: (c) => !c.pending().some((p) => p.kind === 'gc'),
    });
    const obs = cluster.observe();
    expect(Object.keys(obs.api.replicaSets)).toEqual([]);
    expect(Object.keys(obs.api.templatePods)).toEqual([]);
    expect(obs.api.pods['a/p1']?.deleting).toBe(true);
  });

  it('changes the template: a new ReplicaSet and template Pod, both in the ghost history', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: registryOf() });
    const step = cluster.apply({ type: 'write', write: { op: 'changeTemplate', key: 'a/fn' } });
    expect(
      step.events.map((e) => (e.kind === 'api' ? `${e.verb} ${e.resource} ${e.outcome}` : e.kind)),
    ).toEqual(['update deployment ok', 'create replicaset ok', 'create templatePod ok']);
    const obs = cluster.observe();
    expect(Object.keys(obs.api.replicaSets)).toHaveLength(2);
    expect(Object.keys(obs.ghost.rsTemplates)).toHaveLength(2);
    // The old ReplicaSet no longer matches the Deployment's template: the load asks nothing of it.
    expect(Object.values(obs.ghost.recentDesiredMax)).toEqual([0, 1]);
    const [oldRs, newRs] = Object.values(obs.api.replicaSets);
    expect(newRs?.templateHash).toBe(obs.api.deployments['a/fn']?.templateHash);
    expect(oldRs?.templateHash).not.toBe(newRs?.templateHash);
  });

  it('tells the autoscaler about a load change and reports it as desired', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: registryOf() });
    cluster.apply({ type: 'load', deployment: 'a/fn', load: 3 });
    expect(cluster.observe().desired).toEqual({ 'a/fn': 3 });
    expect(logOf(cluster.snapshotOf('autoscaler'))).toEqual(['start', 'load', 'load']);
    cluster.apply({ type: 'crash', stage: 'autoscaler' });
    cluster.apply({ type: 'restart', stage: 'autoscaler' });
    expect(logOf(cluster.snapshotOf('autoscaler'))).toEqual(['start', 'load']);
  });
});
