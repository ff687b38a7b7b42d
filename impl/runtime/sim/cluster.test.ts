import { describe, expect, it } from 'vitest';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';
import { TEST_CONFIG as CONFIG, logOf, registryOf, replicaSetKeyOf } from './testing/fakes.js';
import { fakeKubelet } from './testing/kubelet.js';
import { fakeScheduler, podEntry } from './testing/scheduler.js';
import type { Pending } from './types.js';

const RS = replicaSetKeyOf('a', 'fn');

const twoBinds = () =>
  registryOf({
    scheduler: fakeScheduler([podEntry('a/p1', RS, 'n1'), podEntry('a/p2', RS, 'n1')]),
    kubelet: fakeKubelet(),
  });

const messages = (cluster: SimCluster): Pending[] =>
  cluster.pending().filter((p) => p.kind === 'message');

/** Takes the earliest events until a message is pending. */
const untilMessages = (cluster: SimCluster, count: number) =>
  runDefault(cluster, { stepMax: 1000, stopWhen: (c) => messages(c).length >= count });

describe('SimCluster construction', () => {
  it('seeds the API Server and starts every stage with start, then sandbox.list or load', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: registryOf() });
    const obs = cluster.observe();
    expect(Object.keys(obs.api.deployments)).toEqual(['a/fn']);
    expect(Object.keys(obs.api.replicaSets)).toEqual([RS]);
    expect(Object.keys(obs.api.templatePods)).toEqual([`${RS}-template`]);
    expect(Object.keys(obs.api.nodes)).toEqual(['n1']);
    // A leased stage's incarnation is the one it reads from its Lease: these fakes take none.
    expect(obs.stages.map((s) => [s.id, s.incarnation, s.up])).toEqual([
      ['autoscaler', 1, true],
      ['deployment', 0, true],
      ['replicaset', 0, true],
      ['scheduler', 0, true],
      ['kubelet/n1', 1, true],
    ]);
    expect(logOf(cluster.snapshotOf('kubelet/n1'))).toEqual(['start', 'sandbox.list []']);
    expect(logOf(cluster.snapshotOf('autoscaler'))).toEqual(['start', 'load']);
    expect(obs.desired).toEqual({ 'a/fn': 1 });
    expect(obs.links.map((l) => l.id)).toEqual([
      'deployment->replicaset',
      'replicaset->scheduler',
      'scheduler->kubelet/n1',
    ]);
  });

  it('delivers each informer event as its own pending choice, then informer.synced', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: registryOf() });
    const informs = cluster
      .pending()
      .filter((p) => p.kind === 'inform')
      .map((p) => p.id);
    expect(informs).toContain('inform kubelet/n1:templates');
    expect(informs).not.toContain('inform kubelet/n1:pods');
    runDefault(cluster, { stepMax: 100 });
    // Informers of one stage deliver in a seeded order; `informer.synced` comes after all.
    const kubelet = logOf(cluster.snapshotOf('kubelet/n1'));
    expect(kubelet.slice(0, 2)).toEqual(['start', 'sandbox.list []']);
    expect(kubelet).toContain(`informer.upsert TemplatePod ${RS}-template`);
    expect(kubelet.at(-1)).toBe('informer.synced');
    // Progress reports (`informer.progress`) come between and after: not what this is about.
    const replicaset = logOf(cluster.snapshotOf('replicaset')).filter(
      (line) => !line.startsWith('informer.progress'),
    );
    expect([...replicaset].sort()).toEqual(
      [
        'start',
        `informer.upsert ReplicaSet ${RS}`,
        `informer.upsert TemplatePod ${RS}-template`,
        'informer.synced',
      ].sort(),
    );
    expect(replicaset.at(-1)).toBe('informer.synced');
    expect(cluster.observe().stages.find((s) => s.id === 'kubelet/n1')?.informerRv).toBeGreaterThan(
      0,
    );
  });

  it('runs a bind through expose, sandbox start and markReady to a Ready pod', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: twoBinds() });
    expect(
      runDefault(cluster, {
        stepMax: 1000,
        stopWhen: (c) => c.pending().every((p) => p.kind === 'timer'),
      }).end,
    ).toBe('stopWhen');
    const obs = cluster.observe();
    expect(
      Object.values(obs.api.pods)
        .map((p) => [p.key, p.nodeName, p.ready])
        .sort(),
    ).toEqual([
      ['a/p1', 'n1', true],
      ['a/p2', 'n1', true],
    ]);
    expect(obs.kubelets[0]?.sandboxes.map((s) => s.pod).sort()).toEqual(['a/p1', 'a/p2']);
    const summary = cluster.summary();
    expect(summary.readyAtMs).toBeGreaterThanOrEqual(100);
    expect(summary.messagesSent).toEqual({ total: 2, byType: { 'kubelet.bindPod': 2 } });
    expect(summary.api.byVerbKind['create Pod']?.requestBytes).toBeGreaterThan(2 * 10_000);
    expect(summary.api.byVerbKind['patch Pod']?.count).toBe(2);
  });
});

describe('pending events', () => {
  it('can be taken in any order', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: twoBinds() });
    untilMessages(cluster, 2);
    const [first, second] = messages(cluster);
    expect(first?.label).toMatch(
      /^deliver kubelet.bindPod scheduler->kubelet\/n1 e=scheduler#1.1$/,
    );
    cluster.step(second?.id ?? '');
    cluster.step(first?.id ?? '');
    const calls = cluster
      .pending()
      .filter((p) => p.kind === 'api')
      .map((p) => p.label);
    expect(calls).toEqual(['api kubelet/n1 exposePod a/p2', 'api kubelet/n1 exposePod a/p1']);
  });

  it('can be dropped, duplicated and delayed', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: twoBinds() });
    untilMessages(cluster, 2);
    const [first, second] = messages(cluster);
    const dropped = cluster.apply({ type: 'drop', id: first?.id ?? '' });
    expect(dropped.events).toEqual([{ kind: 'fault', fault: 'drop', target: first?.label }]);
    cluster.apply({ type: 'duplicate', id: second?.id ?? '' });
    expect(messages(cluster).map((m) => m.label)).toEqual([second?.label, second?.label]);
    const copy = messages(cluster)[1];
    cluster.apply({ type: 'delay', id: copy?.id ?? '', ms: 50 });
    expect(cluster.pending().find((p) => p.id === copy?.id)?.dueAtMs).toBe(
      (second?.dueAtMs ?? 0) + 50,
    );
    expect(cluster.next()?.id).not.toBe(copy?.id);
    expect(() => cluster.apply({ type: 'duplicate', id: 'gc' })).toThrow();
  });

  it('discards a response to a crashed incarnation and restarts with incarnation + 1', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: twoBinds() });
    runDefault(cluster, {
      stepMax: 1000,
      stopWhen: (c) => c.pending().some((p) => p.kind === 'api'),
    });
    const call = cluster.pending().find((p) => p.kind === 'api');
    cluster.apply({ type: 'crash', stage: 'kubelet/n1' });
    expect(cluster.observe().stages.find((s) => s.id === 'kubelet/n1')?.up).toBe(false);
    const executed = cluster.step(call?.id ?? '');
    expect(executed.events[0]).toMatchObject({
      kind: 'api',
      actor: 'kubelet/n1',
      verb: 'create',
      outcome: 'ok',
    });
    expect(executed.note).toBe('receiver restarted since');
    cluster.apply({ type: 'restart', stage: 'kubelet/n1' });
    expect(cluster.observe().stages.find((s) => s.id === 'kubelet/n1')?.incarnation).toBe(2);
    expect(logOf(cluster.snapshotOf('kubelet/n1'))).toEqual(['start', 'sandbox.list []']);
  });

  it('gives a restarted kubelet the sandboxes that survived its crash', () => {
    const cluster = new SimCluster({ config: CONFIG, mode: 'direct', registry: twoBinds() });
    runDefault(cluster, {
      stepMax: 1000,
      stopWhen: (c) => c.observe().kubelets[0]?.sandboxes.length === 2,
    });
    cluster.apply({ type: 'crash', stage: 'kubelet/n1' });
    expect(cluster.observe().kubelets[0]?.sandboxes.length).toBe(2);
    cluster.apply({ type: 'restart', stage: 'kubelet/n1' });
    const log = logOf(cluster.snapshotOf('kubelet/n1'));
    expect(log[0]).toBe('start');
    expect(log[1]).toMatch(/^sandbox.list \[(a\/p1,a\/p2|a\/p2,a\/p1)\]$/);
  });
});
