import { describe, expect, it } from 'vitest';
import {
  floorOf,
  heldCounts,
  isSettled,
  nextReadyFloor,
  readyTaken,
} from '../../spec/types/ghost.js';
import type { AppliedEvent } from '../../spec/types/observation.js';
import { healthy, pod, podEntry, RS_KEY, stage } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { boundedOvershoot, deletesOnlySurplus } from './workload.js';

describe('bounded-overshoot', () => {
  it('counts a pod once when it is both persisted and in flight', () => {
    const obs = healthy({
      recentDesiredMax: { [RS_KEY]: 1 },
      pods: [pod('a/p1')],
      stages: [stage('scheduler', [podEntry('a/p1', { state: 'assumed', node: 'n1' })])],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('a duplicated schedulePods that creates a second pod violates bounded-overshoot', () => {
    const obs = healthy({
      recentDesiredMax: { [RS_KEY]: 1 },
      pods: [pod('a/p1')],
      stages: [stage('scheduler', [podEntry('a/p2', { state: 'pending' })])],
    });
    expectFails(boundedOvershoot.check(obs), RS_KEY, 'a/p1', 'a/p2');
  });

  it('the configured slack allows one pod above the recent desired count', () => {
    const obs = healthy({
      overshootSlack: 1,
      pods: [pod('a/p1'), pod('a/p2')],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('deleting pods are not live, even while a cache still holds them', () => {
    const obs = healthy({
      pods: [pod('a/p1'), pod('a/p2', { deleting: true })],
      stages: [stage('kubelet/n1', [podEntry('a/p2', { node: 'n1', state: 'exposed' })])],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('a pod bound to a Node the API no longer has is not live (the pod GC removes it)', () => {
    const late = pod('a/p2', { nodeName: 'n9' });
    const obs = healthy({ pods: [pod('a/p1', { nodeName: 'n1' }), late] });
    expectHolds(boundedOvershoot.check(obs));
    const onLiveNode = healthy({
      pods: [pod('a/p1', { nodeName: 'n1' }), pod('a/p2', { nodeName: 'n2' })],
    });
    expectFails(boundedOvershoot.check(onLiveNode), RS_KEY, 'a/p1', 'a/p2');
  });

  it('an orphan in the API (its ReplicaSet gone, the collector will remove it) is not live', () => {
    const obs = healthy({
      replicaSets: [],
      recentDesiredMax: { [RS_KEY]: 0 },
      pods: [pod('a/p1', { nodeName: 'n1' })],
    });
    expectHolds(boundedOvershoot.check(obs));
  });

  it('cached pods of a deleted ReplicaSet count against its recent desired count', () => {
    const obs = healthy({
      replicaSets: [],
      recentDesiredMax: { 'a/old': 0 },
      stages: [stage('kubelet/n1', [podEntry('a/p9', { ownerKey: 'a/old', node: 'n1' })])],
    });
    expectFails(boundedOvershoot.check(obs), 'a/old', 'a/p9');
  });
});

describe('deletes-only-surplus', () => {
  const deletion = (actor: 'replicaset' | 'user', key = 'a/p1'): AppliedEvent => ({
    kind: 'api',
    actor,
    verb: 'delete',
    resource: 'pod',
    key,
    outcome: 'ok',
    retry: false,
  });
  const ready = (key: string) => pod(key, { ready: true, nodeName: 'n1' });
  const deleted = (key: string) => pod(key, { ready: true, nodeName: 'n1', deleting: true });
  const floor = (n: number, takenByOthers = 0) => ({
    readyFloor: { [RS_KEY]: { desired: n, takenByOthers } },
  });

  it('holds when the controller deletes a Ready pod above the floor', () => {
    const before = healthy({ ...floor(1), pods: [ready('a/p1'), ready('a/p2')] });
    const after = healthy({
      pods: [deleted('a/p1'), ready('a/p2')],
      events: [deletion('replicaset')],
    });
    expectHolds(deletesOnlySurplus.check(before, after));
  });

  it('holds when the controller deletes a pod that was not Ready', () => {
    const before = healthy({ ...floor(1), pods: [pod('a/p1'), ready('a/p2')] });
    const after = healthy({
      pods: [pod('a/p1', { deleting: true }), ready('a/p2')],
      events: [deletion('replicaset')],
    });
    expectHolds(deletesOnlySurplus.check(before, after));
  });

  it('a user deleting the last Ready pod is not judged', () => {
    const before = healthy({ ...floor(1), pods: [ready('a/p1')] });
    const after = healthy({ pods: [deleted('a/p1')], events: [deletion('user')] });
    expectHolds(deletesOnlySurplus.check(before, after));
  });

  it('the controller taking Ready pods below the floor violates it', () => {
    const before = healthy({ ...floor(1), pods: [ready('a/p1')] });
    const after = healthy({ pods: [deleted('a/p1')], events: [deletion('replicaset')] });
    expectFails(deletesOnlySurplus.check(before, after), 'a/p1', RS_KEY, '0 Ready', 'is 1');
  });

  it('Ready pods others took come off the floor: the controller has not seen them go', () => {
    const before = healthy({ ...floor(1, 1), pods: [ready('a/p1')] });
    const after = healthy({ pods: [deleted('a/p1')], events: [deletion('replicaset')] });
    expectHolds(deletesOnlySurplus.check(before, after));
  });

  it('the floor is the smaller of the old and the new desired count until Ready reaches it', () => {
    const at = (desired: number) => ({ desired, takenByOthers: 0 });
    // Scale-down 2 -> 1 with two Ready pods: the floor drops to 1 at once.
    expect(nextReadyFloor(at(2), 2, 1, false, 0)).toEqual(at(1));
    // Scale-up 1 -> 2 with one Ready pod: the floor stays 1 until the second is Ready.
    expect(nextReadyFloor(at(1), 1, 2, false, 0)).toEqual(at(1));
    expect(nextReadyFloor(at(1), 2, 2, true, 0)).toEqual(at(2));
    // Load 1 -> 0 -> 1 while the 0 is still held somewhere: a deletion towards it is not a
    // fault, so Ready reaching the load does not raise the floor until every part holds it.
    expect(nextReadyFloor(at(0), 1, 1, false, 0)).toEqual(at(0));
    expect(nextReadyFloor(at(0), 1, 1, true, 0)).toEqual(at(1));
    // A lost node took two Ready pods: they come off the floor until it is reached again.
    const lost = nextReadyFloor(at(4), 2, 4, false, 2);
    expect([lost, floorOf(nextReadyFloor(lost, 2, 1, false, 0))]).toEqual([
      { desired: 4, takenByOthers: 2 },
      0,
    ]);
    expect(readyTaken(new Set(['p1', 'p2']), new Set(['p2']), false)).toBe(1);
    expect(readyTaken(new Set(['p1', 'p2']), new Set(['p2']), true)).toBe(0);
  });

  it('the held counts are settled only when every one is the load', () => {
    expect(isSettled(heldCounts(1, [undefined, 1]))).toBe(true);
    const lower = heldCounts(1, [1, 0]);
    expect([isSettled(lower), lower.max]).toEqual([false, 1]);
    expect(heldCounts(1, [0, 2])).toEqual({ load: 1, min: 0, max: 2 });
  });
});
