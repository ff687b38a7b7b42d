/**
 * The refinement check of one implementation step against a footprint table: the step's
 * atoms (atoms.ts) must all be atoms that the model classes it stands for (classes.ts)
 * produce somewhere in the model (derive.ts). Allowed sets are computed once per
 * implementation class and closed under composition (`compose`), since one implementation
 * step may do the work of several model steps. Then, when the configuration has a guard
 * table, the enabledness check (enabledness.ts): the class the step starts with must be one
 * the model takes in the acting stage's situation before the step.
 */
import type { StepRecord } from '../../impl/runtime/sim/types.js';
import type { Mode } from '../../impl/stages/io.js';
import type { Switches } from '../../spec/types/config.js';
import type { Observation } from '../../spec/types/observation.js';
import { atomsOf, type Part, partOf } from './atoms.js';
import { type Candidate, type ImplClass, implClassOf } from './classes.js';
import type { FootprintTable } from './derive.js';
import { createGuardCheck, type GuardMismatch } from './enabledness.js';
import { EXTENSIONS, type Feature, featureAfter, featuresShown } from './extensions.js';
import { type GuardTable, phaseOfGuard } from './guards.js';

export interface ConformanceMismatch {
  /** `footprint`: the step changed what its classes never change; `enabledness`: see `guard`. */
  readonly kind: 'footprint' | 'enabledness';
  readonly step: number;
  /** The implementation step, as its trace line labels it. */
  readonly implStep: string;
  /** The implementation class, and the model classes it stands for. */
  readonly actionClass: string;
  /**
   * Footprint: atoms of the step that no model class it stands for ever produces.
   * Enabledness: the guard's facets (or its phase) no model step of its class starts in.
   */
  readonly unexpected: readonly string[];
  /** Enabledness: the model classes the step starts with, judged in `guard`. */
  readonly startsWith?: readonly string[];
  /** Enabledness: the acting stage and its guard before the step (guards.ts). */
  readonly stage?: string;
  readonly guard?: string;
  /** Enabledness: what the model allows of those facets (or the phases it allows). */
  readonly allowedGuards?: readonly string[];
  readonly message: string;
}

export interface ConformanceStats {
  /** Steps checked against the table. */
  readonly checked: number;
  /** Steps of environment actions the model does not describe (not checked). */
  readonly outside: number;
  readonly mismatches: number;
  /** Steps whose start was judged by the enabledness check (0 without a guard table). */
  readonly guardChecked: number;
  /** Of those, the ones judged by their whole guard (the rest by phase: requests). */
  readonly guardCheckedWhole: number;
  readonly guardMismatches: number;
}

export interface ConformanceChecker {
  check(before: Observation, record: StepRecord, after: Observation): ConformanceMismatch | null;
  stats(): ConformanceStats;
}

/** Everything `candidates` allow, closed under composition. */
export const allowedFor = (
  table: FootprintTable,
  candidates: readonly Candidate[],
): ReadonlySet<string> => {
  const allowed = new Set<string>();
  for (const candidate of candidates) {
    const late = candidate.parts?.length === 1 ? candidate.parts[0] : undefined;
    for (const cls of classesMatching(table, candidate.modelClass))
      for (const atom of table[cls] ?? []) {
        if (candidate.parts && !candidate.parts.includes(partOf(atom) as Part)) continue;
        allowed.add(atom);
        if (late !== undefined) for (const landed of landingLate(atom)) allowed.add(landed);
      }
  }
  return compose(allowed);
};

/** What a request can fail with when the world changed since it was decided. */
const FAILURES = ['outage', 'notFound', 'conflict', 'alreadyExists', 'precondition'];
const REQUEST_EVENT = /^(ev api \S+ \S+ \S+) \S+$/;
const SANDBOX_STARTED = 'kubelet.sandbox + (live)';
const READY_RUNNING = 'api.pod ready false→true (running)';

/**
 * A request's execution, or a sandbox's start, that lands later than the model step it
 * comes from: the model decides and acts in one step, the implementation acts on the
 * decision one or more steps later, in a world that may have changed meanwhile, by a
 * failure of the API Server or by a deletion (and what a deletion entails: the sandbox
 * stopped). So a request the model makes may, executed late, fail in any way the API
 * Server fails a request of its verb (failures change no object; what the stage makes of
 * the answer is checked in its own step); a sandbox the model starts next to a live pod may
 * start next to a pod marked for deletion, or removed, since; and a pod the model marks
 * Ready while its sandbox runs may be marked Ready after it was marked for deletion and its
 * sandbox stopped. Nothing else changes on the way: a live pod whose sandbox never ran
 * marked Ready is still a mismatch.
 */
const landingLate = (atom: string): string[] => {
  if (atom === SANDBOX_STARTED)
    return ['kubelet.sandbox + (deleting)', 'kubelet.sandbox + (absent)'];
  if (atom === READY_RUNNING)
    return [
      'api.pod ready false→true (running, deleting)',
      'api.pod ready false→true (no sandbox, deleting)',
    ];
  const request = REQUEST_EVENT.exec(atom);
  return request ? FAILURES.map((outcome) => `${request[1]} ${outcome}`) : [];
};

/** `apply kubelet.*` names every class with that prefix; any other name only itself. */
const classesMatching = (table: FootprintTable, name: string): string[] =>
  name.endsWith('.*')
    ? Object.keys(table).filter((cls) => cls.startsWith(name.slice(0, -1)))
    : [name];

const TRANSITION = /^(.*) (\S+)→(\S+)$/;
const ENTERED = /^(.* dirty) \+(\S+)$/;
const LEFT = /^(.* dirty) -(\S+)$/;

/**
 * Several model steps in one implementation step show as their composition: `a→b` then
 * `b→c` is `a→c`; an entry added as `a` and moved to `b` is `+b`; an entry moved from `a`
 * to `b` and removed is `-a`. The closure adds those compositions and nothing else, so a
 * step still cannot reach a value or a lifecycle state that no chain of its classes reaches.
 */
export const compose = (atoms: Set<string>): Set<string> => {
  let grew = true;
  while (grew) {
    grew = false;
    const moves = new Map<string, [string, string][]>();
    for (const atom of atoms) {
      const m = TRANSITION.exec(atom);
      if (!m) continue;
      const [, field = '', from = '', to = ''] = m;
      const list = moves.get(field) ?? [];
      list.push([from, to]);
      moves.set(field, list);
    }
    const add = (atom: string) => {
      if (!atoms.has(atom)) {
        atoms.add(atom);
        grew = true;
      }
    };
    for (const [field, list] of moves) {
      for (const [a, b] of list)
        for (const [c, d] of list) if (b === c && a !== d) add(`${field} ${a}→${d}`);
      for (const [a, b] of list) {
        if (atoms.has(`${field} +${a}`) && ENTERED.test(`${field} +${a}`)) add(`${field} +${b}`);
        if (atoms.has(`${field} -${b}`) && LEFT.test(`${field} -${b}`)) add(`${field} -${a}`);
      }
    }
  }
  return atoms;
};

const describeClass = (cls: ImplClass): string =>
  cls.kind === 'mapped'
    ? `${cls.name} ≈ ${
        cls.candidates
          .map((c) => (c.parts ? `${c.modelClass} [${c.parts.join(',')}]` : c.modelClass))
          .join(' | ') || 'nothing'
      }`
    : `${cls.name} (${cls.kind})`;

/** The table with the extensions of `features` under `switches` added (extensions.ts). */
const withExtensions = (
  table: FootprintTable,
  features: ReadonlySet<Feature>,
  switches: Switches,
): FootprintTable => {
  const out: Record<string, readonly string[]> = { ...table };
  for (const ext of EXTENSIONS)
    if (features.has(ext.feature) && (ext.when?.(switches) ?? true))
      out[ext.modelClass] = [...new Set([...(out[ext.modelClass] ?? []), ...ext.atoms])];
  return out;
};

/**
 * Allowed atoms per implementation class, per table, features in force and switches: shared
 * by every checker of a campaign (one is made per run), so each is computed once.
 */
const allowedCache = new WeakMap<FootprintTable, Map<string, Map<string, ReadonlySet<string>>>>();

const allowedCacheFor = (
  table: FootprintTable,
  features: ReadonlySet<Feature>,
  switches: Switches,
) => {
  let byFeatures = allowedCache.get(table);
  if (!byFeatures) {
    byFeatures = new Map();
    allowedCache.set(table, byFeatures);
  }
  const key = `${[...features].sort().join(',')} ${JSON.stringify(switches)}`;
  let byClass = byFeatures.get(key);
  if (!byClass) {
    byClass = new Map();
    byFeatures.set(key, byClass);
  }
  return { byClass, extended: () => withExtensions(table, features, switches) };
};

/**
 * A checker against `table`, the model's footprints under `switches`, and `guards`, the
 * guards its classes are enabled in (no enabledness check when null).
 */
export const createChecker = (
  table: FootprintTable,
  mode: Mode,
  switches: Switches,
  guards: GuardTable | null = null,
): ConformanceChecker => {
  const guardCheck = guards === null ? null : createGuardCheck(guards);
  const allowed = new AllowedAtoms(table, mode, switches);
  let checked = 0;
  let outside = 0;
  let mismatches = 0;
  return {
    check(before, record, after) {
      allowed.noteFeatures(before, record.step);
      const cls = implClassOf(record);
      if (cls.kind === 'outside') {
        outside += 1;
        const feature = featureAfter(cls.name);
        if (feature !== null) allowed.add(feature);
        return null;
      }
      checked += 1;
      const atoms = allowed.of(cls);
      const unexpected: string[] = [];
      for (const atom of atomsOf(before, after)) if (!atoms.has(atom)) unexpected.push(atom);
      if (unexpected.length === 0) {
        const wrong = guardCheck?.check(before, record, {
          inForce: (c) => inForce(c, allowed.features, switches),
          vanilla: allowed.features.has('apiPath'),
        });
        if (!wrong) return null;
        mismatches += 1;
        return enablednessMismatch(record, cls, wrong);
      }
      mismatches += 1;
      return footprintMismatch(record, cls, unexpected.sort());
    },
    stats: () => {
      const g = guardCheck?.stats() ?? { checked: 0, whole: 0, mismatches: 0 };
      return {
        checked,
        outside,
        mismatches,
        guardChecked: g.checked,
        guardCheckedWhole: g.whole,
        guardMismatches: g.mismatches,
      };
    },
  };
};

/**
 * The atoms each class may produce under the features a run has shown so far. Features stay
 * on for the rest of a run once shown; a new run (its step count starting over) starts
 * afresh. The allowed sets are cached per feature set.
 */
class AllowedAtoms {
  private readonly initial: readonly Feature[];
  private shown: Set<Feature>;
  private cache: ReturnType<typeof allowedCacheFor>;
  private extended: FootprintTable | null = null;
  private lastStep = 0;

  constructor(
    private readonly table: FootprintTable,
    mode: Mode,
    private readonly switches: Switches,
  ) {
    this.initial = mode === 'api' ? ['always', 'apiPath'] : ['always'];
    this.shown = new Set(this.initial);
    this.cache = allowedCacheFor(table, this.shown, switches);
  }

  /** The features in force: those the run has shown so far. */
  get features(): ReadonlySet<Feature> {
    return this.shown;
  }

  of(cls: ImplClass): ReadonlySet<string> {
    let allowed = this.cache.byClass.get(cls.name);
    if (!allowed) {
      this.extended ??= this.cache.extended();
      allowed =
        cls.kind === 'mapped' ? allowedFor(this.extended, cls.candidates) : new Set<string>();
      this.cache.byClass.set(cls.name, allowed);
    }
    return allowed;
  }

  noteFeatures(before: Observation, step: number): void {
    let changed = false;
    if (step <= this.lastStep) {
      this.shown = new Set(this.initial);
      changed = true;
    }
    this.lastStep = step;
    for (const f of featuresShown(before))
      if (!this.shown.has(f)) {
        this.shown.add(f);
        changed = true;
      }
    if (changed) this.refresh();
  }

  add(feature: Feature): void {
    if (this.shown.has(feature)) return;
    this.shown.add(feature);
    this.refresh();
  }

  private refresh(): void {
    this.cache = allowedCacheFor(this.table, this.shown, this.switches);
    this.extended = null;
  }
}

const footprintMismatch = (
  record: StepRecord,
  cls: ImplClass,
  unexpected: readonly string[],
): ConformanceMismatch => ({
  kind: 'footprint',
  step: record.step,
  implStep: record.label,
  actionClass: describeClass(cls),
  unexpected: [...unexpected],
  message: `step ${record.step} (${record.label}) does what the model never does in a step of class ${cls.name}: ${unexpected.join('; ')}`,
});

/** Whether `modelClass` is an extension in force (extensions.ts). */
const inForce = (modelClass: string, features: ReadonlySet<Feature>, switches: Switches) =>
  EXTENSIONS.some(
    (e) => e.modelClass === modelClass && features.has(e.feature) && (e.when?.(switches) ?? true),
  );

/** How many allowed guards a message lists (a class may have hundreds). */
const LISTED_MAX = 8;

const enablednessMismatch = (
  record: StepRecord,
  cls: ImplClass,
  wrong: GuardMismatch,
): ConformanceMismatch => {
  const { judgement, guard, missing, allowed } = wrong;
  const shown = allowed.slice(0, LISTED_MAX).join(' ; ');
  const more = allowed.length > LISTED_MAX ? ` ; … (${allowed.length} in all)` : '';
  const what =
    judgement.by === 'guard'
      ? `guard ${guard}, of which no model step of that class starts in ${missing.join(' ; ')}`
      : `phase ${phaseOfGuard(guard)}`;
  const where =
    judgement.by === 'phase or later'
      ? 'phases (or later ones)'
      : judgement.by === 'phase'
        ? 'phases'
        : '';
  return {
    kind: 'enabledness',
    step: record.step,
    implStep: record.label,
    actionClass: describeClass(cls),
    unexpected: missing,
    startsWith: judgement.classes,
    stage: judgement.stage,
    guard,
    allowedGuards: allowed,
    message: `step ${record.step} (${record.label}) starts a step of class ${judgement.classes.join(' or ')} in a situation of ${judgement.stage} the model never takes it in: ${what}; the model takes it in ${where}: ${shown}${more}`,
  };
};
