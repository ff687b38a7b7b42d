import { describe, expect, it } from 'vitest';
import { autoscalerMachine, report as autoscalerReport } from '../autoscaler/machine.js';
import { deploymentMachine, report } from '../deployment/machine.js';
import type { Effect, StageEvent } from '../io.js';
import { schedulerMachine, report as schedulerReport } from '../scheduler/machine.js';
import { StageDriver } from './driver.js';
import { LEASE_RETRY_TIMER } from './lease.js';
import { inputFor } from './test-config.js';

type Api = Extract<Effect, { type: 'api' }>;
const KEY = 'kube-system/kd-deployment';
const lease = (transitions: number, rv = 9) => ({
  key: KEY,
  holder: 'deployment',
  transitions,
  rv,
});
const answer = (request: Api | undefined, outcome: string, more: object = {}): StageEvent => {
  if (!request) throw new Error('no lease request');
  return { type: 'api.done', id: request.id, intent: request.intent, outcome, ...more } as never;
};
const starting = () => {
  const d = new StageDriver(
    deploymentMachine,
    inputFor('deployment', {}, { downstream: ['replicaset'] }),
  );
  d.send({ type: 'start' }, { type: 'informer.synced', rv: 3 });
  return d;
};
const handshakes = (d: StageDriver<typeof deploymentMachine>) =>
  d.of('send').filter((e) => e.message.type === 'replicaset.handshake');

describe('taking the Lease on start', () => {
  it('reads its Lease, takes it with leaseTransitions + 1 under a resourceVersion precondition, then mints epochs with that number', () => {
    const d = new StageDriver(
      deploymentMachine,
      inputFor('deployment', {}, { downstream: ['replicaset'] }),
    );
    d.send({ type: 'start' });
    const get = d.of('api')[0];
    expect(get?.intent).toEqual({ op: 'getLease', key: KEY });
    d.send({ type: 'informer.synced', rv: 3 });
    // Synced, but without its Lease it neither leaves syncing nor handshakes.
    expect(report(d.snapshot).phase).toBe('syncing');
    expect(handshakes(d)).toEqual([]);
    d.send(answer(get, 'ok', { lease: lease(4) }));
    const take = d.of('api')[0];
    expect(take?.intent).toEqual({
      op: 'takeLease',
      key: KEY,
      holder: 'deployment',
      transitions: 5,
      resourceVersion: 9,
    });
    d.send(answer(take, 'ok', { lease: lease(5, 10) }));
    expect(report(d.snapshot)).toMatchObject({ phase: 'recovering', incarnation: 5 });
    expect(handshakes(d).map((e) => e.message.epoch)).toEqual(['deployment#5.1']);
  });

  it('creates the Lease when there is none (a first start): incarnation 1', () => {
    const d = starting();
    d.send(answer(d.of('api')[0], 'notFound'));
    const create = d.of('api')[0];
    expect(create?.intent).toMatchObject({
      op: 'takeLease',
      transitions: 1,
      resourceVersion: null,
    });
    d.send(answer(create, 'ok', { lease: lease(1) }));
    expect(handshakes(d).map((e) => e.message.epoch)).toEqual(['deployment#1.1']);
  });

  it('reads again after a conflict: someone (a late write of its dead predecessor) wrote first', () => {
    const d = starting();
    d.send(answer(d.of('api')[0], 'ok', { lease: lease(4) }));
    d.send(answer(d.of('api')[0], 'conflict'));
    expect(d.of('api')[0]?.intent).toEqual({ op: 'getLease', key: KEY });
    d.send(answer(d.of('api')[0], 'ok', { lease: lease(6, 12) }));
    expect(d.of('api')[0]?.intent).toMatchObject({ transitions: 7, resourceVersion: 12 });
  });

  it('retries after an outage on its timer, and still does not handshake meanwhile', () => {
    const d = starting();
    d.send(answer(d.of('api')[0], 'outage'));
    expect(d.of('api')).toEqual([]);
    expect(d.of('timer.set')).toEqual([
      { type: 'timer.set', name: LEASE_RETRY_TIMER, afterMs: expect.any(Number) },
    ]);
    d.send({ type: 'timer', name: LEASE_RETRY_TIMER });
    expect(d.of('api')[0]?.intent).toEqual({ op: 'getLease', key: KEY });
    expect(report(d.snapshot).phase).toBe('syncing');
  });

  it('the scheduler too mints its epochs with its Lease number', () => {
    const d = new StageDriver(
      schedulerMachine,
      inputFor('scheduler', {}, { downstream: ['kubelet/n1'] }),
    );
    const n1 = { name: 'n1', allocatable: 1, rv: 1 };
    d.send(
      { type: 'start' },
      { type: 'informer.upsert', object: { kind: 'Node', view: n1 }, rv: 1 },
    );
    const get = d.of('api')[0];
    d.send({ type: 'informer.synced', rv: 3 });
    expect(schedulerReport(d.snapshot).phase).toBe('syncing');
    d.send(answer(get, 'ok', { lease: { ...lease(2), key: 'kube-system/kd-scheduler' } }));
    const take = d.of('api')[0];
    d.send(answer(take, 'ok', { lease: { ...lease(3), key: 'kube-system/kd-scheduler' } }));
    expect(schedulerReport(d.snapshot)).toMatchObject({ phase: 'recovering', incarnation: 3 });
    expect(d.of('send').map((e) => e.message.epoch)).toEqual(['scheduler#3.1']);
  });

  it('the autoscaler takes one on its direct hop, and mints epochs and scale versions with it', () => {
    const input = inputFor(
      'autoscaler',
      { autoscalerLink: 'direct' },
      { downstream: ['deployment'] },
    );
    const d = new StageDriver(autoscalerMachine, input);
    d.send({ type: 'start' });
    const get = d.of('api')[0];
    expect(get?.intent).toEqual({ op: 'getLease', key: 'kube-system/kd-autoscaler' });
    d.send({ type: 'informer.synced', rv: 3 });
    expect(autoscalerReport(d.snapshot).phase).toBe('syncing');
    const leaseOf = (transitions: number) => ({
      ...lease(transitions),
      key: 'kube-system/kd-autoscaler',
      holder: 'autoscaler',
    });
    d.send(answer(get, 'ok', { lease: leaseOf(3) }));
    d.send(answer(d.of('api')[0], 'ok', { lease: leaseOf(4) }));
    expect(autoscalerReport(d.snapshot)).toMatchObject({ phase: 'recovering', incarnation: 4 });
    expect(d.of('send').map((e) => e.message.epoch)).toEqual(['autoscaler#4.1']);
  });

  it('the autoscaler on the API hop mints nothing and takes none', () => {
    const d = new StageDriver(autoscalerMachine, inputFor('autoscaler'));
    d.send({ type: 'start' });
    expect(d.of('api')).toEqual([]);
    d.send({ type: 'informer.synced', rv: 3 });
    expect(autoscalerReport(d.snapshot).phase).toBe('serving');
    expect(autoscalerReport(d.snapshot).incarnation).toBeUndefined();
  });
});
