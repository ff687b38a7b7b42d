/**
 * Every state and every transition of every stage machine, read from the xstate v5 machine
 * definitions themselves (the `StateNode` tree under `machine.root`: each node's
 * `transitions` map of `TransitionDefinition[]`, which includes delayed `after`
 * transitions, and its eventless `always` list), so the universe of coverage cannot drift
 * from the code.
 *
 * Ids are stable and readable, prefixed by the stage kind:
 *
 *   state       `deployment: lifecycle.serving`
 *   transition  `deployment: lifecycle.recovering --always[connected]--> lifecycle.serving`
 *               `deployment: (root) --message[gets(syncing,syncAck)]--> (targetless)`
 *
 * The guard (with its parameters) is part of a transition's id, so guarded alternatives of
 * one event count separately; targetless transitions (actions only) count too. The machine
 * root is not a state of its own here: it is active whenever the machine exists.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import type { StageRegistry } from '../../impl/runtime/sim/types.js';
import { STAGES } from '../../impl/stages/registry.js';

export interface StateInfo {
  /** `<stage kind>: <path>`, e.g. `replicaset: lifecycle.recovering`. */
  readonly id: string;
  readonly path: string;
  readonly type: AnyStateNode['type'];
}

export interface TransitionInfo {
  /** `<stage kind>: <source> --<event>[<guard>]--> <targets>`. */
  readonly id: string;
  /** The source state's path (`(root)` for the machine root). */
  readonly source: string;
  /** The event descriptor; `always` for an eventless transition, `after(<delay>)` for a delayed one. */
  readonly event: string;
  readonly guard: string | null;
  /** Target paths; empty for a targetless transition. */
  readonly targets: readonly string[];
}

export interface MachineInfo {
  /** The stage kind it is registered under (`kubelet`, …). */
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly states: readonly StateInfo[];
  readonly transitions: readonly TransitionInfo[];
  /** Every state node but the root, by identity, to its state id. */
  readonly stateIdOf: ReadonlyMap<AnyStateNode, string>;
  /** Every transition definition, by identity, to its transition id. */
  readonly transitionIdOf: ReadonlyMap<AnyTransitionDefinition, string>;
}

/** The path of a machine's root state node in ids and diagrams. */
export const ROOT = '(root)';
const TARGETLESS = '(targetless)';

/** Every machine of the registry, in registry order. */
export const enumerateMachines = (registry: StageRegistry = STAGES): MachineInfo[] =>
  Object.entries(registry).map(([name, module]) => enumerateMachine(name, module.machine));

export const enumerateMachine = (name: string, machine: AnyStateMachine): MachineInfo => {
  const nodes = allNodes(machine.root);
  const stateIdOf = new Map<AnyStateNode, string>();
  const states: StateInfo[] = [];
  for (const node of nodes) {
    if (node === machine.root) continue;
    const info: StateInfo = { id: `${name}: ${pathOf(node)}`, path: pathOf(node), type: node.type };
    stateIdOf.set(node, info.id);
    states.push(info);
  }
  const transitionIdOf = new Map<AnyTransitionDefinition, string>();
  const transitions: TransitionInfo[] = [];
  for (const node of nodes) {
    for (const definition of definitionsOf(node)) {
      const info = describe(name, definition, transitions);
      transitionIdOf.set(definition, info.id);
      transitions.push(info);
    }
  }
  return { name, machine, states, transitions, stateIdOf, transitionIdOf };
};

/** The node and its descendants in document order. */
const allNodes = (node: AnyStateNode): AnyStateNode[] => [
  node,
  ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(allNodes),
];

const pathOf = (node: AnyStateNode): string =>
  node.path.length === 0 ? ROOT : node.path.join('.');

/** A node's own transitions: by event (delayed ones included), then eventless. */
const definitionsOf = (node: AnyStateNode): AnyTransitionDefinition[] => [
  ...[...node.transitions.values()].flat(),
  ...(node.always ?? []),
];

const describe = (
  name: string,
  definition: AnyTransitionDefinition,
  sofar: readonly TransitionInfo[],
): TransitionInfo => {
  const source = pathOf(definition.source);
  const event = eventName(definition);
  const guard = definition.guard === undefined ? null : guardName(definition.guard);
  const targets = (definition.target ?? []).map(pathOf);
  const base = `${name}: ${source} --${event}${guard === null ? '' : `[${guard}]`}--> ${
    targets.length === 0 ? TARGETLESS : targets.join(',')
  }${definition.reenter ? ' (reenter)' : ''}`;
  // Two definitions alike in all of this differ only in their actions: number the later ones.
  const clashes = sofar.filter((t) => t.id === base || t.id.startsWith(`${base} #`)).length;
  const id = clashes === 0 ? base : `${base} #${clashes + 1}`;
  return { id, source, event, guard, targets };
};

const eventName = (definition: AnyTransitionDefinition): string => {
  const type = String(definition.eventType);
  if (type === '') return 'always';
  const delay = (definition as { delay?: unknown }).delay;
  return delay === undefined ? type : `after(${String(delay)})`;
};

/** `name`, `name(param values)`, or for higher-order guards `not(name)`, `and(a,b)`. */
const guardName = (guard: unknown): string => {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const inner = (guard as { guards?: unknown[] }).guards;
    const label = guard.name || 'inline';
    return inner ? `${label}(${inner.map(guardName).join(',')})` : label;
  }
  if (guard !== null && typeof guard === 'object' && 'type' in guard) {
    const { type, params } = guard as { type: string; params?: unknown };
    if (params === undefined) return type;
    if (typeof params === 'function') return `${type}(…)`;
    if (params !== null && typeof params === 'object')
      return `${type}(${Object.values(params).map(String).join(',')})`;
    return `${type}(${String(params)})`;
  }
  return 'inline';
};

/**
 * xstate drops a selected transition that conflicts with another (their exit sets
 * intersect), and reports the transitions it selected, not the ones it kept. Coverage
 * counts the selected ones, which is exact as long as no two transitions of one step can
 * conflict: true when every targeted transition stays within its own region (its targets
 * are siblings of its source), since a region selects at most one transition per step.
 * Returns the transitions that break this (none in the stage machines; tested).
 */
export const conflictingTransitions = (info: MachineInfo): string[] => {
  const bad: string[] = [];
  for (const [definition, id] of info.transitionIdOf) {
    const targets = definition.target ?? [];
    if (targets.some((t) => t.parent !== definition.source.parent)) bad.push(id);
  }
  return bad;
};
