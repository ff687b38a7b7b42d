/**
 * Taking one pending event off the agenda: the message reaches its server or client, the
 * API Server executes a request, a response or an informer event reaches its stage, a
 * timer fires, a sandbox starts, the garbage collector runs. Returns a note when the event
 * found nobody to receive it (a crashed stage, a stale incarnation, a lost node).
 */
import { nodeOfKubelet, type StageId } from '../../../spec/types/ids.js';
import { type Kind, type KubeObject, outcomeOf } from '../../apiserver/index.js';
import { apiDoneOf, resourceOfObject, writtenKey } from '../stage-io/index.js';
import { dispatch } from './dispatch.js';
import { executeIntent } from './intents.js';
import { syncInformer } from './lifecycle.js';
import { reportProgress, sendBookmarks } from './progress.js';
import type { ActorSlot, SimState } from './state.js';
import type { Pending } from './types.js';

type Of<K extends Pending['kind']> = Extract<Pending, { kind: K }>;

/** The live slot of `stage` (and, if given, of that incarnation), else undefined. */
const live = (state: SimState, stage: StageId, incarnation?: number): ActorSlot | undefined => {
  const slot = state.slot(stage);
  if (!slot?.snapshot) return undefined;
  if (incarnation !== undefined && slot.incarnation !== incarnation) return undefined;
  return slot;
};

const DOWN = 'receiver is down';
const STALE = 'receiver restarted since';

export const take = (state: SimState, pending: Pending): string | undefined => {
  switch (pending.kind) {
    case 'message':
      return deliverMessage(state, pending);
    case 'api':
      return executeCall(state, pending);
    case 'apiDone': {
      const slot = live(state, pending.stage, pending.incarnation);
      if (!slot) return STALE;
      dispatch(state, slot, pending.event);
      return undefined;
    }
    case 'inform':
      return deliverInformerEvent(state, pending);
    case 'synced':
      return deliverSynced(state, pending);
    case 'list':
      return listAgain(state, pending);
    case 'gc':
      return collectGarbage(state);
    case 'bookmark':
      return sendBookmarks(state);
    case 'timer': {
      const slot = live(state, pending.stage, pending.incarnation);
      if (!slot) return STALE;
      dispatch(state, slot, { type: 'timer', name: pending.name });
      return undefined;
    }
    case 'sandboxStart':
      return startSandbox(state, pending);
    case 'sandboxStopped': {
      const slot = live(state, pending.actor as StageId);
      if (!slot) return DOWN;
      dispatch(state, slot, { type: 'sandbox.stopped', pod: pending.pod });
      return undefined;
    }
  }
};

const deliverMessage = (state: SimState, pending: Of<'message'>): string | undefined => {
  const destination = pending.message.destination;
  const node = nodeOfKubelet(destination);
  const slot = node !== null && state.lostNodes.has(node) ? undefined : live(state, destination);
  if (!slot) return node !== null && state.lostNodes.has(node) ? 'node lost' : DOWN;
  dispatch(state, slot, { type: 'message', message: pending.message });
  return undefined;
};

/** The request reaches the API Server even if its sender crashed since; the answer may not. */
const executeCall = (state: SimState, pending: Of<'api'>): string | undefined => {
  const slot = state.slot(pending.stage);
  const current = slot && slot.incarnation === pending.incarnation ? slot : undefined;
  const result = executeIntent(state.api, pending.intent, pending.request);
  const writeKey = `${pending.stage} ${pending.intent.op} ${pending.intent.key}`;
  const retry = pending.intent.op !== 'get' && state.failedWrites.has(writeKey);
  if (result.outcome === 'outage') state.failedWrites.add(writeKey);
  else state.failedWrites.delete(writeKey);
  state.record({
    kind: 'api',
    actor: pending.stage,
    verb: result.verb,
    resource: result.resource,
    key: pending.intent.key,
    outcome: result.outcome,
    retry,
    ...(pending.ownerSeenGone ? { ownerSeenGone: true as const } : {}),
  });
  if (!current?.snapshot) return STALE;
  if (result.stored) {
    const kind = result.stored.kind as Kind;
    current.written.set(writtenKey(kind, pending.intent.key), result.stored);
  }
  const event = apiDoneOf(pending.callId, pending.intent, result);
  state.agenda.put({
    kind: 'apiDone',
    id: state.nextId('r'),
    dueAtMs: state.dueIn(state.latencies.apiResponseMs),
    label: `api.done ${pending.stage} ${pending.intent.op} ${pending.intent.key} ${result.outcome}`,
    actor: pending.stage,
    stage: pending.stage,
    incarnation: pending.incarnation,
    event,
  });
  return undefined;
};

const deliverInformerEvent = (state: SimState, pending: Of<'inform'>): string | undefined => {
  const slot = live(state, pending.stage);
  const informer = slot?.informers.find((i) => i.id === pending.informer);
  if (!slot || !informer) return DOWN;
  const event = informer.deliver();
  syncInformer(state, slot, informer);
  if (!event) return 'nothing to deliver';
  dispatch(state, slot, event);
  reportProgress(state, slot);
  return undefined;
};

const deliverSynced = (state: SimState, pending: Of<'synced'>): string | undefined => {
  const slot = live(state, pending.stage);
  if (!slot) return DOWN;
  slot.synced = true;
  const rv = Math.max(0, ...slot.informers.map((i) => i.listedRv));
  dispatch(state, slot, { type: 'informer.synced', rv });
  return undefined;
};

const listAgain = (state: SimState, pending: Of<'list'>): string | undefined => {
  const slot = live(state, pending.stage);
  const informer = slot?.informers.find((i) => i.id === pending.informer);
  if (!slot || !informer) return DOWN;
  const failed = informer.informer.relist();
  syncInformer(state, slot, informer);
  return failed ? 'list failed: API Server unavailable' : undefined;
};

const collectGarbage = (state: SimState): string | undefined => {
  const report = state.api.collectGarbage();
  if (!report.ok) return 'API Server unavailable';
  for (const { request, response } of report.requests) {
    if (request.verb === 'list' || request.verb === 'bind') continue;
    const namespace =
      'namespace' in request ? request.namespace : request.object.metadata?.namespace;
    const name = 'name' in request ? request.name : request.object.metadata?.name;
    const object =
      response.ok && 'object' in response ? (response.object as KubeObject) : undefined;
    state.record({
      kind: 'api',
      actor: 'gc',
      verb: request.verb,
      resource: resourceOfObject(request.kind, object),
      key: namespace ? `${namespace}/${name}` : `${name}`,
      outcome: outcomeOf(response),
      retry: false,
    });
  }
  return undefined;
};

/** The sandbox runs from now on; the kubelet (whichever incarnation is up) is told. */
const startSandbox = (state: SimState, pending: Of<'sandboxStart'>): string | undefined => {
  if (state.lostNodes.has(pending.node)) return 'node lost';
  let running = state.sandboxes.get(pending.node);
  if (!running) {
    running = new Map();
    state.sandboxes.set(pending.node, running);
  }
  running.set(pending.sandbox.pod, pending.sandbox);
  const slot = live(state, pending.actor as StageId);
  if (!slot) return DOWN;
  dispatch(state, slot, { type: 'sandbox.started', pod: pending.sandbox.pod });
  return undefined;
};
