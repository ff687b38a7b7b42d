/**
 * The client-node adapter: one stage's API effects and informers over
 * `@kubernetes/client-node`, against any cluster a kubeconfig names (the embedded endpoint,
 * `serveApi`, or a real one). A stage process host makes one per stage incarnation and
 * feeds what it returns to the stage's actor in order:
 *
 * - `request(effect)` carries out one `api` effect and resolves with the `api.done` the
 *   stage expects, never rejecting: the request is the one the sim sends (stage-io
 *   `requestFor`, built from this stage's informer caches and own writes when it is
 *   called), sent with the typed clients, and its answer classified as the sim classifies
 *   the in-memory server's (stage-io `resultOf`): a network error, a timeout or a 5xx is an
 *   `outage`.
 * - `startInformers(onEvent)` lists and watches what the stage watches and calls `onEvent`
 *   with its `informer.*` events, in order (informers.ts).
 * - `close()` stops the informers and abandons requests in flight (each answered `outage`).
 *
 * A runtime, not stage logic: it keeps real timers (request timeouts, retries) and reads
 * the wall clock for the objects it builds (a materialised pod's creation time).
 */
import {
  type ConfigurationOptions,
  type KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
  Watch,
} from '@kubernetes/client-node';
import type { StageId } from '../../../spec/types/ids.js';
import type { Kind, KubeObject } from '../../apiserver/index.js';
import {
  type ApiDone,
  apiDoneOf,
  newestKnown,
  requestFor,
  resultOf,
  writtenKey,
} from '../../runtime/stage-io/index.js';
import type { ApiEffect } from '../../runtime/stage-io/intents.js';
import type { StageEvent } from '../../stages/io.js';
import { apiClientsFor } from '../client.js';
import type { InformerCounts } from './informer.js';
import { StageInformers } from './informers.js';
import { kindCallsFor } from './kinds.js';
import { type Sender, sendRequest, storedAfter } from './requests.js';

export type { ApiEffect };

export interface KubeAdapterOptions {
  readonly kubeConfig: KubeConfig;
  readonly stage: StageId;
  /**
   * Whether the informers report `informer.progress`: a host passes stage-io's
   * `listensToProgress(stage, config, mode)`. Default: the stage is a controller that
   * always waits on it (Deployment, ReplicaSet, scheduler).
   */
  readonly progress?: boolean;
  /** Wall-clock milliseconds for the objects the adapter builds (default `Date.now`). */
  readonly nowMs?: () => number;
  /** A request unanswered for this long is an `outage` (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** The pause before a failed list or watch is tried again (default 1 s). */
  readonly retryMs?: number;
}

export interface InformerRun {
  /** Stops listing and watching; nothing more is delivered. */
  stop(): void;
  /** Each informer's lists, watches, expiries and bookmarks, by its tag. */
  counts(): Record<string, InformerCounts>;
}

export interface KubeAdapter {
  request(effect: ApiEffect): Promise<ApiDone>;
  /**
   * Starts the stage's informers; resolves once each has made its first list (delivered to
   * `onEvent` before this resolves, when it succeeded; a failed one is retried). Once per
   * adapter, as one adapter serves one incarnation of a stage.
   */
  startInformers(onEvent: (event: StageEvent) => void): Promise<InformerRun>;
  close(): void;
}

const PROGRESS_LISTENERS: ReadonlySet<string> = new Set(['deployment', 'replicaset', 'scheduler']);

/** Per-call options whose requests give up after `timeoutMs` or when `closing` aborts. */
const callOptions = (timeoutMs: number, closing: AbortSignal): ConfigurationOptions => ({
  middleware: [
    {
      pre: (context: RequestContext) => {
        context.setSignal(AbortSignal.any([closing, AbortSignal.timeout(timeoutMs)]));
        return new Observable(Promise.resolve(context));
      },
      post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
    },
  ],
  middlewareMergeStrategy: 'append',
});

export const createKubeAdapter = (options: KubeAdapterOptions): KubeAdapter => {
  const { kubeConfig, stage } = options;
  const nowMs = options.nowMs ?? Date.now;
  const closing = new AbortController();
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const calls = kindCallsFor(apiClientsFor(kubeConfig));
  const sender: Sender = { calls, options: () => callOptions(timeoutMs, closing.signal) };
  const written = new Map<string, KubeObject>();
  let informers: StageInformers | undefined;

  const known = (kind: Kind, key: string): KubeObject | undefined =>
    newestKnown(written.get(writtenKey(kind, key)), informers?.cached(kind, key) ?? []);

  const request = async ({ id, intent }: ApiEffect): Promise<ApiDone> => {
    const built = requestFor(intent, { stage, nowMs: nowMs(), known });
    const response = built === null ? undefined : await sendRequest(sender, built);
    const stored =
      built === null || response === undefined
        ? undefined
        : await storedAfter(sender, built, response);
    const result = resultOf(intent, built, response, stored);
    if (built !== null && result.stored)
      written.set(writtenKey(built.kind, intent.key), result.stored);
    return apiDoneOf(id, intent, result);
  };

  const startInformers = async (onEvent: (event: StageEvent) => void): Promise<InformerRun> => {
    if (informers) throw new Error(`the informers of ${stage} are already started`);
    const run = new StageInformers({
      stage,
      calls,
      deps: {
        watch: new Watch(kubeConfig),
        options: sender.options,
        retryMs: options.retryMs ?? 1_000,
      },
      progress: options.progress ?? PROGRESS_LISTENERS.has(stage),
      onEvent,
    });
    informers = run;
    await run.start();
    return { stop: () => run.stop(), counts: () => run.counts() };
  };

  return {
    request,
    startInformers,
    close: () => {
      closing.abort();
      informers?.stop();
    },
  };
};
