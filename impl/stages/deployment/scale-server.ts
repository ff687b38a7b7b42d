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

import type { Draft } from 'immer';
import type { ObjectKey } from '../../../spec/types/ids.js';
import type { CountEntry, DataMessage, Sync } from '../../../spec/types/messages.js';
import { isSync } from '../../../spec/types/messages.js';
import type { DeploymentView } from '../../../spec/types/objects.js';
import type { DirtyEntry } from '../../../spec/types/observation.js';
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
import type { ClientContext } from '../upstream/client.js';
import { inFlight, request } from '../upstream/core.js';

export interface ScaleServerContext {
  /** Server end of `autoscaler -> deployment`: the current epoch per source. */
  readonly server: ServerLinks;
  /** Counts from the autoscaler, by Deployment key, until seen written back. */
  readonly scales: Readonly<Record<ObjectKey, HeldCount>>;
}

type Ctx = Draft<ClientContext & ScaleServerContext>;
type Message = Extract<StageEvent, { type: 'message' }>['message'];
type ApiDone = Extract<StageEvent, { type: 'api.done' }>;
type Reconcile = (d: never, out: Effect[]) => void;

const SERVER_METHODS = ['handshake', 'sync', 'scale'];

/** A message for the server end: from the autoscaler, of a server method. */
export const fromAutoscaler = (c: ClientContext, event: StageEvent): boolean =>
  event.type === 'message' &&
  event.message.destination === c.input.id &&
  event.message.source === 'autoscaler' &&
  SERVER_METHODS.some((m) => event.message.type.endsWith(`.${m}`));

export const scaleApplyTimer = (event: StageEvent): boolean =>
  event.type === 'timer' && sourceOfApplyTimer(event.name) === 'autoscaler';

export const onScaleServerMessage = (
  d: Ctx,
  m: Message,
  out: Effect[],
  reconcile: Reconcile,
): void => {
  const switches = d.input.config.switches;
  if (m.type === 'deployment.handshake') {
    if (!answersHandshakes(d.phase, switches)) return void out.push(notReady(d.input.id, m));
    const step = onHandshake(d.server, d.input.id, m, snapshotOf(d), switches);
    d.server = step.links as Draft<ServerLinks>;
    out.push(...step.effects);
    return;
  }
  if (m.type !== 'deployment.scale' && m.type !== 'deployment.sync') return;
  const a = admit(d.server, d.input.id, m, switches);
  d.server = a.links as Draft<ServerLinks>;
  out.push(...a.effects);
  if (a.verdict === 'apply') applyData(d, m, out, reconcile);
};

/** `fence: none`: an admitted message is applied on its own timer, after admission. */
export const onScaleApplyTimer = (
  d: Ctx,
  e: Extract<StageEvent, { type: 'timer' }>,
  out: Effect[],
  reconcile: Reconcile,
): void => {
  const source = sourceOfApplyTimer(e.name);
  if (source === null) return;
  const step = takeQueued(d.server, source);
  d.server = step.links as Draft<ServerLinks>;
  out.push(...step.effects);
  if (step.message) applyData(d, step.message, out, reconcile);
};

const applyData = (d: Ctx, m: DataMessage | Sync, out: Effect[], reconcile: Reconcile) => {
  out.push(applyEvent(d.server, d.input.id, m));
  if (m.type === 'deployment.scale') acceptScale(d, m.entry);
  if (isSync(m)) {
    for (const key of m.discard) delete d.scales[key];
    for (const entry of m.entries) if (entry.kind === 'count') acceptScale(d, entry);
    out.push(syncAck(m));
  }
  reconcile(d as never, out);
};

/** Absolute counts: the newest version wins, against the held one and the annotation. */
const acceptScale = (d: Ctx, entry: CountEntry): void => {
  const persisted = d.cache.deployments[entry.key]?.replicasVersion ?? 0;
  if (entry.version <= Math.max(d.scales[entry.key]?.version ?? 0, persisted)) return;
  d.scales[entry.key] = { ...entry, written: false };
};

/** Dirty entries that came from the autoscaler: counts not yet written back. */
const snapshotOf = (d: Ctx): CountEntry[] =>
  Object.keys(d.scales)
    .sort()
    .flatMap((key) => {
      const held = d.scales[key];
      return held ? [{ kind: 'count', key, replicas: held.replicas, version: held.version }] : [];
    });

/**
 * Writes back every held count not yet written and not in flight. As the ReplicaSet
 * controller's write-back (replicaset/direct.ts), decided on the cached copy and, under switch
 * `writeBackPrecondition`, valid only while the Deployment is still that copy: a write of a
 * crashed predecessor still on the wire must not land over a newer count. With the version
 * (or a newer one) in the copy there is nothing to write (the informer handler evicts the
 * count). Without a copy (not seen yet, or deleted before the count arrived) a GET decides
 * (`onScaleRead`): the model's write-back answered notFound drops the count.
 */
export const writeBackScales = (d: Ctx, out: Effect[]): void => {
  for (const key of Object.keys(d.scales).sort()) {
    const held = d.scales[key];
    if (!held || held.written || inFlight(d, 'scaleDeployment', key)) continue;
    if (!d.input.config.switches.writeBackPrecondition) {
      request(
        d,
        { op: 'scaleDeployment', key, replicas: held.replicas, version: held.version },
        out,
      );
      continue;
    }
    const cached = d.cache.deployments[key];
    if (cached) writeBackOn(d, held, cached, out);
    else if (!reading(d, key)) request(d, { op: 'get', kind: 'Deployment', key }, out);
  }
};

const writeBackOn = (d: Ctx, held: HeldCount, copy: DeploymentView, out: Effect[]): void => {
  if (copy.replicasVersion >= held.version) return;
  const { key, replicas, version } = held;
  request(d, { op: 'scaleDeployment', key, replicas, version, resourceVersion: copy.rv }, out);
};

const reading = (d: Ctx, key: ObjectKey): boolean =>
  Object.values(d.pending).some((i) => i.op === 'get' && i.kind === 'Deployment' && i.key === key);

/** The GET of a held count's Deployment: gone drops the count, found decides on that copy. */
const onScaleRead = (d: Ctx, key: ObjectKey, e: ApiDone, out: Effect[]): void => {
  const held = d.scales[key];
  if (!held) return;
  if (e.outcome === 'notFound') delete d.scales[key];
  const copy = e.object?.kind === 'Deployment' ? e.object.view : undefined;
  if (e.outcome === 'ok' && copy && !held.written && !inFlight(d, 'scaleDeployment', key))
    writeBackOn(d, held, copy, out);
};

/**
 * A write-back (or its GET) answered: only the count this request carried is written, and
 * only on ok. A conflict (the precondition: the Deployment changed since the copy) writes
 * nothing; the resync decides again on a fresher copy.
 */
export const onScaleDone = (d: Ctx, intent: ApiIntent, e: ApiDone, out: Effect[]): void => {
  if (intent.op === 'get' && intent.kind === 'Deployment') onScaleRead(d, intent.key, e, out);
  if (intent.op !== 'scaleDeployment') return;
  const held = d.scales[intent.key];
  const same =
    held !== undefined && held.version === intent.version && held.replicas === intent.replicas;
  if (held && same && e.outcome === 'ok') held.written = true;
  if (e.outcome === 'notFound') delete d.scales[intent.key];
};

/** Informer: a count is done once the Deployment shows its version, or is gone. */
export const evictScales = (d: Ctx): void => {
  for (const [key, held] of Object.entries(d.scales)) {
    const deployment = d.cache.deployments[key];
    if (!deployment || deployment.replicasVersion >= held.version) delete d.scales[key];
  }
};

export const scaleDirty = (c: ScaleServerContext): DirtyEntry[] =>
  Object.values(c.scales).map(({ written: _w, ...entry }) => ({ ...entry, source: 'autoscaler' }));
