/**
 * The whole system as one model: initial state, enabled actions, and their application.
 *
 * Every step is one atomic action of one actor: a stage's own work (level-triggered on its
 * informer), an informer delivery, a session step (handshake, retry timer), the delivery of
 * one message, the garbage collector, the end of an API outage, or — within budgets — a
 * fault or an environment action. A step builds the next state from the plain one without
 * changing it, and shares every part it leaves as it was (`Step`, spec/stages/common.ts).
 * `createWorldModel` wraps it in the explorer's `Model`.
 */
import type { Action, Model, Transition } from './model.js';
import { autoscalerSteps } from './stages/autoscaler.js';
import { type Step, step, withEntries, withoutEntries } from './stages/common.js';
import { deploymentSteps, statusesAfterSync, writeStatuses } from './stages/deployment.js';
import { kubeletSteps } from './stages/kubelet.js';
import { replicaSetSteps } from './stages/replicaset.js';
import { schedulerSteps } from './stages/scheduler.js';
import type { Config } from './types/config.js';
import { type LinkId, type StageId, stageKindOf } from './types/ids.js';
import type { DataMessage } from './types/messages.js';
import type { AppliedEvent } from './types/observation.js';
import { collectGarbage, hasGarbage } from './world/api.js';
import { deliverAt, deliverable } from './world/deliver.js';
import { describe, distinctMessages } from './world/describe.js';
import { faultSteps, stageIds } from './world/faults.js';
import {
  type ReplicaSetGhostChanges,
  replicaSetGhostChanges,
  type SessionGhostChanges,
  sessionGhostChanges,
} from './world/ghost.js';
import { isStale, projectApi } from './world/informer.js';
import { initialState } from './world/initial.js';
import { sameCollection, worldKey } from './world/key.js';
import { leaseSteps, needsLease } from './world/lease.js';
import { holdFor, keep, writeThrough } from './world/memo.js';
import { inFlightOn } from './world/net.js';
import { observe } from './world/observe.js';
import {
  coreOf,
  handshakeInputs,
  holdsDirty,
  onInformerSync,
  ROLES,
  withCore,
} from './world/roles.js';
import {
  applyAdmitted,
  informerCaughtUp,
  readResourceVersion,
  startHandshake,
  withLink,
} from './world/session.js';
import { shareParts } from './world/share.js';
import type { LinkState, StageCore, WorldGhost, WorldState } from './world/state.js';
import { summarise } from './world/summary.js';

const informerSteps = (state: WorldState): Step[] => {
  if (!state.api.up) return [];
  const steps: Step[] = [];
  for (const id of stageIds(state)) {
    // A leased stage lists its informers only once it holds its Lease (lease.ts).
    if (needsLease(state, id)) continue;
    const core = coreOf(state, id);
    const stale = isStale(core.view, state.api, stageKindOf(id), sameCollection);
    if (core.phase === 'syncing' || stale || behindHeldTemplates(state, id) || waits(state, id)) {
      steps.push(
        step(id, `informer sync ${id}`, (s, cfg, events) => syncInformer(s, cfg, id, events)),
      );
    }
  }
  return steps;
};

/**
 * A kubelet or scheduler whose informer has not yet passed the creation of a template its
 * cache refers to: a delivery would tell it whether the template was deleted, even when the
 * objects it sees are unchanged (created and deleted since its last delivery).
 */
const behindHeldTemplates = (state: WorldState, id: StageId): boolean => {
  const core = coreOf(state, id);
  if (core.view.rv >= state.api.rv) return false;
  const held =
    id === 'scheduler'
      ? Object.values(state.scheduler.pods)
      : id.startsWith('kubelet/')
        ? Object.values((core as WorldState['kubelets'][string]).bound)
        : [];
  return held.some((entry) => entry.templateRv > core.view.rv);
};

/**
 * A client waiting for its informer to pass the resourceVersion it read before round 2: a
 * delivery is due even if nothing it reads changed (a watch bookmark carries the rv).
 */
const waits = (state: WorldState, id: StageId): boolean =>
  Object.values(state.links).some((l) => l.client === id && l.round2?.freshness === 'wait');

/**
 * An informer delivery: the stage's view jumps to the API's
 * newest state, a syncing stage is now recovering, its handlers evict what the view shows
 * done, the Deployment controller writes the statuses it now sees, and round 2 runs on every
 * link whose client waited for this delivery.
 */
const syncInformer = (
  state: WorldState,
  cfg: Config,
  id: StageId,
  events: AppliedEvent[],
): WorldState => {
  const core = coreOf(state, id);
  const delivered: StageCore = {
    ...core,
    view: { rv: state.api.rv, objects: projectApi(state.api, stageKindOf(id)) },
    // Before the status writes below, which only a serving controller makes: neither a
    // syncing nor a recovering one does, so they are the same as after it.
    phase: core.phase === 'syncing' ? 'recovering' : core.phase,
  };
  const synced = onInformerSync(cfg, delivered, core.view);
  const next = withCore(state, synced);
  const statuses =
    id === 'deployment' ? statusesAfterSync(synced as WorldState['deployment'], cfg) : [];
  const written = writeStatuses(next, events, statuses);
  return waits(state, id) ? informerCaughtUp(written, cfg, events, ROLES, id) : written;
};

/**
 * Session steps: first handshakes, the steps between an accepted reply and round 2, and the
 * retry timer when something was lost.
 */
interface SessionSteps {
  readonly steps: Step[];
  /** Re-checks of connected links whose client holds dirty entries. */
  readonly rechecks: { readonly link: LinkState; readonly step: Step }[];
  readonly spurious: LinkState[];
}

/** Would a re-check find something the client's latest handshake did not? (`LinkState.checked`) */
const changedSinceChecked = (state: WorldState, cfg: Config, link: LinkState): boolean =>
  handshakeInputs(state, cfg, link) !== link.checked;

const sessionSteps = (state: WorldState, cfg: Config): SessionSteps => {
  const steps: Step[] = [];
  const rechecks: SessionSteps['rechecks'] = [];
  // Links whose retry timer has no reason to fire: firing it anyway is a fault.
  const spurious: LinkState[] = [];
  for (const link of Object.values(state.links)) {
    const client = coreOf(state, link.client);
    if (client.phase !== 'recovering' && client.phase !== 'serving') continue;
    if (link.phase === 'disconnected') {
      steps.push(
        step(link.client, `handshake ${link.id}`, (s, c) => startHandshake(s, c, ROLES, link.id)),
      );
      continue;
    }
    if (link.round2) {
      steps.push(...round2Steps(state, link));
      // The timer does not run out while round 2 waits for the client's own read and
      // informer (the implementation re-arms it then: `retryVerdict`); firing now is a fault.
      spurious.push(link);
      continue;
    }
    // The client's own timer: a handshake that never completed (it fires once the link is
    // idle: the timer is longer than any message's delay), or, on a connected link, entries
    // it sent (or adopted) still not seen persisted (a re-check: `enabledSteps`). Firing at
    // any other moment is a spurious timeout (a fault).
    const idle = inFlightOn(state, link.id) === 0;
    const retry = step(link.client, `retry ${link.id}`, (s, c) =>
      startHandshake(s, c, ROLES, link.id),
    );
    if (idle && link.phase !== 'connected') steps.push(retry);
    else if (idle && holdsDirty(state, link) && changedSinceChecked(state, cfg, link))
      rechecks.push({ link, step: retry });
    else spurious.push(link);
  }
  for (const link of Object.values(state.links)) {
    link.admitted.forEach((m, i) => {
      steps.push(
        step(link.server, `apply ${describe(m)}`, (s, c, events) => {
          const taken = { ...link, admitted: link.admitted.filter((_, j) => j !== i) };
          return applyAdmitted(withLink(s, taken), c, events, ROLES, taken, m as DataMessage);
        }),
      );
    });
  }
  return { steps, rechecks, spurious };
};

/** A reply accepted during an outage: the resourceVersion read once the API is back. */
const round2Steps = (state: WorldState, link: LinkState): Step[] =>
  link.round2?.freshness === 'read' && state.api.up
    ? [
        step(link.client, `read rv ${link.id}`, (s, c, events) =>
          readResourceVersion(s, c, events, ROLES, link.id),
        ),
      ]
    : [];

const networkSteps = (state: WorldState, cfg: Config): Step[] =>
  distinctMessages(state.net)
    .filter(([, m]) => deliverable(state, cfg, m))
    .map(([i, m]) =>
      step('net', `deliver ${describe(m)}`, (s, c, events) => deliverAt(s, c, events, i)),
    );

const environmentSteps = (state: WorldState): Step[] => {
  const steps: Step[] = [];
  if (!state.api.up) {
    steps.push(step('api', 'outage ends', (s) => ({ ...s, api: { ...s.api, up: true } })));
  } else if (hasGarbage(state.api)) {
    const sweep = (s: WorldState) => ({ ...s, api: collectGarbage(s.api) });
    steps.push(step('gc', 'garbage collection', sweep));
  }
  return steps;
};

/**
 * Every step enabled in `state`. A re-check timer (seconds) is far slower than the work of
 * the stages, messages, informers and the API Server (milliseconds): it fires, fault-free,
 * only once nothing else can happen; firing while the system is still busy is a spurious
 * timeout, one of the faults. This bounds a periodic timer without reading anyone's state
 * on the client's behalf: it is an assumption about time, as the idle link is for retries.
 */
const enabledSteps = (state: WorldState, cfg: Config): Step[] => {
  const sessions = sessionSteps(state, cfg);
  // One array filled in order (not a spread of ten): this runs for every state expanded.
  const steps: Step[] = [];
  const add = (more: readonly Step[]) => {
    for (const s of more) steps.push(s);
  };
  add(autoscalerSteps(state));
  add(deploymentSteps(state, cfg));
  add(replicaSetSteps(state, cfg));
  add(schedulerSteps(state, cfg));
  for (const node of Object.keys(state.kubelets)) add(kubeletSteps(state, node, cfg));
  add(informerSteps(state));
  add(leaseSteps(state));
  add(sessions.steps);
  add(networkSteps(state, cfg));
  add(environmentSteps(state));
  const quiet = steps.length === 0;
  if (quiet) for (const r of sessions.rechecks) steps.push(r.step);
  const early = quiet ? [] : sessions.rechecks.map((r) => r.link);
  add(faultSteps(state, cfg, [...sessions.spurious, ...early]));
  return steps;
};

/** Middle stages that may now serve: every downstream link is connected (bottom-up recovery). */
const readyToServe = (state: WorldState): StageId[] =>
  stageIds(state).filter((id) => {
    if (coreOf(state, id).phase !== 'recovering') return false;
    return Object.values(state.links).every((l) => l.client !== id || l.phase === 'connected');
  });

/**
 * One step: the action itself, then the bookkeeping that follows from the new state (phase
 * promotions, ghost history); all of it on plain objects, never changing `state`.
 */
const applyStep = (state: WorldState, cfg: Config, s: Step): WorldState => {
  const events: AppliedEvent[] = [];
  const acted = s.next(state, cfg, events);
  const next: WorldState = { ...acted, step: state.step + 1, events: Object.freeze(events) };
  const promoted = withPromotions(next, readyToServe(next));
  const ghost = ghostAfter(
    next.ghost,
    replicaSetGhostChanges(state, next),
    sessionGhostChanges(state, next),
  );
  return ghost === next.ghost ? promoted : { ...promoted, ghost };
};

/** The world with each of `ids` (recovering stages) serving. */
const withPromotions = (state: WorldState, ids: readonly StageId[]): WorldState => {
  let out = state;
  for (const id of ids) out = withCore(out, { ...coreOf(out, id), phase: 'serving' });
  return out;
};

/**
 * The ghost with a step's changes applied; each record copied only when it changes (the
 * ghost itself, when none does: most steps), so that states keep sharing them.
 */
const ghostAfter = (
  ghost: WorldGhost,
  replicaSets: ReplicaSetGhostChanges,
  sessions: SessionGhostChanges | null,
): WorldGhost => {
  const none = replicaSets.desiredMax.length === 0 && replicaSets.readyFloor.length === 0;
  if (none && sessions === null) return ghost;
  const cleared = sessions?.cleared ?? [];
  const installed =
    cleared.length === 0
      ? ghost.installedEpochs
      : withoutEntries(ghost.installedEpochs, (_, link) => cleared.includes(link as LinkId));
  return {
    ...ghost,
    recentDesiredMax: withEntries(ghost.recentDesiredMax, replicaSets.desiredMax),
    readyFloor: withEntries(ghost.readyFloor, replicaSets.readyFloor),
    installedEpochs: withEntries(installed, sessions?.installed ?? []),
    handshakeEpochs: withEntries(ghost.handshakeEpochs, sessions?.handshakes ?? []),
  };
};

export type { WorldState };

export const createWorldModel = (cfg: Config): Model<WorldState> => ({
  config: cfg,
  initial: () => initialState(cfg),
  transitions: (state): Transition<WorldState>[] => {
    writeThrough();
    return enabledSteps(state, cfg).map((s) => {
      const action: Action = { actor: s.actor, label: s.label, fault: s.fault };
      return { action, next: applyStep(state, cfg, s) };
    });
  },
  observe: (state) => {
    holdFor(state);
    return observe(state, cfg.preset.overshootSlack);
  },
  key: (state) => {
    holdFor(state);
    return worldKey(state);
  },
  summary: summarise,
  kept: (state) => {
    keep(state);
    return shareParts(state);
  },
});
