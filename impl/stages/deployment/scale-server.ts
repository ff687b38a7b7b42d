/**
 * The Deployment controller as the server of `autoscaler -> deployment`
 * (`autoscalerLink: 'direct'`; the model: `deploymentServer` in spec/stages/deployment.ts).
 *
 *   handshake ─ serving? ─no─► notReady (bottom-up: its ReplicaSet link first)
 *                        └yes─► install epoch, snapshot = counts not yet written back
 *   deployment.scale / sync ─ admitted ─► newest version wins (held, persisted annotation)
 *   held ─► scaleDeployment(n, v, rv of the cached copy) ─ ok ─► written ─(informer shows v)─► evicted
 *     │                                                 └ 409 ─► resync, decide again
 *     └ no cached copy ─► GET ─ 404 ─► dropped; found ─► write back on that copy
 *
 * Link logic is `impl/stages/link` (server.ts); this file holds the counts.
 */

import type { ObjectKey } from '../../../spec/types/ids.js';
import type { CountEntry, DataMessage, Sync } from '../../../spec/types/messages.js';
import { isSync } from '../../../spec/types/messages.js';
import type { DeploymentView } from '../../../spec/types/objects.js';
import type { DirtyEntry } from '../../../spec/types/observation.js';
import type { ClientContext } from '../controller/client-link.js';
import { inFlight, request, sortedKeys, withKey, without } from '../controller/context.js';
import type { HeldCount } from '../controller/counts.js';
import type { ApiIntent, Effect, StageEvent } from '../io.js';
import {
  admit,
  answersHandshakes,
  applyEvent,
  notReady,
  onHandshake,
  type ServerLinks,
  sourceOfApplyTimer,
  syncAck,
  takeQueued,
} from '../link/index.js';

type Message = Extract<StageEvent, { type: 'message' }>['message'];

type ApiDone = Extract<StageEvent, { type: 'api.done' }>;

/** The machine's level-triggered reconcile, run after a count is applied. */
type Reconcile<C> = (c: C, out: Effect[]) => C;

// ── Memory ───────────────────────────────────────────────────────────────────────────────────

export interface ScaleServerContext {
  /** Server end of `autoscaler -> deployment`: the current epoch per source. */
  readonly server: ServerLinks;
  /** Counts from the autoscaler, by Deployment key, until seen written back. */
  readonly scales: Readonly<Record<ObjectKey, HeldCount>>;
}

/** The part of the Deployment controller's context this file works on. */
type Server = ClientContext & ScaleServerContext;

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

/**
 * Writes back every held count not yet written and not in flight. As the ReplicaSet
 * controller's write-back (replicaset/direct.ts), decided on the cached copy and, under switch
 * `writeBackPrecondition`, valid only while the Deployment is still that copy: a write of a
 * crashed predecessor still on the wire must not land over a newer count. With the version
 * (or a newer one) in the copy there is nothing to write (the informer handler evicts the
 * count). Without a copy (not seen yet, or deleted before the count arrived) a GET decides
 * (`onScaleRead`): the model's write-back answered notFound drops the count.
 */
export const writeBackScales = <C extends Server>(c: C, out: Effect[]): C =>
  sortedKeys(c.scales).reduce((next, key) => writeBackOne(next, key, out), c);

const writeBackOne = <C extends Server>(c: C, key: ObjectKey, out: Effect[]): C => {
  const held = c.scales[key];
  if (!held || held.written || inFlight(c, 'scaleDeployment', key)) return c;
  if (!c.input.config.switches.writeBackPrecondition)
    return request(
      c,
      { op: 'scaleDeployment', key, replicas: held.replicas, version: held.version },
      out,
    );
  const cached = c.informer.deployments[key];
  if (cached) return writeBackOn(c, held, cached, out);
  return reading(c, key) ? c : request(c, { op: 'get', kind: 'Deployment', key }, out);
};

const writeBackOn = <C extends Server>(
  c: C,
  held: HeldCount,
  copy: DeploymentView,
  out: Effect[],
): C => {
  if (copy.replicasVersion >= held.version) return c;
  const { key, replicas, version } = held;
  return request(
    c,
    { op: 'scaleDeployment', key, replicas, version, resourceVersion: copy.rv },
    out,
  );
};

const reading = (c: Server, key: ObjectKey): boolean =>
  Object.values(c.pending).some((i) => i.op === 'get' && i.kind === 'Deployment' && i.key === key);

/** The GET of a held count's Deployment: gone drops the count, found decides on that copy. */
const onScaleRead = <C extends Server>(c: C, key: ObjectKey, e: ApiDone, out: Effect[]): C => {
  const held = c.scales[key];
  if (!held) return c;
  if (e.outcome === 'notFound') return { ...c, scales: withKey(c.scales, key, undefined) };
  const copy = e.object?.kind === 'Deployment' ? e.object.view : undefined;
  if (e.outcome === 'ok' && copy && !held.written && !inFlight(c, 'scaleDeployment', key))
    return writeBackOn(c, held, copy, out);
  return c;
};

/**
 * A write-back (or its GET) answered: only the count this request carried is written, and
 * only on ok. A conflict (the precondition: the Deployment changed since the copy) writes
 * nothing; the resync decides again on a fresher copy.
 */
export const onScaleDone = <C extends Server>(
  c: C,
  intent: ApiIntent,
  e: ApiDone,
  out: Effect[],
): C => {
  if (intent.op === 'get' && intent.kind === 'Deployment')
    return onScaleRead(c, intent.key, e, out);
  if (intent.op !== 'scaleDeployment') return c;
  const held = c.scales[intent.key];
  const same =
    held !== undefined && held.version === intent.version && held.replicas === intent.replicas;
  if (held && same && e.outcome === 'ok')
    return { ...c, scales: { ...c.scales, [intent.key]: { ...held, written: true } } };
  if (e.outcome === 'notFound') return { ...c, scales: withKey(c.scales, intent.key, undefined) };
  return c;
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/** Informer: a count is done once the Deployment shows its version, or is gone. */
export const evictScales = <C extends Server>(c: C): C => {
  const scales = without(c.scales, (key, held) => {
    const deployment = c.informer.deployments[key];
    return !deployment || deployment.replicasVersion >= held.version;
  });
  return scales === c.scales ? c : { ...c, scales };
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

const SERVER_METHODS = ['handshake', 'sync', 'scale'];

/** A message for the server end: from the autoscaler, of a server method. */
export const fromAutoscaler = (c: ClientContext, event: StageEvent): boolean =>
  event.type === 'message' &&
  event.message.destination === c.input.id &&
  event.message.source === 'autoscaler' &&
  SERVER_METHODS.some((m) => event.message.type.endsWith(`.${m}`));

export const scaleApplyTimer = (event: StageEvent): boolean =>
  event.type === 'timer' && sourceOfApplyTimer(event.name) === 'autoscaler';

export const onScaleServerMessage = <C extends Server>(
  c: C,
  m: Message,
  out: Effect[],
  reconcile: Reconcile<C>,
): C => {
  const switches = c.input.config.switches;
  if (m.type === 'deployment.handshake') {
    if (!answersHandshakes(c.phase, switches)) {
      out.push(notReady(c.input.id, m));
      return c;
    }
    const step = onHandshake(c.server, c.input.id, m, snapshotOf(c), switches);
    out.push(...step.effects);
    return { ...c, server: step.links };
  }
  if (m.type !== 'deployment.scale' && m.type !== 'deployment.sync') return c;
  const a = admit(c.server, c.input.id, m, switches);
  out.push(...a.effects);
  const next = { ...c, server: a.links };
  return a.verdict === 'apply' ? applyData(next, m, out, reconcile) : next;
};

/** `fence: none`: an admitted message is applied on its own timer, after admission. */
export const onScaleApplyTimer = <C extends Server>(
  c: C,
  e: Extract<StageEvent, { type: 'timer' }>,
  out: Effect[],
  reconcile: Reconcile<C>,
): C => {
  const source = sourceOfApplyTimer(e.name);
  if (source === null) return c;
  const step = takeQueued(c.server, source);
  out.push(...step.effects);
  const next = { ...c, server: step.links };
  return step.message ? applyData(next, step.message, out, reconcile) : next;
};

const applyData = <C extends Server>(
  c: C,
  m: DataMessage | Sync,
  out: Effect[],
  reconcile: Reconcile<C>,
): C => {
  out.push(applyEvent(c.server, c.input.id, m));
  let next = c;
  if (m.type === 'deployment.scale') next = acceptScale(next, m.entry);
  if (isSync(m)) {
    let scales = next.scales;
    for (const key of m.discard) scales = withKey(scales, key, undefined);
    next = { ...next, scales };
    for (const entry of m.entries) if (entry.kind === 'count') next = acceptScale(next, entry);
    out.push(syncAck(m));
  }
  return reconcile(next, out);
};

/** Absolute counts: the newest version wins, against the held one and the annotation. */
const acceptScale = <C extends Server>(c: C, entry: CountEntry): C => {
  const persisted = c.informer.deployments[entry.key]?.replicasVersion ?? 0;
  if (entry.version <= Math.max(c.scales[entry.key]?.version ?? 0, persisted)) return c;
  return { ...c, scales: { ...c.scales, [entry.key]: { ...entry, written: false } } };
};

/** Dirty entries that came from the autoscaler: counts not yet written back. */
const snapshotOf = (c: Server): CountEntry[] =>
  sortedKeys(c.scales).flatMap((key) => {
    const held = c.scales[key];
    return held ? [{ kind: 'count', key, replicas: held.replicas, version: held.version }] : [];
  });

// ── Report ───────────────────────────────────────────────────────────────────────────────────

export const scaleDirty = (c: ScaleServerContext): DirtyEntry[] =>
  Object.values(c.scales).map(({ written: _w, ...entry }) => ({ ...entry, source: 'autoscaler' }));
