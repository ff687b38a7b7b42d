/**
 * Projects a world state onto the `Observation` the property catalogue reads. Memoised per
 * state: the explorer observes each state once as a successor and once as a source.
 */

import { type StageId, stageKindOf } from '../types/ids.js';
import type { DirtyEntry, Observation, StageObservation } from '../types/observation.js';
import { inFlightOn } from './net.js';
import type { HeldCount, HeldPod, StageCore, WorldState } from './state.js';

const count = ({ written: _w, ...entry }: HeldCount, source: StageId | null): DirtyEntry => ({
  ...entry,
  source,
});

const pod = (
  { failed: _f, templateHash: _t, ...entry }: HeldPod,
  source: StageId | null,
): DirtyEntry => ({ ...entry, source });

const stage = (core: StageCore, up: boolean, dirty: DirtyEntry[]): StageObservation => ({
  id: core.id,
  kind: stageKindOf(core.id),
  up,
  incarnation: core.incarnation,
  phase: up ? core.phase : 'down',
  dirty,
  informerRv: core.view.rv,
});

const stages = (s: WorldState): StageObservation[] => {
  const rc = s.replicaset;
  const expected: DirtyEntry[] = Object.entries(rc.expected).map(([key, n]) => ({
    kind: 'count',
    key: `${key}/expected`,
    replicas: n,
    version: 0,
    source: null,
  }));
  const out = [
    stage(
      s.autoscaler,
      true,
      Object.values(s.autoscaler.held).map((c) => count(c, null)),
    ),
    stage(s.deployment, true, [
      ...Object.values(s.deployment.counts).map((c) => count(c, null)),
      ...Object.values(s.deployment.scales).map((c) => count(c, 'autoscaler')),
    ]),
    stage(rc, true, [
      ...Object.values(rc.desired).map((c) => count(c, 'deployment')),
      ...Object.values(rc.requested).map((p) => pod(p, null)),
      ...expected,
    ]),
    stage(
      s.scheduler,
      true,
      Object.values(s.scheduler.pods).map((p) => pod(p, 'replicaset')),
    ),
  ];
  for (const k of Object.values(s.kubelets)) {
    out.push(
      stage(
        k,
        k.alive,
        Object.values(k.bound).map((p) => pod(p, 'scheduler')),
      ),
    );
  }
  return out;
};

const memo = new WeakMap<WorldState, Observation>();

export const observe = (s: WorldState, overshootSlack: number): Observation => {
  const cached = memo.get(s);
  if (cached) return cached;
  const obs: Observation = {
    step: s.step,
    api: s.api,
    stages: stages(s),
    kubelets: Object.values(s.kubelets).map((k) => ({
      node: k.node,
      nodeAlive: k.alive,
      sandboxes: Object.entries(k.sandboxes).map(([podKey, sb]) => ({ pod: podKey, ...sb })),
    })),
    links: Object.values(s.links).map((l) => ({
      id: l.id,
      client: l.client,
      server: l.server,
      clientPhase: l.phase,
      clientEpoch: l.epoch,
      serverEpoch: l.serverEpoch,
      inFlight: inFlightOn(s, l.id),
    })),
    desired: s.load,
    overshootSlack,
    ghost: s.ghost,
    events: s.events,
  };
  memo.set(s, obs);
  return obs;
};
