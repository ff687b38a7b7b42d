/**
 * A stage machine as a diagram sees it: the state tree from `machine.toJSON()` (xstate's
 * serialisable definition: ids, types, initial states) and every transition with its event
 * and guard from the coverage enumeration (`checker/coverage/machines.ts`), which reads
 * the same definition nodes and also lists eventless (`always`) transitions, which
 * `toJSON()` leaves out in xstate 5. Using the coverage ids means a diagram's edge and a
 * coverage report's line name the same transition.
 */
import type { AnyStateMachine } from 'xstate';
import { enumerateMachine, ROOT, type TransitionInfo } from '../../checker/coverage/machines.js';

export interface StateBox {
  /** Dotted path from the root (`link.connected`); `(root)` for the machine itself. */
  readonly path: string;
  readonly key: string;
  readonly type: string;
  /** The path of the initial child of a compound state, null otherwise. */
  readonly initial: string | null;
  readonly children: readonly StateBox[];
}

export interface MachineGraph {
  /** The stage kind (`kubelet`). */
  readonly name: string;
  readonly root: StateBox;
  readonly transitions: readonly TransitionInfo[];
}

/** The JSON shape of one state node, as far as diagrams read it. */
interface StateJson {
  readonly id: string;
  readonly key: string;
  readonly type: string;
  readonly initial?: { readonly target?: readonly string[] } | undefined;
  readonly states?: Readonly<Record<string, StateJson>>;
}

export const ROOT_PATH = ROOT;

export const machineGraph = (name: string, machine: AnyStateMachine): MachineGraph => {
  // toJSON() returns live objects with their own toJSON methods; a JSON round trip gives
  // the plain serialisable form the diagrams are drawn from.
  const json = JSON.parse(JSON.stringify(machine.toJSON())) as StateJson;
  return {
    name,
    root: toBox(json, json.id),
    transitions: enumerateMachine(name, machine).transitions,
  };
};

const toBox = (node: StateJson, rootId: string): StateBox => {
  const path = pathOfId(node.id, rootId);
  const initialTarget = node.initial?.target?.[0];
  return {
    path,
    key: node.key,
    type: node.type,
    initial: initialTarget === undefined ? null : pathOfId(initialTarget.replace(/^#/, ''), rootId),
    children: Object.values(node.states ?? {}).map((child) => toBox(child, rootId)),
  };
};

/** `deployment.link.connected` (id) → `link.connected` (path), the coverage ids' form. */
const pathOfId = (id: string, rootId: string): string =>
  id === rootId ? ROOT_PATH : id.slice(rootId.length + 1);

/** Every box in document order. */
export const allBoxes = (box: StateBox): StateBox[] => [box, ...box.children.flatMap(allBoxes)];

/** `event [guard]`, the label of a transition in every diagram. */
export const transitionLabel = (t: TransitionInfo): string =>
  t.guard === null ? t.event : `${t.event} [${t.guard}]`;

/** Transitions that only run actions, grouped by the state that owns them. */
export const targetlessBySource = (graph: MachineGraph): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const t of graph.transitions) {
    if (t.targets.length > 0) continue;
    out.set(t.source, [...(out.get(t.source) ?? []), transitionLabel(t)]);
  }
  return out;
};
