import { describe, it } from 'vitest';
import type { LinkId } from '../../spec/types/ids.js';
import type {
  AppliedEvent,
  Ghost,
  Observation,
  PodEntryState,
} from '../../spec/types/observation.js';
import {
  countEntry,
  healthy,
  type ObservationParts,
  pod,
  podEntry,
  replicaSet,
  stage,
} from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { epochFencing, handshakeEpochsIncrease, snapshotComplete } from './sessions.js';

const LINK = 'scheduler->kubelet/n1' as const;
const KUBELET = 'kubelet/n1' as const;

/** The ghost's record: the kubelet (incarnation 0) last answered a handshake of `epoch`. */
const installed = (epoch: string, serverIncarnation = 0): Ghost['installedEpochs'] => ({
  [LINK]: { epoch, serverIncarnation },
});

/** The stage's own report of an admission: its `serverEpochAtAdmission` is not trusted. */
const admit = (epoch: string, admitted: boolean): AppliedEvent => ({
  kind: 'admit',
  link: LINK,
  message: 'kubelet.bindPod',
  epoch,
  serverEpochAtAdmission: epoch,
  admitted,
  entries: ['a/p1'],
});

/** A handshake whose snapshot the stage reports; `unfinished` is the stage's and unused. */
const handshake = (snapshot: string[], link: LinkId = LINK): AppliedEvent => ({
  kind: 'handshake',
  link,
  epoch: 'scheduler#0.2',
  snapshot,
  unfinished: snapshot,
});

const apply = (epoch: string): AppliedEvent => ({
  kind: 'apply',
  link: LINK,
  message: 'kubelet.bindPod',
  epoch,
  serverEpochAtApply: epoch,
  entries: ['a/p1'],
});

const kubeletHolding = (...states: [string, PodEntryState][]) =>
  stage(
    KUBELET,
    states.map(([key, state]) => podEntry(key, { state, source: 'scheduler' })),
  );

const step = (
  parts: ObservationParts,
  ...events: AppliedEvent[]
): readonly [Observation, Observation] => [healthy(parts), healthy({ ...parts, events })];

describe('epoch-fencing', () => {
  const server = { stages: [stage(KUBELET)], installedEpochs: installed('s#0.1') };

  it('holds when an admitted message carries the epoch the ghost saw installed', () => {
    expectHolds(epochFencing.check(...step(server, admit('s#0.1', true))));
  });

  it('holds when a stale message is refused', () => {
    const after = { ...server, installedEpochs: installed('s#0.2') };
    expectHolds(epochFencing.check(...step(after, admit('s#0.1', false))));
  });

  it('a message admitted under an older epoch than the installed one violates it, whatever the stage reports', () => {
    const after = { ...server, installedEpochs: installed('s#0.2') };
    expectFails(epochFencing.check(...step(after, admit('s#0.1', true))), LINK, 's#0.1', 's#0.2');
  });

  it('a message admitted by a restarted server that answered no handshake violates it', () => {
    // The installed epoch belongs to incarnation 0; the kubelet now runs incarnation 1.
    const restarted = { ...server, stages: [stage(KUBELET, [], { incarnation: 1 })] };
    expectFails(epochFencing.check(...step(restarted, admit('s#0.1', true))), LINK, 'none');
  });
});

describe('snapshot-complete', () => {
  it('holds when everything the server holds from the client is in the snapshot', () => {
    const parts = { stages: [kubeletHolding(['a/p1', 'exposing'])] };
    expectHolds(snapshotComplete.check(...step(parts, handshake(['a/p1']))));
  });

  it('holds when a held entry missing from the snapshot is already persisted', () => {
    const parts = { stages: [kubeletHolding(['a/p1', 'exposed'])], pods: [pod('a/p1')] };
    expectHolds(snapshotComplete.check(...step(parts, handshake([]))));
  });

  it('holds when a held pod missing from the snapshot was persisted and has since been deleted', () => {
    const parts = { stages: [kubeletHolding(['a/p1', 'exposed'])], deletedPods: ['a/p1'] };
    expectHolds(snapshotComplete.check(...step(parts, handshake([]))));
  });

  it('a held, unpersisted entry missing from the snapshot violates it (the snapshot code is not trusted)', () => {
    const parts = { stages: [kubeletHolding(['a/p1', 'exposing'], ['a/p2', 'waitingTemplate'])] };
    expectFails(
      snapshotComplete.check(...step(parts, handshake(['a/p2']))),
      'a/p1',
      'exposing',
      LINK,
    );
  });

  it('entries from another source are not asked of this link', () => {
    const parts = { stages: [stage(KUBELET, [podEntry('a/p1', { source: null })])] };
    expectHolds(snapshotComplete.check(...step(parts, handshake([]))));
  });

  it('a held count is persisted once the ReplicaSet shows its version, and missing before', () => {
    const link = 'deployment->replicaset' as const;
    const rs = stage('replicaset', [{ ...countEntry('a/fn-h1', 2), source: 'deployment' }]);
    const written = { stages: [rs], replicaSets: [replicaSet({ replicasVersion: 1 })] };
    expectHolds(snapshotComplete.check(...step(written, handshake([], link))));
    const unwritten = { stages: [rs], replicaSets: [replicaSet({ replicasVersion: 0 })] };
    expectFails(snapshotComplete.check(...step(unwritten, handshake([], link))), 'a/fn-h1');
  });

  it('holds when an entry is applied under the epoch the server installed', () => {
    const parts = { stages: [stage(KUBELET)], installedEpochs: installed('s#0.1') };
    expectHolds(snapshotComplete.check(...step(parts, apply('s#0.1'))));
  });

  it('an entry admitted under the old epoch landing after the fence violates it', () => {
    const parts = { stages: [stage(KUBELET)], installedEpochs: installed('s#0.2') };
    expectFails(snapshotComplete.check(...step(parts, apply('s#0.1'))), 'a/p1', 's#0.1', 's#0.2');
  });
});

describe('handshake-epochs-increase', () => {
  it('holds while every handshake on a link was newer than the ones before', () => {
    const obs = healthy({ handshakeEpochs: { [LINK]: { newest: 's#1.3', regressed: null } } });
    expectHolds(handshakeEpochsIncrease.check(obs));
  });

  it('a handshake that reused or went back from an earlier epoch violates it', () => {
    const obs = healthy({ handshakeEpochs: { [LINK]: { newest: 's#1.3', regressed: 's#1.1' } } });
    expectFails(handshakeEpochsIncrease.check(obs), LINK, 's#1.1', 's#1.3');
  });
});
