/**
 * The enabledness check (issue 12): an implementation step must start with a model class
 * that the model takes in the acting stage's situation before the step, as the guard
 * abstraction (guards.ts) sees it. The footprint check says *what* a step may change; this
 * one says *when* a stage may start it.
 *
 * Only the class a step *starts with* is judged, because the granularities differ
 * (docs/design/conformance.md §1–3, §8):
 *
 * - a delivered message: `deliver <type>`, in the receiver's guard (the local work the
 *   receiver then does in the same step follows from the delivery and is not judged again);
 * - an informer event, list, sync or relist: `informer <kind>`, in the stage's guard;
 * - a link's retry timer: `retry <link>` or the spurious `timeout <link>`, in the client's;
 *   an apply timer: `apply <kind>.*`, in the server's;
 * - a request the API Server executes for a stage still in the incarnation that sent it:
 *   the request's class, by **phase only**, and up to later phases. The request was decided
 *   in an earlier step (an intent changes nothing observable), in a situation the checker
 *   never saw; within one incarnation a phase only moves forward, so the phase at execution
 *   bounds the phase at the decision from above, and nothing else of the guard does (the
 *   cache and the links move both ways in between).
 *
 * Not judged, each for its reason: an answer (`api.done`: its request's guard held when it
 * was decided, not when it is answered); a request of a previous incarnation (the crash
 * erased the situation it was decided in); a sandbox start or stop (the kubelet decided it
 * earlier); other timers (they only re-issue requests, judged when executed); watch
 * bookmarks (several stages at once); a message lost or answered `notReady` (the model's
 * drop, a fault); crashes, restarts, outages, node losses, loads, user writes and the
 * garbage collector (faults and environment, no acting stage); reads (stutter); a request
 * that may stand for an extension in force (extensions.ts: the model has no guard for
 * what it does not describe).
 */
import type { StepRecord } from '../../impl/runtime/sim/types.js';
import type { Observation } from '../../spec/types/observation.js';
import { kindOfLink, kindOfStage } from './atoms.js';
import { REQUEST_CLASS } from './classes.js';
import { EXTENSIONS } from './extensions.js';
import { facetsOf, type GuardTable, guardOf, PHASE_RANK, phaseOfGuard } from './guards.js';

const EXTENSION_CLASSES = new Set(EXTENSIONS.map((e) => e.modelClass));

/** Which model classes a step starts with, whose stage's guard judges it, and how. */
interface Judgement {
  /** The step conforms if any of these is enabled in the guard. */
  readonly classes: readonly string[];
  readonly stage: string;
  /**
   * `guard`: each facet of the guard, with its phase, must be one the model takes a class
   * in (`facetsOf`); `phase`: only its phase (on the vanilla path); `phase or later`: a
   * phase the model takes a class in, or a later one (a request, decided earlier in the
   * same incarnation).
   */
  readonly by: 'guard' | 'phase' | 'phase or later';
}

/** What the check needs to know of the run so far (check.ts keeps it). */
export interface RunFeatures {
  /** Whether `modelClass` is an extension in force (extensions.ts). */
  inForce(modelClass: string): boolean;
  /** The run is on the vanilla path (feature `apiPath`): see `judgementOf`. */
  readonly vanilla: boolean;
}

/**
 * The judgement of a step, or null when it is not judged (see the header). On the vanilla
 * path (mode `api`, or a run gone off the direct path) a stage's whole guard is judged by
 * its phase only: its stages serve without the direct links (they handshake seldom or
 * never), and their caches report the vanilla path's work (extensions.ts); neither is the
 * model's, while the phases (list, recover, serve) are shared by both paths.
 */
export const judgementOf = (
  record: StepRecord,
  table: GuardTable,
  run: RunFeatures,
): Judgement | null => {
  const judgement = startOf(record, table, run);
  return judgement?.by === 'guard' && run.vanilla ? { ...judgement, by: 'phase' } : judgement;
};

const startOf = (record: StepRecord, table: GuardTable, run: RunFeatures): Judgement | null => {
  // A note says the event found nobody (a crashed stage, a lost node, a stale incarnation).
  if (record.note !== undefined) return null;
  if (record.action.type === 'relist')
    return record.action.stage === 'autoscaler'
      ? null
      : guard([`informer ${kindOfStage(record.action.stage)}`], record.action.stage);
  if (record.action.type !== 'take') return null;
  const words = record.label.split(' ');
  const stage = record.actor;
  switch (words[0]) {
    case 'deliver': {
      const type = words[1] ?? '';
      if (type.endsWith('.notReady')) return null;
      // A handshake its server does not take (no epoch installed: it answers `notReady`
      // while it recovers, or refuses it) is one the model defers or drops, both faults
      // of the network there; only a handshake taken is the model's delivery.
      if (type.endsWith('.handshake') && !record.events.some((e) => e.kind === 'handshake'))
        return null;
      return guard([`deliver ${type}`], stage);
    }
    case 'inform':
    case 'list':
    case 'synced':
      // The model's autoscaler only writes and reads nothing through its informer
      // (spec/world/informer.ts), so its informer step is enabled only while it syncs; the
      // implementation's autoscaler watches Deployments all along.
      if (stage === 'autoscaler') return null;
      return guard([`informer ${kindOfStage(stage)}`], stage);
    case 'timer':
      return timerJudgement(words[2] ?? '', stage, table);
    case 'api':
      return requestJudgement(words[2] ?? '', stage, table, run);
    default:
      return null;
  }
};

const guard = (classes: readonly string[], stage: string): Judgement => ({
  classes,
  stage,
  by: 'guard',
});

const timerJudgement = (name: string, stage: string, table: GuardTable): Judgement | null => {
  if (name.startsWith('link.retry:')) {
    // The model's retry fires on an idle link that is not connected, and a spurious one is
    // its `timeout`; on a link left `disconnected` (after a `notReady`, or a first
    // handshake never sent), the model's client handshakes at once, the implementation's
    // on this timer.
    const link = kindOfLink(name.slice('link.retry:'.length));
    return guard([`retry ${link}`, `timeout ${link}`, `handshake ${link}`], stage);
  }
  if (name.startsWith('link.apply:')) {
    const prefix = `apply ${kindOfStage(stage)}.`;
    return guard(
      Object.keys(table).filter((cls) => cls.startsWith(prefix)),
      stage,
    );
  }
  return null;
};

const requestJudgement = (
  op: string,
  stage: string,
  table: GuardTable,
  run: RunFeatures,
): Judgement | null => {
  // An extension out of force is no class the request can stand for (the footprint check
  // refuses what it would do); one in force, or a class the model never reaches, is an
  // allowance the model cannot say anything about: such a request is not judged.
  const classes = (REQUEST_CLASS[`${kindOfStage(stage)} ${op}`] ?? []).filter(
    (c) => run.inForce(c) || !EXTENSION_CLASSES.has(c),
  );
  if (classes.length === 0 || classes.some((c) => run.inForce(c) || table[c] === undefined))
    return null;
  return { classes, stage, by: 'phase or later' };
};

/**
 * What the model allows for `judgement`: the phase-and-facet pairs of the guards its
 * classes were enabled in (`facetsOf`), or, judged by phase, their phases.
 */
const allowedFacets = (table: GuardTable, judgement: Judgement): readonly string[] => {
  const all = new Set<string>();
  for (const cls of judgement.classes)
    for (const g of table[cls] ?? [])
      if (judgement.by === 'guard') for (const f of facetsOf(g)) all.add(f);
      else all.add(phaseOfGuard(g));
  return [...all].sort();
};

/**
 * The facets of `guard` (or its phase) that `allowed` (from `allowedFacets`) lacks: none
 * when the step conforms. Judged by phase or later, the phase is allowed when the model
 * takes the class in it or in an earlier one.
 */
const missingFacets = (
  judgement: Judgement,
  guard: string,
  allowed: ReadonlySet<string>,
): string[] => {
  if (judgement.by === 'guard') return facetsOf(guard).filter((f) => !allowed.has(f));
  const phase = phaseOfGuard(guard);
  if (judgement.by === 'phase') return allowed.has(phase) ? [] : [phase];
  for (const earlier of allowed)
    if (PHASE_RANK[earlier as keyof typeof PHASE_RANK] <= PHASE_RANK[phase]) return [];
  return [phase];
};

/** What the enabledness check finds wrong with one step. */
export interface GuardMismatch {
  readonly judgement: Judgement;
  /** The acting stage's whole guard before the step. */
  readonly guard: string;
  /** Its facets (or its phase) that no model step of the judged classes starts in. */
  readonly missing: readonly string[];
  /** What the model allows of the same facets (every phase, judged by phase). */
  readonly allowed: readonly string[];
}

interface GuardCheck {
  /** The step's mismatch, or null (also when it is not judged). */
  check(before: Observation, record: StepRecord, run: RunFeatures): GuardMismatch | null;
  stats(): { readonly checked: number; readonly whole: number; readonly mismatches: number };
}

/**
 * Allowed guards per judgement, per guard table: shared by every checker of a campaign (one
 * is made per run), so each is computed once.
 */
const allowedCache = new WeakMap<GuardTable, Map<string, ReadonlySet<string>>>();

const allowedSetOf = (table: GuardTable, judgement: Judgement): ReadonlySet<string> => {
  let byJudgement = allowedCache.get(table);
  if (!byJudgement) {
    byJudgement = new Map();
    allowedCache.set(table, byJudgement);
  }
  const key = `${judgement.by} ${judgement.classes.join(' | ')}`;
  let allowed = byJudgement.get(key);
  if (!allowed) {
    allowed = new Set(allowedFacets(table, judgement));
    byJudgement.set(key, allowed);
  }
  return allowed;
};

/** The allowed pairs of the facets that `missing` names (`dirty`, `client`, `serves`). */
const sameFacets = (missing: readonly string[], allowed: ReadonlySet<string>): string[] => {
  const names = new Set(missing.map((m) => m.split(' | ')[1]?.split(' ')[0]));
  return [...allowed].filter((a) => {
    const name = a.split(' | ')[1]?.split(' ')[0];
    return name === undefined || names.has(name);
  });
};

/** The enabledness check of one run against `table`. */
export const createGuardCheck = (table: GuardTable): GuardCheck => {
  let checked = 0;
  let whole = 0;
  let mismatches = 0;
  return {
    check(before, record, run) {
      const judgement = judgementOf(record, table, run);
      if (judgement === null) return null;
      const allowed = allowedSetOf(table, judgement);
      // No guard at all: a class the model's worlds never reach; the footprint check has
      // judged whatever such a step changes.
      if (allowed.size === 0) return null;
      const guard = guardOf(before, judgement.stage);
      if (guard === null) return null;
      checked += 1;
      if (judgement.by === 'guard') whole += 1;
      const missing = missingFacets(judgement, guard, allowed);
      if (missing.length === 0) return null;
      mismatches += 1;
      return { judgement, guard, missing, allowed: sameFacets(missing, allowed) };
    },
    stats: () => ({ checked, whole, mismatches }),
  };
};
