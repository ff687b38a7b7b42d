import { describe, expect, it } from 'vitest';
import type { ReplicaSetView, TemplatePodView } from '../../../spec/types/objects.js';
import type { StageEvent } from '../io.js';
import { applyInformer, emptyInformer, ownerKnownGone, ownerSeenGone } from './informer.js';

const template = (name: string, rv: number): TemplatePodView => ({
  key: `a/${name}-template`,
  uid: `t-${name}`,
  ownerUid: `u-${name}`,
  ownerKey: `a/${name}`,
  templateHash: name,
  fallbackBinding: false,
  rv,
});
const upsert = (
  view: TemplatePodView,
  relisted = false,
): StageEvent & { type: 'informer.upsert' } => ({
  type: 'informer.upsert',
  object: { kind: 'TemplatePod', view },
  rv: view.rv,
  ...(relisted ? { relisted: true as const } : {}),
});

describe('how far the template stream is known to have come', () => {
  it('follows streamed template events, not the other streams', () => {
    let cache = applyInformer(emptyInformer, upsert(template('b', 10)));
    cache = applyInformer(cache, {
      type: 'informer.delete',
      object: { kind: 'Node', view: { name: 'n3', allocatable: 5, rv: 13 } },
      rv: 13,
      tombstone: false,
    } as never);
    expect(cache.rv).toBe(13);
    expect(cache.templatesRv).toBe(10);
    // A template made at rv 12 is not yet seen, not gone.
    expect(ownerKnownGone(cache, 'u-c', 12)).toBe(false);
  });

  it('does not take a re-listed template, delivered in name order, as a position', () => {
    // The list delivers c (rv 13) before b (rv 10): b's owner is not gone in between.
    const cache = applyInformer(emptyInformer, upsert(template('c', 13), true));
    expect(cache.templatesRv).toBe(0);
    expect(ownerKnownGone(cache, 'u-b', 10)).toBe(false);
  });

  it('knows an owner gone once the stream has passed its template and shows neither', () => {
    const cache = applyInformer(emptyInformer, upsert(template('c', 13)));
    expect(ownerKnownGone(cache, 'u-b', 10)).toBe(true);
    expect(ownerKnownGone(cache, 'u-c', 13)).toBe(false);
  });
});

describe('the best-effort owner check before an expose (ownerSeenGone)', () => {
  const rs = (uid: string, rv: number, deleting = false): ReplicaSetView => ({
    key: 'a/b',
    uid,
    ownerUid: 'u-d',
    templateHash: 'b',
    replicas: 1,
    replicasVersion: 1,
    fallbackScaling: false,
    status: { replicas: 0, readyReplicas: 0 },
    deleting,
    managed: true,
    rv,
  });
  const entry = { ownerKey: 'a/b', ownerUid: 'u-b', templateRv: 10 };
  const event = (view: ReplicaSetView, type: 'upsert' | 'delete', relisted = false) =>
    ({
      type: `informer.${type}`,
      object: { kind: 'ReplicaSet', view },
      rv: view.rv,
      tombstone: false,
      ...(relisted ? { relisted: true } : {}),
    }) as StageEvent & { type: 'informer.upsert' | 'informer.delete' };

  it('sees the owner live, deleting, or replaced by another of its name', () => {
    const live = applyInformer(emptyInformer, event(rs('u-b', 9), 'upsert'));
    expect(ownerSeenGone(live, entry)).toBe(false);
    expect(ownerSeenGone(applyInformer(live, event(rs('u-b', 12, true), 'upsert')), entry)).toBe(
      true,
    );
    expect(ownerSeenGone(applyInformer(live, event(rs('u-x', 12), 'upsert')), entry)).toBe(true);
  });

  it('takes an absent owner as gone only once its stream passed the template, or saw it deleted', () => {
    // The ReplicaSets' stream is behind the template: absence is only lag.
    expect(ownerSeenGone(emptyInformer, entry)).toBe(false);
    const passed = applyInformer(emptyInformer, { type: 'informer.synced', rv: 11 });
    expect(ownerSeenGone(passed, entry)).toBe(true);
    // A re-list delivers the deletion out of order: it is seen all the same.
    const live = applyInformer(emptyInformer, event(rs('u-b', 9), 'upsert'));
    const relisted = applyInformer(live, event(rs('u-b', 9), 'delete', true));
    expect(relisted.replicaSetsRv).toBe(9);
    expect(ownerSeenGone(relisted, entry)).toBe(true);
  });
});
