/**
 * Guards: the acting stage's local situation before a step, abstracted from the
 * `Observation` alone, so that the model's states and the implementation's can be compared
 * (the enabledness check, docs/design/conformance.md §8). A guard is one short string:
 *
 *   serving | dirty exposing,exposed | client connected,handshaking | serves epoch
 *
 * - the stage's phase, normalised as atoms.ts normalises it (`down` reads as `syncing`: a
 *   crashed stage has lost its memory and not yet listed; a lost node's kubelet stays `down`);
 * - the set of lifecycle states of its write-back cache entries (a pod entry's state,
 *   `count` or `expected` for a count): which kinds of work it holds, not how many;
 * - the set of client phases of the links it is client of (`-` when none);
 * - whether it holds a server epoch on the links it serves: the set of `epoch` / `none`
 *   (a link the implementation has not used yet counts as disconnected, without epoch).
 *
 * Sets, never counts or identities, so that a guard does not depend on the size of the
 * world: the model's small worlds and the implementation's larger ones show the same guards.
 * Whether the API Server is up is left out on purpose: no step whose guard is judged depends
 * on it in the implementation (informer events already sent arrive during an outage, a
 * request already sent lands or fails), see the design page.
 */
import type { Action } from '../../spec/model.js';
import type { Observation, StagePhase } from '../../spec/types/observation.js';
import { entryLabel, phaseOf } from './atoms.js';

/** Model class → the sorted guards of its acting stage in every pre-state it was enabled in. */
export type GuardTable = Readonly<Record<string, readonly string[]>>;

const setOf = (values: Iterable<string>): string => {
  const sorted = [...new Set(values)].sort();
  return sorted.length === 0 ? '-' : sorted.join(',');
};

/**
 * The links of the narrow waist (as spec/world/initial.ts makes them): every one exists in
 * the model from the start, connected, and goes when its kubelet's node is lost. The
 * implementation starts cold and shows a link only once its client first used it; until
 * then it is what the model's link is after a crash of both ends: the client
 * `disconnected`, the server without an epoch. So a link not yet shown counts as that.
 */
const expectedLinks = (o: Observation): [client: string, server: string][] => [
  ['deployment', 'replicaset'],
  ['replicaset', 'scheduler'],
  ...o.kubelets
    .filter((k) => k.nodeAlive)
    .map((k): [string, string] => ['scheduler', `kubelet/${k.node}`]),
];

const linkSides = (o: Observation, stage: string) => {
  const clientPhases: string[] = [];
  const serverEpochs: string[] = [];
  const shown = new Set<string>();
  for (const link of o.links) {
    shown.add(`${link.client}->${link.server}`);
    if (link.client === stage) clientPhases.push(link.clientPhase);
    if (link.server === stage) serverEpochs.push(link.serverEpoch === null ? 'none' : 'epoch');
  }
  for (const [client, server] of expectedLinks(o)) {
    if (shown.has(`${client}->${server}`)) continue;
    if (client === stage) clientPhases.push('disconnected');
    if (server === stage) serverEpochs.push('none');
  }
  return { clientPhases, serverEpochs };
};

/** The guard of `stage` in `o`, or null when `o` has no such stage. */
export const guardOf = (o: Observation, stage: string): string | null => {
  const s = o.stages.find((x) => x.id === stage);
  if (!s) return null;
  const lost = o.kubelets.some((k) => !k.nodeAlive && `kubelet/${k.node}` === stage);
  const { clientPhases, serverEpochs } = linkSides(o, stage);
  return [
    phaseOf(s, lost),
    `dirty ${setOf(s.dirty.map(entryLabel))}`,
    `client ${setOf(clientPhases)}`,
    `serves ${setOf(serverEpochs)}`,
  ].join(' | ');
};

/**
 * What a whole guard is judged by: its phase paired with each other facet
 * (`serving | dirty exposing`, `serving | client connected`, `serving | serves epoch`).
 * The phase gates everything a stage does; its cache and its links move independently of
 * each other (entries with messages and informer events, links with sessions), and their
 * joint combinations are what a bounded exploration of small worlds under-samples: judging
 * the whole tuple raised false alarms (docs/design/conformance.md §8).
 */
export const facetsOf = (guard: string): string[] => {
  const [phase, ...rest] = guard.split(' | ');
  return rest.map((facet) => `${phase} | ${facet}`);
};

/** The phase a guard starts with. */
export const phaseOfGuard = (guard: string): StagePhase =>
  guard.slice(0, guard.indexOf(' | ')) as StagePhase;

/**
 * A stage's phases only move forward within one incarnation (`syncing` → `recovering` →
 * `serving`, in the model and in the implementation alike); only a crash moves them back.
 */
export const PHASE_RANK: Readonly<Record<StagePhase, number>> = {
  down: -1,
  syncing: 0,
  recovering: 1,
  serving: 2,
};

const STAGE = /^(autoscaler|deployment|replicaset|scheduler|kubelet\/\S+)$/;

/** `k/n1` (the model's short form in message descriptions) → `kubelet/n1`. */
const longStage = (s: string): string => (s.startsWith('k/') ? `kubelet/${s.slice(2)}` : s);

/**
 * The stage whose situation enables a model action: the receiver of a delivered message,
 * the server that applies an admitted one, else the actor when it is a stage. Null for the
 * network's faults, the API Server, the environment and the user, which no stage enables,
 * and for crashes, which strike a stage in any situation.
 */
export const actingStageOf = (action: Action): string | null => {
  const words = action.label.split(' ');
  const verb = words[0];
  if (verb === 'deliver' || verb === 'apply') {
    const route = words[2] ?? '';
    const arrow = route.indexOf('->');
    return arrow < 0 ? null : longStage(route.slice(arrow + 2));
  }
  if (verb === 'crash') return null;
  return STAGE.test(action.actor) ? action.actor : null;
};
