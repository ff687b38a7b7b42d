import { afterEach, describe, expect, it, vi } from 'vitest';
import { materialisePod, podFromReplicaSet } from '../k8s/builders.js';
import { runningStatus } from '../k8s/pod-status.js';
import { ApiServer } from './api-server.js';
import { must, seedFunction, seedNodes, virtualClock } from './fixtures.js';

/** A mixed run: both paths, status, scale, deletes, GC, an outage, informer deliveries. */
const run = () => {
  const clock = virtualClock(10);
  const api = new ApiServer({ now: clock.now });
  const informers = [
    api.informer('replicaset', { kind: 'Pod' }),
    api.informer('kubelet/n1', { kind: 'Pod', nodeName: 'n1' }),
    api.informer('deployment', { kind: 'ReplicaSet' }),
  ];
  seedNodes(api, ['n1', 'n2'], 5);
  const direct = seedFunction(api, { namespace: 'a', name: 'fn' });
  const vanilla = seedFunction(api, { namespace: 'b', name: 'fn', managed: false });
  const delivered: unknown[] = [];
  for (let i = 0; i < 6; i += 1) {
    clock.advance(7);
    const node = i % 2 === 0 ? 'n1' : 'n2';
    const pod = must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(direct.templatePod, `d${i}`, node, clock.now()),
      }),
    );
    api.handle({
      verb: 'patch',
      kind: 'Pod',
      namespace: 'a',
      name: `d${i}`,
      subresource: 'status',
      patch: { status: runningStatus(pod, clock.now()) },
    });
    const v = must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: podFromReplicaSet(vanilla.replicaSet, clock.now()),
      }),
    );
    api.handle({
      verb: 'bind',
      kind: 'Pod',
      namespace: 'b',
      name: v.metadata?.name ?? '',
      nodeName: node,
    });
    delivered.push(informers[i % 3]?.deliverNext());
  }
  api.setAvailable(false);
  api.handle({ verb: 'delete', kind: 'Pod', namespace: 'a', name: 'd0' });
  api.setAvailable(true);
  api.handle({
    verb: 'patch',
    kind: 'Deployment',
    namespace: 'a',
    name: 'fn',
    subresource: 'scale',
    patch: { spec: { replicas: 3 } },
  });
  api.handle({ verb: 'delete', kind: 'Deployment', namespace: 'b', name: 'fn' });
  api.collectGarbage();
  informers[1]?.relist();
  for (const informer of informers) delivered.push(informer.deliverAll());
  return {
    dump: api.dump(),
    stats: JSON.stringify(api.stats()),
    delivered: JSON.stringify(delivered),
  };
};

describe('determinism', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives the same store, accounting and deliveries for the same requests', () => {
    const first = run();
    const second = run();
    expect(second.dump).toBe(first.dump);
    expect(second.stats).toBe(first.stats);
    expect(second.delivered).toBe(first.delivered);
  });

  it('never reads the wall clock or a random source', () => {
    const expected = run();
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now called');
    });
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random called');
    });
    vi.spyOn(performance, 'now').mockImplementation(() => {
      throw new Error('performance.now called');
    });
    expect(run()).toEqual(expected);
  });
});
