/**
 * Records which states of the stage machines were visited and which transitions were taken,
 * from the sim runtime's `onTransition` hook (one record per event fed to a machine).
 *
 * Which transitions an event took is xstate's own selection, never a guess from state
 * values: `machine.getTransitionData(before, event)` is exactly what xstate's macrostep
 * selects for the event. Eventless (`always`) transitions can fire after it in the same
 * macrostep, guarded on the context the event's actions produced; when that is possible
 * (the machine has eventless transitions and the configuration holds one, or the event's
 * transition changes the configuration) the recorder replays the event with xstate's
 * inspection hook, whose `@xstate.microstep` events list the transitions of every
 * microstep. Replays are pure (actions are collected, not executed) and give the same
 * snapshot, since the stage machines are deterministic.
 *
 * Cost: per (configuration, event type) the candidate transitions are worked out once; an
 * event whose candidates are unguarded and cannot chain reuses the cached answer, so the
 * kubelets and the scheduler (most events) cost a map lookup. A visited configuration is
 * marked once (its node array is shared by the snapshots that keep it).
 */
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  createActor,
} from 'xstate';
import { inertScope } from '../../impl/runtime/sim/dispatch.js';
import type { StageRegistry, TransitionRecord } from '../../impl/runtime/sim/types.js';
import type { StageEvent } from '../../impl/stages/io.js';
import { STAGES } from '../../impl/stages/registry.js';
import { enumerateMachine, enumerateMachines, type MachineInfo } from './machines.js';
import type { CoverageReport, MachineCoverage } from './report.js';

export interface RecorderOptions {
  /** Replay every event instead of using the cached selection (slow; tests the shortcut). */
  readonly replayEveryEvent?: boolean;
}

export class CoverageRecorder {
  private readonly trackers = new Map<AnyStateMachine, Tracker>();
  private recordCount = 0;

  constructor(
    registry: StageRegistry = STAGES,
    private readonly options: RecorderOptions = {},
  ) {
    for (const info of enumerateMachines(registry))
      this.trackers.set(info.machine, new Tracker(info, options));
  }

  /** Pass this as `onTransition` of `runSchedule` or `SimOptions` (it is bound). */
  readonly onTransition = (record: TransitionRecord): void => {
    this.recordCount += 1;
    this.trackerOf(record.machine).record(record.before, record.event, record.after);
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
      tracker = new Tracker(enumerateMachine(machine.id, machine), this.options);
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

/** What is known of one event type in one configuration. */
interface Plan {
  /** Some candidate is guarded: xstate must evaluate the guards on this snapshot. */
  readonly guarded: boolean;
  /** Eventless transitions may follow: replay to see them. */
  readonly mayChain: boolean;
  /** The selection, once known, when it cannot depend on the context. */
  fixed: readonly AnyTransitionDefinition[] | null;
}

class Tracker {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();
  private readonly marked = new WeakSet<Nodes>();
  private readonly keys = new WeakMap<Nodes, string>();
  private readonly plans = new Map<string, Plan>();
  private replayer: Replayer | null = null;

  constructor(
    readonly info: MachineInfo,
    private readonly options: RecorderOptions,
  ) {}

  record(before: AnyMachineSnapshot, event: StageEvent, after: AnyMachineSnapshot): void {
    this.markConfiguration(nodesOf(before));
    this.markConfiguration(nodesOf(after));
    const plan = this.planFor(nodesOf(before), event.type);
    if (plan.mayChain || this.options.replayEveryEvent) {
      this.take(this.replay(before, event), true);
      return;
    }
    const selected = plan.fixed ?? this.info.machine.getTransitionData(before, event);
    if (!plan.guarded) plan.fixed = selected;
    // No eventless transition can follow, so a targetless selection keeps the configuration;
    // if it did not (an internal event raised by an action), replay to see what happened.
    const unexplained =
      selected.every((t) => t.target === undefined) &&
      this.keyOf(nodesOf(before)) !== this.keyOf(nodesOf(after));
    if (unexplained) this.take(this.replay(before, event), true);
    else this.take(selected, false);
  }

  private take(taken: readonly AnyTransitionDefinition[], markTargets: boolean): void {
    for (const definition of taken) {
      const id = this.info.transitionIdOf.get(definition);
      if (id === undefined) throw new Error(`${this.info.name}: a transition not enumerated`);
      this.transitions.add(id);
      // A state entered and left within one macrostep was visited too.
      if (markTargets) for (const target of definition.target ?? []) this.markEntered(target);
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

  private keyOf(nodes: Nodes): string {
    let key = this.keys.get(nodes);
    if (key === undefined) {
      key = nodes
        .map((n) => n.id)
        .sort()
        .join('|');
      this.keys.set(nodes, key);
    }
    return key;
  }

  private planFor(nodes: Nodes, eventType: string): Plan {
    const key = `${this.keyOf(nodes)}\u0000${eventType}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const candidates = nodes.flatMap((node) => candidatesOf(node, eventType));
      const hasEventless = nodes.some((node) => (node.always?.length ?? 0) > 0);
      plan = {
        guarded: candidates.some((t) => t.guard !== undefined),
        mayChain:
          this.info.hasEventless &&
          (hasEventless || candidates.some((t) => t.target !== undefined)),
        fixed: null,
      };
      this.plans.set(key, plan);
    }
    return plan;
  }

  private replay(before: AnyMachineSnapshot, event: StageEvent): AnyTransitionDefinition[] {
    this.replayer ??= makeReplayer(this.info.machine);
    return this.replayer(before, event);
  }
}

/** The transitions a node itself declares for an event type (exact or wildcard descriptor). */
const candidatesOf = (node: AnyStateNode, eventType: string): AnyTransitionDefinition[] => {
  const found: AnyTransitionDefinition[] = [];
  for (const [descriptor, definitions] of node.transitions) {
    if (matches(eventType, descriptor)) found.push(...definitions);
  }
  return found;
};

/** xstate's descriptor matching: exact, `*`, or a `prefix.*` partial wildcard. */
const matches = (eventType: string, descriptor: string): boolean =>
  descriptor === eventType ||
  descriptor === '*' ||
  (descriptor.endsWith('.*') && eventType.startsWith(descriptor.slice(0, -1)));

type Replayer = (snapshot: AnyMachineSnapshot, event: StageEvent) => AnyTransitionDefinition[];

/**
 * Replays one event on a snapshot and returns the transitions of every microstep, as
 * xstate's inspection reports them. The actor scope executes nothing (its executor drops
 * the actions), as the sim runtime's own does; the inspected actor is never started.
 */
const makeReplayer = (machine: AnyStateMachine): Replayer => {
  let sink: AnyTransitionDefinition[] = [];
  const self = createActor(machine, {
    inspect: (inspection) => {
      if (inspection.type === '@xstate.microstep') sink.push(...inspection._transitions);
    },
  });
  const scope = inertScope(self, () => {});
  return (snapshot, event) => {
    const taken: AnyTransitionDefinition[] = [];
    sink = taken;
    machine.transition(snapshot, event, scope);
    return taken;
  };
};
