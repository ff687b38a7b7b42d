/**
 * Fault schedules as plain data. A schedule is a list of choices; each choice names what
 * happens next by small integers (which pending event, which stage, which function),
 * resolved against the cluster's state when it is played (`resolve.ts`), so any list is
 * valid and fast-check can shrink it freely (`draw.ts` draws them): fewer steps, fewer
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

/**
 * The largest number the fuzzer draws in each field of a choice (draw.ts). A choice's index
 * wraps around the events that exist when it is played (fast-check draws it before they are
 * known), so small numbers reach everything; a counterexample file with a larger one was
 * not drawn by the fuzzer and is refused by its schema (trace/schema.ts) rather than
 * silently played as another index.
 */
export const CHOICE_MAX = {
  index: 40,
  fn: 3,
  stage: 10,
  node: 10,
  link: 5,
  replicas: 4,
  load: MAX_LOAD,
} as const;

export type WriteOp = WriteChoice['op'];

export const WRITE_OPS: readonly WriteOp[] = [
  'deletePod',
  'deleteDeployment',
  'changeTemplate',
  'scaleReplicaSet',
  'managed',
  'fallbackBinding',
];
