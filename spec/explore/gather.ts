/**
 * The end of a parallel search: the states the shards held, numbered again in one
 * breadth-first order (depth, then shard, then the shard's own order), their parents and
 * fault-free edges resolved from fingerprints to those numbers, so that the liveness analysis, the statuses
 * and the traces are the one-thread explorer's own (`finish.ts`).
 */
import type { ExploreResult, ShardTraffic } from '../explore.js';
import type { Model } from '../model.js';
import type { Catalogue, PropertyName } from '../types/index.js';
import { checkLiveness, type Explored, summarise } from './finish.js';
import type { ShardExport } from './shard.js';
import { StateStore } from './store.js';
import { newVerdicts, type Pending, type StopReason } from './verdicts.js';

export interface Gathering<S> {
  readonly model: Model<S>;
  readonly catalogue: Catalogue;
  readonly stopAtFirstViolation: boolean;
  readonly shards: readonly ShardExport[];
  /** Why the search ended: null when every state was expanded. */
  readonly stop: StopReason | null;
  readonly seconds: number;
}

export function gather<S>(gathering: Gathering<S>): ExploreResult {
  const { shards, stop } = gathering;
  const store = new StateStore();
  const order = breadthFirstOrder(shards);
  for (const [shard, id] of order) addState(store, shards[shard] as ShardExport, id);
  const complete = stop === null;
  if (complete && gathering.catalogue.liveness.length > 0) addEdges(store, shards);
  const explored: Explored<S> = {
    ...newVerdicts(gathering.catalogue, gathering.stopAtFirstViolation),
    model: gathering.model,
    store,
    transitions: shards.reduce((sum, s) => sum + s.transitions, 0),
    stop,
  };
  for (const shard of shards) {
    for (const name of shard.hit) explored.hit.add(name as PropertyName);
  }
  const found = firstPerProperty(shards, store);
  // Stopping at the first violation, the one-thread search reports one: so does this one,
  // although every shard finished the level and may have met others.
  explored.found.push(...(gathering.stopAtFirstViolation ? found.slice(0, 1) : found));
  for (const pending of explored.found) explored.violated.add(pending.property);
  if (complete) checkLiveness(explored);
  const traffic = (field: keyof ShardTraffic) =>
    shards.reduce((sum, s) => sum + s.traffic[field], 0);
  return {
    ...summarise(explored, complete, gathering.seconds),
    sharding: { claims: traffic('claims'), granted: traffic('granted'), moved: traffic('moved') },
  };
}

/** [shard, local id] pairs by depth, then shard; a shard's own ids already go by depth. */
function breadthFirstOrder(shards: readonly ShardExport[]): [number, number][] {
  const order: [number, number][] = [];
  const next = shards.map(() => 0);
  const remaining = () => shards.some((s, i) => (next[i] as number) < s.depths.length);
  for (let depth = 0; remaining(); depth++) {
    shards.forEach((shard, i) => {
      for (let id = next[i] as number; shard.depths[id] === depth; id++) {
        order.push([i, id]);
        next[i] = id + 1;
      }
    });
  }
  return order;
}

function addState(store: StateStore, shard: ShardExport, id: number): void {
  const at = (array: Int32Array) => array[id] as number;
  const parent =
    at(shard.depths) === 0 ? -1 : lookup(store, at(shard.parentHighs), at(shard.parentLows));
  store.add(
    at(shard.highs) >>> 0,
    at(shard.lows) >>> 0,
    parent,
    at(shard.ordinals),
    at(shard.failing),
  );
}

/**
 * Every state's fault-free edges, in the store's order. A state's edges are with the shard
 * that expanded it, which need not be the one that held it (frontiers are evened out).
 */
function addEdges(store: StateStore, shards: readonly ShardExport[]): void {
  const expanderOf = new Int32Array(store.size).fill(-1);
  const expandedAt = new Int32Array(store.size);
  shards.forEach((shard, s) => {
    shard.expandedHighs.forEach((high, i) => {
      const global = lookup(store, high, shard.expandedLows[i] as number);
      expanderOf[global] = s;
      expandedAt[global] = i;
    });
  });
  for (let global = 0; global < store.size; global++) {
    const shard = shards[expanderOf[global] as number];
    // A complete search expanded every state it stored.
    if (shard === undefined) throw new Error('gather: a state no shard expanded');
    const i = expandedAt[global] as number;
    store.beginEdges(global);
    const end = shard.edgeStarts[i + 1] as number;
    for (let e = shard.edgeStarts[i] as number; e < end; e++) {
      const target = lookup(store, shard.edgeHighs[e] as number, shard.edgeLows[e] as number);
      store.addEdge(target, shard.edgeOrdinals[e] as number);
    }
  }
}

/**
 * Where the one-thread search meets a violation: [the state being expanded, the transition's
 * ordinal, 0 for a step property and 1 for a state's own]. A state's own violation is met when
 * it is first reached (its parent and ordinal); a deadlock after its state's transitions.
 */
function foundAt(store: StateStore, pending: Pending): [number, number, number] {
  if (pending.liveness === 'deadlock') return [pending.prefixState, Number.POSITIVE_INFINITY, 0];
  if (pending.extra.length === 1) return [pending.prefixState, pending.extra[0] as number, 0];
  const state = pending.prefixState;
  return [store.parentOf(state), store.ordinalOf(state), 1];
}

function lookup(store: StateStore, high: number, low: number): number {
  const id = store.lookup(high >>> 0, low >>> 0);
  // Every parent and every edge's target was stored by some shard: a miss is a bug.
  if (id < 0) throw new Error('gather: a state refers to one that no shard stored');
  return id;
}

/**
 * Each property's first violation over all shards, in the order the one-thread search would
 * meet them in this numbering (`foundAt`).
 */
function firstPerProperty(shards: readonly ShardExport[], store: StateStore): Pending[] {
  const all = shards.flatMap((shard) =>
    shard.found.map(({ prefix, ...rest }) => ({
      ...rest,
      prefixState: lookup(store, prefix.high, prefix.low),
    })),
  );
  const ordered = all
    .map((pending) => ({ pending, at: foundAt(store, pending) }))
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.at[2] - b.at[2]);
  const first = new Map<PropertyName, Pending>();
  for (const { pending } of ordered) {
    if (!first.has(pending.property)) first.set(pending.property, pending);
  }
  return [...first.values()];
}
