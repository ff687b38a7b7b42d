/**
 * Faults (protocol.md §8) and the environment's actions (§7): crash and restart of a stage,
 * drop and duplicate of a message, a spurious retry timeout, an API outage, writes by other
 * actors, and load changes. Each consumes its budget; all but load changes also consume the
 * shared `faultsTotal`.
 */
import { emptyView, type Step, withEntries, withEntry, withoutEntries } from '../stages/common.js';
import type { Config } from '../types/config.js';
import type { StageId } from '../types/ids.js';
import { holdsLease, nodeOfKubelet, stageKindOf } from '../types/ids.js';
import type { AppliedEvent } from '../types/observation.js';
import { markPodDeletingOn, requestOn, withoutPod } from './api.js';
import { describe, distinctMessages } from './describe.js';
import { withoutMessage, withSent } from './net.js';
import { coreOf, ROLES, withCore } from './roles.js';
import { startHandshake } from './session.js';
import type { KubeletState, LinkState, Remaining, StageCore, WorldState } from './state.js';

type Budget = keyof Remaining;

/** A fault or an environment action: it spends its budget and records a fault event. */
const fault = (budget: Budget, actor: string, label: string, next: Step['next']): Step => ({
  actor,
  label,
  fault: true,
  next: (state, cfg, events) => {
    events.push(faultEvent(label));
    return next({ ...state, budgets: spend(state.budgets, budget) }, cfg, events);
  },
});

/** The budgets after one action of `budget` (a scale event is no fault of the total). */
const spend = (budgets: Remaining, budget: Budget): Remaining => {
  const next = { ...budgets };
  next[budget] -= 1;
  if (budget !== 'scaleEvents') next.faultsTotal -= 1;
  return next;
};

const faultEvent = (label: string): AppliedEvent => ({
  kind: 'fault',
  fault: label.split(' ')[0] ?? label,
  target: label,
});

const allowed = (state: WorldState, budget: Budget): boolean =>
  state.budgets[budget] > 0 && (budget === 'scaleEvents' || state.budgets.faultsTotal > 0);

export const faultSteps = (
  state: WorldState,
  cfg: Config,
  spuriousTimeouts: readonly LinkState[],
): Step[] => {
  const steps: Step[] = [];
  const messages = distinctMessages(state.net);
  if (allowed(state, 'drops'))
    for (const [i, m] of messages)
      steps.push(fault('drops', 'net', `drop ${describe(m)}`, (s) => withoutMessage(s, i)));
  if (allowed(state, 'duplicates'))
    // The same frozen message again: a duplicate is not a new message (ghost.ts).
    for (const [, m] of messages)
      steps.push(fault('duplicates', 'net', `duplicate ${describe(m)}`, (s) => withSent(s, m)));
  if (allowed(state, 'crashes')) {
    for (const id of stageIds(state)) {
      if (!cfg.preset.crashTargets.includes(stageKindOf(id))) continue;
      steps.push(fault('crashes', id, `crash ${id}`, (s, c) => crash(s, c, id)));
    }
  }
  if (allowed(state, 'timeouts'))
    for (const link of spuriousTimeouts) {
      // The timer fires although nothing was lost: the client re-handshakes all the same.
      const next: Step['next'] = (s, c) => startHandshake(s, c, ROLES, link.id);
      steps.push(fault('timeouts', link.client, `timeout ${link.id}`, next));
    }
  if (allowed(state, 'apiOutages') && state.api.up)
    steps.push(
      fault('apiOutages', 'api', 'outage', (s) => ({ ...s, api: { ...s.api, up: false } })),
    );
  if (allowed(state, 'apiWrites')) steps.push(...apiWrites(state, cfg));
  if (allowed(state, 'nodeLosses') && state.api.up) {
    for (const k of Object.values(state.kubelets)) {
      if (k.alive)
        steps.push(
          fault('nodeLosses', 'nodeLifecycle', `lose node ${k.node}`, (s) => loseNode(s, k.node)),
        );
    }
  }
  if (allowed(state, 'scaleEvents')) steps.push(...loadChanges(state, cfg));
  return steps;
};

export const stageIds = (state: WorldState): StageId[] => [
  'autoscaler',
  'deployment',
  'replicaset',
  'scheduler',
  ...Object.values(state.kubelets)
    .filter((k) => k.alive)
    .map((k) => k.id),
];

const apiWrites = (state: WorldState, cfg: Config): Step[] => {
  const writes = cfg.preset.userWrites;
  const steps: Step[] = [];
  for (const pod of writes.includes('deletePod') ? Object.values(state.api.pods) : []) {
    if (pod.deleting) continue;
    const req = { actor: 'user', verb: 'delete', resource: 'pod', key: pod.key } as const;
    steps.push(
      fault('apiWrites', 'user', `user deletes pod ${pod.key}`, (s, _, events) => {
        const { api } = requestOn(s.api, events, req, () => markPodDeletingOn(s.api, pod.key));
        return { ...s, api };
      }),
    );
  }
  for (const deployment of writes.includes('deleteDeployment')
    ? Object.values(state.api.deployments)
    : []) {
    const { key } = deployment;
    const req = { actor: 'user', verb: 'delete', resource: 'deployment', key } as const;
    steps.push(
      fault('apiWrites', 'user', `user deletes deployment ${key}`, (s, _, events) => {
        const { api } = requestOn(s.api, events, req, () => {
          const deployments = withoutEntries(s.api.deployments, (_, k) => k === key);
          return { api: { ...s.api, deployments, rv: s.api.rv + 1 }, outcome: 'ok' };
        });
        return { ...s, api };
      }),
    );
  }
  return steps;
};

const loadChanges = (state: WorldState, cfg: Config): Step[] => {
  const steps: Step[] = [];
  for (const [key, current] of Object.entries(state.load)) {
    for (let n = 0; n <= cfg.preset.desiredMax; n += 1) {
      if (n !== current)
        steps.push(
          fault('scaleEvents', 'env', `load ${key} = ${n}`, (s) => ({
            ...s,
            load: withEntry(s.load, key, n),
          })),
        );
    }
  }
  return steps;
};

/**
 * Crash and restart: the stage loses all memory and its informer, comes back as a new
 * process that must re-sync and re-handshake. A leased stage does not know its incarnation
 * until it takes its Lease again (lease.ts); the others' is a process count. Its peers see
 * their connections reset. Sandboxes survive a kubelet crash (the container runtime keeps
 * them).
 */
export const crash = (state: WorldState, cfg: Config, id: StageId): WorldState => {
  const core = coreOf(state, id);
  const restarted: StageCore = {
    ...core,
    incarnation: holdsLease(id, cfg.switches) ? 0 : core.incarnation + 1,
    phase: 'syncing',
    epochs: 0,
    view: emptyView(),
    ...freshMemory(id),
  };
  const ended = Object.values(state.links).filter((l) => l.client === id || l.server === id);
  const links = withEntries(
    state.links,
    ended.map((link) => [link.id, afterCrashOf(link, id)] as const),
  );
  return { ...withCore(state, restarted), links };
};

/** A link with an end at the stage `id` as that stage's crash leaves it. */
const afterCrashOf = (link: LinkState, id: StageId): LinkState =>
  link.client === id
    ? { ...link, phase: 'disconnected', epoch: null, round2: null }
    : { ...link, serverEpoch: null, admitted: [], phase: 'disconnected', round2: null };

/**
 * Node loss: the kubelet and its sandboxes are gone for good; the node lifecycle controller
 * removes the Node and force-deletes the pods bound to it; the scheduler's link to it is
 * closed (messages still in flight on it are discarded on delivery).
 */
const loseNode = (state: WorldState, node: string): WorldState => {
  const k = state.kubelets[node];
  if (!k) return state;
  const lost: KubeletState = {
    ...k,
    alive: false,
    phase: 'down',
    bound: {},
    tombstones: {},
    sandboxes: {},
  };
  const nodes = withoutEntries(state.api.nodes, (_, name) => name === node);
  let out: WorldState = {
    ...withCore(state, lost),
    api: { ...state.api, nodes, rv: state.api.rv + 1 },
    links: withoutEntries(state.links, (link) => link.server === k.id),
  };
  for (const pod of Object.values(state.api.pods))
    if (pod.nodeName === node) out = withoutPod(out, pod.key);
  return out;
};

/** The memory a stage of this id starts with after a crash (not its core fields). */
const freshMemory = (id: StageId): object => {
  if (nodeOfKubelet(id) !== null) return { bound: {}, tombstones: {} };
  switch (stageKindOf(id)) {
    case 'autoscaler':
      return { written: {}, held: {}, versions: 0 };
    case 'deployment':
      return { counts: {}, statusWritten: {}, scales: {} };
    case 'replicaset':
      return {
        desired: {},
        requested: {},
        expected: {},
        minted: {},
        statusWritten: {},
        upstreamSynced: false,
        deleted: {},
      };
    case 'scheduler':
      return { pods: {}, minted: 0 };
    default:
      return {};
  }
};
