/**
 * Fault schedules as plain data, and their resolution against the sim runtime. A schedule
 * is a list of choices; each choice names what happens next by small integers (which
 * pending event, which stage, which function), resolved against the cluster's state when it
 * is played, so any list is valid and fast-check can shrink it freely: fewer steps, fewer
 * faults, smaller indices.
 *
 * The choices cover protocol.md §7 and §8: taking any pending event (so any reordering),
 * dropping, duplicating or delaying a direct message or reply (a delayed handshake reply is
 * a late reply to an old handshake; a duplicate whose original is delayed is a late
 * duplicate), a slow API call or one that times out, crashes and restarts of every stage at
 * any point, API outage windows, informer lag (a delayed watch stream) and re-lists, a node
 * loss, load changes, and every write of another actor the implementation supports.
 *
 * Indices are read where they mean the most with the smallest numbers, since fast-check
 * shrinks towards 0: a take counts in due order (0 is what would happen anyway), a fault
 * counts from the newest event of its target class (0 is the message just sent).
 */
import fc from 'fast-check';
import { FALLBACK_BINDING_LABEL, MANAGED_LABEL } from '../../impl/k8s/index.js';
import type { SimCluster } from '../../impl/runtime/sim/cluster.js';
import type { Pending, SimAction, UserWrite } from '../../impl/runtime/sim/types.js';
import { nodeOfKubelet, type StageId } from '../../spec/types/ids.js';
import type { Observation } from '../../spec/types/observation.js';

/**
 * Writes by other actors (protocol.md §7), by function index. Deleting a function's only
 * ReplicaSet is left out: the implementation's Deployment controller does not create
 * ReplicaSets (a new template's ReplicaSet comes with the `changeTemplate` write), so
 * nothing would bring it back; docs/design/implementation.md lists this gap.
 */
export type WriteChoice =
  | { readonly op: 'deletePod'; readonly index: number }
  | { readonly op: 'deleteDeployment'; readonly fn: number }
  | { readonly op: 'changeTemplate'; readonly fn: number }
  | { readonly op: 'scaleReplicaSet'; readonly fn: number; readonly replicas: number }
  | { readonly op: 'managed'; readonly fn: number; readonly on: boolean }
  | { readonly op: 'fallbackBinding'; readonly fn: number; readonly on: boolean };

/**
 * Which direct messages a drop, duplicate or delay is aimed at: `data` (the scale,
 * schedulePods and bindPod messages of the fast path), `session` (a client's handshake or
 * round-2 sync), `reply` (what a server answers: handshake replies, sync acks, notReady,
 * epochMismatch), or `any` message.
 */
export type MessageClass = 'any' | 'data' | 'session' | 'reply';

/**
 * What a delay is aimed at: a class of direct messages, an API call, an informer's stream,
 * or any pending `event` (a timer, a sandbox start, the garbage collector too).
 */
export type DelayTarget = MessageClass | 'api' | 'inform' | 'event';

export type Choice =
  /**
   * Take the `index`-th pending event in due order: 0 is the event the default policy would
   * take next, small indices are small reorderings, larger ones jump ahead (modulo the
   * number pending).
   */
  | { readonly kind: 'take'; readonly index: number }
  /** Faults on a message count from the newest one sent: index 0 is the message just sent. */
  | { readonly kind: 'drop'; readonly index: number; readonly of: MessageClass }
  /** The copy is sent now; a later `delay` of the original makes the duplicate a late one. */
  | { readonly kind: 'duplicate'; readonly index: number; readonly of: MessageClass }
  /**
   * The `index`-th newest pending event of `of` becomes due `ms` later: a slow message or
   * reply, a slow API call, or (an informer) a watch stream that lags behind.
   */
  | {
      readonly kind: 'delay';
      readonly index: number;
      readonly of: DelayTarget;
      readonly ms: number;
    }
  /** The `index`-th newest pending API request or response is lost; its caller times out. */
  | { readonly kind: 'timeout'; readonly index: number }
  /** Crash the `stage`-th stage if it runs, else restart it. */
  | { readonly kind: 'crashOrRestart'; readonly stage: number }
  /**
   * A fault aimed at a moment of a handshake, a millisecond or so wide, which plain choices
   * meet only by luck: take events in due order until the client of the `link`-th link is
   * in `phase` (round 1 or round 2), then act there (see `moment.ts`).
   */
  | {
      readonly kind: 'moment';
      readonly link: number;
      readonly phase: MomentPhase;
      readonly act: MomentAct;
      /** `delayNewest` only (and always): how much later the newest message arrives. */
      readonly ms?: number | undefined;
    }
  | { readonly kind: 'outage'; readonly on: boolean }
  | { readonly kind: 'relist'; readonly stage: number }
  /** Lose the `node`-th node for good (at most one per run, so the rest has room). */
  | { readonly kind: 'nodeLoss'; readonly node: number }
  /** The autoscaler's load for the `fn`-th function becomes `pods`. */
  | { readonly kind: 'load'; readonly fn: number; readonly pods: number }
  | { readonly kind: 'write'; readonly write: WriteChoice };

export type ChoiceKind = Choice['kind'];

/**
 * Round 1 (`handshaking`) or round 2 (`syncing`) of a client's handshake, or (`connected`)
 * the link in use again after one.
 */
export type MomentPhase = 'handshaking' | 'syncing' | 'connected';
/**
 * What strikes at the moment: a crash of the link's client or server; the delivery now of
 * the oldest message in flight on the link (after a delay, a late message of an older
 * epoch, which the server refuses while the client is between rounds), or of the newest
 * (that refusal, back at once); the loss of the newest (the handshake or sync just sent);
 * or its delay by the choice's `ms` (past the client's 500 ms retry timer, a round-2 sync
 * reaches the server after the client has moved on to a newer epoch).
 */
export type MomentAct =
  | 'crashClient'
  | 'crashServer'
  | 'deliverOldest'
  | 'deliverNewest'
  | 'dropNewest'
  | 'delayNewest';

export const MOMENT_PHASES: readonly MomentPhase[] = ['handshaking', 'syncing', 'connected'];
export const MOMENT_ACTS: readonly MomentAct[] = [
  'crashClient',
  'crashServer',
  'deliverOldest',
  'deliverNewest',
  'dropNewest',
  'delayNewest',
];

export const CHOICE_KINDS: readonly ChoiceKind[] = [
  'take',
  'drop',
  'duplicate',
  'delay',
  'timeout',
  'crashOrRestart',
  'moment',
  'outage',
  'relist',
  'nodeLoss',
  'load',
  'write',
];

export const MESSAGE_CLASSES: readonly MessageClass[] = ['any', 'data', 'session', 'reply'];
export const DELAY_TARGETS: readonly DelayTarget[] = [...MESSAGE_CLASSES, 'api', 'inform', 'event'];

/** How often each kind of choice is drawn: mostly ordinary steps, with faults among them. */
export type Weights = Readonly<Record<ChoiceKind, number>>;

export const DEFAULT_WEIGHTS: Weights = {
  take: 24,
  drop: 2,
  duplicate: 2,
  delay: 3,
  timeout: 1,
  crashOrRestart: 2,
  moment: 1,
  outage: 1,
  relist: 1,
  nodeLoss: 1,
  load: 1,
  write: 2,
};

/** The most pods a `load` choice asks of one function (the topology has room for it). */
export const MAX_LOAD = 4;

/** The longest delay: past the links' 500 ms retry and 2 s re-check timers. */
export const MAX_DELAY_MS = 3000;

/** Small integers: indices wrap around what exists, so small values reach everything. */
const index = fc.nat(40);
const fn = fc.nat(3);

/**
 * A take is mostly the next event in due order (the run makes progress, as it would
 * without the fuzzer), sometimes a near reordering, now and then a jump to any event.
 */
const takeIndex = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.nat(3) },
  { weight: 1, arbitrary: index },
);

/** Faults aim at the newest event of their target class first, then at recent ones. */
const faultIndex = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.nat(3) },
  { weight: 1, arbitrary: index },
);

/** Short delays reorder within a round trip; long ones outlive retries and whole pod lives. */
const delayMs = (max = MAX_DELAY_MS): fc.Arbitrary<number> =>
  max <= 50
    ? fc.integer({ min: 1, max })
    : fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 51, max }));

export type WriteOp = WriteChoice['op'];

export const WRITE_OPS: readonly WriteOp[] = [
  'deletePod',
  'deleteDeployment',
  'changeTemplate',
  'scaleReplicaSet',
  'managed',
  'fallbackBinding',
];

const WRITES: { readonly [K in WriteOp]: fc.Arbitrary<Extract<WriteChoice, { op: K }>> } = {
  deletePod: fc.record({ op: fc.constant('deletePod'), index }),
  deleteDeployment: fc.record({ op: fc.constant('deleteDeployment'), fn }),
  changeTemplate: fc.record({ op: fc.constant('changeTemplate'), fn }),
  scaleReplicaSet: fc.record({ op: fc.constant('scaleReplicaSet'), fn, replicas: fc.nat(4) }),
  managed: fc.record({ op: fc.constant('managed'), fn, on: fc.boolean() }),
  fallbackBinding: fc.record({ op: fc.constant('fallbackBinding'), fn, on: fc.boolean() }),
};

/**
 * What a campaign draws besides the weights of the kinds. Every field narrows the drawn
 * values to a subset of what the hardened campaign draws; none adds anything.
 */
export interface ScheduleOptions {
  /**
   * Swarm testing: each schedule draws from its own random subset of the fault kinds (takes
   * are always in), so that some schedules pile up one or two kinds of fault instead of
   * spreading the same number thinly over all of them.
   */
  readonly swarm?: boolean;
  /** The writes of other actors drawn (default: all). */
  readonly writes?: readonly WriteOp[];
  /** What delays aim at (default: all targets). */
  readonly delayTargets?: readonly DelayTarget[];
  /** What drops and duplicates aim at (default: all classes). */
  readonly messageClasses?: readonly MessageClass[];
  /** Only long schedules, for hazards that play out over a pod's whole life (default: both). */
  readonly longOnly?: boolean;
  /** The longest delay drawn (default `MAX_DELAY_MS`), for hazards with a short window. */
  readonly maxDelayMs?: number;
  /**
   * The stage indices crashes and re-lists aim at (default: any of the first 11). Stages
   * are the four controllers (autoscaler 0, deployment 1, replicaset 2, scheduler 3), then
   * one kubelet per node (4, ...), indices taken modulo their number.
   */
  readonly crashStages?: readonly number[];
  readonly relistStages?: readonly number[];
}

const stageIndex = (stages: readonly number[] | undefined): fc.Arbitrary<number> =>
  stages === undefined ? fc.nat(10) : fc.constantFrom(...stages);

type Arbitraries = { readonly [K in ChoiceKind]: fc.Arbitrary<Extract<Choice, { kind: K }>> };

const arbitraries = (options: ScheduleOptions): Arbitraries => {
  const classes = fc.constantFrom(...(options.messageClasses ?? MESSAGE_CLASSES));
  const writes = (options.writes ?? WRITE_OPS).map((op) => WRITES[op] as fc.Arbitrary<WriteChoice>);
  return {
    take: fc.record({ kind: fc.constant('take'), index: takeIndex }),
    drop: fc.record({ kind: fc.constant('drop'), index: faultIndex, of: classes }),
    duplicate: fc.record({ kind: fc.constant('duplicate'), index: faultIndex, of: classes }),
    delay: fc.record({
      kind: fc.constant('delay'),
      index: faultIndex,
      of: fc.constantFrom(...(options.delayTargets ?? DELAY_TARGETS)),
      ms: delayMs(options.maxDelayMs),
    }),
    timeout: fc.record({ kind: fc.constant('timeout'), index: faultIndex }),
    crashOrRestart: fc.record({
      kind: fc.constant('crashOrRestart'),
      stage: stageIndex(options.crashStages),
    }),
    moment: fc.oneof(
      fc.record({
        kind: fc.constant('moment'),
        link: fc.nat(5),
        phase: fc.constantFrom(...MOMENT_PHASES),
        act: fc.constantFrom(...MOMENT_ACTS.filter((act) => act !== 'delayNewest')),
      }),
      fc.record({
        kind: fc.constant('moment'),
        link: fc.nat(5),
        phase: fc.constantFrom(...MOMENT_PHASES),
        act: fc.constant('delayNewest'),
        ms: delayMs(options.maxDelayMs),
      }),
    ),
    outage: fc.record({ kind: fc.constant('outage'), on: fc.boolean() }),
    relist: fc.record({ kind: fc.constant('relist'), stage: stageIndex(options.relistStages) }),
    nodeLoss: fc.record({ kind: fc.constant('nodeLoss'), node: fc.nat(10) }),
    load: fc.record({ kind: fc.constant('load'), fn, pods: fc.nat(MAX_LOAD) }),
    write: fc.record({ kind: fc.constant('write'), write: fc.oneof(...writes) }),
  };
};

/** One choice, drawn by `weights` (a kind of weight 0 is never drawn). */
export const choiceArbitrary = (
  weights: Weights = DEFAULT_WEIGHTS,
  options: ScheduleOptions = {},
): fc.Arbitrary<Choice> => {
  const arbs = arbitraries(options);
  return fc.oneof(
    ...CHOICE_KINDS.filter((kind) => weights[kind] > 0)
      // `take` first: fast-check shrinks a oneof towards its first arbitrary.
      .sort((a, b) => Number(b === 'take') - Number(a === 'take'))
      .map((kind) => ({ weight: weights[kind], arbitrary: arbs[kind] as fc.Arbitrary<Choice> })),
  );
};

/**
 * Schedules of two lengths, half and half: short ones (about ten choices, fast-check's
 * small size), whose faults all strike around the burst, and long ones (up to `maxLength`),
 * which drive the run on to pods persisted, deleted and recovered before their faults end.
 * fast-check alone draws only the short ones, however large `maxLength` is.
 */
const choices = (
  choice: fc.Arbitrary<Choice>,
  maxLength: number,
  longOnly = false,
): fc.Arbitrary<Choice[]> =>
  longOnly
    ? fc.array(choice, { maxLength, size: 'max' })
    : fc.oneof(
        fc.array(choice, { maxLength, size: 'small' }),
        fc.array(choice, { maxLength, size: 'max' }),
      );

export const scheduleArbitrary = (
  maxLength: number,
  weights: Weights = DEFAULT_WEIGHTS,
  options: ScheduleOptions = {},
): fc.Arbitrary<Choice[]> => {
  if (!options.swarm)
    return choices(choiceArbitrary(weights, options), maxLength, options.longOnly);
  const faults = CHOICE_KINDS.filter((kind) => kind !== 'take' && weights[kind] > 0);
  return fc
    .subarray(faults)
    .chain((enabled) =>
      choices(
        choiceArbitrary(onlyKinds(weights, ['take', ...enabled]), options),
        maxLength,
        options.longOnly,
      ),
    );
};

/** `weights` with every kind not in `kinds` set to 0. */
export const onlyKinds = (weights: Weights, kinds: readonly ChoiceKind[]): Weights =>
  Object.fromEntries(
    CHOICE_KINDS.map((kind) => [kind, kinds.includes(kind) ? weights[kind] : 0]),
  ) as unknown as Weights;

export const at = <T>(items: readonly T[], i: number): T | undefined =>
  items.length === 0 ? undefined : items[i % items.length];

/** The action a choice stands for in this cluster now, or null when it has nothing to act on. */
export const resolve = (
  cluster: SimCluster,
  stages: readonly StageId[],
  choice: Choice,
): SimAction | null => {
  switch (choice.kind) {
    case 'take': {
      const event = at(dueOrder(cluster), choice.index);
      return event ? { type: 'take', id: event.id } : null;
    }
    case 'drop':
    case 'duplicate': {
      // Only direct messages and replies are lost or duplicated (protocol.md §8); a lost API
      // call is a `timeout`, a lost watch event a re-list.
      const event = at(
        newest(cluster, (p) => isMessageOf(p, choice.of)),
        choice.index,
      );
      return event ? { type: choice.kind, id: event.id } : null;
    }
    case 'delay': {
      const event = at(newest(cluster, delayable(choice.of)), choice.index);
      return event ? { type: 'delay', id: event.id, ms: choice.ms } : null;
    }
    case 'timeout': {
      const event = at(newest(cluster, isApiCall), choice.index);
      return event ? { type: 'timeout', id: event.id } : null;
    }
    case 'crashOrRestart': {
      const stage = at(stages, choice.stage) as StageId;
      if (onLostNode(cluster.observe(), stage)) return null;
      return cluster.snapshotOf(stage) === null
        ? { type: 'restart', stage }
        : { type: 'crash', stage };
    }
    case 'moment':
      // Several steps, not one action: `runSchedule` plays it with `playMoment`.
      return null;
    case 'outage':
      return { type: 'apiOutage', on: choice.on };
    case 'relist': {
      const stage = at(stages, choice.stage) as StageId;
      return cluster.snapshotOf(stage) === null ? null : { type: 'relist', stage };
    }
    case 'nodeLoss': {
      const kubelets = cluster.observe().kubelets;
      if (kubelets.length < 2 || kubelets.some((k) => !k.nodeAlive)) return null;
      const node = at(kubelets, choice.node)?.node;
      return node === undefined ? null : { type: 'nodeLoss', node };
    }
    case 'load': {
      const deployment = at(functionKeys(cluster), choice.fn);
      return deployment === undefined ? null : { type: 'load', deployment, load: choice.pods };
    }
    case 'write': {
      const write = resolveWrite(cluster, choice.write);
      return write === null ? null : { type: 'write', write };
    }
  }
};

/**
 * Pending events in due order, as the default policy would take them: the agenda's next
 * event first (its seeded tie-break decides among equals), then the rest by due time, ties
 * in the order they were scheduled.
 */
export const dueOrder = (cluster: SimCluster): Pending[] => {
  const next = cluster.next();
  const rest = cluster
    .pending()
    .filter((p) => p !== next)
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.dueAtMs - b.p.dueAtMs || a.i - b.i)
    .map(({ p }) => p);
  return next ? [next, ...rest] : rest;
};

/** Pending events that pass `keep`, the most recently scheduled first. */
const newest = (cluster: SimCluster, keep: (p: Pending) => boolean): Pending[] =>
  cluster.pending().filter(keep).reverse();

const isApiCall = (p: Pending): boolean => p.kind === 'api' || p.kind === 'apiDone';

/** The class of a direct message by its type (`<receiver>.<method>`). */
export const messageClass = (type: string): Exclude<MessageClass, 'any'> => {
  const method = type.slice(type.indexOf('.') + 1);
  if (method === 'handshake' || method === 'sync') return 'session';
  if (['handshakeReply', 'syncAck', 'notReady', 'epochMismatch', 'notFound'].includes(method))
    return 'reply';
  return 'data';
};

const isMessageOf = (p: Pending, of: MessageClass): boolean =>
  p.kind === 'message' && (of === 'any' || messageClass(p.message.type) === of);

const delayable =
  (of: DelayTarget) =>
  (p: Pending): boolean => {
    if (of === 'api') return isApiCall(p);
    if (of === 'inform') return p.kind === 'inform';
    if (of === 'event') return true;
    return isMessageOf(p, of);
  };

export const onLostNode = (obs: Observation, stage: StageId): boolean => {
  const node = nodeOfKubelet(stage);
  return node !== null && obs.kubelets.some((k) => k.node === node && !k.nodeAlive);
};

/** `namespace/name` of every function, in topology order. */
const functionKeys = (cluster: SimCluster): string[] =>
  cluster.topology.functions.map((f) => `${f.namespace}/${f.name}`);

const resolveWrite = (cluster: SimCluster, write: WriteChoice): UserWrite | null => {
  const api = cluster.observe().api;
  if (write.op === 'deletePod') {
    const key = at(Object.keys(api.pods).sort(), write.index);
    return key === undefined ? null : { op: 'deletePod', key };
  }
  const deployment = at(functionKeys(cluster), write.fn);
  if (deployment === undefined) return null;
  switch (write.op) {
    case 'deleteDeployment':
    case 'changeTemplate':
      return api.deployments[deployment] ? { op: write.op, key: deployment } : null;
    default: {
      // The function's current ReplicaSet: the live one with the Deployment's template.
      const template = api.deployments[deployment]?.templateHash;
      const rs = Object.values(api.replicaSets).find(
        (r) => r.templateHash === template && !r.deleting && r.key.startsWith(`${deployment}-`),
      );
      if (!rs) return null;
      if (write.op === 'scaleReplicaSet')
        return { op: 'scaleReplicaSet', key: rs.key, replicas: write.replicas };
      if (write.op === 'managed')
        return {
          op: 'setLabel',
          kind: 'ReplicaSet',
          key: rs.key,
          label: MANAGED_LABEL,
          on: write.on,
        };
      const templatePod = `${rs.key}-template`;
      return write.op === 'fallbackBinding' && api.templatePods[templatePod]
        ? {
            op: 'setLabel',
            kind: 'Pod',
            key: templatePod,
            label: FALLBACK_BINDING_LABEL,
            on: write.on,
          }
        : null;
    }
  }
};
