/**
 * The stage host: runs ONE stage machine in a process, for real. It creates the machine
 * the sim runs (impl/stages/registry.ts) and drives it with xstate's pure
 * `initialTransition` / `transition`, as the sim and `StageDriver` do, rather than with an
 * actor: the snapshot and the effects of each event are plain values the host holds, so
 * every input (a message, an API answer, an informer event, a timer, a sandbox event, the
 * load) goes through one queue, one event at a time, and each effect is executed by the
 * host in the order the step emitted it. An actor would add a mailbox of its own beside
 * this queue and hand effects over by subscription.
 *
 * Effects: `send` → the transport (a send that fails as `unreachable` or `timeout` to a
 * server of this stage → `link.down`, once until a send reaches that server again;
 * send-failure.ts says which failures break a link);
 * `api` → the API port, whose answer comes back as `api.done`; `timer.*` → real timers
 * keyed by name; `sandbox.*` → the container runtime; `applied` → the recorder. The stage's
 * own `epochMismatch` replies are counted as its refusals. Order at start: `start`, the
 * kubelet's `sandbox.list`, then the informers.
 */
import { type AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import { type StageId, stageKindOf } from '../../../../spec/types/ids.js';
import type { Message } from '../../../../spec/types/messages.js';
import {
  collectEffects,
  type Effect,
  type StageEvent,
  type StageInput,
  type StageModule,
} from '../../../stages/io.js';
import { STAGES } from '../../../stages/registry.js';
import {
  type ApiPort,
  type AppliedRecorder,
  type MessagePort,
  REAL_TIMERS,
  type SandboxPort,
  type TimerPort,
} from './ports.js';
import { isEpochMismatch, onSendFailure } from './send-failure.js';
import { Timers } from './timers.js';

export interface HostPorts {
  readonly api: ApiPort;
  readonly transport: MessagePort;
  /** The kubelet's container runtime (required for a kubelet, unused by the others). */
  readonly sandbox?: SandboxPort;
  readonly timers?: TimerPort;
  readonly onApplied?: AppliedRecorder;
  /** A fault of the host itself (an effect that could not be executed); default: throw. */
  readonly onError?: (error: unknown) => void;
}

export class StageHost {
  private readonly module: StageModule;
  private snapshot: AnyMachineSnapshot | null = null;
  private readonly queue: StageEvent[] = [];
  private draining = false;
  private paused = false;
  private stopped = false;
  private readonly timers: Timers;
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  /** Servers whose broken connection the stage was told of, until a send reaches them. */
  private readonly brokenLinks = new Set<StageId>();

  constructor(
    readonly input: StageInput,
    private readonly ports: HostPorts,
  ) {
    this.module = STAGES[stageKindOf(input.id)];
    this.timers = new Timers(ports.timers ?? REAL_TIMERS, (name) =>
      this.post({ type: 'timer', name }),
    );
    if (this.module === STAGES.kubelet && !ports.sandbox)
      throw new Error(`${input.id}: a kubelet needs a sandbox port`);
  }

  get id(): string {
    return this.input.id;
  }

  /** The machine's snapshot (null before `start`), for a report or a test. */
  get current(): AnyMachineSnapshot | null {
    return this.snapshot;
  }

  /** Creates the machine, tells it `start` (and its sandboxes), then opens the informers. */
  async start(): Promise<void> {
    if (this.snapshot !== null || this.stopped) throw new Error(`${this.id}: started twice`);
    const [snapshot, actions] = initialTransition(this.module.machine, this.input);
    this.snapshot = snapshot;
    this.execute(collectEffects(actions));
    this.post({ type: 'start' });
    const sandbox = this.ports.sandbox;
    if (sandbox && this.module === STAGES.kubelet) await this.listSandboxes(sandbox);
    const stopInformers = await this.ports.api.startInformers((event) => this.post(event));
    // Stopped while the informers opened: nobody else will close them.
    if (this.stopped) await stopInformers();
    else this.cleanups.push(stopInformers);
  }

  /**
   * `sandbox.list`, then the sandbox events from then on: one that comes while the list is
   * being read waits for it, as the sim tells a restarted kubelet its list first.
   */
  private async listSandboxes(sandbox: SandboxPort): Promise<void> {
    let early: StageEvent[] | null = [];
    this.cleanups.push(
      sandbox.onEvent((event) => (early === null ? this.post(event) : early.push(event))),
    );
    const pods = await sandbox.list();
    this.post({ type: 'sandbox.list', pods });
    const waiting = early;
    early = null;
    for (const event of waiting) this.post(event);
  }

  /** An input from outside: a message from the transport, the load, … */
  post(event: StageEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (!this.draining && !this.paused) this.drain();
  }

  /**
   * Takes no input until `resume` (inputs wait in the queue): the stage's memory holds
   * still while a runtime reads a consistent cut of the cluster, as if the stage were slow.
   */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (!this.draining) this.drain();
  }

  /**
   * The transport's `onConnectionLost`: a server's process went away, which the stage
   * hears as `link.down` (once, until a send reaches that server again).
   */
  readonly onConnectionLost = (server: StageId): void => {
    if (this.input.downstream.includes(server)) this.linkBroke(server);
  };

  /**
   * A connection breaks once: the failures after it are losses, which the link's retry
   * timer answers, as in the sim; telling each would re-handshake in a tight loop against
   * a server that is still starting.
   */
  private linkBroke(server: StageId): void {
    if (this.brokenLinks.has(server)) return;
    this.brokenLinks.add(server);
    this.post({ type: 'link.down', server });
  }

  /** The transport's `onMessage`. */
  readonly onMessage = (message: Message): void => this.post({ type: 'message', message });

  /** A crash as far as this stage goes: nothing more is taken or done, memory is dropped. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.length = 0;
    this.timers.clearAll();
    for (const cleanup of this.cleanups.splice(0)) await cleanup();
  }

  private drain(): void {
    this.draining = true;
    try {
      while (!this.paused) {
        const event = this.queue.shift();
        if (!event || this.stopped || this.snapshot === null) return;
        const [snapshot, actions] = transition(this.module.machine, this.snapshot, event);
        this.snapshot = snapshot;
        this.execute(collectEffects(actions));
      }
    } finally {
      this.draining = false;
    }
  }

  private execute(effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.send(effect.message);
          break;
        case 'api':
          this.ports.api.request(effect).then(
            (done) => this.post(done),
            (error: unknown) => this.fault(error),
          );
          break;
        case 'timer.set':
          this.timers.set(effect.name, effect.afterMs);
          break;
        case 'timer.cancel':
          this.timers.cancel(effect.name);
          break;
        case 'sandbox.start':
          this.sandbox().start(effect.pod, effect);
          break;
        case 'sandbox.stop':
          this.sandbox().stop(effect.pod);
          break;
        case 'applied':
          this.ports.onApplied?.(effect.event);
          break;
        default:
          // Every effect a stage may produce is handled (the sim's `runEffect` too).
          effect satisfies never;
      }
    }
  }

  private send(message: Message): void {
    if (isEpochMismatch(message)) this.ports.transport.countStageRefusal(message);
    const server = message.destination;
    this.ports.transport.send(message).then(
      () => this.brokenLinks.delete(server),
      (error: unknown) => {
        const outcome = onSendFailure(error, message, this.input.downstream);
        if (outcome.kind === 'fault') this.fault(outcome.error);
        else if (outcome.kind === 'linkDown') this.linkBroke(server);
      },
    );
  }

  private sandbox(): SandboxPort {
    if (!this.ports.sandbox) throw new Error(`${this.id}: no sandbox port`);
    return this.ports.sandbox;
  }

  private fault(error: unknown): void {
    if (this.stopped) return;
    if (this.ports.onError) this.ports.onError(error);
    else throw error;
  }
}
