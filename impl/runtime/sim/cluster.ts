/**
 * `SimCluster`: the deterministic sim runtime. One API Server on a virtual clock, one
 * xstate actor per stage (from the stage registry passed in), and an agenda in which every
 * pending event is explicit: a schedule takes, drops, duplicates or delays any of them, and
 * crashes, restarts, outages, re-lists, node losses, user writes and load changes are
 * actions of the same schedule (`apply`). After every step the cluster can give the
 * `Observation` the property catalogue reads (`observe`).
 *
 * Nothing here reads the wall clock or `Math.random`: time is the virtual clock, and every
 * random choice comes from the seed, so one config, seed and schedule give one run.
 */

import type { StageId, StageKind } from '../../../spec/types/ids.js';
import { stageKindOf } from '../../../spec/types/ids.js';
import type { Observation } from '../../../spec/types/observation.js';
import type { AccountingSnapshot, ApiServer, Watch } from '../../apiserver/index.js';
import { seedCluster, setLoad, userWrite } from './environment.js';
import * as faults from './faults.js';
import {
  drainGhostWatches,
  type GhostWatches,
  openGhostWatches,
  Readiness,
  updateRecentDesired,
} from './ghost.js';
import { openChangeWatches, refreshInformers, stageIds, startStage } from './lifecycle.js';
import { observe, reportsOf } from './observe.js';
import { scheduleBookmarks } from './progress.js';
import { type ActorSlot, SimState } from './state.js';
import { take } from './take.js';
import type { Pending, SimAction, SimOptions, StepRecord, Topology } from './types.js';

export interface SimSummary {
  readonly steps: number;
  readonly nowMs: number;
  readonly api: AccountingSnapshot;
  readonly messagesSent: {
    readonly total: number;
    readonly byType: Readonly<Record<string, number>>;
  };
  /** Virtual time at which every function last had all its desired pods Ready (null: not yet). */
  readonly readyAtMs: number | null;
  /** `readyAtMs` minus the time of the last load change. */
  readonly readyAfterMs: number | null;
  readonly pending: number;
}

export class SimCluster {
  private readonly state: SimState;
  private readonly ghostWatches: GhostWatches;
  /** Every write, to know which informers to look at (see `refreshInformers`). */
  private readonly changes: Watch[];
  private readonly readiness = new Readiness();
  private latest: Observation | null = null;
  private allReadyAtMs: number | null = null;
  private readonly onStep: SimOptions['onStep'];
  private readonly clock: SimOptions['clock'];
  private loadChangedAtMs = 0;

  constructor(options: SimOptions) {
    const state = new SimState(options);
    this.state = state;
    this.onStep = options.onStep;
    this.clock = options.clock;
    this.ghostWatches = openGhostWatches(state);
    this.changes = openChangeWatches(state.api);
    seedCluster(state);
    for (const id of stageIds(state)) {
      const kind: StageKind = stageKindOf(id);
      const slot: ActorSlot = {
        id,
        kind,
        module: state.registry[kind],
        incarnation: 0,
        snapshot: null,
        informers: [],
        synced: false,
        progressTold: 0,
        written: new Map(),
      };
      state.actors.set(id, slot);
      startStage(state, slot, 1);
    }
    this.settle();
  }

  get nowMs(): number {
    return this.state.nowMs;
  }

  get steps(): number {
    return this.state.step;
  }

  /** As `summary().readyAtMs`, without building the summary (a cheap stop condition). */
  get readyAtMs(): number | null {
    return this.allReadyAtMs;
  }

  /** The API Server, for observers and benchmarks (their own watches and final checks). */
  get api(): ApiServer {
    return this.state.api;
  }

  /** The functions and nodes the cluster runs. */
  get topology(): Topology {
    return this.state.topology;
  }

  /** Every stage of the cluster: the four controllers, then one kubelet per node. */
  stageIds(): StageId[] {
    return stageIds(this.state);
  }

  /** Every pending event, in the order it was scheduled. */
  pending(): readonly Pending[] {
    return this.state.agenda.all();
  }

  /** The earliest pending event (ties broken by the seed), or undefined when quiescent. */
  next(): Pending | undefined {
    return this.state.agenda.peek();
  }

  /** Takes pending event `id`: the one choice of a step. */
  step(id: string): StepRecord {
    return this.apply({ type: 'take', id });
  }

  /** Applies one action of a schedule and returns the step's record. */
  apply(action: SimAction): StepRecord {
    const state = this.state;
    const before = this.onStep ? this.observe() : null;
    if (this.clock) state.nowMs = Math.max(state.nowMs, this.clock());
    state.step += 1;
    state.events = [];
    const { label, actor, note } = this.perform(action);
    this.settle();
    const record: StepRecord = {
      step: state.step,
      atMs: state.nowMs,
      action,
      label,
      actor,
      events: state.events,
      ...(note ? { note } : {}),
    };
    if (this.onStep && before) this.onStep(before, record, this.observe());
    return record;
  }

  /** The Observation after the last step (built now if the cluster does not observe each step). */
  observe(): Observation {
    if (!this.latest) this.latest = observe(this.state, reportsOf(this.state), this.state.events);
    return this.latest;
  }

  /** A stage's current xstate snapshot (null while crashed), for tests and traces. */
  snapshotOf(stage: StageId): unknown {
    return this.state.slot(stage)?.snapshot ?? null;
  }

  summary(): SimSummary {
    const byType = Object.fromEntries(
      [...this.state.messagesSent].sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    const total = Object.values(byType).reduce((sum, n) => sum + n, 0);
    return {
      steps: this.state.step,
      nowMs: this.state.nowMs,
      api: this.state.api.stats(),
      messagesSent: { total, byType },
      readyAtMs: this.allReadyAtMs,
      readyAfterMs: this.allReadyAtMs === null ? null : this.allReadyAtMs - this.loadChangedAtMs,
      pending: this.state.agenda.size,
    };
  }

  private perform(action: SimAction): { label: string; actor: string; note?: string | undefined } {
    const state = this.state;
    switch (action.type) {
      case 'take': {
        const pending = state.agenda.remove(action.id);
        if (!pending) throw new Error(`no pending event ${action.id}`);
        state.nowMs = Math.max(state.nowMs, pending.dueAtMs);
        return { label: pending.label, actor: pending.actor, note: take(state, pending) };
      }
      case 'drop':
      case 'duplicate':
      case 'timeout':
      case 'delay': {
        const label = state.agenda.get(action.id)?.label ?? action.id;
        if (action.type === 'drop') faults.drop(state, action.id);
        else if (action.type === 'duplicate') faults.duplicate(state, action.id);
        else if (action.type === 'timeout') faults.timeout(state, action.id);
        else faults.delay(state, action.id, action.ms);
        return { label: `${action.type} ${label}`, actor: 'fault' };
      }
      default:
        return this.performEnvironment(action);
    }
  }

  private performEnvironment(action: SimAction): {
    label: string;
    actor: string;
    note?: string | undefined;
  } {
    const state = this.state;
    switch (action.type) {
      case 'crash':
        faults.crash(state, action.stage);
        return { label: `crash ${action.stage}`, actor: 'fault' };
      case 'restart':
        faults.restart(state, action.stage);
        return { label: `restart ${action.stage}`, actor: 'fault' };
      case 'apiOutage':
        faults.apiOutage(state, action.on);
        return { label: action.on ? 'api outage' : 'api recovered', actor: 'fault' };
      case 'relist':
        return {
          label: `relist ${action.stage}`,
          actor: 'fault',
          note: faults.relist(state, action.stage),
        };
      case 'nodeLoss':
        faults.nodeLoss(state, action.node);
        return { label: `node loss ${action.node}`, actor: 'fault' };
      case 'write':
        userWrite(state, action.write);
        return { label: `user ${action.write.op} ${action.write.key}`, actor: 'user' };
      case 'load':
        setLoad(state, action.deployment, action.load);
        this.allReadyAtMs = null;
        this.loadChangedAtMs = state.nowMs;
        return { label: `load ${action.deployment}=${action.load}`, actor: 'environment' };
      case 'advance':
        state.nowMs = Math.max(state.nowMs, action.toMs);
        return { label: `advance to ${action.toMs}ms`, actor: 'clock' };
      default:
        throw new Error(`unexpected action ${action.type}`);
    }
  }

  /** After every step: informer events, garbage collection, ghost, readiness, observation. */
  private settle(): void {
    const state = this.state;
    refreshInformers(state, this.changes);
    scheduleBookmarks(state);
    if (state.api.pendingGc() > 0 && !state.agenda.has('gc')) {
      const delayMs = state.api.available
        ? state.latencies.gcDelayMs
        : state.latencies.relistRetryMs;
      state.agenda.put({
        kind: 'gc',
        id: 'gc',
        dueAtMs: state.nowMs + delayMs,
        label: 'gc',
        actor: 'gc',
      });
    }
    drainGhostWatches(state, this.ghostWatches, this.readiness);
    if (this.allReadyAtMs === null && this.allReady()) this.allReadyAtMs = state.nowMs;
    this.latest = null;
    if (state.observeEachStep) {
      const reports = reportsOf(state);
      updateRecentDesired(state, reports);
      this.latest = observe(state, reports, state.events);
    }
  }

  private allReady(): boolean {
    for (const [deployment, desired] of this.state.load)
      if (this.readiness.readyFor(deployment) < desired) return false;
    return true;
  }
}
