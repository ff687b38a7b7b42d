/**
 * The ghost's update rules that the model (spec/world/ghost.ts) and the implementation's
 * runtime (impl/runtime/sim/ghost.ts) share, so that both keep the same history.
 */
import { type Epoch, epochIsOlder } from './ids.js';
import type { HandshakeEpochs, ReadyFloor } from './observation.js';

/**
 * The next `readyFloor` of a ReplicaSet. `desired`: the smallest desired count since its
 * Ready pods last reached the load while every part of the system held the load
 * (`settled`); the load itself at the first step. A count lower than the load that is still
 * held somewhere (1 → 0 → 1 before the 0 reached the ReplicaSet controller) may still be
 * acted on, so the floor does not rise past it until it is gone. `takenByOthers`: Ready pods
 * another actor took since then (a user's delete, a lost node): the controller cannot keep
 * what it has not seen go, so they come off the floor (`floorOf`).
 */
export const nextReadyFloor = (
  previous: ReadyFloor | undefined,
  ready: number,
  load: number,
  settled: boolean,
  taken: number,
): ReadyFloor => {
  if (previous === undefined || (ready >= load && settled))
    return { desired: load, takenByOthers: 0 };
  return {
    desired: Math.min(previous.desired, load),
    takenByOthers: previous.takenByOthers + taken,
  };
};

/** The fewest Ready pods a ReplicaSet controller's deletion may leave. */
export const floorOf = (floor: ReadyFloor | undefined): number =>
  floor === undefined ? 0 : Math.max(0, floor.desired - floor.takenByOthers);

export const sameFloor = (a: ReadyFloor | undefined, b: ReadyFloor): boolean =>
  a !== undefined && a.desired === b.desired && a.takenByOthers === b.takenByOthers;

/**
 * Ready pods a step took from a ReplicaSet without its controller's deletion: those Ready
 * (and not being deleted) before and not after, unless the step is the controller's delete.
 */
export const readyTaken = (
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
  byController: boolean,
): number => {
  if (byController) return 0;
  let taken = 0;
  for (const key of before) if (!after.has(key)) taken += 1;
  return taken;
};

/** The desired counts held for one ReplicaSet, gathered by the model's and the runtime's ghost. */
export interface HeldCounts {
  readonly load: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The fold behind `heldCounts`, for a caller that gathers counts from many places: it adds
 * them as it finds them, with no list in between, and may be reused (`start`).
 */
export class HeldFold {
  private load = 0;
  private min = 0;
  private max = 0;

  /** Starts over with the load, itself a count held. */
  start(load: number): this {
    this.load = load;
    this.min = load;
    this.max = load;
    return this;
  }

  /** One more count held somewhere (`undefined`: that part holds none). */
  add(count: number | undefined): void {
    if (count === undefined) return;
    if (count < this.min) this.min = count;
    if (count > this.max) this.max = count;
  }

  result(): HeldCounts {
    return { load: this.load, min: this.min, max: this.max };
  }
}

/** The load and every count held somewhere (`undefined`: that part holds none). */
export const heldCounts = (load: number, counts: Iterable<number | undefined>): HeldCounts => {
  const fold = new HeldFold().start(load);
  for (const count of counts) fold.add(count);
  return fold.result();
};

/** Every count held is the load. */
export const isSettled = (held: HeldCounts): boolean =>
  held.min === held.load && held.max === held.load;

/** A handshake's epoch entered into its link's history. */
export const nextHandshakeEpochs = (
  previous: HandshakeEpochs | undefined,
  epoch: Epoch,
): HandshakeEpochs => {
  if (previous === undefined) return { newest: epoch, regressed: null };
  if (epochIsOlder(previous.newest, epoch)) return { ...previous, newest: epoch };
  return { ...previous, regressed: previous.regressed ?? epoch };
};
