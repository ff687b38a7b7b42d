import { describe, expect, test } from 'vitest';
import type { SimAction, StepRecord } from '../../impl/runtime/sim/types.js';
import {
  healthy,
  kubelet,
  link,
  podEntry,
  stage,
} from '../../properties/test-support/observation.js';
import type { AppliedEvent } from '../../spec/types/observation.js';
import { createGuardCheck, type RunFeatures } from './enabledness.js';
import { actingStageOf, facetsOf, type GuardTable, guardOf } from './guards.js';

const DIRECT: RunFeatures = { inForce: () => false, vanilla: false };

const take = (
  label: string,
  actor: string,
  more: { note?: string; events?: AppliedEvent[] } = {},
): StepRecord => ({
  step: 1,
  atMs: 0,
  action: { type: 'take', id: 'x' } satisfies SimAction,
  label,
  actor,
  events: more.events ?? [],
  ...(more.note === undefined ? {} : { note: more.note }),
});

const kubeletIn = (phase: 'syncing' | 'serving', serverEpoch: string | null) =>
  healthy({
    stages: [stage('kubelet/n1', [podEntry('a/p1', { state: 'exposing', node: 'n1' })], { phase })],
    kubelets: [kubelet('n1')],
    links: [link('scheduler', 'kubelet/n1', { serverEpoch })],
  });

describe('the guard of a stage', () => {
  test('phase, the set of its entries by lifecycle state, its links as client and as server', () => {
    expect(guardOf(kubeletIn('serving', 'e1'), 'kubelet/n1')).toBe(
      'serving | dirty exposing | client - | serves epoch',
    );
  });

  test('a link the implementation has not used yet is disconnected, without epoch', () => {
    const o = healthy({ stages: [stage('scheduler')], kubelets: [kubelet('n1'), kubelet('n2')] });
    expect(guardOf(o, 'scheduler')).toBe('serving | dirty - | client disconnected | serves none');
  });

  test('a crashed stage reads as syncing, as in the footprints', () => {
    const o = healthy({ stages: [stage('scheduler', [], { phase: 'down', up: false })] });
    expect(guardOf(o, 'scheduler')?.startsWith('syncing | ')).toBe(true);
  });

  test('the acting stage of a model action: the receiver of a delivery, else a stage actor', () => {
    expect(
      actingStageOf({
        actor: 'net',
        label: 'deliver kubelet.bindPod scheduler->k/n1 e=x',
        fault: false,
      }),
    ).toBe('kubelet/n1');
    expect(actingStageOf({ actor: 'kubelet/n1', label: 'expose a/p1', fault: false })).toBe(
      'kubelet/n1',
    );
    expect(actingStageOf({ actor: 'kubelet/n1', label: 'crash kubelet/n1', fault: true })).toBe(
      null,
    );
    expect(actingStageOf({ actor: 'api', label: 'outage', fault: true })).toBe(null);
  });
});

describe('judging a step by the guard of its acting stage', () => {
  const table: GuardTable = {
    'deliver kubelet.bindPod': [
      'serving | dirty - | client - | serves epoch',
      'serving | dirty exposing | client - | serves none',
    ],
    'deliver kubelet.handshake': ['serving | dirty - | client - | serves none'],
    'kubelet: expose': ['serving | dirty exposing | client - | serves epoch'],
  };
  const bind = take('deliver kubelet.bindPod scheduler->kubelet/n1 e=x', 'kubelet/n1');

  test('by each facet with its phase: a combination no single model state shows is allowed', () => {
    expect(facetsOf('serving | dirty exposing | client - | serves epoch')).toEqual([
      'serving | dirty exposing',
      'serving | client -',
      'serving | serves epoch',
    ]);
    // `dirty exposing` and `serves epoch` occur, each with `serving`, in different guards.
    expect(createGuardCheck(table).check(kubeletIn('serving', 'e1'), bind, DIRECT)).toBeNull();
  });

  test('a facet the class never starts in is a mismatch naming it', () => {
    const wrong = createGuardCheck(table).check(kubeletIn('syncing', 'e1'), bind, DIRECT);
    expect(wrong?.missing).toEqual([
      'syncing | dirty exposing',
      'syncing | client -',
      'syncing | serves epoch',
    ]);
    expect(wrong?.judgement.classes).toEqual(['deliver kubelet.bindPod']);
  });

  test('a handshake the server does not take (notReady) is the model deferring it: not judged', () => {
    const handshake = 'deliver kubelet.handshake scheduler->kubelet/n1 e=x';
    const check = createGuardCheck(table);
    expect(check.check(kubeletIn('syncing', null), take(handshake, 'kubelet/n1'), DIRECT)).toBe(
      null,
    );
    const taken: AppliedEvent = {
      kind: 'handshake',
      link: 'scheduler->kubelet/n1',
      epoch: 'x',
      snapshot: [],
      unfinished: [],
    };
    const judged = check.check(
      kubeletIn('syncing', null),
      take(handshake, 'kubelet/n1', { events: [taken] }),
      DIRECT,
    );
    expect(judged?.missing).toContain('syncing | serves none');
  });

  test('a request is judged by phase, up to later phases, and only for the incarnation that sent it', () => {
    const expose = take('api kubelet/n1 exposePod a/p1', 'kubelet/n1');
    const check = createGuardCheck(table);
    // Decided while syncing: the model's kubelet exposes only while serving.
    expect(check.check(kubeletIn('syncing', null), expose, DIRECT)?.missing).toEqual(['syncing']);
    // Whatever the cache and the links are by now: only the phase is judged.
    expect(check.check(kubeletIn('serving', null), expose, DIRECT)).toBeNull();
    // Sent by an incarnation that crashed since: the situation it was decided in is gone.
    const stale = take('api kubelet/n1 exposePod a/p1', 'kubelet/n1', {
      note: 'receiver restarted since',
    });
    expect(check.check(kubeletIn('syncing', null), stale, DIRECT)).toBeNull();
    expect(check.stats()).toEqual({ checked: 2, whole: 0, mismatches: 1 });
  });

  test('on the vanilla path a delivery is judged by its phase only', () => {
    const vanilla: RunFeatures = { inForce: () => false, vanilla: true };
    const check = createGuardCheck(table);
    const o = healthy({ stages: [stage('kubelet/n1', [], { phase: 'serving' })] });
    expect(check.check(o, bind, vanilla)).toBeNull();
  });
});
