/**
 * The end of a parallel search: the shards' states, numbered again in one breadth-first
 * order (depth, then shard, then the shard's own order), their parents and fault-free edges
 * resolved from fingerprints to those numbers, so that the liveness analysis, the statuses
 * and the traces are the one-thread explorer's own (`finish.ts`).
 */
import type { ExploreResult } from '../explore.js';
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
  if (complete && gathering.catalogue.liveness.length > 0) {
    order.forEach(([shard, id], global) => {
      addEdges(store, shards[shard] as ShardExport, id, global);
    });
  }
  const explored: Explored<S> = {
    ...newVerdicts(gathering.catalogue, gathering.stopAtFirstViolation),
    model: gathering.model,
    store,
    transitions: shards.reduce((sum, s) => sum + s.transitions, 0),
    stop,
  };
  for (const shard of shards) {
    for (const name of shard.violated) explored.violated.add(name as PropertyName);
    for (const name of shard.hit) explored.hit.add(name as PropertyName);
  }
  explored.found.push(...firstPerProperty(shards, store));
  if (complete) checkLiveness(explored);
  return summarise(explored, complete, gathering.seconds);
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

function addEdges(store: StateStore, shard: ShardExport, id: number, global: number): void {
  store.beginEdges(global);
  const end = shard.edgeStarts[id + 1] as number;
  for (let e = shard.edgeStarts[id] as number; e < end; e++) {
    const target = lookup(store, shard.edgeHighs[e] as number, shard.edgeLows[e] as number);
    store.addEdge(target, shard.edgeOrdinals[e] as number);
  }
}

function lookup(store: StateStore, high: number, low: number): number {
  const id = store.lookup(high >>> 0, low >>> 0);
  // Every parent and every edge's target was stored by some shard: a miss is a bug.
  if (id < 0) throw new Error('gather: a state refers to one that no shard stored');
  return id;
}

/** Each property's shallowest violation over all shards, as the one-thread search finds. */
function firstPerProperty(shards: readonly ShardExport[], store: StateStore): Pending[] {
  const all = shards.flatMap((shard) =>
    shard.found.map(({ prefix, ...rest }) => ({
      ...rest,
      prefixState: lookup(store, prefix.high, prefix.low),
    })),
  );
  all.sort((a, b) => a.prefixState - b.prefixState || a.extra.length - b.extra.length);
  const first = new Map<PropertyName, Pending>();
  for (const pending of all) if (!first.has(pending.property)) first.set(pending.property, pending);
  return [...first.values()];
}
