/**
 * Test and runtime support: drive a stage machine with xstate's pure `initialTransition` /
 * `transition` and collect the effects each event emitted.
 */
import { type AnyStateMachine, initialTransition, type SnapshotFrom, transition } from 'xstate';
import { collectEffects, type Effect, type StageEvent, type StageInput } from '../io.js';

export class StageDriver<M extends AnyStateMachine> {
  snapshot: SnapshotFrom<M>;
  /** The effects of the last `send`. */
  last: Effect[];

  constructor(
    readonly machine: M,
    input: StageInput,
  ) {
    const [snapshot, actions] = initialTransition(machine, input as never);
    this.snapshot = snapshot as SnapshotFrom<M>;
    this.last = collectEffects(actions);
  }

  send(...events: StageEvent[]): Effect[] {
    this.last = [];
    for (const event of events) {
      const [snapshot, actions] = transition(this.machine, this.snapshot, event as never);
      this.snapshot = snapshot as SnapshotFrom<M>;
      this.last.push(...collectEffects(actions));
    }
    return this.last;
  }

  of<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.last.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
}
