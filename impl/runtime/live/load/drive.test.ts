import { describe, expect, it } from 'vitest';
import type { PodView } from '../../../../spec/types/objects.js';
import { BurstTally, percentile, spreadLoad } from './burst.js';
import { driveBurst } from './drive.js';
import type { FunctionPods, PodChange } from './function-pods.js';

const pod = (uid: string, ready: boolean, deleting = false): PodView => ({
  key: `kd/${uid}`,
  uid,
  ownerUid: 'rs',
  ownerKey: 'kd/fn-1-abc',
  templateHash: 'h',
  nodeName: 'n1',
  ready,
  deleting,
  rv: 1,
});

/** A watch whose changes the test makes. */
class FakePods implements FunctionPods {
  private readonly byUid = new Map<string, PodView>();
  private readonly listeners = new Set<(change: PodChange) => void>();
  get count() {
    return this.byUid.size;
  }
  pods() {
    return [...this.byUid.values()];
  }
  onChange(listener: (change: PodChange) => void) {
    const subscription = (change: PodChange) => listener(change);
    this.listeners.add(subscription);
    return () => this.listeners.delete(subscription);
  }
  async stop() {}
  upsert(view: PodView) {
    this.byUid.set(view.uid, view);
    for (const listener of this.listeners) listener({ type: 'upsert', pod: view });
  }
  delete(uid: string) {
    const view = this.byUid.get(uid);
    this.byUid.delete(uid);
    if (view) for (const listener of this.listeners) listener({ type: 'delete', pod: view });
  }
}

describe('a burst: spreading the load and the tally', () => {
  it('spreads N pods over F functions, the remainder to the first ones', () => {
    expect(spreadLoad(10, ['a/1', 'a/2', 'a/3'])).toEqual({ 'a/1': 4, 'a/2': 3, 'a/3': 3 });
    expect(spreadLoad(40, ['a/1', 'a/2'])).toEqual({ 'a/1': 20, 'a/2': 20 });
    expect(spreadLoad(1, ['a/1', 'a/2'])).toEqual({ 'a/1': 1, 'a/2': 0 });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });

  it('times each pod from when it was first seen Ready, and the whole when N are', () => {
    const tally = new BurstTally(2);
    tally.upsert(pod('a', false), 10);
    tally.upsert(pod('a', true), 20);
    tally.upsert(pod('a', false), 25);
    tally.upsert(pod('a', true), 30);
    expect(tally.done).toBe(false);
    tally.upsert(pod('b', true, true), 35);
    expect(tally.ready).toBe(1);
    tally.upsert(pod('c', true), 40);
    expect(tally.figures()).toEqual({ ready: 2, allReadyMs: 40, perPodMs: { p50: 20, p90: 40 } });
  });
});

describe('driving a burst from zero', () => {
  it('drains the functions first, then measures from the accepted load', async () => {
    const watch = new FakePods();
    watch.upsert(pod('old', true));
    let now = 1_000;
    const loads: Record<string, number>[] = [];
    const setLoads = async (next: Record<string, number>) => {
      loads.push(next);
      if (loads.length === 1) {
        now += 50;
        // The drain: the old pod goes, after the zero load was accepted.
        setTimeout(() => watch.delete('old'));
      } else
        setTimeout(() => {
          now += 100;
          watch.upsert(pod('p1', false));
          now += 200;
          watch.upsert(pod('p1', true));
          now += 300;
          watch.upsert(pod('p2', true));
          watch.upsert(pod('p3', true));
        });
      return {};
    };
    const progress: string[] = [];
    const outcome = await driveBurst(
      { pods: 3, functions: ['kd/fn-1', 'kd/fn-2'], timeoutMs: 5_000 },
      {
        setLoads,
        watch,
        nowMs: () => now,
        onProgress: (p) =>
          progress.push(p.phase === 'drain' ? `drain ${p.remaining}` : `${p.ready}/${p.target}`),
      },
    );
    expect(loads).toEqual([
      { 'kd/fn-1': 0, 'kd/fn-2': 0 },
      { 'kd/fn-1': 2, 'kd/fn-2': 1 },
    ]);
    expect(outcome).toEqual({
      kind: 'burst',
      target: 3,
      ready: 3,
      allReadyMs: 600,
      perPodMs: { p50: 600, p90: 600 },
    });
    expect(progress).toEqual(['drain 1', 'drain 0', '0/3', '0/3', '1/3', '2/3', '3/3']);
  });

  it('reports how many were Ready when the burst times out', async () => {
    const watch = new FakePods();
    const setLoads = async (loads: Record<string, number>) => {
      if (Object.values(loads)[0] === 5) setTimeout(() => watch.upsert(pod('p1', true)));
      return {};
    };
    const outcome = await driveBurst(
      { pods: 5, functions: ['kd/fn-1'], timeoutMs: 50 },
      { setLoads, watch, nowMs: () => 0 },
    );
    expect(outcome).toMatchObject({ kind: 'burst', target: 5, ready: 1, allReadyMs: null });
  });

  it('stops before the burst when the functions do not drain', async () => {
    const watch = new FakePods();
    watch.upsert(pod('stuck', true, true));
    const outcome = await driveBurst(
      { pods: 5, functions: ['kd/fn-1'], timeoutMs: 30 },
      { setLoads: async () => ({}), watch, nowMs: () => 0 },
    );
    expect(outcome).toEqual({ kind: 'not-drained', remaining: 1, elapsedMs: 0 });
  });
});
