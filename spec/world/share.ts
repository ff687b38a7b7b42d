/**
 * The states the explorer holds to expand later (a BFS level, its frontier) share every part
 * equal to a part of a state held before. A step shares with its parent every part it leaves
 * as it was, but two states reached by different paths hold equal parts as different objects
 * (interleavings of the same steps build them twice), and a level of `small` holds more than
 * a million states: the search held 2.5 KB per state before this (docs/bench-explore.md).
 *
 * Equal means equal in every field and in the order of every record's keys. The model
 * iterates records in the order their keys were inserted, so a part with the same entries in
 * another order could list the state's transitions in another order, and a trace replayed
 * by transition ordinals (`explore/replay.ts`) would go astray. So a part is found by the
 * content id (128 bits, as the key's sub-objects, `world/key.ts`) of a serialisation that
 * keeps that order, not by the key, which sorts records and leaves fields out.
 */
import { contentId } from '../explore/fingerprint.js';
import type { WorldState } from './state.js';

/** The parts shared: everything but the step counter. */
const PARTS = [
  'api',
  'autoscaler',
  'deployment',
  'replicaset',
  'scheduler',
  'kubelets',
  'links',
  'net',
  'load',
  'budgets',
  'ghost',
  'events',
] as const satisfies readonly (keyof WorldState)[];

/** `state` with each part replaced by the equal part of a state held before, if there is one. */
export const shareParts = (state: WorldState): WorldState => {
  const out: Record<string, unknown> = { ...state };
  for (const part of PARTS) out[part] = shared(state[part]);
  return out as unknown as WorldState;
};

/**
 * The parts of held states by content id. Bounded: cleared when full, after which states
 * share only with those held since (a cache of sharing, never of meaning). A level's
 * states are expanded before the next level's are held, so the table follows the search.
 */
const held = new Map<string, object>();
const MAX_HELD = 1 << 20;

const shared = <T extends object>(part: T): T => {
  const id = exactId(part);
  const found = held.get(id);
  if (found !== undefined) return found as T;
  if (held.size >= MAX_HELD) held.clear();
  held.set(id, part);
  return part;
};

/** Content ids of objects, by identity: a held state shares most sub-objects with others. */
const ids = new WeakMap<object, string>();

const exactId = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value);
  let id = ids.get(value);
  if (id === undefined) {
    id = contentId(serialise(value));
    ids.set(value, id);
  }
  return id;
};

/** Arrays in order; records with their keys in insertion order (`undefined` fields too). */
const serialise = (value: object): string => {
  if (Array.isArray(value)) return `[${value.map(exactId).join(',')}]`;
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key in record) out += `${JSON.stringify(key)}:${exactId(record[key])},`;
  return `${out}}`;
};
