import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../spec/types/messages.js';
import { IncarnationsSeen } from './epochs.js';

const bind = (epoch: string): Message => ({
  type: 'kubelet.bindPod',
  source: 'scheduler',
  destination: 'kubelet/n1',
  epoch,
  entry: { kind: 'pod', key: 'a/p', ownerKey: 'a/rs', ownerUid: 'u1', node: 'n1', templateRv: 1 },
});

const ack = (epoch: string): Message => ({
  type: 'replicaset.syncAck',
  source: 'scheduler',
  destination: 'replicaset',
  epoch,
});

describe('IncarnationsSeen', () => {
  it('finds a frame stale once a newer incarnation was accepted on its link', () => {
    const seen = new IncarnationsSeen();
    seen.note(bind('scheduler#2.1'));
    expect(seen.isStale(bind('scheduler#1.9'))).toBe(true);
    // Epochs of one incarnation are the stage's to order (its epochMismatch), not ours.
    expect(seen.isStale(bind('scheduler#2.0'))).toBe(false);
    expect(seen.isStale(bind('scheduler#3.1'))).toBe(false);
  });

  it('keeps links apart: a reply carries the epoch its destination minted', () => {
    const seen = new IncarnationsSeen();
    seen.note(ack('replicaset#4.1'));
    expect(seen.isStale(ack('replicaset#3.1'))).toBe(true);
    expect(seen.isStale(bind('scheduler#1.1'))).toBe(false);
  });

  it('learns nothing from frames it was not told were accepted', () => {
    const seen = new IncarnationsSeen();
    expect(seen.isStale(bind('scheduler#9.1'))).toBe(false);
    expect(seen.isStale(bind('scheduler#1.1'))).toBe(false);
  });
});
