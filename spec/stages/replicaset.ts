/**
 * ReplicaSet controller: owns pod identities. It keeps the desired count it receives from
 * the Deployment controller (and writes it back to `ReplicaSet.spec.replicas`), creates one
 * template Pod per ReplicaSet, names new pods and sends them to the scheduler, deletes
 * persisted pods on scale-down, and keeps the ReplicaSet's status.
 *
 *   desired > live ──► mint names ──schedulePods──► requested ──(informer shows it)──► evicted
 *   desired < live ──► DELETE a persisted pod (in-flight pods wait until persisted)
 *
 * Server of `deployment -> replicaset`; client of `replicaset -> scheduler`. `live` counts
 * persisted pods not being deleted plus requested ones (its "expectations"). Left out:
 * adoption of pods by label selector, minReadySeconds, slow-start batches (vanilla path only).
 *
 * `kubedirect/fallback-scaling` sends this stage's pod creation back to the API: it still
 * takes `replicaset.scale` and writes the count back, but creates pods with Pod CREATE for
 * the vanilla scheduler and kubelet to bind and run. That vanilla pod path is outside the
 * model (no environment action sets the label here), so a labelled ReplicaSet is simply not
 * scaled up through the scheduler link; the implementation has the path
 * (`impl/stages/replicaset/vanilla.ts`) and conformance allows it as the `apiPath` extension.
 */

import type { Config } from '../types/config.js';
import type { ObjectKey, Uid } from '../types/ids.js';
import { linkId, splitKey } from '../types/ids.js';
import type { CountEntry, LinkEntry } from '../types/messages.js';
import { toPodEntry } from '../types/messages.js';
import type { PodView, ReplicaSetView } from '../types/objects.js';
import type { AppliedEvent } from '../types/observation.js';
import {
  createOn,
  markPodDeletingOn,
  patchStatusOn,
  requestOn,
  writeBackOn,
} from '../world/api.js';
import { withSent } from '../world/net.js';
import {
  type ClientRole,
  type ClientRound2,
  emptyRound2,
  type Round2,
  type ServerRole,
} from '../world/session.js';
import type { HeldCount, HeldPod, ReplicaSetCtlState, WorldState } from '../world/state.js';
import {
  cacheKey,
  editRecord,
  isServing,
  podsOwnedBy,
  round2Read,
  type Step,
  step,
  templateOf,
  withAdmitted,
  withEntries,
  withEntry,
  withoutEntries,
} from './common.js';

const TO_SCHEDULER = linkId('replicaset', 'scheduler');

// ── Memory ───────────────────────────────────────────────────────────────────────────────────
// Its state, `ReplicaSetCtlState`, is in spec/world/state.ts with the world's other parts.

/** The count this controller is driving the ReplicaSet towards. */
const targetOf = (rc: ReplicaSetCtlState, rs: ReplicaSetView): number =>
  rc.desired[rs.key]?.replicas ?? rs.replicas;

/** Persisted pods not being deleted, plus pods requested and not yet seen (expectations). */
const liveOf = (rc: ReplicaSetCtlState, rs: ReplicaSetView): number => {
  const persisted = podsOwnedBy(rc.view.objects.pods, rs.uid).filter((p) => !p.deleting);
  let requested = 0;
  for (const held of Object.values(rc.requested)) if (held.ownerUid === rs.uid) requested += 1;
  return persisted.length + requested + (rc.expected[rs.key] ?? 0);
};

const managedReplicaSets = (rc: ReplicaSetCtlState): ReplicaSetView[] =>
  Object.values(rc.view.objects.replicaSets).filter((rs) => rs.managed && !rs.deleting);

const statusOf = (rc: ReplicaSetCtlState, rs: ReplicaSetView): string => {
  const pods = podsOwnedBy(rc.view.objects.pods, rs.uid).filter((p) => !p.deleting);
  return `${pods.length}/${pods.filter((p) => p.ready).length}`;
};

// ── Own work ─────────────────────────────────────────────────────────────────────────────────

export const replicaSetSteps = (state: WorldState, cfg: Config): Step[] => {
  const rc = state.replicaset;
  if (!isServing(rc)) return [];
  const steps: Step[] = [...unknownOwnerSteps(state)];
  const connected = state.links[TO_SCHEDULER]?.phase === 'connected';
  for (const rs of managedReplicaSets(rc)) {
    const template = templateOf(rc.view, rs.uid);
    const target = targetOf(rc, rs);
    const live = liveOf(rc, rs);
    if (!template)
      steps.push(
        step('replicaset', `create template ${rs.key}`, (s, _, events) =>
          createTemplate(s, events, rs),
        ),
      );
    else if (live < target && connected && !rs.fallbackScaling) {
      steps.push(
        step('replicaset', `scale up ${rs.key} +${target - live}`, (s, c) =>
          scaleUp(s, c, rs.key, target - live),
        ),
      );
    }
    // A restarted controller's persisted count may be older than the one its crash lost:
    // scale down only once the Deployment controller's round 2 re-sent what it holds.
    const settled = rc.upstreamSynced || !cfg.switches.scaleDownAfterUpstreamSync;
    if (live > target && settled) steps.push(...scaleDownSteps(state, cfg, rs, live - target));
    const held = rc.desired[rs.key];
    if (held && !held.written)
      steps.push(
        step('replicaset', `write back ${rs.key}`, (s, c, events) =>
          writeBack(s, c, events, rs.key),
        ),
      );
    const status = statusOf(rc, rs);
    if (
      cfg.switches.writeStatus &&
      status !== `${rs.status.replicas}/${rs.status.readyReplicas}` &&
      rc.statusWritten[rs.key] !== status
    ) {
      steps.push(
        step('replicaset', `status ${rs.key} ${status}`, (s, _, events) =>
          writeStatus(s, events, rs.key, status),
        ),
      );
    }
  }
  return steps;
};

/**
 * A desired count for a ReplicaSet the informer does not show: either not seen yet or
 * deleted. A GET tells which; a 404 means deleted, and the count is dropped.
 */
const unknownOwnerSteps = (state: WorldState): Step[] =>
  Object.keys(state.replicaset.desired)
    .filter((key) => !state.replicaset.view.objects.replicaSets[key] && !state.api.replicaSets[key])
    .map((key) =>
      step('replicaset', `get ${key}`, (s, _, events) => getReplicaSet(s, events, key)),
    );

const getReplicaSet = (state: WorldState, events: AppliedEvent[], key: ObjectKey): WorldState => {
  const { outcome } = requestOn(
    state.api,
    events,
    { actor: 'replicaset', verb: 'get', resource: 'replicaset', key },
    () => ({ api: state.api, outcome: state.api.replicaSets[key] ? 'ok' : 'notFound' }),
  );
  if (outcome !== 'notFound') return state;
  const rc = state.replicaset;
  const desired = withoutEntries(rc.desired, (_, k) => k === key);
  return desired === rc.desired ? state : { ...state, replicaset: { ...rc, desired } };
};

/**
 * Scale-down deletes one persisted pod at a time, not-ready ones first, newest name first.
 * The controller judges on its informer and its own deletion expectations (`deleted`):
 * a pod it asked to delete is not counted in the surplus nor picked again. Pods in flight
 * cannot be deleted; while they make part of the surplus, persisted pods are deleted only
 * down to the target (switch `surplusWaitsForInFlight`): those in flight may never run, so
 * a Ready pod is not given up for them (model-decisions §14). The delete carries the cached
 * copy's resourceVersion (switch `scaleDownPrecondition`).
 */
const scaleDownSteps = (
  state: WorldState,
  cfg: Config,
  rs: ReplicaSetView,
  surplus: number,
): Step[] => {
  const rc = state.replicaset;
  const active = podsOwnedBy(rc.view.objects.pods, rs.uid).filter((p) => !p.deleting);
  const candidates = active
    .filter((p) => !rc.deleted[p.key])
    .sort((a, b) => Number(a.ready) - Number(b.ready) || (a.key < b.key ? 1 : -1));
  const victim = candidates[0];
  if (!victim || surplus <= active.length - candidates.length) return [];
  if (cfg.switches.surplusWaitsForInFlight && candidates.length <= targetOf(rc, rs)) return [];
  return [
    step('replicaset', `delete ${victim.key}`, (s, c, events) =>
      deleteVictim(s, c, events, victim),
    ),
  ];
};

const deleteVictim = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  victim: PodView,
): WorldState => {
  // The victim was ranked on the cached copy: with the precondition, a pod that changed
  // since (it became Ready) is refused, and ranked again once the informer shows it.
  const changed = state.api.pods[victim.key]?.rv !== victim.rv;
  const { api, outcome } = requestOn(
    state.api,
    events,
    { actor: 'replicaset', verb: 'delete', resource: 'pod', key: victim.key },
    () =>
      cfg.switches.scaleDownPrecondition && changed
        ? { api: state.api, outcome: 'precondition' }
        : markPodDeletingOn(state.api, victim.key),
  );
  if (outcome !== 'ok') return { ...state, api };
  const rc = state.replicaset;
  const deleted = withEntry(rc.deleted, victim.key, true);
  return { ...state, api, replicaset: deleted === rc.deleted ? rc : { ...rc, deleted } };
};

const createTemplate = (
  state: WorldState,
  events: AppliedEvent[],
  rs: ReplicaSetView,
): WorldState => {
  const key = `${rs.key}-template`;
  const { api } = requestOn(
    state.api,
    events,
    { actor: 'replicaset', verb: 'create', resource: 'templatePod', key },
    () =>
      createOn(state.api, 'templatePods', key, (uid, rv) => ({
        key,
        uid,
        ownerUid: rs.uid,
        ownerKey: rs.key,
        templateHash: rs.templateHash,
        fallbackBinding: false,
        rv,
      })),
  );
  return { ...state, api };
};

/**
 * Names `count` new pods and sends them to the scheduler (or, in count form, just the
 * count).
 */
const scaleUp = (state: WorldState, cfg: Config, rsKey: ObjectKey, count: number): WorldState => {
  const rc = state.replicaset;
  const rs = rc.view.objects.replicaSets[rsKey];
  const link = state.links[TO_SCHEDULER];
  const template = rs && templateOf(rc.view, rs.uid);
  if (!rs || !template || !link?.epoch) return state;
  const base = {
    source: 'replicaset',
    destination: 'scheduler',
    epoch: link.epoch,
    ownerKey: rs.key,
    ownerUid: rs.uid,
    templateRv: template.rv,
  } as const;
  if (cfg.switches.schedulePodsPayload === 'count') {
    const expected = { ...rc.expected, [rs.key]: (rc.expected[rs.key] ?? 0) + count };
    return withSent(
      { ...state, replicaset: { ...rc, expected } },
      { type: 'scheduler.schedulePods', ...base, pods: [], count },
    );
  }
  const pods = freshPods(rc, rs, template.rv, count);
  return withSent(
    { ...state, replicaset: withRequested(cfg, rc, rs, pods) },
    { type: 'scheduler.schedulePods', ...base, pods: pods.map((p) => p.key), count: 0 },
  );
};

/** `count` fresh pod names: `<rs name>-<incarnation>-<counter>`, never reused across crashes. */
const freshPods = (
  rc: ReplicaSetCtlState,
  rs: ReplicaSetView,
  templateRv: number,
  count: number,
): HeldPod[] => {
  const { namespace, name } = splitKey(rs.key);
  const minted = rc.minted[rs.key] ?? 0;
  const pods: HeldPod[] = [];
  for (let counter = minted + 1; counter <= minted + count; counter += 1) {
    pods.push({
      kind: 'pod',
      key: `${namespace}/${name}-${rc.incarnation}-${counter}`,
      ownerKey: rs.key,
      ownerUid: rs.uid,
      node: null,
      templateRv,
      state: 'requested',
      templateHash: '',
      failed: false,
    });
  }
  return pods;
};

/** The controller holding `pods`, just named by `freshPods`, as requested. */
const withRequested = (
  cfg: Config,
  rc: ReplicaSetCtlState,
  rs: ReplicaSetView,
  pods: readonly HeldPod[],
): ReplicaSetCtlState => {
  if (pods.length === 0) return rc;
  const minted = { ...rc.minted, [rs.key]: (rc.minted[rs.key] ?? 0) + pods.length };
  const requested = withEntries(
    rc.requested,
    pods.map((held) => [cacheKey(cfg, held.key), held] as const),
  );
  return { ...rc, minted, requested };
};

/**
 * Write-back of a desired count (`writeBackOn`). A write in this model never outlives its
 * writer (a request is part of its stage's step), so the switch `writeBackPrecondition` off
 * changes nothing reachable: the hazard it guards is the implementation's.
 */
const writeBack = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  rsKey: ObjectKey,
): WorldState => {
  const rc = state.replicaset;
  const { api, held: desired } = writeBackOn(
    state.api,
    cfg,
    events,
    { actor: 'replicaset', collection: 'replicaSets' },
    rc.desired,
    rsKey,
    (rs) => rs,
  );
  return { ...state, api, replicaset: desired === rc.desired ? rc : { ...rc, desired } };
};

const writeStatus = (
  state: WorldState,
  events: AppliedEvent[],
  rsKey: ObjectKey,
  status: string,
): WorldState => {
  const { api, outcome } = patchStatusOn(state.api, events, 'replicaset', rsKey, status);
  if (outcome !== 'ok') return { ...state, api };
  const rc = state.replicaset;
  const statusWritten = { ...rc.statusWritten, [rsKey]: status };
  return { ...state, api, replicaset: { ...rc, statusWritten } };
};

// ── Informer ─────────────────────────────────────────────────────────────────────────────────

/**
 * Informer delivery (`rc` holds the new view, `before` is the one it replaced): evict what
 * is persisted, drop what belongs to deleted ReplicaSets.
 */
export const onReplicaSetSync = (
  rc: ReplicaSetCtlState,
  before: WorldState['replicaset']['view'],
): ReplicaSetCtlState => {
  const pods = rc.view.objects.pods;
  const live = new Set(Object.values(rc.view.objects.replicaSets).map((rs) => rs.uid));
  const requested = withoutEntries(
    rc.requested,
    (held) => pods[held.key] !== undefined || !live.has(held.ownerUid),
  );
  const deleted = withoutEntries(rc.deleted, (_, key) => !pods[key] || pods[key].deleting);
  const desired = withoutEntries(rc.desired, (held, key) => {
    const rs = rc.view.objects.replicaSets[key];
    return !rs || rs.replicasVersion >= held.version;
  });
  const expected = expectedAfterSync(rc, before);
  const same =
    requested === rc.requested &&
    deleted === rc.deleted &&
    desired === rc.desired &&
    expected === rc.expected;
  return same ? rc : { ...rc, requested, deleted, desired, expected };
};

/** Pods asked for by count, less those the delivery shows created (the record itself if none). */
const expectedAfterSync = (
  rc: ReplicaSetCtlState,
  before: WorldState['replicaset']['view'],
): ReplicaSetCtlState['expected'] => {
  let out: Record<ObjectKey, number> | null = null;
  for (const [key, expected] of Object.entries(rc.expected)) {
    const rs = rc.view.objects.replicaSets[key];
    const seen = rs
      ? podsOwnedBy(rc.view.objects.pods, rs.uid).filter((p) => !before.objects.pods[p.key]).length
      : expected;
    const left = Math.max(0, expected - seen);
    if (left === expected) continue;
    // A copy of this step's own, so changing it changes no state.
    out ??= { ...rc.expected };
    if (left === 0) delete out[key];
    else out[key] = left;
  }
  return out ?? rc.expected;
};

// ── Server end ───────────────────────────────────────────────────────────────────────────────

export const replicaSetServer: ServerRole = {
  snapshot: (state) =>
    Object.values(state.replicaset.desired).map(({ written: _w, ...entry }) => entry),
  apply: (server, _cfg, _events, message) => {
    const rc = server as ReplicaSetCtlState;
    if (message.type === 'replicaset.scale') return withCounts(rc, [message.entry]);
    if (!('entries' in message)) return rc;
    const desired = withoutEntries(rc.desired, (_, key) => message.discard.includes(key));
    const entries = message.entries.filter((e): e is CountEntry => e.kind === 'count');
    const synced = rc.upstreamSynced && desired === rc.desired;
    return withCounts(synced ? rc : { ...rc, upstreamSynced: true, desired }, entries);
  },
};

/** Absolute counts: the newest version wins, against the cache and the persisted annotation. */
const withCounts = (rc: ReplicaSetCtlState, entries: readonly CountEntry[]): ReplicaSetCtlState => {
  const desired = withAdmitted(rc.desired, entries, (entry, held): [string, HeldCount] | null => {
    const persistedVersion = rc.view.objects.replicaSets[entry.key]?.replicasVersion ?? 0;
    const version = held[entry.key]?.version ?? 0;
    if (entry.version <= Math.max(version, persistedVersion)) return null;
    return [entry.key, { ...entry, written: false }];
  });
  return desired === rc.desired ? rc : { ...rc, desired };
};

// ── Client end ───────────────────────────────────────────────────────────────────────────────

/** Round 2 towards the scheduler: adopt, replace (or re-send) what it lost, discard orphans. */
export const replicaSetClient: ClientRole = {
  round2: (state, cfg, _link, snapshot): ClientRound2 => {
    const rc = state.replicaset;
    const r = emptyRound2();
    const owners = new Map(Object.values(rc.view.objects.replicaSets).map((rs) => [rs.uid, rs]));
    if (cfg.switches.schedulePodsPayload === 'count') return countRound2(rc, snapshot, r);
    const requested = editRecord(rc.requested);
    for (const entry of snapshot) {
      if (entry.kind !== 'pod') continue;
      if (!owners.has(entry.ownerUid)) r.discard.push(entry.key);
      else if (!requested.current[cacheKey(cfg, entry.key)] && !rc.view.objects.pods[entry.key]) {
        // Adopt whatever the informer does not show yet, even if the API already has it:
        // until the informer shows it, only this entry keeps it in the live count.
        requested.set(cacheKey(cfg, entry.key), {
          ...entry,
          node: null,
          state: 'requested',
          templateHash: '',
          failed: false,
        });
        r.adopted.push(entry.key);
      }
    }
    const reported = new Set(snapshot.map((e) => e.key));
    const read = round2Read(state, cfg, rc);
    const lostBy = new Map<Uid, number>();
    for (const [ck, held] of Object.entries(requested.current)) {
      if (reported.has(held.key) || read.pods[held.key]) continue;
      if (cfg.switches.lostIdentity === 'reuse') {
        r.entries.push(toPodEntry(held));
        r.resent.push(held.key);
        continue;
      }
      requested.remove(ck);
      r.forgotten.push(held.key);
      lostBy.set(held.ownerUid, (lostBy.get(held.ownerUid) ?? 0) + 1);
    }
    let client = requested.current === rc.requested ? rc : { ...rc, requested: requested.current };
    for (const [uid, lost] of lostBy) client = replaceLost(cfg, client, owners.get(uid), lost, r);
    return { round2: r, client };
  },
};

/**
 * `rc` with lost identities replaced under fresh names, as far as the desired count still
 * wants them.
 */
const replaceLost = (
  cfg: Config,
  rc: ReplicaSetCtlState,
  rs: ReplicaSetView | undefined,
  lost: number,
  r: Round2,
): ReplicaSetCtlState => {
  const template = rs && templateOf(rc.view, rs.uid);
  if (!rs || !template) return rc;
  const count = Math.min(lost, targetOf(rc, rs) - liveOf(rc, rs));
  if (count <= 0) return rc;
  const pods = freshPods(rc, rs, template.rv, count);
  for (const held of pods) {
    r.entries.push(toPodEntry(held));
    r.recreated.push(held.key);
  }
  return withRequested(cfg, rc, rs, pods);
};

/** Count form: the scheduler's snapshot is the only record of what is in flight. */
const countRound2 = (
  rc: ReplicaSetCtlState,
  snapshot: readonly LinkEntry[],
  r: Round2,
): ClientRound2 => {
  const counts: Record<string, number> = {};
  for (const entry of snapshot)
    if (entry.kind === 'pod') counts[entry.ownerKey] = (counts[entry.ownerKey] ?? 0) + 1;
  const expected = editRecord(rc.expected);
  for (const key of Object.keys(rc.expected)) if (!counts[key]) expected.remove(key);
  for (const [key, n] of Object.entries(counts)) expected.set(key, n);
  const client = expected.current === rc.expected ? rc : { ...rc, expected: expected.current };
  return { round2: r, client };
};
