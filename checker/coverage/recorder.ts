/**
 * Records which states of the stage machines were visited and which transitions were taken,
 * from the sim runtime's `onTransition` hook (one record per event fed to a machine).
 *
 * Which transitions an event took is xstate's own account, never a guess from state values:
 * the record carries the transitions of every microstep as xstate's inspection reported them
 * while the runtime made that very transition (eventless ones included, which fire after
 * the event in the same macrostep, guarded on the context its actions produced). A state
 * entered and left within one macrostep is marked as visited from the targets of those
 * transitions. A visited configuration is marked once (its node array is shared by the
 * snapshots that keep it).
 */
import type {
  AnyMachineSnapshot,
  AnyStateMachine,
  AnyStateNode,
  AnyTransitionDefinition,
} from 'xstate';
import type { StageRegistry, TransitionRecord } from '../../impl/runtime/sim/types.js';
import { STAGES } from '../../impl/stages/registry.js';
import { enumerateMachine, enumerateMachines, type MachineInfo } from './machines.js';
import type { CoverageReport, MachineCoverage } from './report.js';

export class CoverageRecorder {
  private readonly trackers = new Map<AnyStateMachine, Tracker>();
  private recordCount = 0;

  constructor(registry: StageRegistry = STAGES) {
    for (const info of enumerateMachines(registry))
      this.trackers.set(info.machine, new Tracker(info));
  }

  /** Pass this as `onTransition` of `runSchedule` or `SimOptions` (it is bound). */
  readonly onTransition = (record: TransitionRecord): void => {
    this.recordCount += 1;
    this.trackerOf(record.machine).record(record);
  };

  /** Events recorded so far. */
  get records(): number {
    return this.recordCount;
  }

  /** What has been covered so far, as plain JSON. */
  report(): CoverageReport {
    const machines: Record<string, MachineCoverage> = {};
    const visited: Record<string, { states: string[]; transitions: string[] }> = {};
    for (const tracker of this.trackers.values()) {
      const { info } = tracker;
      const states = info.states.map((s) => s.id);
      const transitions = info.transitions.map((t) => t.id);
      machines[info.name] = {
        states: figures(states, tracker.states),
        transitions: figures(transitions, tracker.transitions),
      };
      visited[info.name] = {
        states: states.filter((id) => tracker.states.has(id)),
        transitions: transitions.filter((id) => tracker.transitions.has(id)),
      };
    }
    return { version: 1, records: this.recordCount, machines, visited };
  }

  private trackerOf(machine: AnyStateMachine): Tracker {
    let tracker = this.trackers.get(machine);
    if (!tracker) {
      // A machine outside the registry (a test's fake stage): enumerate it on first sight.
      tracker = new Tracker(enumerateMachine(machine.id, machine));
      this.trackers.set(machine, tracker);
    }
    return tracker;
  }
}

const figures = (all: readonly string[], seen: ReadonlySet<string>) => {
  const missing = all.filter((id) => !seen.has(id));
  return { visited: all.length - missing.length, total: all.length, missing };
};

type Nodes = readonly AnyStateNode[];
const nodesOf = (snapshot: AnyMachineSnapshot): Nodes => snapshot._nodes;

class Tracker {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();
  private readonly marked = new WeakSet<Nodes>();

  constructor(readonly info: MachineInfo) {}

  record({ before, after, taken }: TransitionRecord): void {
    this.markConfiguration(nodesOf(before));
    this.markConfiguration(nodesOf(after));
    this.take(taken);
  }

  private take(taken: readonly AnyTransitionDefinition[]): void {
    for (const definition of taken) {
      const id = this.info.transitionIdOf.get(definition);
      if (id === undefined) throw new Error(`${this.info.name}: a transition not enumerated`);
      // Taken before: its targets are marked already (marking depends on the definition only).
      if (this.transitions.has(id)) continue;
      this.transitions.add(id);
      // A state entered and left within one macrostep was visited too.
      for (const target of definition.target ?? []) this.markEntered(target);
    }
  }

  private markConfiguration(nodes: Nodes): void {
    if (this.marked.has(nodes)) return;
    this.marked.add(nodes);
    for (const node of nodes) this.markNode(node);
  }

  /** A target, its ancestors, and what entering it enters by default. */
  private markEntered(target: AnyStateNode): void {
    for (let node: AnyStateNode | undefined = target; node; node = node.parent) this.markNode(node);
    const below = (node: AnyStateNode): void => {
      const children = Object.values(node.states as Record<string, AnyStateNode>);
      const entered =
        node.type === 'parallel' ? children : node.type === 'compound' ? node.initial.target : [];
      for (const child of entered) {
        this.markNode(child);
        below(child);
      }
    };
    below(target);
  }

  private markNode(node: AnyStateNode): void {
    const id = this.info.stateIdOf.get(node);
    if (id !== undefined) this.states.add(id);
  }
}
