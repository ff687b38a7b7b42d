import type { ApiObjects, PodView } from '../../spec/types/objects.js';
import type {
  AppliedEvent,
  DirtyEntry,
  LinkObservation,
  Observation,
  StageObservation,
  StagePhase,
} from '../../spec/types/observation.js';

/** Which side of a split request an atom belongs to (see `partOf`). */
export type Part = 'api' | 'sandbox' | 'stage';

/**
 * The API Server's part of a step (objects, availability, `api` events), the container
 * runtime's part (sandboxes), and everything else (stage memory, links, load). The model
 * makes a request and its answer one step; the implementation splits them, so an
 * implementation step that only executes a request may show only the model step's `api`
 * part, and the step that delivers the answer only its `stage` part.
 */
export const partOf = (atom: string): Part =>
  atom.startsWith('api.') || atom.startsWith('ev api ')
    ? 'api'
    : atom.startsWith('kubelet.sandbox')
      ? 'sandbox'
      : 'stage';

/** `kubelet/n1` → `kubelet`; `scheduler->kubelet/n1` → `scheduler->kubelet`. */
export const kindOfStage = (stage: string): string =>
  stage.startsWith('kubelet/') ? 'kubelet' : stage;

export const kindOfLink = (link: string): string => link.replace(/kubelet\/[^>]*$/, 'kubelet');

type Emit = (atom: string) => void;

/** Every atom of the step from `before` to `after`, the step's events included. */
export const atomsOf = (before: Observation, after: Observation): Set<string> => {
  const atoms = new Set<string>();
  const emit: Emit = (atom) => atoms.add(atom);
  apiAtoms(before.api, after.api, () => runningBefore(before), emit);
  if (before.api.up !== after.api.up) emit(`api.up ${before.api.up}→${after.api.up}`);
  stageAtoms(before, after, emit);
  kubeletAtoms(before, after, emit);
  linkAtoms(before.links, after.links, emit);
  if (before.desired !== after.desired && !sameRecord(before.desired, after.desired))
    emit('desired changed');
  for (const event of after.events) eventAtoms(event, emit);
  return atoms;
};

const sameRecord = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
};

// ---------------------------------------------------------------------------------------
// API objects

/** Compares two records of views by key; `fields` names the atoms of a changed view. */
const diffRecord = <V>(
  kind: string,
  before: Readonly<Record<string, V>>,
  after: Readonly<Record<string, V>>,
  emit: Emit,
  fields: (b: V, a: V, emit: Emit) => void,
  created: (a: V) => string = () => '',
  removed: (b: V) => string = () => '',
): void => {
  if (before === after) return;
  for (const key in after) {
    const a = after[key] as V;
    const b = before[key];
    if (b === undefined) emit(`api.${kind} +${created(a)}`);
    else if (b !== a) fields(b, a, emit);
  }
  for (const key in before)
    if (after[key] === undefined) emit(`api.${kind} -${removed(before[key] as V)}`);
};

const flag = (emit: Emit, atom: string, b: boolean, a: boolean) => {
  if (b !== a) emit(`${atom} ${b}→${a}`);
};

const apiAtoms = (
  before: ApiObjects,
  after: ApiObjects,
  sandboxesBefore: () => ReadonlySet<string>,
  emit: Emit,
): void => {
  // Built only when a pod's readiness changed (rarely): every sandbox before the step.
  let running: ReadonlySet<string> | null = null;
  const sandboxes = () => {
    running ??= sandboxesBefore();
    return running;
  };
  diffRecord('deployment', before.deployments, after.deployments, emit, (b, a, e) => {
    if (b.uid !== a.uid) return e('api.deployment replaced');
    if (b.replicas !== a.replicas) e('api.deployment replicas changed');
    if (b.templateHash !== a.templateHash) e('api.deployment template changed');
    flag(e, 'api.deployment deleting', b.deleting, a.deleting);
    flag(e, 'api.deployment managed', b.managed, a.managed);
  });
  diffRecord('replicaset', before.replicaSets, after.replicaSets, emit, (b, a, e) => {
    if (b.uid !== a.uid) return e('api.replicaset replaced');
    if (b.replicas !== a.replicas) e('api.replicaset replicas changed');
    if (b.replicasVersion !== a.replicasVersion) e('api.replicaset replicasVersion changed');
    if (
      b.status.replicas !== a.status.replicas ||
      b.status.readyReplicas !== a.status.readyReplicas
    )
      e('api.replicaset status changed');
    flag(e, 'api.replicaset deleting', b.deleting, a.deleting);
    flag(e, 'api.replicaset managed', b.managed, a.managed);
    flag(e, 'api.replicaset fallbackScaling', b.fallbackScaling, a.fallbackScaling);
  });
  diffRecord('templatePod', before.templatePods, after.templatePods, emit, (b, a, e) => {
    if (b.uid !== a.uid) return e('api.templatePod replaced');
    flag(e, 'api.templatePod fallbackBinding', b.fallbackBinding, a.fallbackBinding);
  });
  diffRecord(
    'pod',
    before.pods,
    after.pods,
    emit,
    (b, a, e) => podFields(b, a, e, sandboxes),
    (p) => podCreated(p, after),
    podRemoved,
  );
  diffRecord('node', before.nodes, after.nodes, emit, (b, a, e) => {
    if (b.allocatable !== a.allocatable) e('api.node allocatable changed');
  });
};

/** `node/pod` of every sandbox running before the step. */
const runningBefore = (o: Observation): Set<string> => {
  const running = new Set<string>();
  for (const k of o.kubelets) for (const s of k.sandboxes) running.add(`${k.node}/${s.pod}`);
  return running;
};

/** A pod is created bound or not, Ready or not, and with its owner or orphaned. */
const podCreated = (p: PodView, after: ApiObjects): string => {
  const owner = after.replicaSets[p.ownerKey];
  const orphan = owner === undefined || owner.uid !== p.ownerUid;
  return `${p.nodeName === null ? ' unbound' : ''}${p.ready ? ' ready' : ''}${p.deleting ? ' deleting' : ''}${orphan ? ' orphan' : ''}`;
};

/** A pod leaves the API after a graceful deletion, or at once (a live or an unbound pod). */
const podRemoved = (p: PodView): string =>
  p.deleting ? ' (deleting)' : p.nodeName === null ? ' (unbound)' : ' (live)';

/**
 * What a pod marked Ready is: whether its sandbox ran before the step, on the pod's node
 * (Ready is for a running pod), and whether it is marked for deletion.
 */
const readyOf = (p: PodView, sandboxes: () => ReadonlySet<string>): string => {
  const running = p.nodeName !== null && sandboxes().has(`${p.nodeName}/${p.key}`);
  return ` (${running ? 'running' : 'no sandbox'}${p.deleting ? ', deleting' : ''})`;
};

const podFields = (b: PodView, a: PodView, e: Emit, sandboxes: () => ReadonlySet<string>): void => {
  if (b.uid !== a.uid) {
    e('api.pod replaced');
    return;
  }
  if (b.ready !== a.ready)
    e(`api.pod ready ${b.ready}→${a.ready}${a.ready ? readyOf(a, sandboxes) : ''}`);
  flag(e, 'api.pod deleting', b.deleting, a.deleting);
  if (b.nodeName !== a.nodeName)
    e(
      b.nodeName === null
        ? 'api.pod bound'
        : a.nodeName === null
          ? 'api.pod unbound'
          : 'api.pod moved',
    );
  if (b.templateHash !== a.templateHash) e('api.pod template changed');
  if (b.ownerUid !== a.ownerUid) e('api.pod owner changed');
};

// ---------------------------------------------------------------------------------------
// Stages

/** `down` is the model's `syncing` unless the node is lost (see the header). */
export const phaseOf = (s: StageObservation, nodeLost: boolean): StagePhase =>
  s.phase === 'down' && !nodeLost ? 'syncing' : s.phase;

const lostNodes = (o: Observation): Set<string> => {
  const lost = new Set<string>();
  for (const k of o.kubelets) if (!k.nodeAlive) lost.add(`kubelet/${k.node}`);
  return lost;
};

/**
 * The entry of `before` that `a` (at index `i` of its own list) continues: the same index
 * when the id matches there (the lists keep their order from step to step), else by search.
 */
const counterpart = <T>(before: readonly T[], i: number, id: string, idOf: (t: T) => string) => {
  const same = before[i];
  if (same !== undefined && idOf(same) === id) return same;
  return before.find((b) => idOf(b) === id);
};

const stageAtoms = (before: Observation, after: Observation, emit: Emit): void => {
  let lost: [Set<string>, Set<string>] | null = null;
  const lostIn = (which: 0 | 1): Set<string> => {
    lost ??= [lostNodes(before), lostNodes(after)];
    return lost[which];
  };
  for (const [i, a] of after.stages.entries()) {
    const b = counterpart(before.stages, i, a.id, (s) => s.id);
    if (!b) {
      emit(`stage[${a.kind}] +`);
      continue;
    }
    if (b === a) continue;
    const pb = b.phase === 'down' ? phaseOf(b, lostIn(0).has(b.id)) : b.phase;
    const pa = a.phase === 'down' ? phaseOf(a, lostIn(1).has(a.id)) : a.phase;
    // A lost node's kubelet reports no informer in the implementation; the model keeps it.
    const rv = pa === 'down' ? 0 : Math.sign(a.informerRv - b.informerRv);
    const grew = a.incarnation > b.incarnation;
    const dirty = b.dirty !== a.dirty && !sameEntries(b.dirty, a.dirty);
    if (pb === pa && rv === 0 && !grew && !dirty) continue;
    const tag = `stage[${a.kind}]`;
    if (pb !== pa) emit(`${tag} phase ${pb}→${pa}`);
    if (grew) emit(`${tag} incarnation +`);
    if (rv > 0) emit(`${tag} informerRv +`);
    else if (rv < 0) emit(`${tag} informerRv reset`);
    if (dirty) dirtyAtoms(tag, b.dirty, a.dirty, emit);
  }
};

/**
 * An entry's identity in its stage's report: kind, key and source, and which occurrence it
 * is (a ReplicaSet controller off the direct path reports its sync's count beside the
 * direct path's held count for the same ReplicaSet).
 */
const entryIds = (entries: readonly DirtyEntry[]): string[] => {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const id = `${e.kind} ${e.key} ${e.source}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id} #${n}`;
  });
};

/** What an entry is, for its atoms: a pod's state, `count`, or the count-form `expected`. */
export const entryLabel = (e: DirtyEntry): string =>
  e.kind === 'pod' ? e.state : e.key.endsWith('/expected') ? 'expected' : 'count';

/**
 * The common case, cheaply: the same entries in the same order, field by field (a stage's
 * report builds new entry objects every time, so identity says nothing).
 */
const sameEntries = (before: readonly DirtyEntry[], after: readonly DirtyEntry[]): boolean => {
  if (before.length !== after.length) return false;
  for (let i = 0; i < before.length; i += 1) {
    const b = before[i] as DirtyEntry;
    const a = after[i] as DirtyEntry;
    if (b === a) continue;
    if (b.kind !== a.kind || b.key !== a.key || b.source !== a.source) return false;
    if (b.kind === 'pod' && a.kind === 'pod') {
      if (b.state !== a.state || b.node !== a.node || b.ownerUid !== a.ownerUid) return false;
    } else if (b.kind === 'count' && a.kind === 'count') {
      if (b.replicas !== a.replicas || b.version !== a.version) return false;
    }
  }
  return true;
};

const dirtyAtoms = (
  tag: string,
  before: readonly DirtyEntry[],
  after: readonly DirtyEntry[],
  emit: Emit,
): void => {
  const was = new Map<string, DirtyEntry>();
  const beforeIds = entryIds(before);
  for (const [i, e] of before.entries()) was.set(beforeIds[i] as string, e);
  const afterIds = entryIds(after);
  for (const [i, a] of after.entries()) {
    const id = afterIds[i] as string;
    const b = was.get(id);
    if (!b) {
      emit(`${tag} dirty +${entryLabel(a)}`);
      continue;
    }
    was.delete(id);
    if (b === a) continue;
    const lb = entryLabel(b);
    const la = entryLabel(a);
    if (lb !== la) emit(`${tag} dirty ${lb}→${la}`);
    if (b.kind === 'pod' && a.kind === 'pod') {
      if (b.node !== a.node)
        emit(
          `${tag} dirty node ${b.node === null ? 'set' : a.node === null ? 'cleared' : 'moved'}`,
        );
      if (b.ownerUid !== a.ownerUid) emit(`${tag} dirty owner changed`);
    } else if (b.kind === 'count' && a.kind === 'count') {
      if (b.replicas !== a.replicas) emit(`${tag} dirty ${la} replicas changed`);
      if (b.version !== a.version) emit(`${tag} dirty ${la} version changed`);
    }
  }
  for (const b of was.values()) emit(`${tag} dirty -${entryLabel(b)}`);
};

// ---------------------------------------------------------------------------------------
// Kubelets' nodes and sandboxes

type Liveness = 'live' | 'deleting' | 'absent';

const podState = (api: ApiObjects, pod: string): Liveness => {
  const p = api.pods[pod];
  return p === undefined ? 'absent' : p.deleting ? 'deleting' : 'live';
};

const kubeletAtoms = (before: Observation, after: Observation, emit: Emit): void => {
  for (const [i, a] of after.kubelets.entries()) {
    const b = counterpart(before.kubelets, i, a.node, (k) => k.node);
    if (!b) {
      emit('kubelet.node +');
      continue;
    }
    if (b.nodeAlive !== a.nodeAlive) emit(`kubelet.nodeAlive ${b.nodeAlive}→${a.nodeAlive}`);
    if (b.sandboxes === a.sandboxes) continue;
    if (b.sandboxes.length === 0 && a.sandboxes.length === 0) continue;
    const had = new Set(b.sandboxes.map((s) => s.pod));
    for (const s of a.sandboxes) {
      // A sandbox appears next to its pod as it is after the step.
      if (!had.delete(s.pod)) emit(`kubelet.sandbox + (${podState(after.api, s.pod)})`);
    }
    // A sandbox goes away because of what its pod was before the step.
    for (const pod of had) emit(`kubelet.sandbox - (${podState(before.api, pod)})`);
  }
};

// ---------------------------------------------------------------------------------------
// Links

const linkAtoms = (
  before: readonly LinkObservation[],
  after: readonly LinkObservation[],
  emit: Emit,
): void => {
  let matched = 0;
  for (const [i, a] of after.entries()) {
    const b = counterpart(before, i, a.id, (l) => l.id);
    if (!b) {
      emit(`link[${kindOfLink(a.id)}] +`);
      continue;
    }
    matched += 1;
    if (b === a) continue;
    const phase = b.clientPhase !== a.clientPhase;
    const client = b.clientEpoch !== a.clientEpoch;
    const server = b.serverEpoch !== a.serverEpoch;
    const flight = Math.sign(a.inFlight - b.inFlight);
    if (!phase && !client && !server && flight === 0) continue;
    const tag = `link[${kindOfLink(a.id)}]`;
    if (phase) emit(`${tag} clientPhase ${b.clientPhase}→${a.clientPhase}`);
    if (client) emit(`${tag} clientEpoch ${a.clientEpoch === null ? 'cleared' : 'new'}`);
    if (server)
      emit(
        `${tag} serverEpoch ${a.serverEpoch === null ? 'cleared' : b.serverEpoch === null ? 'set' : 'changed'}`,
      );
    if (flight > 0) emit(`${tag} inFlight +`);
    else if (flight < 0) emit(`${tag} inFlight -`);
  }
  if (matched === before.length) return;
  const kept = new Set(after.map((l) => l.id));
  for (const b of before) if (!kept.has(b.id)) emit(`link[${kindOfLink(b.id)}] -`);
};

// ---------------------------------------------------------------------------------------
// Applied events

/**
 * The step's applied events, without identities. Left out, each because the two sides
 * report it differently while the objects it changes are compared anyway:
 * - reads (`get`): a read changes nothing, and the model's round 2 reads the API without a
 *   request event where the implementation's quorum read is a GET;
 * - the requests of the garbage collector and the node lifecycle controller, which the
 *   model's collector and node loss do not report as requests;
 * - the `retry` flag: the model sets it on a kubelet's expose only, the implementation on
 *   any write whose previous attempt failed;
 * - faults: the two sides name them differently, and the action class says which it was.
 */
/**
 * A write of a Deployment or a ReplicaSet is `write`, whether an update or a patch: the
 * model says `update` for the autoscaler's scale and the write-back, where the
 * implementation patches the Scale subresource and the ReplicaSet. Pod verbs stay apart:
 * a status patch and a whole-object update is a design switch (`statusPatchOnly`).
 */
const verbOf = (event: Extract<AppliedEvent, { kind: 'api' }>): string =>
  (event.verb === 'update' || event.verb === 'patch') &&
  (event.resource === 'deployment' || event.resource === 'replicaset')
    ? 'write'
    : event.verb;

const eventAtoms = (event: AppliedEvent, emit: Emit): void => {
  switch (event.kind) {
    case 'admit':
      emit(`ev admit ${event.message} ${event.admitted ? 'ok' : 'refused'}`);
      return;
    case 'apply':
      emit(`ev apply ${event.message}`);
      return;
    case 'handshake':
      emit(`ev handshake ${kindOfLink(event.link)}`);
      return;
    case 'reply':
      emit(`ev reply ${kindOfLink(event.link)} ${event.accepted ? 'accepted' : 'ignored'}`);
      return;
    case 'sync': {
      const tag = `ev sync ${kindOfLink(event.link)}`;
      emit(tag);
      if (event.adopted.length > 0) emit(`${tag} adopted`);
      if (event.resent.length > 0) emit(`${tag} resent`);
      if (event.recreated.length > 0) emit(`${tag} recreated`);
      if (event.forgotten.length > 0) emit(`${tag} forgotten`);
      if (event.discarded.length > 0) emit(`${tag} discarded`);
      return;
    }
    case 'api': {
      // Reads change nothing: the model makes them within the step that uses their answer.
      const read = event.verb === 'get' || event.verb === 'list';
      if (read || event.actor === 'gc' || event.actor === 'nodeLifecycle') return;
      // A Lease write shows as the incarnation it gives (the stage part), not as a request.
      if (event.resource === 'lease') return;
      emit(
        `ev api ${kindOfStage(event.actor)} ${verbOf(event)} ${event.resource} ${event.outcome}`,
      );
      return;
    }
    case 'bindBeforeTemplate':
      emit('ev bindBeforeTemplate');
      return;
    case 'fault':
      return;
  }
};
