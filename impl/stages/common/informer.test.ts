import { describe, expect, it } from 'vitest';
import type { TemplatePodView } from '../../../spec/types/objects.js';
import type { StageEvent } from '../io.js';
import { applyInformer, emptyInformer, ownerKnownGone } from './informer.js';

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
