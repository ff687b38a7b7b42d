/**
 * Deployment controller: turns each Deployment's `spec.replicas` into the ReplicaSet's
 * desired count. On the direct path it sends `replicaset.scale` with an absolute count and a
 * version (the Deployment's generation), and holds the entry until its
 * informer shows the count written back; a ReplicaSet without `kubedirect/managed` is
 * updated through the API instead. `kubedirect/fallback-scaling` does not change this hop:
 * it sends the ReplicaSet controller's pod creation back to the API (`replicaset.ts`).
 *
 *   Deployment.replicas ≠ ReplicaSet.replicas ──► held ──replicaset.scale──► … ──► evicted
 *                                                                 (informer shows the version)
 *
 * Client of `deployment -> replicaset`. With `autoscalerLink: 'direct'` also the server of
 * `autoscaler -> deployment`: it holds the autoscaler's counts (newest version wins, against
 * the held one and the version persisted on the Deployment), acts on a held count at once,
 * and writes it back to `Deployment.spec.replicas` with its version; the ReplicaSet's count
 * is then versioned by (generation, count version) (`replicaSetVersion`).
 *
 *   deployment.scale(n, v) ──► scales[d] ──► replicaset.scale … ; UPDATE Deployment (n, v) ──► evicted
 *
 * Left out: rollouts (maxSurge / maxUnavailable), the
 * creation of a new ReplicaSet on a template change (the model starts from a created one).
 */
import type { Config } from '../types/config.js';
import type { ObjectKey } from '../types/ids.js';
import { linkId } from '../types/ids.js';
import { type CountEntry, replicaSetVersion } from '../types/messages.js';
import type { ReplicaSetView } from '../types/objects.js';
import type { AppliedEvent } from '../types/observation.js';
import { patchStatusOn, requestOn, updateOn, writeBackOn } from '../world/api.js';
import { withSent } from '../world/net.js';
import {
  type ClientRole,
  type ClientRound2,
  emptyRound2,
  type Round2,
  type ServerRole,
} from '../world/session.js';
import type { DeploymentCtlState, HeldCount, WorldState } from '../world/state.js';
import {
  editRecord,
  isServing,
  type RecordEdit,
  round2Read,
  type Step,
  step,
  withAdmitted,
  withEntry,
  withoutEntries,
} from './common.js';

const TO_REPLICASET = linkId('deployment', 'replicaset');

const FROM_AUTOSCALER = linkId('autoscaler', 'deployment');

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// Its state, `DeploymentCtlState`, is in spec/world/state.ts with the world's other parts.

/** The count the owning Deployment asks of this ReplicaSet (0 for an outdated template). */
const targetOf = (
  dc: DeploymentCtlState,
  rs: ReplicaSetView,
  directLink: boolean,
): { replicas: number; version: number } | null => {
  const owner = Object.values(dc.view.objects.deployments).find((d) => d.uid === rs.ownerUid);
  if (!owner || owner.deleting) return null;
  // The Deployment's generation orders decisions: a later change of its spec always has a
  // higher one, across crashes of this controller, whatever else was written meanwhile.
  // A count held from the autoscaler is newer than the spec until written back.
  const held = dc.scales[owner.key];
  const replicas = held?.replicas ?? owner.replicas;
  return {
    replicas: owner.templateHash === rs.templateHash ? replicas : 0,
    version: replicaSetVersion(
      owner.generation,
      directLink ? (held?.version ?? owner.replicasVersion) : null,
    ),
  };
};

/**
 * The target of a ReplicaSet that the API does not show and this controller does not hold
 * (in `counts`: its own, or those round 2 has changed so far).
 */
const pendingTarget = (
  dc: DeploymentCtlState,
  rs: ReplicaSetView,
  directLink: boolean,
  counts: DeploymentCtlState['counts'] = dc.counts,
) => {
  const target = targetOf(dc, rs, directLink);
  if (target === null || target.replicas === rs.replicas) return null;
  return counts[rs.key]?.replicas === target.replicas ? null : target;
};

/** Deployment status: the sum of its ReplicaSets' status as the informer shows them. */
const statusOf = (dc: DeploymentCtlState, uid: string): string => {
  let replicas = 0;
  let ready = 0;
  for (const rs of Object.values(dc.view.objects.replicaSets)) {
    if (rs.ownerUid !== uid) continue;
    replicas += rs.status.replicas;
    ready += rs.status.readyReplicas;
  }
  return `${replicas}/${ready}`;
};

/**
 * Deployment statuses that differ from this incarnation's last write (the controller does
 * not read the Deployment status back; a restarted one writes it once again).
 */
const unwrittenStatuses = (dc: DeploymentCtlState, cfg: Config): [ObjectKey, string][] => {
  if (!cfg.switches.writeDeploymentStatus) return [];
  const out: [ObjectKey, string][] = [];
  for (const d of Object.values(dc.view.objects.deployments)) {
    if (d.deleting) continue;
    const status = statusOf(dc, d.uid);
    if (dc.statusWritten[d.key] !== status) out.push([d.key, status]);
  }
  return out;
};

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

export const deploymentSteps = (state: WorldState, cfg: Config): Step[] => {
  const dc = state.deployment;
  if (!isServing(dc)) return [];
  const connected = state.links[TO_REPLICASET]?.phase === 'connected';
  const directLink = state.links[FROM_AUTOSCALER] !== undefined;
  const steps: Step[] = [];
  for (const [key, held] of Object.entries(dc.scales)) {
    if (!held.written)
      steps.push(
        step('deployment', `write back ${key}`, (s, c, events) =>
          writeBackScale(s, c, events, key),
        ),
      );
  }
  for (const rs of Object.values(dc.view.objects.replicaSets)) {
    const target = pendingTarget(dc, rs, directLink);
    if (target === null) continue;
    const { replicas, version } = target;
    const direct = rs.managed;
    if (direct && connected) {
      steps.push(
        step('deployment', `scale ${rs.key} ${replicas}`, (s) =>
          scaleDirect(s, rs.key, replicas, version),
        ),
      );
    }
    if (!direct) {
      steps.push(
        step('deployment', `update ${rs.key} ${replicas}`, (s, _, events) =>
          scaleThroughApi(s, events, rs.key, replicas),
        ),
      );
    }
  }
  steps.push(...statusSteps(dc, cfg));
  return steps;
};

/**
 * A status write of its own, for a status the informer delivery could not write (the API
 * was down, or the controller was still syncing after a restart).
 */
const statusSteps = (dc: DeploymentCtlState, cfg: Config): Step[] =>
  unwrittenStatuses(dc, cfg).map(([key, status]) =>
    step('deployment', `status ${key} ${status}`, (s, _, events) =>
      writeStatus(s, events, key, status),
    ),
  );

const writeStatus = (
  state: WorldState,
  events: AppliedEvent[],
  key: ObjectKey,
  status: string,
): WorldState => {
  const { api, outcome } = patchStatusOn(state.api, events, 'deployment', key, status);
  if (outcome !== 'ok') return { ...state, api };
  const dc = state.deployment;
  const statusWritten = { ...dc.statusWritten, [key]: status };
  return { ...state, api, deployment: { ...dc, statusWritten } };
};

const scaleDirect = (
  state: WorldState,
  rsKey: ObjectKey,
  replicas: number,
  version: number,
): WorldState => {
  const dc = state.deployment;
  const link = state.links[TO_REPLICASET];
  if (!link?.epoch) return state;
  const entry: CountEntry = { kind: 'count', key: rsKey, replicas, version };
  const counts = withEntry(dc.counts, rsKey, { ...entry, written: false });
  return withSent(
    { ...state, deployment: { ...dc, counts } },
    {
      type: 'replicaset.scale',
      source: 'deployment',
      destination: 'replicaset',
      epoch: link.epoch,
      entry,
    },
  );
};

/** The vanilla hop: `ReplicaSet.spec.replicas` through the API Server. */
const scaleThroughApi = (
  state: WorldState,
  events: AppliedEvent[],
  rsKey: ObjectKey,
  replicas: number,
): WorldState => {
  const { api, outcome } = requestOn(
    state.api,
    events,
    { actor: 'deployment', verb: 'update', resource: 'replicaset', key: rsKey },
    () => updateOn(state.api, 'replicaSets', rsKey, (rs) => ({ ...rs, replicas })),
  );
  if (outcome !== 'ok') return { ...state, api };
  const dc = state.deployment;
  const held: HeldCount = { kind: 'count', key: rsKey, replicas, version: 0, written: true };
  return { ...state, api, deployment: { ...dc, counts: withEntry(dc.counts, rsKey, held) } };
};

/**
 * Write-back of the autoscaler's count (`writeBackOn`): the generation moves only if
 * `replicas` changes.
 */
const writeBackScale = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  key: ObjectKey,
): WorldState => {
  const dc = state.deployment;
  const { api, held: scales } = writeBackOn(
    state.api,
    cfg,
    events,
    { actor: 'deployment', collection: 'deployments' },
    dc.scales,
    key,
    (deployment, count) => ({
      ...deployment,
      generation: deployment.generation + (deployment.replicas !== count.replicas ? 1 : 0),
    }),
  );
  return { ...state, api, deployment: scales === dc.scales ? dc : { ...dc, scales } };
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/**
 * Informer delivery (`dc` holds the new view): a count is written back once the informer
 * shows its version (or value). On the plain state, as every delivery; the
 * status writes that follow are `statusesAfterSync`.
 */
export const onDeploymentSync = (dc: DeploymentCtlState): DeploymentCtlState => {
  const scales = withoutEntries(dc.scales, (held, key) => {
    const deployment = dc.view.objects.deployments[key];
    return !deployment || deployment.replicasVersion >= held.version;
  });
  const counts = withoutEntries(dc.counts, (held, key) => {
    const rs = dc.view.objects.replicaSets[key];
    return (
      !rs || (held.written ? rs.replicas === held.replicas : rs.replicasVersion >= held.version)
    );
  });
  return scales === dc.scales && counts === dc.counts ? dc : { ...dc, scales, counts };
};

/**
 * The status writes in the step of a delivery: as the implementation's reconcile does on an
 * informer event, the Deployment status follows its ReplicaSets' in the same step (one
 * interleaving point, not two); `writeStatuses` makes them, on plain objects.
 */
export const statusesAfterSync = (dc: DeploymentCtlState, cfg: Config): [ObjectKey, string][] =>
  isServing(dc) ? unwrittenStatuses(dc, cfg) : [];

export const writeStatuses = (
  state: WorldState,
  events: AppliedEvent[],
  statuses: readonly [ObjectKey, string][],
): WorldState => {
  let out = state;
  for (const [key, status] of statuses) out = writeStatus(out, events, key, status);
  return out;
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

/** Server of `autoscaler -> deployment`: counts not yet written back, newest version wins. */
export const deploymentServer: ServerRole = {
  snapshot: (state) =>
    Object.values(state.deployment.scales).map(({ written: _w, ...entry }) => entry),
  apply: (server, _cfg, _events, message) => {
    const dc = server as DeploymentCtlState;
    if (message.type === 'deployment.scale') return withScales(dc, [message.entry]);
    if (!('entries' in message)) return dc;
    const scales = withoutEntries(dc.scales, (_, key) => message.discard.includes(key));
    const entries = message.entries.filter((e): e is CountEntry => e.kind === 'count');
    return withScales(scales === dc.scales ? dc : { ...dc, scales }, entries);
  },
};

const withScales = (dc: DeploymentCtlState, entries: readonly CountEntry[]): DeploymentCtlState => {
  const scales = withAdmitted(dc.scales, entries, (entry, held): [string, HeldCount] | null => {
    const persisted = dc.view.objects.deployments[entry.key]?.replicasVersion ?? 0;
    if (entry.version <= Math.max(held[entry.key]?.version ?? 0, persisted)) return null;
    return [entry.key, { ...entry, written: false }];
  });
  return scales === dc.scales ? dc : { ...dc, scales };
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/** Round 2 towards the ReplicaSet controller: adopt its pending counts, re-send lost ones. */
export const deploymentClient: ClientRole = {
  round2: (state, cfg, _link, snapshot): ClientRound2 => {
    const dc = state.deployment;
    const r = emptyRound2();
    const counts = editRecord(dc.counts);
    const reported = new Map<string, CountEntry>();
    for (const entry of snapshot) {
      if (entry.kind !== 'count') continue;
      reported.set(entry.key, entry);
      if (!dc.view.objects.replicaSets[entry.key]) r.discard.push(entry.key);
      else if (!counts.current[entry.key] && !shownWrittenBack(dc, entry)) {
        counts.set(entry.key, { ...entry, written: false });
        r.adopted.push(entry.key);
      }
    }
    const read = round2Read(state, cfg, dc);
    for (const held of Object.values(counts.current)) {
      if (held.written || (reported.get(held.key)?.version ?? -1) >= held.version) continue;
      if ((read.replicaSets[held.key]?.replicasVersion ?? 0) >= held.version) continue;
      const { written: _w, ...entry } = held;
      r.entries.push(entry);
      r.resent.push(held.key);
    }
    if (cfg.switches.syncCarriesTargets) addTargets(state, dc, counts, r);
    const client = counts.current === dc.counts ? dc : { ...dc, counts: counts.current };
    return { round2: r, client };
  },
};

/**
 * The counts the reconcile would send next, sent in the sync (`syncCarriesTargets`, model
 * decision §14): a restarted ReplicaSet controller scales down only after this sync, and a
 * Deployment controller that restarted too holds no count to re-send, so without them the
 * sync would let it delete towards a stale persisted count. Held like a sent count.
 */
const addTargets = (
  state: WorldState,
  dc: DeploymentCtlState,
  counts: RecordEdit<HeldCount>,
  r: Round2,
): void => {
  const directLink = state.links[FROM_AUTOSCALER] !== undefined;
  for (const key of Object.keys(dc.view.objects.replicaSets).sort()) {
    const rs = dc.view.objects.replicaSets[key] as ReplicaSetView;
    const target = rs.managed ? pendingTarget(dc, rs, directLink, counts.current) : null;
    if (target === null || rs.replicasVersion >= target.version) continue;
    const { replicas, version } = target;
    const entry: CountEntry = { kind: 'count', key: rs.key, replicas, version };
    counts.set(rs.key, { ...entry, written: false });
    r.entries.push(entry);
    r.resent.push(rs.key);
  }
};

/** Adopt unless the informer already shows the count written back (then it is not dirty). */
const shownWrittenBack = (dc: DeploymentCtlState, entry: CountEntry): boolean =>
  (dc.view.objects.replicaSets[entry.key]?.replicasVersion ?? 0) >= entry.version;
