/**
 * The real-time event loop: the sim runtime's agenda taken against the wall clock. An
 * event is taken once its due time has come on `RealtimeClock`; the work it causes (a
 * stage machine's transition, the API Server's request, JSON on the wire) takes the CPU
 * time it really takes, and everything queued behind it waits that long, as in one
 * process on one core. When nothing is due the loop sleeps on a real timer until the next
 * due time; while busy it hands the thread back to Node every `SLICE_MS`
 * (`setImmediate`), so timers and I/O of the host still run.
 *
 * The sim's own pieces (agenda, dispatch of effects, informers and their bookmarks, crash and
 * restart, garbage collection) are reused unchanged: the same stage machines,
 * the same semantics, only the clock is real and nothing is free.
 */
import type { SimCluster } from '../sim/cluster.js';
import type { SimAction, StepRecord } from '../sim/types.js';
import type { RealtimeClock } from './clock.js';
import type { JsonWire } from './wire.js';

/** How long the loop runs events before yielding the thread once. */
const SLICE_MS = 5;

export interface DriveOptions {
  /** Stop as soon as this holds (checked before every event). */
  readonly until: () => boolean;
  /** Stop at this clock time whatever happens (everything is bounded). */
  readonly deadlineMs: number;
  readonly onStep?: (record: StepRecord) => void;
}

export type DriveEnd = 'until' | 'deadline' | 'quiescent';

interface TimedAction {
  readonly atMs: number;
  readonly action: SimAction;
}

export class RealtimeDriver {
  /** How late each event was taken after its due time (ms): the loop's lag. */
  readonly lateMs: number[] = [];
  private readonly actions: TimedAction[] = [];

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: RealtimeClock,
    private readonly wire: JsonWire,
  ) {}

  /** An environment action (load, crash, restart) to apply at clock time `atMs`. */
  at(atMs: number, action: SimAction): void {
    this.actions.push({ atMs, action });
    this.actions.sort((a, b) => a.atMs - b.atMs);
  }

  drive(options: DriveOptions): Promise<DriveEnd> {
    return new Promise((resolve) => {
      const tick = (): void => {
        const end = this.runSlice(options);
        if (end === 'yield') setImmediate(tick);
        else if (typeof end === 'number') setTimeout(tick, end);
        else resolve(end);
      };
      tick();
    });
  }

  /** Runs due events for one slice: an end, 'yield', or how long to sleep (ms). */
  private runSlice(options: DriveOptions): DriveEnd | 'yield' | number {
    const sliceEndMs = this.clock.now() + SLICE_MS;
    for (;;) {
      if (options.until()) return 'until';
      const nowMs = this.clock.now();
      if (nowMs >= options.deadlineMs) return 'deadline';
      const dueMs = this.applyDueActions(nowMs, options);
      if (dueMs > nowMs) {
        if (dueMs === Number.POSITIVE_INFINITY) return 'quiescent';
        return Math.max(0, Math.min(dueMs, options.deadlineMs) - nowMs);
      }
      if (this.clock.now() >= sliceEndMs) return 'yield';
    }
  }

  /**
   * Applies the environment actions due by `nowMs`, then takes the next event if it is
   * due; returns the due time of the earliest thing still waiting (`nowMs` if it took one).
   */
  private applyDueActions(nowMs: number, options: DriveOptions): number {
    while (this.actions.length > 0 && (this.actions[0] as TimedAction).atMs <= nowMs) {
      const timed = this.actions.shift() as TimedAction;
      options.onStep?.(this.cluster.apply(timed.action));
    }
    const next = this.cluster.next();
    const actionDueMs = this.actions[0]?.atMs ?? Number.POSITIVE_INFINITY;
    if (!next || next.dueAtMs > nowMs) return Math.min(next?.dueAtMs ?? actionDueMs, actionDueMs);
    if (next.kind === 'message') this.wire.message(next.message);
    this.lateMs.push(nowMs - next.dueAtMs);
    options.onStep?.(this.cluster.step(next.id));
    return nowMs;
  }
}
