/**
 * Diagram events read from step labels alone. This is how an implementation trace (a
 * `check` file) is drawn: the sim runtime labels a delivery `deliver <type> <src>-><dst>
 * e=<epoch>`, an API call `api <stage> <op> <key>` and its answer `api.done …`, an informer
 * delivery `inform <stage>:<resource>`, and faults by the `fault` actor. The trace does not
 * record when a message was sent, so a message is drawn where it is delivered.
 */
import {
  API_LANE,
  type MessageArrow,
  normaliseStage,
  type SequenceEvent,
  type SequenceStep,
} from './events.js';

const DELIVER = /^(?:(drop|duplicate|delay) )?deliver (\S+) (\S+)->(\S+) e=(\S+)/;
const MODEL_NET = /^(drop|duplicate) (\S+) (\S+)->(\S+) e=(\S+)/;

/** One step's events, by its label and actor; `lanes` resolves stage and node names. */
export const eventsOfLabel = (
  step: SequenceStep,
  index: number,
  lanes: ReadonlySet<string>,
): SequenceEvent[] => {
  const message = messageOf(step.label, index, lanes);
  if (message) return [message];
  const [verb = '', subject = ''] = step.label.split(' ');
  const lane = laneIn(step.label, lanes) ?? laneOfActor(step.actor, lanes);
  if (isFaultActor(step.actor)) return [{ kind: 'fault', lane, step: index, label: step.label }];
  if (verb === 'api')
    return [
      {
        kind: 'api',
        lane: normaliseStage(subject),
        step: index,
        direction: 'write',
        label: apiLabel(step.label),
      },
    ];
  if (
    verb === 'api.done' ||
    verb === 'inform' ||
    verb === 'list' ||
    step.label.startsWith('informer sync')
  )
    return [
      {
        kind: 'api',
        lane: laneOfActor(step.actor, lanes),
        step: index,
        direction: 'read',
        label: readLabel(step.label),
      },
    ];
  return [{ kind: 'local', lane, step: index, label: step.label }];
};

const messageOf = (
  label: string,
  step: number,
  lanes: ReadonlySet<string>,
): SequenceEvent | null => {
  const match = DELIVER.exec(label) ?? MODEL_NET.exec(label);
  if (!match) return null;
  const [, fault, type = '', from = '', to = '', epoch = ''] = match;
  const source = normaliseStage(from);
  const destination = normaliseStage(to);
  if (fault === 'duplicate' || fault === 'delay')
    return {
      kind: 'fault',
      lane: lanes.has(destination) ? destination : source,
      step,
      label: `${fault} ${type} e=${epoch}`,
    };
  const arrow: MessageArrow = {
    kind: 'message',
    from: source,
    to: destination,
    sentAt: null,
    endAt: step,
    fate: fault === 'drop' ? 'dropped' : 'delivered',
    label: `${type} e=${epoch}`,
    duplicate: false,
  };
  return arrow;
};

/** The first word of a label that names a lane (a stage id, `k/n1`, or a node `n1`). */
const laneIn = (label: string, lanes: ReadonlySet<string>): string | undefined => {
  for (const word of label.split(/[\s:=]+/)) {
    const id = normaliseStage(word);
    if (lanes.has(id)) return id;
    if (lanes.has(`kubelet/${word}`)) return `kubelet/${word}`;
  }
  if (/\bapi (outage|recovered)\b|^outage\b|^gc\b|garbage/.test(label)) return API_LANE;
  return undefined;
};

/** Actors that are not stages act on the API Server (users, gc) or the autoscaler (load). */
const laneOfActor = (actor: string, lanes: ReadonlySet<string>): string => {
  const id = normaliseStage(actor);
  if (lanes.has(id)) return id;
  if (actor === 'environment' || actor === 'env') return 'autoscaler';
  return API_LANE;
};

const isFaultActor = (actor: string): boolean =>
  actor === 'fault' || actor === 'user' || actor === 'api' || actor === 'nodeLifecycle';

/** `api kubelet/n1 exposePod default/p` → `exposePod default/p`. */
const apiLabel = (label: string): string => label.split(' ').slice(2).join(' ');

/** `api.done replicaset scaleReplicaSet k notFound` → `scaleReplicaSet notFound`. */
const readLabel = (label: string): string => {
  const words = label.split(' ');
  if (words[0] === 'api.done') return `${words[2] ?? ''} → ${words.at(-1) ?? ''}`;
  if (words[0] === 'inform' || words[0] === 'list')
    return `${words[0]} ${(words[1] ?? '').split(':')[1] ?? ''}`;
  return 'informer sync';
};
