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
 * Each state's last report of each stage, with the snapshot it was made of. A report is a
 * function of its snapshot alone, and xstate makes a new snapshot for every transition
 * (contexts are replaced, never changed in place), so a stage that did not move this step
 * reports what it reported last step. (Kept per stage rather than in a weak map keyed by
 * every snapshot: one entry per stage, and no new key for each of the step's snapshots.)
 */
const lastReports = new WeakMap<SimState, Map<string, { snapshot: object; report: StageReport }>>();

/** Every live stage's report, by id (crashed stages have none). */
export const reportsOf = (state: SimState): Map<string, StageReport> => {
  let last = lastReports.get(state);
  if (last === undefined) {
    last = new Map();
    lastReports.set(state, last);
  }
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

/** Each state's links (they change only when a node is lost), and last step's observations of them. */
const lastLinks = new WeakMap<
  SimState,
  { lost: number; ends: [StageId, StageId, LinkId][]; links: LinkObservation[] }
>();

/**
 * Every link's observation: last step's object where nothing of it changed (most links, most
 * steps), and last step's array where no link did, rather than all of them made anew.
 */
const linkObservations = (
  state: SimState,
  reports: ReadonlyMap<string, StageReport>,
): LinkObservation[] => {
  const inFlight = new Map<LinkId, number>();
  for (const p of state.agenda.all())
    if (p.kind === 'message') inFlight.set(p.link, (inFlight.get(p.link) ?? 0) + 1);
  let last = lastLinks.get(state);
  if (last?.lost !== state.lostNodes.size) {
    const ends = topologyLinks(state).map(([client, server]): [StageId, StageId, LinkId] => [
      client,
      server,
      linkId(client, server),
    ]);
    last = { lost: state.lostNodes.size, ends, links: [] };
    lastLinks.set(state, last);
  }
  const previous = last.links;
  let changed = previous.length !== last.ends.length;
  const links = last.ends.map(([client, server, id], i): LinkObservation => {
    const end = reports.get(client)?.clients.find((c) => c.server === server);
    const clientPhase = end?.phase ?? 'disconnected';
    const clientEpoch = end?.epoch ?? null;
    const serverEpoch = reports.get(server)?.serverEpochs[client] ?? null;
    const count = inFlight.get(id) ?? 0;
    const old = previous[i];
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
  if (!changed) return previous;
  last.links = links;
  return links;
};

const kubeletObservations = (state: SimState): KubeletObservation[] =>
  state.topology.nodes.map((node) => ({
    node,
    nodeAlive: !state.lostNodes.has(node),
    sandboxes: [...(state.sandboxes.get(node)?.values() ?? [])],
  }));

/** Each state's last copy of its ghost's ReplicaSet templates, and their count then. */
const templates = new WeakMap<SimState, { added: number; rsTemplates: Ghost['rsTemplates'] }>();

/**
 * The ghost history for one Observation (the runtime keeps changing its own). Every value
 * is a primitive, so copying each record is a deep copy, without the cost of
 * `structuredClone`. The deleted pods are the set as it stands now (it only grows, and
 * keeps what each size held: `GrowingKeys`); the templates only gain entries too (a
 * ReplicaSet uid gets its immutable template hash), so while their count is unchanged the
 * previous copy is still exact and is shared.
 */
const ghostCopy = (state: SimState): Ghost => {
  const g = state.ghost;
  let shared = templates.get(state);
  if (shared?.added !== g.templatesAdded) {
    shared = { added: g.templatesAdded, rsTemplates: { ...g.rsTemplates } };
    templates.set(state, shared);
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

/** The API part of each state's last Observation. */
const lastApi = new WeakMap<SimState, Observation['api']>();

/**
 * The API objects with the server's availability and resourceVersion: last step's object
 * while neither changed (the views are rebuilt only after a write, which moves the
 * resourceVersion), rather than the views spread into a new object every step.
 */
const apiOf = (state: SimState): Observation['api'] => {
  const up = state.api.available;
  const rv = state.api.resourceVersion;
  const last = lastApi.get(state);
  if (last?.up === up && last.rv === rv) return last;
  const api = { ...apiViews(state).objects, up, rv };
  lastApi.set(state, api);
  return api;
};

/** Each state's last desired counts, shared by the Observations while the load stands. */
const lastDesired = new WeakMap<SimState, Readonly<Record<string, number>>>();

/**
 * The load per function as a record: the previous step's object while every count is the
 * same (a load changes a few times per run), so that conformance's comparison of two
 * Observations' desired counts is one identity check.
 */
const desiredOf = (state: SimState): Readonly<Record<string, number>> => {
  const last = lastDesired.get(state);
  if (last !== undefined && sameLoad(last, state.load)) return last;
  const desired = Object.fromEntries(state.load);
  lastDesired.set(state, desired);
  return desired;
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
): Observation => ({
  step: state.step,
  api: apiOf(state),
  stages: stageIds(state).map((id) => stageObservation(state, id, reports.get(id))),
  kubelets: kubeletObservations(state),
  links: linkObservations(state, reports),
  desired: desiredOf(state),
  overshootSlack: state.config.preset.overshootSlack,
  ghost: ghostCopy(state),
  events,
});
