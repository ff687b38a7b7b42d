/**
 * Action classes: the vocabulary in which a model action and an implementation step are
 * compared. A model action has exactly one class, read from its actor and label with the
 * identities taken out (`expose a/fn-1-1` → `kubelet: expose`). An implementation step is
 * mapped to the model classes it may stand for, each with the part of that class's
 * footprint it may show (`partOf` in atoms.ts):
 *
 * - a request the model makes atomically is three implementation steps: the stage's intent
 *   (it changes nothing observable), the API Server's execution (the class's `api` part)
 *   and the answer reaching the stage (its `stage` part);
 * - a stage of the model is level-triggered and does one piece of work per step, where an
 *   implementation stage reacts to every event at once: the step that delivers an event
 *   also stands for the stage's own *local work* (the classes in `LOCAL_WORK`), the work
 *   whose effect shows at once rather than through a request;
 * - a kubelet's sandbox starts in the expose step of the model and after the start delay in
 *   the implementation (the `sandbox` part of `kubelet: expose` and `kubelet: start`).
 *
 * Steps the model has no counterpart for are `stutter` (allowed only if nothing observable
 * changes: a delay, a clock advance, a read) or `outside` (an environment action the model
 * does not describe, such as a template change or a label flip; not checked, counted).
 */

import type { StepRecord } from '../../impl/runtime/sim/types.js';
import type { Action } from '../../spec/model.js';
import type { Part } from './atoms.js';
import { kindOfLink, kindOfStage } from './atoms.js';

// ---------------------------------------------------------------------------------------
// Model side

/** The class of a model action: actor kind plus the label's verb, without identities. */
export const modelClassOf = (action: Action): string => {
  const { actor, label } = action;
  if (label === 'outage ends') return 'outage ends';
  const words = label.split(' ');
  const verb = words[0] ?? label;
  switch (verb) {
    case 'deliver':
    case 'apply':
      return `${verb} ${words[1]}`;
    case 'drop':
    case 'duplicate':
    case 'outage':
      return verb;
    case 'garbage': // `garbage collection`
      return 'gc';
    case 'informer':
      return `informer ${kindOfStage(actor)}`;
    case 'handshake':
    case 'retry':
    case 'timeout':
      return `${verb} ${kindOfLink(words[1] ?? '')}`;
    case 'crash':
      return `crash ${kindOfStage(actor)}`;
    case 'user':
      return `user ${words[1]} ${words[2]}`;
    case 'lose':
      return 'node loss';
    case 'load':
      return 'load';
  }
  return `${kindOfStage(actor)}: ${stageVerb(kindOfStage(actor), words)}`;
};

/** A stage's own work, by its label's first word. */
const stageVerb = (kind: string, words: readonly string[]): string => {
  const first = words[0] ?? '';
  if (kind === 'replicaset') {
    if (first === 'scale') return 'schedule pods';
    if (first === 'write') return 'write back';
    if (first === 'create') return 'create template';
    if (first === 'delete') return 'delete pod';
  }
  if (kind === 'deployment' && first === 'scale') return 'send scale';
  if (kind === 'deployment' && first === 'update') return 'update replicaset';
  // `autoscalerLink: 'direct'`: the write-back of a count the autoscaler sent.
  if (kind === 'deployment' && first === 'write') return 'write back';
  return first;
};

// ---------------------------------------------------------------------------------------
// Implementation side

/** One model class an implementation step may stand for, and which part of its footprint. */
export interface Candidate {
  readonly modelClass: string;
  /** The parts of the model class's footprint the step may show (all when absent). */
  readonly parts?: readonly Part[];
}

export type ImplClass =
  | { readonly kind: 'mapped'; readonly name: string; readonly candidates: readonly Candidate[] }
  /** Changes nothing the model would see: allowed only with no atoms. */
  | { readonly kind: 'stutter'; readonly name: string }
  /** An environment action the model does not describe: not checked. */
  | { readonly kind: 'outside'; readonly name: string };

const whole = (modelClass: string): Candidate => ({ modelClass });
const part = (modelClass: string, ...parts: Part[]): Candidate => ({ modelClass, parts });

/**
 * Work a stage does in the step in which it handles an event, whose effect is observable in
 * that step (a message sent and an entry held, a sandbox stopped), as opposed to work that
 * goes through a request (observable only when the API Server executes it). Session work
 * (a first handshake, a re-handshake) is local work of every client.
 */
export const LOCAL_WORK: Readonly<Record<string, readonly Candidate[]>> = {
  // `autoscalerLink: 'direct'`: a count sent and held, a (re-)handshake, round 2.
  autoscaler: [
    whole('autoscaler: scale'),
    whole('handshake autoscaler->deployment'),
    ...roundTwo('autoscaler'),
  ],
  // Round 2 runs in whichever step completes its wait: the resourceVersion read's answer, a
  // quorum read's, or the informer progress that passes the barrier. The model runs it with
  // the reply, with a read made after an outage, or with an informer delivery.
  deployment: [
    whole('deployment: send scale'),
    whole('handshake deployment->replicaset'),
    ...roundTwo('deployment'),
  ],
  replicaset: [
    whole('replicaset: schedule pods'),
    whole('handshake replicaset->scheduler'),
    whole('replicaset: sync (API path)'),
    ...roundTwo('replicaset'),
  ],
  scheduler: [
    whole('scheduler: bind'),
    whole('handshake scheduler->kubelet'),
    ...roundTwo('scheduler'),
  ],
  kubelet: [
    whole('kubelet: materialise'),
    whole('kubelet: kill'),
    part('kubelet: terminate', 'sandbox'),
  ],
};

/** The clients of direct links, whose informer progress a bookmark round moves. */
const BOOKMARK_LISTENERS = ['autoscaler', 'deployment', 'replicaset', 'scheduler'] as const;

/** The model steps in which a client's round 2 may run. */
function roundTwo(kind: string): Candidate[] {
  return [
    whole(`deliver ${kind}.handshakeReply`),
    whole(`${kind}: read`),
    whole(`informer ${kind}`),
  ];
}

/**
 * The classes a request stands for, by the stage kind that makes it and the intent's op.
 * Classes marked (API path), (fallback binding), (request of a lost node) or `deployment: status` are extensions
 * (extensions.ts): the model does not have them, and they are in force only with their
 * feature. A request of a kind not listed here stands for nothing, so any change it makes
 * is a mismatch.
 */
export const REQUEST_CLASS: Readonly<Record<string, readonly string[]>> = {
  'autoscaler scaleDeployment': ['autoscaler: scale'],
  'replicaset scaleReplicaSet': ['replicaset: write back'],
  'replicaset replicaSetStatus': ['replicaset: status'],
  'replicaset deletePod': ['replicaset: delete pod', 'replicaset: delete pod (API path)'],
  'replicaset createPod': ['replicaset: create pod (API path)'],
  'scheduler bindPod': ['scheduler: bind (API path)'],
  'scheduler exposePod': ['scheduler: expose (fallback binding)'],
  'kubelet exposePod': ['kubelet: expose'],
  'kubelet markReady': ['kubelet: ready', 'kubelet: ready (request of a lost node)'],
  'kubelet removePod': ['kubelet: terminate'],
  // The model's Deployment controller writes a ReplicaSet's replicas only for a ReplicaSet
  // off the direct path, which the model never has (docs/model.md §4).
  'deployment scaleReplicaSet': ['deployment: update replicaset'],
  'deployment deploymentStatus': ['deployment: status'],
  'deployment scaleDeployment': ['deployment: write back'],
  // Taking the Lease on start (the model's `lease` step; its read is a stutter).
  'autoscaler takeLease': ['autoscaler: lease'],
  'deployment takeLease': ['deployment: lease'],
  'replicaset takeLease': ['replicaset: lease'],
  'scheduler takeLease': ['scheduler: lease'],
};

const local = (stageKind: string): readonly Candidate[] => LOCAL_WORK[stageKind] ?? [];

const mapped = (name: string, ...groups: (readonly Candidate[])[]): ImplClass => ({
  kind: 'mapped',
  name,
  candidates: groups.flat(),
});

/**
 * What `implClassOf` reads of a step, as a short string, so that classes are computed once
 * per kind of step rather than once per step (labels carry identities; this leaves them out
 * except the stage, whose kind is read from it).
 */
const classKey = (record: StepRecord): string => {
  const action = record.action;
  if (action.type === 'write') return `write ${action.write.op}`;
  if (action.type === 'apiOutage') return `apiOutage ${action.on}`;
  if (action.type !== 'take') return `${action.type} ${'stage' in action ? action.stage : ''}`;
  const label = record.label;
  const first = label.indexOf(' ');
  const verb = first < 0 ? label : label.slice(0, first);
  const second = label.indexOf(' ', first + 1);
  const third = second < 0 ? -1 : label.indexOf(' ', second + 1);
  switch (verb) {
    case 'deliver': {
      const lost = record.note !== undefined && NOT_DELIVERED.has(record.note);
      return `${label.slice(0, second < 0 ? undefined : second)} ${record.actor} ${lost}`;
    }
    case 'api':
    case 'api.done':
    case 'timer':
      return label.slice(0, third < 0 ? undefined : third);
    default:
      return `${verb} ${record.actor}`;
  }
};

const classes = new Map<string, ImplClass>();

/** The model classes an implementation step stands for (computed once per kind of step). */
export const implClassOf = (record: StepRecord): ImplClass => {
  const key = classKey(record);
  let cls = classes.get(key);
  if (!cls) {
    cls = classOf(record);
    classes.set(key, cls);
  }
  return cls;
};

const classOf = (record: StepRecord): ImplClass => {
  const action = record.action;
  switch (action.type) {
    case 'take':
      return takeClass(record);
    case 'drop':
    case 'duplicate':
      return mapped(action.type, [whole(action.type)]);
    case 'delay':
    case 'timeout':
    case 'advance':
      // A delay or a clock advance changes nothing observable; a timeout only replaces a
      // pending call by its failed answer, which its own later step delivers.
      return { kind: 'stutter', name: action.type };
    case 'crash': {
      const kind = kindOfStage(action.stage);
      // The crashed server's clients hear `link.down` in the same step and re-handshake.
      return mapped(`crash ${kind}`, [whole(`crash ${kind}`)], clientsOf(kind));
    }
    case 'restart':
      return mapped(`restart ${kindOfStage(action.stage)}`, [
        whole(`crash ${kindOfStage(action.stage)}`),
      ]);
    case 'apiOutage':
      // A node lost during an outage: the node lifecycle controller's delete of the Node
      // lands when the API Server is back (the model loses a node only while it is up).
      return action.on
        ? mapped('outage', [whole('outage')])
        : mapped('outage ends', [whole('outage ends'), part('node loss', 'api')]);
    case 'relist': {
      const kind = kindOfStage(action.stage);
      return mapped(`relist ${kind}`, [whole(`informer ${kind}`)], local(kind));
    }
    case 'nodeLoss':
      return mapped('node loss', [whole('node loss')]);
    case 'write':
      return writeClass(action.write.op);
    case 'load':
      // The autoscaler hears the load in the same step: on the direct link it sends then.
      return mapped('load', [whole('load')], local('autoscaler'));
    default:
      return { kind: 'outside', name: (action as { type: string }).type };
  }
};

/** Clients of a stage kind: they hear `link.down` when it crashes. */
const clientsOf = (serverKind: string): readonly Candidate[] => {
  switch (serverKind) {
    case 'deployment':
      return local('autoscaler');
    case 'replicaset':
      return local('deployment');
    case 'scheduler':
      return local('replicaset');
    case 'kubelet':
      return local('scheduler');
    default:
      return [];
  }
};

const writeClass = (op: string): ImplClass => {
  if (op === 'deletePod')
    return mapped('user deletes pod', [
      whole('user deletes pod'),
      whole('user deletes pod (API path)'),
    ]);
  if (op === 'deleteDeployment')
    return mapped('user deletes deployment', [whole('user deletes deployment')]);
  return { kind: 'outside', name: `user ${op}` };
};

const NOT_DELIVERED = new Set(['receiver is down', 'node lost']);

const takeClass = (record: StepRecord): ImplClass => {
  const words = record.label.split(' ');
  const verb = words[0] ?? '';
  const stageKind = kindOfStage(record.actor);
  switch (verb) {
    case 'deliver':
      return deliverClass(record, words[1] ?? '', stageKind);
    case 'api': {
      const op = words[2] ?? '';
      if (op === 'get' || op === 'readResourceVersion')
        return { kind: 'stutter', name: `${stageKind} ${op}` };
      return mapped(`api ${stageKind} ${op}`, requestClasses(stageKind, op, 'api'));
    }
    case 'api.done': {
      const op = words[2] ?? '';
      const own: Candidate[] =
        op === 'get'
          ? // A quorum read (round 2 is local work), the ReplicaSet controller's GET of a
            // ReplicaSet it holds a count for, or the Deployment controller's GET of a
            // Deployment it holds the autoscaler's count for (gone: the model's write-back
            // answered notFound drops it).
            [part('replicaset: get', 'stage'), part('deployment: write back', 'stage')]
          : op === 'readResourceVersion'
            ? [whole(`${stageKind}: read`)]
            : requestClasses(stageKind, op, 'stage');
      // The model lists a stage's informers only after it took its Lease; the
      // implementation lists them at once, so its Lease may come last and end `syncing`.
      const synced = op === 'takeLease' ? [part(`informer ${stageKind}`, 'stage')] : [];
      return mapped(`api.done ${stageKind} ${op}`, own, synced, local(stageKind));
    }
    case 'inform':
    case 'list':
    case 'synced':
      return mapped(`${verb} ${stageKind}`, [whole(`informer ${stageKind}`)], local(stageKind));
    case 'watch':
      // Watch bookmarks: the model's informer delivery that moves only the resourceVersion,
      // and whatever round 2 that lets run (the autoscaler listens only on its direct link).
      return mapped(
        'bookmarks',
        BOOKMARK_LISTENERS.map((k) => whole(`informer ${k}`)),
        BOOKMARK_LISTENERS.flatMap(local),
      );
    case 'gc':
      // The implementation's garbage collector also force-deletes the pods of a lost node,
      // which the model does in the node-loss step itself.
      return mapped('gc', [whole('gc'), whole('gc (API path)'), part('node loss', 'api')]);
    case 'timer':
      return timerClass(words[2] ?? '', stageKind);
    case 'sandbox.start':
      return mapped(
        'sandbox.start',
        [part('kubelet: expose', 'sandbox'), part('kubelet: start', 'sandbox')],
        local('kubelet'),
      );
    case 'sandbox.stopped':
      return mapped('sandbox.stopped', local('kubelet'));
    default:
      return mapped(`unknown ${verb}`, []);
  }
};

const requestClasses = (stageKind: string, op: string, ...parts: Part[]): Candidate[] =>
  (REQUEST_CLASS[`${stageKind} ${op}`] ?? []).map((modelClass) => part(modelClass, ...parts));

const deliverClass = (record: StepRecord, type: string, stageKind: string): ImplClass => {
  // A message to a crashed stage or a lost node is gone: the model's drop.
  if (record.note !== undefined && NOT_DELIVERED.has(record.note))
    return mapped(`deliver ${type} (lost)`, [whole('drop')]);
  // `notReady` stands for the model's deferral of a handshake: the handshake is consumed
  // and its client will send another on its timer, which the model sees as a lost one.
  if (type.endsWith('.notReady'))
    return mapped(`deliver ${type}`, [whole('drop')], local(stageKind));
  return mapped(`deliver ${type}`, [whole(`deliver ${type}`)], local(stageKind));
};

const timerClass = (name: string, stageKind: string): ImplClass => {
  if (name.startsWith('link.retry:')) {
    const link = kindOfLink(name.slice('link.retry:'.length));
    // The model's fault-free retry fires only when it matters; any other firing is its
    // spurious timeout. The implementation's timer is either.
    return mapped(
      `timer retry ${link}`,
      [whole(`retry ${link}`), whole(`timeout ${link}`)],
      local(stageKind),
    );
  }
  if (name.startsWith('link.apply:'))
    return mapped(`timer apply ${stageKind}`, [whole(`apply ${stageKind}.*`)], local(stageKind));
  // A stage's own back-off or resync timer: it re-issues requests, observable only later.
  return mapped(`timer ${stageKind}`, local(stageKind));
};
