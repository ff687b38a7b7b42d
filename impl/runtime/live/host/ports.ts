/**
 * What a stage host talks to the world through. The host runs one stage machine and owns
 * nothing else: the API, the other stages, the container runtime and time all reach it
 * through these interfaces, so one host runs the same against the in-process ports of the
 * tests (in-process.ts) and against client-node and a real container runtime.
 */
import type { PodKey, Uid } from '../../../../spec/types/ids.js';
import type { EpochMismatch, Message } from '../../../../spec/types/messages.js';
import type { AppliedEvent } from '../../../../spec/types/observation.js';
import type { StageEvent } from '../../../stages/io.js';
import type { ApiDone, ApiEffect } from '../../stage-io/intents.js';

export type { ApiDone, ApiEffect } from '../../stage-io/intents.js';

/** The Kubernetes API as one stage sees it. */
export interface ApiPort {
  /**
   * Makes the request an intent stands for and answers with its `api.done` (an outage, a
   * conflict or a missing object is an outcome, not a rejection).
   */
  request(effect: ApiEffect): Promise<ApiDone>;
  /**
   * Opens this stage's informers; `onEvent` gets `informer.upsert`/`delete`, then
   * `informer.synced` once every initial list is delivered, and `informer.progress`.
   * Resolves with the function that stops them.
   */
  startInformers(onEvent: (event: StageEvent) => void): Promise<() => Promise<void>>;
}

/** The stage transport as the host uses it (`StageTransport` fits). */
export interface MessagePort {
  /** Rejects with a `SendError` when the message may not have arrived. */
  send(message: Message): Promise<void>;
  /** Counts an `epochMismatch` the stage itself sent (a refusal by the stage). */
  countStageRefusal(reply: EpochMismatch): void;
}

export interface SandboxSpec {
  readonly ownerUid: Uid;
  readonly templateHash: string;
}

export type SandboxEvent = Extract<StageEvent, { type: 'sandbox.started' | 'sandbox.stopped' }>;

/** A node's container runtime, which outlives a kubelet's crash. */
export interface SandboxPort {
  /** Starting takes a while and ends with `sandbox.started`; starting twice is a no-op. */
  start(pod: PodKey, spec: SandboxSpec): void;
  /** Stops at once; the kubelet hears `sandbox.stopped`. */
  stop(pod: PodKey): void;
  /** The sandboxes running now. */
  list(): Promise<readonly PodKey[]>;
  /** Subscribes to started/stopped; returns the function that unsubscribes. */
  onEvent(listener: (event: SandboxEvent) => void): () => void;
}

/** Real time for timers only: stage logic never reads a clock. */
export interface TimerPort {
  set(afterMs: number, fire: () => void): unknown;
  clear(handle: unknown): void;
}

export const REAL_TIMERS: TimerPort = {
  set: (afterMs, fire) => setTimeout(fire, afterMs),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the host reports of each step (the `applied` effects), for a recorder. */
export type AppliedRecorder = (event: AppliedEvent) => void;
