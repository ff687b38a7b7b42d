/**
 * Stage lifecycles: start (first start or restart as incarnation + 1), crash (the actor and
 * its informers are discarded; messages already on the wire and API requests already sent
 * are not), and the informers' pending events. A started stage gets `start`, then (a
 * kubelet) `sandbox.list` of the sandboxes its node still runs, then (the autoscaler) the
 * current load of every function; its informers list at once and deliver as pending events,
 * followed by `informer.synced` once the initial list has been delivered.
 */

import type { V1Pod } from '@kubernetes/client-node';
import { nodeOfKubelet, type StageId, stageKindOf } from '../../../spec/types/ids.js';
import type { ApiServer, Kind, Watch } from '../../apiserver/index.js';
import { isTemplatePod } from '../../k8s/index.js';
import type { StageInput } from '../../stages/io.js';
import { createActor, dispatch } from './dispatch.js';
import { openInformers, type StageInformer } from './informers.js';
import type { ActorSlot, SimState } from './state.js';

const CONTROLLERS: readonly StageId[] = ['autoscaler', 'deployment', 'replicaset', 'scheduler'];

/** Every stage of the topology, in pipeline order. */
export const stageIds = (state: SimState): StageId[] => [
  ...CONTROLLERS,
  ...state.topology.nodes.map((node): StageId => `kubelet/${node}`),
];

const downstreamOf = (state: SimState, stage: StageId): StageId[] => {
  switch (stageKindOf(stage)) {
    case 'autoscaler':
      return state.config.switches.autoscalerLink === 'direct' && state.mode === 'direct'
        ? ['deployment']
        : [];
    case 'deployment':
      return ['replicaset'];
    case 'replicaset':
      return ['scheduler'];
    case 'scheduler':
      return state.topology.nodes
        .filter((node) => !state.lostNodes.has(node))
        .map((node): StageId => `kubelet/${node}`);
    default:
      return [];
  }
};

export const informId = (informer: StageInformer): string => `inform ${informer.id}`;
const listId = (informer: StageInformer): string => `list ${informer.id}`;
const syncedId = (stage: StageId): string => `synced ${stage}`;

/** Starts incarnation `incarnation` of `stage` (the slot must exist). */
export const startStage = (state: SimState, slot: ActorSlot, incarnation: number): void => {
  slot.incarnation = incarnation;
  slot.synced = false;
  slot.progressTold = 0;
  slot.informers = openInformers(state.api, slot.id);
  const input: StageInput = {
    id: slot.id,
    config: state.config,
    mode: state.mode,
    downstream: downstreamOf(state, slot.id),
  };
  createActor(state, slot, input);
  dispatch(state, slot, { type: 'start' });
  const node = nodeOfKubelet(slot.id);
  if (node !== null) {
    const pods = [...(state.sandboxes.get(node)?.keys() ?? [])];
    dispatch(state, slot, { type: 'sandbox.list', pods });
  }
  if (slot.id === 'autoscaler') {
    for (const [deployment, load] of state.load)
      dispatch(state, slot, { type: 'load', deployment, load });
  }
  for (const informer of slot.informers) syncInformer(state, slot, informer);
};

/** Discards the actor, its informers and everything pending that only it could receive. */
export const crashStage = (state: SimState, slot: ActorSlot): void => {
  slot.snapshot = null;
  slot.synced = false;
  slot.written.clear();
  for (const informer of slot.informers) {
    informer.informer.close();
    state.agenda.remove(informId(informer));
    state.agenda.remove(listId(informer));
  }
  slot.informers = [];
  state.agenda.remove(syncedId(slot.id));
  for (const pending of state.agenda.all()) {
    const mine =
      (pending.kind === 'timer' || pending.kind === 'apiDone') && pending.stage === slot.id;
    // A request still waiting for its client's rate-limit token never left the process.
    const unsent =
      pending.kind === 'api' && pending.stage === slot.id && pending.sentAtMs > state.nowMs;
    if (mine || unsent || (pending.kind === 'sandboxStopped' && pending.actor === slot.id))
      state.agenda.remove(pending.id);
  }
};

/** Makes an informer's agenda entry match its undelivered events (or its failed list). */
export const syncInformer = (state: SimState, slot: ActorSlot, informer: StageInformer): void => {
  if (!informer.informer.hasListed) {
    if (!state.agenda.has(listId(informer)))
      state.agenda.put({
        kind: 'list',
        id: listId(informer),
        dueAtMs: state.nowMs + state.latencies.relistRetryMs,
        label: `list ${informer.id}`,
        actor: slot.id,
        stage: slot.id,
        informer: informer.id,
      });
    return;
  }
  informer.notice(state.nowMs + state.latencies.informerLagMs, state.api.resourceVersion);
  const id = informId(informer);
  const due = informer.nextDueAtMs;
  if (due === undefined) state.agenda.remove(id);
  else if (state.agenda.get(id)?.dueAtMs !== due)
    state.agenda.put({
      kind: 'inform',
      id,
      dueAtMs: due,
      label: id,
      actor: slot.id,
      stage: slot.id,
      informer: informer.id,
    });
  maybeSynced(state, slot);
};

/** Once every informer has listed and delivered its initial list, `informer.synced` is due. */
const maybeSynced = (state: SimState, slot: ActorSlot): void => {
  if (slot.synced || state.agenda.has(syncedId(slot.id))) return;
  if (!slot.informers.every((i) => i.informer.hasListed && i.initialRemaining === 0)) return;
  state.agenda.put({
    kind: 'synced',
    id: syncedId(slot.id),
    dueAtMs: state.nowMs + state.latencies.informerLagMs,
    label: syncedId(slot.id),
    actor: slot.id,
    stage: slot.id,
  });
};

/**
 * Which informers a step's writes can have touched, from the runtime's own watches of every
 * kind: a template Pod's write concerns the template informers, a pod's write the pod
 * informers of its node and the unfiltered ones, any other write that kind's informers.
 * Without this index a burst on 2,000 nodes would look at every kubelet's informers after
 * every write.
 */
interface Touched {
  readonly kinds: Set<Kind>;
  templates: boolean;
  readonly nodes: Set<string>;
}

const touchedBy = (watches: readonly Watch[]): Touched => {
  const touched: Touched = { kinds: new Set(), templates: false, nodes: new Set() };
  for (const watch of watches) {
    for (let e = watch.take(); e; e = watch.take()) {
      const kind = watch.filter.kind;
      if (kind !== 'Pod') touched.kinds.add(kind);
      else if (isTemplatePod(e.object as V1Pod)) touched.templates = true;
      else {
        touched.kinds.add('Pod');
        const node = (e.object as V1Pod).spec?.nodeName;
        if (node) touched.nodes.add(node);
      }
    }
  }
  return touched;
};

const mayHaveEvents = (informer: StageInformer, touched: Touched): boolean => {
  const filter = informer.informer.filter;
  if (filter.kind !== 'Pod') return touched.kinds.has(filter.kind);
  if (informer.tag === 'templates') return touched.templates;
  if (filter.nodeName !== undefined) return touched.nodes.has(filter.nodeName);
  return touched.templates || touched.kinds.has('Pod');
};

/** After a step: stamps new watch events on the live informers the step's writes touched. */
export const refreshInformers = (state: SimState, watches: readonly Watch[]): void => {
  const rv = state.api.resourceVersion;
  if (rv === state.lastRefreshRv) return;
  state.lastRefreshRv = rv;
  const touched = touchedBy(watches);
  // Kubelets are the many: look at all of them only for writes every kubelet may watch.
  const everyKubelet = touched.templates || [...touched.kinds].some((kind) => kind !== 'Pod');
  const stages = everyKubelet
    ? state.actors.keys()
    : [...CONTROLLERS, ...[...touched.nodes].map((node): StageId => `kubelet/${node}`)];
  for (const stage of stages) {
    const slot = state.slot(stage);
    if (!slot?.snapshot) continue;
    for (const informer of slot.informers)
      if (mayHaveEvents(informer, touched)) syncInformer(state, slot, informer);
  }
};

/** The runtime's own watches of every kind (not informers: never accounted). */
export const openChangeWatches = (api: ApiServer): Watch[] =>
  (['Deployment', 'ReplicaSet', 'Pod', 'Node'] as const).map((kind) =>
    api.watch('sim-changes', { kind }),
  );
