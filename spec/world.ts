/**
 * The whole system as one model: initial state, enabled actions, and their application.
 *
 * Every step is one atomic action of one actor: a stage's own work (level-triggered on its
 * informer), an informer delivery, a session step (handshake, retry timer), the delivery of
 * one message, the garbage collector, the end of an API outage, or — within budgets — a
 * fault or an environment action. `createWorldModel` wraps it in the explorer's `Model`.
 */
import { castDraft, current, type Draft, original, produce, setAutoFreeze } from 'immer';
import type { Action, Model, Transition } from './model.js';
import { autoscalerSteps } from './stages/autoscaler.js';
import { type Step, step } from './stages/common.js';
import { deploymentSteps } from './stages/deployment.js';
import { kubeletSteps } from './stages/kubelet.js';
import { replicaSetSteps } from './stages/replicaset.js';
import { schedulerSteps } from './stages/scheduler.js';
import type { Config } from './types/config.js';
import { type StageId, stageKindOf } from './types/ids.js';
import type { AppliedEvent } from './types/observation.js';
import { collectGarbage, hasGarbage } from './world/api.js';
import { deliver, deliverable } from './world/deliver.js';
import { describe, distinctMessages } from './world/describe.js';
import { faultSteps, stageIds } from './world/faults.js';
import { ghostChanges } from './world/ghost.js';
import { isStale, projectApi } from './world/informer.js';
import { initialState } from './world/initial.js';
import { sameCollection, worldKey } from './world/key.js';
import { inFlightOn, take } from './world/net.js';
import { observe } from './world/observe.js';
import { coreOf, lostEntries, onInformerSync, ROLES } from './world/roles.js';
import { applyAdmitted, startHandshake } from './world/session.js';
import type { Ctx, LinkState, StageCore, WorldState } from './world/state.js';
import { summarise } from './world/summary.js';

// States are never mutated outside `produce`, so freezing them would only cost time.
setAutoFreeze(false);

const informerSteps = (state: WorldState): Step[] => {
  if (!state.api.up) return [];
  const steps: Step[] = [];
  for (const id of stageIds(state)) {
    const core = coreOf(state, id);
    const stale = isStale(core.view, state.api, stageKindOf(id), sameCollection);
    if (core.phase === 'syncing' || stale || behindHeldTemplates(state, id)) {
      steps.push(step(id, `informer sync ${id}`, (ctx) => syncInformer(ctx, id)));
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

const syncInformer = (ctx: Ctx, id: StageId): void => {
  const core = coreOf(ctx.w as WorldState, id) as Draft<WorldState['scheduler']>;
  const before = current(core.view) as WorldState['scheduler']['view'];
  const objects = projectApi((original(ctx.w) as WorldState).api, stageKindOf(id));
  // Frozen, so that immer does not walk the whole snapshot looking for drafts when it
  // finalises the step: it holds none, only records shared with the API state.
  core.view = castDraft(Object.freeze({ rv: ctx.w.api.rv, objects }));
  onInformerSync(ctx, id, before);
  if (core.phase === 'syncing') core.phase = 'recovering';
};

/** Session steps: first handshakes, and the retry timer when something was lost. */
const sessionSteps = (state: WorldState): { steps: Step[]; spurious: LinkState[] } => {
  const steps: Step[] = [];
  // Links whose retry timer has no reason to fire: firing it anyway is a fault.
  const spurious: LinkState[] = [];
  for (const link of Object.values(state.links)) {
    const client = coreOf(state, link.client);
    if (client.phase !== 'recovering' && client.phase !== 'serving') continue;
    if (link.phase === 'disconnected') {
      steps.push(
        step(link.client, `handshake ${link.id}`, (ctx) => startHandshake(ctx, ROLES, link.id)),
      );
      continue;
    }
    const idle = inFlightOn(state, link.id) === 0;
    const stuck = link.phase !== 'connected' || lostEntries(state, link);
    if (idle && stuck)
      steps.push(
        step(link.client, `retry ${link.id}`, (ctx) => startHandshake(ctx, ROLES, link.id)),
      );
    else spurious.push(link);
  }
  for (const link of Object.values(state.links)) {
    link.admitted.forEach((m, i) => {
      steps.push(
        step(link.server, `apply ${describe(m)}`, (ctx) => {
          const draft = ctx.w.links[link.id];
          const [message] = draft?.admitted.splice(i, 1) ?? [];
          if (draft && message) applyAdmitted(ctx, ROLES, draft, message as never);
        }),
      );
    });
  }
  return { steps, spurious };
};

const networkSteps = (state: WorldState, cfg: Config): Step[] =>
  distinctMessages(state.net)
    .filter(([, m]) => deliverable(state, cfg, m))
    .map(([i, m]) => step('net', `deliver ${describe(m)}`, (ctx) => deliver(ctx, take(ctx, i))));

const environmentSteps = (state: WorldState): Step[] => {
  const steps: Step[] = [];
  if (!state.api.up) {
    steps.push(
      step('api', 'outage ends', (ctx) => {
        ctx.w.api.up = true;
      }),
    );
  } else if (hasGarbage(state.api)) steps.push(step('gc', 'garbage collection', collectGarbage));
  return steps;
};

export const enabledSteps = (state: WorldState, cfg: Config): Step[] => {
  const sessions = sessionSteps(state);
  return [
    ...autoscalerSteps(state),
    ...deploymentSteps(state),
    ...replicaSetSteps(state, cfg),
    ...schedulerSteps(state, cfg),
    ...Object.keys(state.kubelets).flatMap((node) => kubeletSteps(state, node, cfg)),
    ...informerSteps(state),
    ...sessions.steps,
    ...networkSteps(state, cfg),
    ...environmentSteps(state),
    ...faultSteps(state, cfg, sessions.spurious),
  ];
};

/** Middle stages that may now serve: every downstream link is connected (bottom-up recovery). */
const readyToServe = (state: WorldState): StageId[] =>
  stageIds(state).filter((id) => {
    if (coreOf(state, id).phase !== 'recovering') return false;
    return Object.values(state.links).every((l) => l.client !== id || l.phase === 'connected');
  });

/**
 * One step: the action itself under an immer draft, then the bookkeeping that follows from
 * the new state (phase promotions, ghost history), computed on plain objects and applied
 * in a second, rarely needed, draft.
 */
export const applyStep = (state: WorldState, cfg: Config, s: Step): WorldState => {
  const events: AppliedEvent[] = [];
  const next = produce(state, (draft) => {
    s.run({ w: draft, cfg, events });
    draft.step = state.step + 1;
    draft.events = castDraft(Object.freeze(events));
  });
  const promote = readyToServe(next);
  const ghost = ghostChanges(next);
  if (promote.length === 0 && ghost.length === 0) return next;
  return produce(next, (draft) => {
    for (const id of promote)
      (coreOf(draft as WorldState, id) as Draft<StageCore>).phase = 'serving';
    for (const [rsKey, value] of ghost) draft.ghost.recentDesiredMax[rsKey] = value;
  });
};

export type { WorldState };

export const createWorldModel = (cfg: Config): Model<WorldState> => ({
  config: cfg,
  initial: () => initialState(cfg),
  transitions: (state): Transition<WorldState>[] =>
    enabledSteps(state, cfg).map((s) => {
      const action: Action = { actor: s.actor, label: s.label, fault: s.fault };
      return { action, next: applyStep(state, cfg, s) };
    }),
  observe: (state) => observe(state, cfg.preset.overshootSlack),
  key: worldKey,
  summary: summarise,
});
