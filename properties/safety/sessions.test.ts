import { describe, it } from 'vitest';
import type { AppliedEvent } from '../../spec/types/observation.js';
import { healthy, pod } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { epochFencing, snapshotComplete } from './sessions.js';

const LINK = 'scheduler->kubelet/n1' as const;

const admit = (epoch: string, atAdmission: string | null, admitted: boolean): AppliedEvent => ({
  kind: 'admit',
  link: LINK,
  message: 'kubelet.bindPod',
  epoch,
  serverEpochAtAdmission: atAdmission,
  admitted,
  entries: ['a/p1'],
});

const handshake = (snapshot: string[], unfinished: string[]): AppliedEvent => ({
  kind: 'handshake',
  link: LINK,
  epoch: 'scheduler#0.2',
  snapshot,
  unfinished,
});

const apply = (epoch: string, atApply: string | null): AppliedEvent => ({
  kind: 'apply',
  link: LINK,
  message: 'kubelet.bindPod',
  epoch,
  serverEpochAtApply: atApply,
  entries: ['a/p1'],
});

const step = (...events: AppliedEvent[]) => [healthy(), healthy({ events })] as const;

describe('epoch-fencing', () => {
  it('holds when an admitted message carries the current epoch', () => {
    expectHolds(epochFencing.check(...step(admit('s#0.1', 's#0.1', true))));
  });

  it('holds when a stale message is refused', () => {
    expectHolds(epochFencing.check(...step(admit('s#0.1', 's#0.2', false))));
  });

  it('a message admitted under an old epoch violates epoch-fencing', () => {
    expectFails(epochFencing.check(...step(admit('s#0.1', 's#0.2', true))), LINK, 's#0.1', 's#0.2');
  });

  it('a message admitted by a restarted server with no epoch violates epoch-fencing', () => {
    expectFails(epochFencing.check(...step(admit('s#0.1', null, true))), LINK, 'none');
  });
});

describe('snapshot-complete', () => {
  it('holds when every unfinished entry is in the snapshot', () => {
    expectHolds(snapshotComplete.check(...step(handshake(['a/p1'], ['a/p1']))));
  });

  it('holds when an unfinished entry is already persisted in the API', () => {
    const before = healthy();
    const after = healthy({ pods: [pod('a/p1')], events: [handshake([], ['a/p1'])] });
    expectHolds(snapshotComplete.check(before, after));
  });

  it('holds when an unfinished pod was persisted and has since been deleted', () => {
    const after = healthy({ deletedPods: ['a/p1'], events: [handshake([], ['a/p1'])] });
    expectHolds(snapshotComplete.check(healthy(), after));
  });

  it('an unfinished, unpersisted entry missing from the snapshot violates snapshot-complete', () => {
    expectFails(
      snapshotComplete.check(...step(handshake(['a/p2'], ['a/p1', 'a/p2']))),
      'a/p1',
      LINK,
    );
  });

  it('a count entry is never taken as persisted', () => {
    expectFails(snapshotComplete.check(...step(handshake([], ['a/fn-h1']))), 'a/fn-h1');
  });

  it('holds when an entry is applied under the epoch it was admitted with', () => {
    expectHolds(snapshotComplete.check(...step(apply('s#0.1', 's#0.1'))));
  });

  it('an entry admitted under the old epoch landing after the fence violates it', () => {
    expectFails(snapshotComplete.check(...step(apply('s#0.1', 's#0.2'))), 'a/p1', 's#0.1', 's#0.2');
  });
});
