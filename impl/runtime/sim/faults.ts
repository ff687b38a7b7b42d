/**
 * Faults as explicit operations (protocol.md §8): drop, duplicate or delay a pending event,
 * crash and restart a stage, an API outage, an informer re-list, a node loss. Each records
 * a `fault` event in the step, so the step properties and traces see it.
 */
import { type NodeName, nodeOfKubelet, type StageId } from '../../../spec/types/ids.js';
import { outcomeOf } from '../../apiserver/index.js';
import { dispatch, sendMessage } from './dispatch.js';
import { crashStage, informId, startStage, syncInformer } from './lifecycle.js';
import type { SimState } from './state.js';
import type { Pending } from './types.js';

const fault = (state: SimState, name: string, target: string): void =>
  state.record({ kind: 'fault', fault: name, target });

const pendingOrThrow = (state: SimState, id: string): Pending => {
  const pending = state.agenda.get(id);
  if (!pending) throw new Error(`no pending event ${id}`);
  return pending;
};

/** Loses a message, an API request or an API response (other events cannot be lost). */
export const drop = (state: SimState, id: string): void => {
  const pending = pendingOrThrow(state, id);
  if (pending.kind !== 'message' && pending.kind !== 'api' && pending.kind !== 'apiDone')
    throw new Error(`cannot drop ${pending.kind} event ${id}`);
  state.agenda.remove(id);
  fault(state, 'drop', pending.label);
};

/**
 * A lost API request or response, seen by the client as a timeout: the stage is told its
 * call failed (the `outage` outcome, which every stage retries), whether or not the API
 * Server executed it. A lost response to a write that was executed is the interesting case:
 * the retry meets its own earlier write (`alreadyExists`, a conflict).
 */
export const timeout = (state: SimState, id: string): void => {
  const pending = pendingOrThrow(state, id);
  if (pending.kind !== 'api' && pending.kind !== 'apiDone')
    throw new Error(`only API calls time out, not ${pending.kind} event ${id}`);
  state.agenda.remove(id);
  const intent = pending.kind === 'api' ? pending.intent : pending.event.intent;
  const callId = pending.kind === 'api' ? pending.callId : pending.event.id;
  if (intent.op !== 'get') state.failedWrites.add(`${pending.stage} ${intent.op} ${intent.key}`);
  // An executed creation the controller will take for failed: the ghost's overshoot bound
  // allows for it, as for a crashed controller's (ghost.ts `unansweredLive`).
  if (pending.kind === 'apiDone' && intent.op === 'createPod' && pending.event.outcome === 'ok')
    state.ghost.unansweredCreates.set(intent.key, intent.ownerKey);
  state.agenda.put({
    kind: 'apiDone',
    id: state.nextId('r'),
    dueAtMs: state.dueIn(state.latencies.apiResponseMs),
    label: `api.done ${pending.stage} ${intent.op} ${intent.key} timeout`,
    actor: pending.stage,
    stage: pending.stage,
    incarnation: pending.incarnation,
    event: { type: 'api.done', id: callId, intent, outcome: 'outage' },
  });
  fault(state, 'timeout', pending.label);
};

/** A second copy of a message in flight, under a new id. */
export const duplicate = (state: SimState, id: string): void => {
  const pending = pendingOrThrow(state, id);
  if (pending.kind !== 'message') throw new Error(`only messages can be duplicated, not ${id}`);
  sendMessage(state, pending.message);
  fault(state, 'duplicate', pending.label);
};

/** Pushes an event's due time back by `ms` (an informer: all its undelivered events). */
export const delay = (state: SimState, id: string, ms: number): void => {
  const pending = pendingOrThrow(state, id);
  if (pending.kind === 'inform') {
    const slot = state.slot(pending.stage);
    const informer = slot?.informers.find((i) => informId(i) === id);
    informer?.shift(ms);
    if (slot && informer) syncInformer(state, slot, informer);
  } else state.agenda.put({ ...pending, dueAtMs: pending.dueAtMs + ms });
  fault(state, 'delay', `${pending.label} +${ms}ms`);
};

export const crash = (state: SimState, stage: StageId): void => {
  const slot = state.slot(stage);
  if (!slot?.snapshot) throw new Error(`${stage} is not running`);
  crashStage(state, slot);
  fault(state, 'crash', stage);
  resetConnections(state, stage);
};

/**
 * A dead process's connections break: each running client of `server` hears `link.down`
 * at once (a reset stream), as the model disconnects the client in the crash step.
 */
const resetConnections = (state: SimState, server: StageId): void => {
  for (const slot of state.actors.values()) {
    if (!slot.snapshot) continue;
    const report = slot.module.report(slot.snapshot);
    if (report.clients.some((c) => c.server === server))
      dispatch(state, slot, { type: 'link.down', server });
  }
};

export const restart = (state: SimState, stage: StageId): void => {
  const slot = state.slot(stage);
  if (!slot) throw new Error(`no stage ${stage}`);
  const node = nodeOfKubelet(stage);
  if (node !== null && state.lostNodes.has(node)) throw new Error(`node ${node} is lost`);
  if (slot.snapshot) crashStage(state, slot);
  startStage(state, slot, slot.incarnation + 1);
  fault(state, 'restart', stage);
};

export const apiOutage = (state: SimState, on: boolean): void => {
  state.api.setAvailable(!on);
  fault(state, on ? 'apiOutage' : 'apiRecovered', 'api');
  // The node lifecycle controller is level-triggered: a lost node whose deletion met the
  // outage is deleted once the API is back (found by the fuzzer: the scheduler kept
  // handshaking with the lost kubelet, and its pods were never replaced).
  if (!on) for (const node of state.lostNodes) deleteNode(state, node);
};

/** The stage's informers re-list (a broken watch): coalesced events, tombstones. */
export const relist = (state: SimState, stage: StageId): string | undefined => {
  const slot = state.slot(stage);
  if (!slot?.snapshot) throw new Error(`${stage} is not running`);
  fault(state, 'relist', stage);
  let failed = false;
  for (const informer of slot.informers) {
    if (informer.informer.relist()) failed = true;
    else informer.restamp(state.nowMs + state.latencies.informerLagMs);
    syncInformer(state, slot, informer);
  }
  return failed ? 'list failed: API Server unavailable' : undefined;
};

/**
 * The node is gone for good: its kubelet and sandboxes with it. The node lifecycle
 * controller deletes the Node; the pod garbage collector then force-deletes its pods.
 */
export const nodeLoss = (state: SimState, node: NodeName): void => {
  const stage: StageId = `kubelet/${node}`;
  const slot = state.slot(stage);
  if (!slot || state.lostNodes.has(node)) throw new Error(`no live node ${node}`);
  if (slot.snapshot) crashStage(state, slot);
  state.lostNodes.add(node);
  state.sandboxes.delete(node);
  for (const pending of state.agenda.all())
    if (pending.kind === 'sandboxStart' && pending.node === node) state.agenda.remove(pending.id);
  fault(state, 'nodeLoss', node);
  deleteNode(state, node);
};

/** The node lifecycle controller deletes a lost node's Node object, if it still exists. */
const deleteNode = (state: SimState, node: NodeName): void => {
  if (!state.api.objects('Node').some((n) => n.metadata?.name === node)) return;
  const response = state.api.handle({
    verb: 'delete',
    kind: 'Node',
    namespace: '',
    name: node,
    client: 'node-lifecycle-controller',
  });
  state.record({
    kind: 'api',
    actor: 'nodeLifecycle',
    verb: 'delete',
    resource: 'node',
    key: node,
    outcome: outcomeOf(response),
    retry: false,
  });
};
