/**
 * The `Observation` of the current state, in the meaning of spec/world/observe.ts: the API
 * objects as views, each stage's report (a crashed stage is `down` with nothing cached),
 * each node's sandboxes, each direct link (client phase and epoch from the client's report,
 * the server's epoch for that source from the server's report, messages in flight both
 * ways), the desired count per function (the load), the ghost history and the step's events.
 */
import { type LinkId, linkId, type StageId, stageKindOf } from '../../../spec/types/ids.js';
import type {
  AppliedEvent,
  Ghost,
  KubeletObservation,
  LinkObservation,
  Observation,
  StageObservation,
} from '../../../spec/types/observation.js';
import type { StageReport } from '../../stages/io.js';
import { apiViews } from './api-views.js';
import { observedIncarnation } from './incarnation.js';
import { stageIds } from './lifecycle.js';
import type { SimState } from './state.js';

/**
 * What each state's last Observation was made of, for the next one to reuse where what a
 * part shows did not change since (most parts, most steps): one record per state, looked up
 * once per Observation.
 */
interface Previous {
  /**
   * Each stage's last report, with the snapshot it was made of. A report is a function of
   * its snapshot alone, and xstate makes a new snapshot for every transition (contexts are
   * replaced, never changed in place), so a stage that did not move reports as before.
   */
  readonly reports: Map<string, { snapshot: object; report: StageReport }>;
  /** The links (they change only when a node is lost), and their last observations. */
  links: { lost: number; ends: [StageId, StageId, LinkId][]; observed: LinkObservation[] } | null;
  /** The last copy of the ghost's ReplicaSet templates, and their count then. */
  templates: { added: number; rsTemplates: Ghost['rsTemplates'] } | null;
  api: Observation['api'] | null;
  desired: Readonly<Record<string, number>> | null;
}

const previous = new WeakMap<SimState, Previous>();

const previousOf = (state: SimState): Previous => {
  let found = previous.get(state);
  if (found === undefined) {
    found = { reports: new Map(), links: null, templates: null, api: null, desired: null };
    previous.set(state, found);
  }
  return found;
};

/** Every live stage's report, by id (crashed stages have none). */
export const reportsOf = (state: SimState): Map<string, StageReport> => {
  const last = previousOf(state).reports;
  const reports = new Map<string, StageReport>();
  for (const slot of state.actors.values()) {
    const snapshot = slot.snapshot;
    if (!snapshot) continue;
    let known = last.get(slot.id);
    if (known?.snapshot !== snapshot) {
      known = { snapshot, report: slot.module.report(snapshot) };
      last.set(slot.id, known);
    }
    reports.set(slot.id, known.report);
  }
  return reports;
};

const stageObservation = (
  state: SimState,
  id: StageId,
  report: StageReport | undefined,
): StageObservation => ({
  id,
  kind: stageKindOf(id),
  up: report !== undefined,
  incarnation: observedIncarnation(state, id, report),
  phase: report?.phase ?? 'down',
  dirty: report?.dirty ?? [],
  informerRv: report?.informerRv ?? 0,
});

/** The direct links of the topology: none on the vanilla path. */
const topologyLinks = (state: SimState): [StageId, StageId][] => {
  if (state.mode === 'api') return [];
  const links: [StageId, StageId][] = [];
  if (state.config.switches.autoscalerLink === 'direct') links.push(['autoscaler', 'deployment']);
  links.push(['deployment', 'replicaset'], ['replicaset', 'scheduler']);
  for (const node of state.topology.nodes)
    if (!state.lostNodes.has(node)) links.push(['scheduler', `kubelet/${node}`]);
  return links;
};

const linkObservations = (
  state: SimState,
  reports: ReadonlyMap<string, StageReport>,
  prev: Previous,
): LinkObservation[] => {
  const inFlight = new Map<LinkId, number>();
  for (const p of state.agenda.all())
    if (p.kind === 'message') inFlight.set(p.link, (inFlight.get(p.link) ?? 0) + 1);
  let last = prev.links;
  if (last?.lost !== state.lostNodes.size) {
    const ends = topologyLinks(state).map(([client, server]): [StageId, StageId, LinkId] => [
      client,
      server,
      linkId(client, server),
    ]);
    last = { lost: state.lostNodes.size, ends, observed: [] };
    prev.links = last;
  }
  const before = last.observed;
  let changed = before.length !== last.ends.length;
  const links = last.ends.map(([client, server, id], i): LinkObservation => {
    const end = reports.get(client)?.clients.find((c) => c.server === server);
    const clientPhase = end?.phase ?? 'disconnected';
    const clientEpoch = end?.epoch ?? null;
    const serverEpoch = reports.get(server)?.serverEpochs[client] ?? null;
    const count = inFlight.get(id) ?? 0;
    const old = before[i];
    if (
      old?.clientPhase === clientPhase &&
      old.clientEpoch === clientEpoch &&
      old.serverEpoch === serverEpoch &&
      old.inFlight === count
    )
      return old;
    changed = true;
    return { id, client, server, clientPhase, clientEpoch, serverEpoch, inFlight: count };
  });
  if (!changed) return before;
  last.observed = links;
  return links;
};

const kubeletObservations = (state: SimState): KubeletObservation[] =>
  state.topology.nodes.map((node) => ({
    node,
    nodeAlive: !state.lostNodes.has(node),
    sandboxes: [...(state.sandboxes.get(node)?.values() ?? [])],
  }));

/**
 * The ghost history for one Observation (the runtime keeps changing its own). Every value
 * is a primitive, so copying each record is a deep copy, without the cost of
 * `structuredClone`. The deleted pods are the set as it stands now (it only grows, and
 * keeps what each size held: `GrowingKeys`); the templates only gain entries too (a
 * ReplicaSet uid gets its immutable template hash), so while their count is unchanged the
 * previous copy is still exact and is shared.
 */
const ghostCopy = (state: SimState, prev: Previous): Ghost => {
  const g = state.ghost;
  let shared = prev.templates;
  if (shared?.added !== g.templatesAdded) {
    shared = { added: g.templatesAdded, rsTemplates: { ...g.rsTemplates } };
    prev.templates = shared;
  }
  return {
    deletedPods: g.deletedPods.now(),
    rsTemplates: shared.rsTemplates,
    recentDesiredMax: { ...g.recentDesiredMax },
    installedEpochs: { ...g.installedEpochs },
    handshakeEpochs: { ...g.handshakeEpochs },
    readyFloor: { ...g.readyFloor },
  };
};

/**
 * The API objects with the server's availability and resourceVersion: last step's object
 * while neither changed (the views are rebuilt only after a write, which moves the
 * resourceVersion), rather than the views spread into a new object every step.
 */
const apiOf = (state: SimState, prev: Previous): Observation['api'] => {
  const up = state.api.available;
  const rv = state.api.resourceVersion;
  const last = prev.api;
  if (last?.up === up && last.rv === rv) return last;
  prev.api = { ...apiViews(state).objects, up, rv };
  return prev.api;
};

/**
 * The load per function as a record: the previous step's object while every count is the
 * same (a load changes a few times per run), so that conformance's comparison of two
 * Observations' desired counts is one identity check.
 */
const desiredOf = (state: SimState, prev: Previous): Readonly<Record<string, number>> => {
  const last = prev.desired;
  if (last !== null && sameLoad(last, state.load)) return last;
  prev.desired = Object.fromEntries(state.load);
  return prev.desired;
};

const sameLoad = (record: Readonly<Record<string, number>>, load: ReadonlyMap<string, number>) => {
  let size = 0;
  for (const key in record) {
    if (load.get(key) !== record[key]) return false;
    size += 1;
  }
  return size === load.size;
};

export const observe = (
  state: SimState,
  reports: ReadonlyMap<string, StageReport>,
  events: readonly AppliedEvent[],
): Observation => {
  const prev = previousOf(state);
  return {
    step: state.step,
    api: apiOf(state, prev),
    stages: stageIds(state).map((id) => stageObservation(state, id, reports.get(id))),
    kubelets: kubeletObservations(state),
    links: linkObservations(state, reports, prev),
    desired: desiredOf(state, prev),
    overshootSlack: state.config.preset.overshootSlack,
    ghost: ghostCopy(state, prev),
    events,
  };
};
