/**
 * Test and runtime support: drive a stage machine with xstate's pure `initialTransition` /
 * `transition` and collect the effects each event emitted.
 */
import {
  type AnyStateMachine,
  type EventFrom,
  type InputFrom,
  initialTransition,
  type SnapshotFrom,
  transition,
} from 'xstate';
import { collectEffects, type Effect, type StageEvent, type StageInput } from '../io.js';

export interface DriverOptions {
  /**
   * Answer every `readResourceVersion` a client makes before round 2 at once, with informers
   * already past it, and leave the read out of `last`: tests of other behaviour see round 2
   * run with the reply, as before the read existed. Off for tests of the wait itself.
   */
  readonly answerReads?: boolean;
}

/** The resourceVersion `answerReads` answers with, and the informer progress it reports. */
export const FRESH_RV = 1_000_000;

/** Drives any of the five stage machines, whose input is a `StageInput` and events `StageEvent`s. */
export class StageDriver<M extends AnyStateMachine> {
  snapshot: SnapshotFrom<M>;
  /** The effects of the last `send`. */
  last: Effect[];
  private readonly answerReads: boolean;

  constructor(
    readonly machine: M,
    input: StageInput,
    options: DriverOptions = {},
  ) {
    const [snapshot, actions] = initialTransition(machine, input as InputFrom<M>);
    this.snapshot = snapshot as SnapshotFrom<M>;
    this.last = collectEffects(actions);
    this.answerReads = options.answerReads ?? true;
  }

  send(...events: StageEvent[]): Effect[] {
    this.last = [];
    const queue = [...events];
    for (let event = queue.shift(); event; event = queue.shift()) {
      const [snapshot, actions] = transition(this.machine, this.snapshot, event as EventFrom<M>);
      this.snapshot = snapshot as SnapshotFrom<M>;
      for (const effect of collectEffects(actions)) {
        if (this.answerReads && isRead(effect)) queue.unshift(...freshAnswer(effect));
        else this.last.push(effect);
      }
    }
    return this.last;
  }

  of<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.last.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
}

type ApiEffect = Extract<Effect, { type: 'api' }>;

const isRead = (effect: Effect): effect is ApiEffect =>
  effect.type === 'api' && effect.intent.op === 'readResourceVersion';

const freshAnswer = (read: ApiEffect): StageEvent[] => [
  { type: 'informer.progress', rv: FRESH_RV },
  { type: 'api.done', id: read.id, intent: read.intent, outcome: 'ok', rv: FRESH_RV },
];
