/**
 * Projects a world state onto the `Observation` the property catalogue reads. Its parts are
 * memoised per sub-object (a stage's observation per stage object, a link's per link object
 * and count in flight): a step changes one or two stages, and the successor's observation
 * shares the rest with its parent's. Observations are never changed once built, so sharing
 * them is safe. The observation itself is not memoised per state: the explorer observes a
 * state twice (as a successor, then once more as a source if it is new), and building it
 * again from memoised parts costs less than a weak map entry for every successor. The parts'
 * entries for a successor are written only if the explorer keeps it (`HeldMemo`, memo.ts).
 */

import { type LinkId, type StageId, stageKindOf } from '../types/ids.js';
import type {
  DirtyEntry,
  Ghost,
  KubeletObservation,
  LinkObservation,
  Observation,
  StageObservation,
} from '../types/observation.js';
import { HeldMemo } from './memo.js';
import { linkOf } from './net.js';
import type { HeldCount, HeldPod, LinkState, StageCore, WorldGhost, WorldState } from './state.js';

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

/**
 * A stage's observation, memoised per stage object (`up` and `dirty` read the object
 * alone: a kubelet's `alive` is its own field; the controllers are always up).
 */
const observed = <T extends StageCore>(
  core: T,
  up: boolean,
  dirty: (core: T) => DirtyEntry[],
): StageObservation => {
  let out = stageMemo.get(core);
  if (out === undefined) {
    out = stage(core, up, dirty(core));
    stageMemo.set(core, out);
  }
  return out;
};

const stageMemo = new HeldMemo<StageCore, StageObservation>();

const autoscalerDirty = (a: WorldState['autoscaler']): DirtyEntry[] =>
  Object.values(a.held).map((c) => count(c, null));

const deploymentDirty = (d: WorldState['deployment']): DirtyEntry[] => [
  ...Object.values(d.counts).map((c) => count(c, null)),
  ...Object.values(d.scales).map((c) => count(c, 'autoscaler')),
];

const replicaSetDirty = (rc: WorldState['replicaset']): DirtyEntry[] => [
  ...Object.values(rc.desired).map((c) => count(c, 'deployment')),
  ...Object.values(rc.requested).map((p) => pod(p, null)),
  ...Object.entries(rc.expected).map(
    ([key, n]): DirtyEntry => ({
      kind: 'count',
      key: `${key}/expected`,
      replicas: n,
      version: 0,
      source: null,
    }),
  ),
];

const schedulerDirty = (s: WorldState['scheduler']): DirtyEntry[] =>
  Object.values(s.pods).map((p) => pod(p, 'replicaset'));

type Kubelet = WorldState['kubelets'][string];
const kubeletDirty = (k: Kubelet): DirtyEntry[] =>
  Object.values(k.bound).map((p) => pod(p, 'scheduler'));

const stages = (s: WorldState): StageObservation[] => {
  const out = [
    observed(s.autoscaler, true, autoscalerDirty),
    observed(s.deployment, true, deploymentDirty),
    observed(s.replicaset, true, replicaSetDirty),
    observed(s.scheduler, true, schedulerDirty),
  ];
  for (const k of Object.values(s.kubelets)) out.push(observed(k, k.alive, kubeletDirty));
  return out;
};

const kubelet = (k: Kubelet): KubeletObservation => {
  let out = kubeletMemo.get(k);
  if (out === undefined) {
    out = {
      node: k.node,
      nodeAlive: k.alive,
      sandboxes: Object.entries(k.sandboxes).map(([podKey, sb]) => ({ pod: podKey, ...sb })),
    };
    kubeletMemo.set(k, out);
  }
  return out;
};

const kubeletMemo = new HeldMemo<Kubelet, KubeletObservation>();

/** A link's observation, memoised per link object and its count of messages in flight. */
const link = (l: LinkState, inFlight: number): LinkObservation => {
  const cached = linkMemo.get(l);
  if (cached?.inFlight === inFlight) return cached;
  const out: LinkObservation = {
    id: l.id,
    client: l.client,
    server: l.server,
    clientPhase: l.phase,
    clientEpoch: l.epoch,
    serverEpoch: l.serverEpoch,
    inFlight,
  };
  linkMemo.set(l, out);
  return out;
};

const linkMemo = new HeldMemo<LinkState, LinkObservation>();

/** Every link's observation; the messages in flight are counted per link in one pass. */
const linksOf = (s: WorldState): LinkObservation[] => {
  const inFlight = new Map<LinkId, number>();
  for (const message of s.net) {
    const id = linkOf(s, message);
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
  }
  return Object.values(s.links).map((l) => link(l, inFlight.get(l.id) ?? 0));
};

const ghosts = new HeldMemo<WorldGhost, Ghost>();

/** The world's ghost as the Observation shows it (made once per ghost object). */
const observedGhost = (g: WorldGhost): Ghost => {
  let ghost = ghosts.get(g);
  if (!ghost) {
    const deleted = g.deletedPods;
    ghost = { ...g, deletedPods: { has: (key) => deleted[key] === true } };
    ghosts.set(g, ghost);
  }
  return ghost;
};

export const observe = (s: WorldState, overshootSlack: number): Observation => ({
  step: s.step,
  api: s.api,
  stages: stages(s),
  kubelets: Object.values(s.kubelets).map(kubelet),
  links: linksOf(s),
  desired: s.load,
  overshootSlack,
  ghost: observedGhost(s.ghost),
  events: s.events,
});
