/**
 * Deriving the footprint table from the model: which atoms each model action class
 * produces; and, from the same transitions, the guard table: the guards (guards.ts) of the
 * acting stage in the states each class was enabled in (the enabledness check). Both are
 * unions over every transition met, so they only grow with the exploration; a pair the
 * exploration misses is a false alarm of the check, never a missed divergence of the kind
 * it looks for.
 *
 * Two kinds of exploration, each over small worlds of the model:
 *
 * - **breadth-first**, bounded by distinct states, over the parts of the `tiny` suite and
 *   two worlds added for this table (`rescale`: a count replaced while held, which needs
 *   three load values; `node-loss`: a node lost with pods bound to it). At these bounds the
 *   tables of `tiny`'s parts are saturated (the last new pair of `up` appears at about
 *   20,000 states of 218,211; of `down`, at 34,000 of 99,948).
 * - **random walks** in a world shaped like the fuzz campaign (two functions, three nodes,
 *   several faults of every kind). The fuzzer combines faults that no part of `tiny` has
 *   budget for (a crash while a handshake is in flight after another crash); breadth-first
 *   search of such a world never gets deep, walks do. Every transition enabled in a visited
 *   state counts, not only the one the walk takes. The walks are seeded: the table is
 *   reproducible.
 */

import type { Model } from '../../spec/model.js';
import type { Config, Preset } from '../../spec/types/config.js';
import { NO_FAULTS, PRESETS } from '../../spec/types/config.js';
import { createWorldModel, type WorldState } from '../../spec/world.js';
import { atomsOf } from './atoms.js';
import { modelClassOf } from './classes.js';
import { actingStageOf, type GuardTable, guardOf } from './guards.js';

/** Class → sorted atoms. */
export type FootprintTable = Readonly<Record<string, readonly string[]>>;

/** One bounded world the table is derived from. */
export interface World {
  readonly name: string;
  readonly preset: Preset;
  /** Breadth-first: distinct states explored. */
  readonly maxStates?: number;
  /**
   * Random walks: how many, how long each, and how often a step is a fault when both faults
   * and the system's own actions are enabled (as the fuzzer weighs them: mostly progress,
   * so that walks get deep, with faults among it).
   */
  readonly walks?: {
    readonly count: number;
    readonly length: number;
    readonly seed: number;
    readonly faultShare: number;
  };
}

/** A held count replaced by a newer one: loads 1 → 2 while the first is in flight. */
const RESCALE: Preset = {
  ...PRESETS.up,
  desiredMax: 2,
  budgets: { ...NO_FAULTS, scaleEvents: 1 },
};

/**
 * `up` on two one-slot nodes with one node loss and a scale-down: a node is lost with pods
 * bound to it in every phase of their lives, deleting ones included.
 */
const NODE_LOSS: Preset = {
  ...PRESETS.up,
  nodes: ['n1', 'n2'],
  nodeAllocatable: 1,
  budgets: { ...NO_FAULTS, nodeLosses: 1, scaleEvents: 1, faultsTotal: 1 },
};

/** The fuzz campaign's shape: two tenants, three nodes, faults of every kind combined. */
const CAMPAIGN: Preset = {
  ...PRESETS.small,
  nodes: ['n1', 'n2', 'n3'],
  nodeAllocatable: 3,
  desiredMax: 2,
  convergenceBound: 200,
  budgets: {
    crashes: 3,
    drops: 2,
    duplicates: 2,
    timeouts: 2,
    apiOutages: 2,
    nodeLosses: 1,
    apiWrites: 2,
    scaleEvents: 3,
    faultsTotal: 8,
  },
};

export const DEFAULT_WORLDS: readonly World[] = [
  { name: 'up', preset: PRESETS.up, maxStates: 25_000 },
  { name: 'down', preset: PRESETS.down, maxStates: 40_000 },
  { name: 'retries', preset: PRESETS.retries, maxStates: 2_000 },
  { name: 'tenants', preset: PRESETS.tenants, maxStates: 5_000 },
  { name: 'spread', preset: PRESETS.spread, maxStates: 5_000 },
  { name: 'rescale', preset: RESCALE, maxStates: 20_000 },
  { name: 'node-loss', preset: NODE_LOSS, maxStates: 20_000 },
  {
    name: 'campaign',
    preset: CAMPAIGN,
    walks: { count: 1000, length: 300, seed: 1, faultShare: 0.2 },
  },
];

interface DeriveStats {
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
}

/**
 * What an exploration collects, class by class: the atoms of every transition (the
 * footprint table) and the guard of its acting stage in the state it was enabled in (the
 * guard table, guards.ts).
 */
interface Into {
  readonly atoms: Map<string, Set<string>>;
  readonly guards: Map<string, Set<string>>;
}

const emptyInto = (): Into => ({ atoms: new Map(), guards: new Map() });

const setIn = (map: Map<string, Set<string>>, key: string): Set<string> => {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
};

const record = (into: Into, model: Model<WorldState>, state: WorldState) => {
  const before = model.observe(state);
  const transitions = model.transitions(state);
  // Several transitions of one state share an acting stage: its guard is computed once.
  const guards = new Map<string, string | null>();
  for (const t of transitions) {
    const cls = modelClassOf(t.action);
    const atoms = setIn(into.atoms, cls);
    for (const atom of atomsOf(before, model.observe(t.next))) atoms.add(atom);
    const stage = actingStageOf(t.action);
    if (stage === null) continue;
    if (!guards.has(stage)) guards.set(stage, guardOf(before, stage));
    const guard = guards.get(stage);
    if (guard) setIn(into.guards, cls).add(guard);
  }
  return transitions;
};

/** Explores one world breadth-first up to `maxStates`, adding every transition's atoms. */
const exploreBreadthFirst = (
  config: Config,
  maxStates: number,
  into: Into,
): { states: number; transitions: number } => {
  const model = createWorldModel(config);
  const initial = model.initial();
  const seen = new Set<string>([model.key(initial)]);
  let frontier: WorldState[] = [initial];
  let transitions = 0;
  while (frontier.length > 0) {
    const next: WorldState[] = [];
    for (const state of frontier) {
      for (const t of record(into, model, state)) {
        transitions += 1;
        if (seen.size >= maxStates) continue;
        const key = model.key(t.next);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(t.next);
      }
    }
    frontier = next;
  }
  return { states: seen.size, transitions };
};

/** mulberry32: a small seeded generator, so the walks (and the table) are reproducible. */
const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Seeded random walks from the initial state, adding the atoms of every enabled transition. */
const exploreWalks = (
  config: Config,
  walks: NonNullable<World['walks']>,
  into: Into,
): { states: number; transitions: number } => {
  const model = createWorldModel(config);
  const random = prng(walks.seed);
  let states = 0;
  let transitions = 0;
  for (let w = 0; w < walks.count; w += 1) {
    let state = model.initial();
    for (let s = 0; s < walks.length; s += 1) {
      const enabled = record(into, model, state);
      states += 1;
      transitions += enabled.length;
      const faults = enabled.filter((t) => t.action.fault);
      const progress = enabled.filter((t) => !t.action.fault);
      const pool =
        faults.length === 0 || (progress.length > 0 && random() >= walks.faultShare)
          ? progress
          : faults;
      const chosen = pool[Math.floor(random() * pool.length)];
      if (!chosen) break;
      state = chosen.next;
    }
  }
  return { states, transitions };
};

/** The footprint and guard tables for the switches of `config`, over every world of `worlds`. */
export const deriveTable = (
  config: Config,
  worlds: readonly World[] = DEFAULT_WORLDS,
): { table: FootprintTable; guards: GuardTable; stats: DeriveStats } => {
  const started = performance.now();
  const into = emptyInto();
  let states = 0;
  let transitions = 0;
  for (const world of worlds) {
    const worldConfig: Config = { ...config, preset: world.preset };
    if (world.maxStates !== undefined) {
      const r = exploreBreadthFirst(worldConfig, world.maxStates, into);
      states += r.states;
      transitions += r.transitions;
    }
    if (world.walks !== undefined) {
      const r = exploreWalks(worldConfig, world.walks, into);
      states += r.states;
      transitions += r.transitions;
    }
  }
  return {
    table: toTable(into.atoms),
    guards: toTable(into.guards),
    stats: { states, transitions, seconds: (performance.now() - started) / 1000 },
  };
};

/** Class → sorted values, classes sorted: the form both tables are stored in. */
const toTable = (
  into: ReadonlyMap<string, ReadonlySet<string>>,
): Readonly<Record<string, readonly string[]>> =>
  Object.fromEntries(
    [...into.keys()].sort().map((cls) => [cls, [...(into.get(cls) ?? [])].sort()]),
  );
