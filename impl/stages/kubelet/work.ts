/**
 * The kubelet's context and its level-triggered work, run after every event while serving:
 * materialise bound pods whose template arrived, expose them, and, for the pods the
 * informer shows on this node, start sandboxes, mark Ready, terminate deleted pods and kill
 * leaked sandboxes. Split from `machine.ts` to keep each file small.
 */
import type { NodeName, PodKey } from '../../../spec/types/ids.js';
import type { PodEntry } from '../../../spec/types/messages.js';
import type { PodView } from '../../../spec/types/objects.js';
import type { PodEntryState } from '../../../spec/types/observation.js';
import { type InformerCache, ownerSeenGone, templateOf } from '../controller/informer.js';
import { copyTable } from '../controller/tables.js';
import type { ApiIntent, Effect, StageInput } from '../io.js';
import type { ServerLinks } from '../link/index.js';

// ── Memory ───────────────────────────────────────────────────────────────────────────────────

/** A bound pod not yet seen persisted. */
export interface Held extends PodEntry {
  readonly state: Extract<PodEntryState, 'waitingTemplate' | 'exposing' | 'exposed'>;
  /** The template the pod was materialised from ('' until it was). */
  readonly templateHash: string;
  /** The last expose failed (outage): the next one is a retry. */
  readonly failed: boolean;
}

type SandboxState = 'starting' | 'running' | 'stopping';

export interface KubeletContext {
  readonly input: StageInput;
  readonly node: NodeName;
  readonly links: ServerLinks;
  /** The write-back cache, by cache key. */
  readonly bound: Readonly<Record<string, Held>>;
  /** Pods this incarnation exposed: a late duplicate bind is ignored (`kubeletTombstones`). */
  readonly tombstones: Readonly<Record<string, true>>;
  readonly informer: InformerCache;
  readonly sandboxes: Readonly<Record<PodKey, SandboxState>>;
  /** API requests in flight by `flightKey`, so level-triggered work never doubles one. */
  readonly inFlight: Readonly<Record<string, number>>;
  /** markReady / removePod done, until the informer next shows that pod: no re-issue. */
  readonly done: Readonly<Record<string, true>>;
  /** The API was unavailable: issue nothing until the retry timer fires. */
  readonly backoff: boolean;
  readonly nextRequest: number;
}

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

export const RETRY_TIMER = 'kubelet.retry';

export const RETRY_MS = 100;

export const flightKey = (intent: ApiIntent): string =>
  `${intent.op}:${'key' in intent ? intent.key : ''}`;

/** Issue an API request unless one like it is in flight, done, or the API is backing off. */
export const request = (
  ctx: KubeletContext,
  intent: ApiIntent,
  effects: Effect[],
  retry = false,
): KubeletContext => {
  const key = flightKey(intent);
  if (ctx.backoff || ctx.inFlight[key] !== undefined || ctx.done[key]) return ctx;
  const id = ctx.nextRequest;
  effects.push(retry ? { type: 'api', id, intent, retry } : { type: 'api', id, intent });
  return { ...ctx, nextRequest: id + 1, inFlight: { ...ctx.inFlight, [key]: id } };
};

export const reconcile = (ctx: KubeletContext): { context: KubeletContext; effects: Effect[] } => {
  const effects: Effect[] = [];
  let next = materialiseAll(ctx);
  next = exposeAll(next, effects);
  for (const pod of Object.values(next.informer.pods))
    if (pod.nodeName === next.node) next = podWork(next, pod, effects);
  next = killLeaked(next, effects);
  return { context: next, effects };
};

/** Bound pods whose template has now reached the informer are materialised. */
const materialiseAll = (ctx: KubeletContext): KubeletContext => {
  let bound: Record<string, Held> | null = null;
  for (const [ck, held] of Object.entries(ctx.bound)) {
    if (held.state !== 'waitingTemplate') continue;
    const template = templateOf(ctx.informer, held.ownerUid);
    if (!template) continue;
    bound ??= copyTable(ctx.bound);
    bound[ck] = { ...held, state: 'exposing', templateHash: template.templateHash };
  }
  return bound ? { ...ctx, bound } : ctx;
};

/**
 * Expose (CREATE) every materialised pod. The API accepts a pod whose owner is gone, so
 * (switch `exposeChecksOwner`) the kubelet first looks at its own informer and drops an
 * entry whose owner it sees gone; a lagging informer can still let an orphan through.
 */
const exposeAll = (ctx: KubeletContext, effects: Effect[]): KubeletContext => {
  let next = ctx;
  for (const [ck, held] of Object.entries(ctx.bound)) {
    if (held.state !== 'exposing') continue;
    if (ctx.input.config.switches.exposeChecksOwner && ownerSeenGone(ctx.informer, held)) {
      const bound = copyTable(next.bound);
      delete bound[ck];
      next = { ...next, bound };
      continue;
    }
    const template = templateOf(ctx.informer, held.ownerUid);
    const intent: ApiIntent = {
      op: 'exposePod',
      key: held.key,
      templateKey: template?.key ?? `${held.ownerKey}-template`,
      node: ctx.node,
      ownerKey: held.ownerKey,
    };
    next = request(next, intent, effects, held.failed);
  }
  return next;
};

/** One pod the informer shows on this node: start, mark Ready, or terminate. */
const podWork = (ctx: KubeletContext, pod: PodView, effects: Effect[]): KubeletContext => {
  const sw = ctx.input.config.switches;
  const sandbox = ctx.sandboxes[pod.key];
  if (pod.deleting) return terminate(ctx, pod, effects);
  if (sandbox === undefined) {
    effects.push({
      type: 'sandbox.start',
      pod: pod.key,
      ownerUid: pod.ownerUid,
      templateHash: pod.templateHash,
    });
    return { ...ctx, sandboxes: { ...ctx.sandboxes, [pod.key]: 'starting' } };
  }
  if (sw.markReady && sandbox === 'running' && !pod.ready) {
    return request(
      ctx,
      { op: 'markReady', key: pod.key, wholeObject: !sw.statusPatchOnly },
      effects,
    );
  }
  return ctx;
};

/**
 * A pod marked deleting: stop its sandbox, and remove the object once it stopped
 * (`onSandboxStopped`). With the injected defect `stopBeforeRemove: false` the object is
 * removed first and the sandbox runs on, unknown, until `killLeaked` sweeps it.
 */
const terminate = (ctx: KubeletContext, pod: PodView, effects: Effect[]): KubeletContext => {
  const sandbox = ctx.sandboxes[pod.key];
  const remove: ApiIntent = { op: 'removePod', key: pod.key, uid: pod.uid };
  if (sandbox === undefined || !ctx.input.config.switches.stopBeforeRemove)
    return request(ctx, remove, effects);
  if (sandbox !== 'running') return ctx;
  effects.push({ type: 'sandbox.stop', pod: pod.key });
  return { ...ctx, sandboxes: { ...ctx.sandboxes, [pod.key]: 'stopping' } };
};

/** A running sandbox that is neither bound nor in the informer is leaked: stop it. */
const killLeaked = (ctx: KubeletContext, effects: Effect[]): KubeletContext => {
  let sandboxes: Record<PodKey, SandboxState> | null = null;
  for (const [key, state] of Object.entries(ctx.sandboxes)) {
    if (state !== 'running' || ctx.informer.pods[key]) continue;
    if (Object.values(ctx.bound).some((b) => b.key === key)) continue;
    sandboxes ??= copyTable(ctx.sandboxes);
    sandboxes[key] = 'stopping';
    effects.push({ type: 'sandbox.stop', pod: key });
  }
  return sandboxes ? { ...ctx, sandboxes } : ctx;
};
