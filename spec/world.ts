/**
 * The whole system as one model: initial state, enabled actions, and their application.
 *
 * Every step is one atomic action of one actor: a stage's own work (level-triggered on its
 * informer), an informer delivery, a session step (handshake, retry timer), the delivery of
 * one message, the garbage collector, the end of an API outage, or — within budgets — a
 * fault or an environment action. `createWorldModel` wraps it in the explorer's `Model`.
 */
import { castDraft, type Draft, produce, setAutoFreeze } from 'immer';
import type { Action, Model, Transition } from './model.js';
import { autoscalerSteps } from './stages/autoscaler.js';
import { type Step, step } from './stages/common.js';
import { deploymentSteps } from './stages/deployment.js';
import { kubeletSteps } from './stages/kubelet.js';
import { replicaSetSteps } from './stages/replicaset.js';
import { schedulerSteps } from './stages/scheduler.js';
import type { Config } from './types/config.js';
import type { StageId } from './types/ids.js';
import { collectGarbage, hasGarbage } from './world/api.js';
import { deliver, deliverable } from './world/deliver.js';
import { describe, distinctMessages } from './world/describe.js';
import { faultSteps, stageIds } from './world/faults.js';
import { updateGhost } from './world/ghost.js';
import { initialState } from './world/initial.js';
import { worldKey } from './world/key.js';
import { inFlightOn, take } from './world/net.js';
import { observe } from './world/observe.js';
import { coreOf, lostEntries, onInformerSync, ROLES } from './world/roles.js';
import { applyAdmitted, startHandshake } from './world/session.js';
import type { Ctx, WorldState } from './world/state.js';
import { summarise } from './world/summary.js';

// States are never mutated outside `produce`, so freezing them would only cost time.
setAutoFreeze(false);

const informerSteps = (state: WorldState): Step[] => {
  if (!state.api.up) return [];
  const steps: Step[] = [];
  for (const id of stageIds(state)) {
    if (coreOf(state, id).view.rv < state.api.rv)
      steps.push(step(id, 'informer sync', (ctx) => syncInformer(ctx, id)));
  }
  return steps;
};

const syncInformer = (ctx: Ctx, id: StageId): void => {
  const core = coreOf(ctx.w as WorldState, id) as Draft<WorldState['scheduler']>;
  const before = core.view;
  core.view = { rv: ctx.w.api.rv, objects: snapshotApi(ctx) };
  onInformerSync(ctx, id, before);
  if (core.phase === 'syncing') core.phase = 'recovering';
};

const snapshotApi = (ctx: Ctx) => {
  const { deployments, replicaSets, templatePods, pods, nodes } = ctx.w.api;
  return { deployments, replicaSets, templatePods, pods, nodes };
};

/** Session steps: first handshakes, and the retry timer when something was lost. */
const sessionSteps = (state: WorldState): { steps: Step[]; spurious: string[] } => {
  const steps: Step[] = [];
  const spurious: string[] = [];
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
    else spurious.push(link.id);
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
  if (!state.api.up) steps.push(step('api', 'outage ends', (ctx) => void (ctx.w.api.up = true)));
  else if (hasGarbage(state.api)) steps.push(step('gc', 'garbage collection', collectGarbage));
  return steps;
};

export const enabledSteps = (state: WorldState, cfg: Config): Step[] => {
  const sessions = sessionSteps(state);
  const spurious = sessions.spurious.filter((id) => {
    const link = state.links[id as keyof typeof state.links];
    return link !== undefined && link.phase !== 'disconnected';
  });
  return [
    ...autoscalerSteps(state),
    ...deploymentSteps(state),
    ...replicaSetSteps(state),
    ...schedulerSteps(state, cfg),
    ...Object.keys(state.kubelets).flatMap((node) => kubeletSteps(state, node)),
    ...informerSteps(state),
    ...sessions.steps,
    ...networkSteps(state, cfg),
    ...environmentSteps(state),
    ...faultSteps(state, cfg, spurious).map((s) =>
      s.label.startsWith('timeout ') ? withHandshake(s) : s,
    ),
  ];
};

/** A spurious timeout re-handshakes although nothing was lost. */
const withHandshake = (s: Step): Step => ({
  ...s,
  run: (ctx) => {
    s.run(ctx);
    startHandshake(ctx, ROLES, s.label.slice('timeout '.length) as never);
  },
});

/** A middle stage serves once every downstream link is connected (bottom-up recovery). */
const settle = (ctx: Ctx): void => {
  for (const id of stageIds(ctx.w as WorldState)) {
    const core = coreOf(ctx.w as WorldState, id) as Draft<WorldState['scheduler']>;
    if (core.phase !== 'recovering') continue;
    const downstream = Object.values(ctx.w.links).filter((l) => l.client === id);
    if (downstream.every((l) => l.phase === 'connected')) core.phase = 'serving';
  }
};

export const applyStep = (state: WorldState, cfg: Config, s: Step): WorldState =>
  produce(state, (draft) => {
    const ctx: Ctx = { w: draft, cfg, events: [] };
    s.run(ctx);
    settle(ctx);
    updateGhost(ctx);
    draft.step = state.step + 1;
    draft.events = castDraft(ctx.events);
  });

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
