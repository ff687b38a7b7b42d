import { describe, expect, it } from 'vitest';
import type { AppliedEvent } from '../../spec/types/observation.js';
import type { SometimesProperty } from '../../spec/types/property.js';
import { healthy } from '../test-support/observation.js';
import {
  adoptedFromSnapshot,
  bindRacesTemplate,
  exposeRetriedAfterOutage,
  round2Resends,
  staleEpochRefused,
} from './guards.js';

const LINK = 'scheduler->kubelet/n1' as const;

const hits = (guard: SometimesProperty, ...events: AppliedEvent[]): boolean =>
  guard.hit(healthy(), healthy({ events }));

const sync = (over: Partial<Extract<AppliedEvent, { kind: 'sync' }>> = {}): AppliedEvent => ({
  kind: 'sync',
  link: LINK,
  epoch: 'e2',
  adopted: [],
  resent: [],
  recreated: [],
  forgotten: [],
  discarded: [],
  ...over,
});

const admit = (admitted: boolean): AppliedEvent => ({
  kind: 'admit',
  link: LINK,
  message: 'kubelet.bindPod',
  epoch: 'e1',
  serverEpochAtAdmission: 'e2',
  admitted,
  entries: ['a/p1'],
});

const createPod = (outcome: 'ok' | 'outage', retry: boolean): AppliedEvent => ({
  kind: 'api',
  actor: 'kubelet/n1',
  verb: 'create',
  resource: 'pod',
  key: 'a/p1',
  outcome,
  retry,
});

describe('round2-resends', () => {
  it('is hit by a round 2 that re-sends or re-creates an entry', () => {
    expect(hits(round2Resends, sync({ resent: ['a/p1'] }))).toBe(true);
    expect(hits(round2Resends, sync({ recreated: ['a/p2'] }))).toBe(true);
  });

  it('is not hit by a round 2 that only adopts', () => {
    expect(hits(round2Resends, sync({ adopted: ['a/p1'] }))).toBe(false);
  });
});

describe('stale-epoch-refused', () => {
  it('is hit when a server refuses a message', () => {
    expect(hits(staleEpochRefused, admit(false))).toBe(true);
  });

  it('is not hit when a message is admitted', () => {
    expect(hits(staleEpochRefused, admit(true))).toBe(false);
  });
});

describe('adopted-from-snapshot', () => {
  it('is hit by a round 2 that adopts an entry', () => {
    expect(hits(adoptedFromSnapshot, sync({ adopted: ['a/p1'] }))).toBe(true);
  });

  it('is not hit by an empty round 2', () => {
    expect(hits(adoptedFromSnapshot, sync())).toBe(false);
  });
});

describe('expose-retried-after-outage', () => {
  it('is hit by a retried pod create that succeeds', () => {
    expect(hits(exposeRetriedAfterOutage, createPod('ok', true))).toBe(true);
  });

  it('is not hit by a first-time create or a retry that fails again', () => {
    expect(hits(exposeRetriedAfterOutage, createPod('ok', false))).toBe(false);
    expect(hits(exposeRetriedAfterOutage, createPod('outage', true))).toBe(false);
  });
});

describe('bind-races-template', () => {
  it('is hit when a bind reaches a kubelet before the template', () => {
    const event: AppliedEvent = { kind: 'bindBeforeTemplate', node: 'n1', pod: 'a/p1' };
    expect(hits(bindRacesTemplate, event)).toBe(true);
  });

  it('is not hit by a step without that event', () => {
    expect(hits(bindRacesTemplate)).toBe(false);
  });
});
