/**
 * Diagram events of a model trace (an `explore` file), by replaying it on the model: the
 * network is a multiset of frozen message objects that every step carries over unchanged,
 * so comparing the messages in flight before and after a step by identity tells exactly
 * which step sent a message and which delivered or dropped it. A message can therefore be
 * drawn from its send to its delivery, and a reordering shows as crossing arrows.
 *
 * Returns null when a step is no longer enabled on the model (the file is stale); the
 * caller then draws from the labels alone.
 */

import type { Counterexample } from '../../checker/trace/schema.js';
import type { Message } from '../../spec/types/messages.js';
import { makeConfig } from '../../spec/types/mutants.js';
import { createWorldModel, type WorldState } from '../../spec/world.js';
import type { MessageArrow, SequenceEvent, SequenceStep } from './events.js';
import { eventsOfLabel } from './labels.js';

interface Open {
  readonly message: Message;
  readonly sentAt: number;
  readonly duplicate: boolean;
}

export const modelEvents = (
  cx: Counterexample,
  steps: readonly SequenceStep[],
  lanes: ReadonlySet<string>,
): SequenceEvent[] | null => {
  const model = createWorldModel(makeConfig(cx.preset.name, cx.profile, cx.mutant));
  let state = model.initial();
  const open: Open[] = [];
  const events: SequenceEvent[] = [];
  for (const [i, step] of cx.steps.entries()) {
    const t = model
      .transitions(state)
      .find((c) => c.action.label === step.label && c.action.actor === step.actor);
    if (!t) return null;
    const index = i + 1;
    events.push(...closed(open, state.net, t.next.net, index, step.label));
    opened(open, state.net, t.next.net, index, step.label);
    events.push(
      ...stepMarks(steps[i] ?? { ...step, state: '' }, index, lanes, state, t.next, t.action.fault),
    );
    state = t.next;
  }
  for (const o of open) events.push(arrow(o, null, 'in flight'));
  return events;
};

/** Copies that left the network in this step: delivered, or dropped by a fault. */
const closed = (
  open: Open[],
  before: readonly Message[],
  after: readonly Message[],
  step: number,
  label: string,
): MessageArrow[] => {
  const out: MessageArrow[] = [];
  for (const [message, n] of surplus(before, after)) {
    for (let k = 0; k < n; k++) {
      const at = open.findIndex((o) => o.message === message);
      if (at < 0) continue;
      const [o] = open.splice(at, 1);
      if (o) out.push(arrow(o, step, label.startsWith('drop') ? 'dropped' : 'delivered'));
    }
  }
  return out;
};

/** Copies that entered the network in this step: sent, or made by a duplicate fault. */
const opened = (
  open: Open[],
  before: readonly Message[],
  after: readonly Message[],
  step: number,
  label: string,
): void => {
  for (const [message, n] of surplus(after, before))
    for (let k = 0; k < n; k++)
      open.push({ message, sentAt: step, duplicate: label.startsWith('duplicate') });
};

/** Messages of `a` beyond their count in `b`, by identity. */
const surplus = (a: readonly Message[], b: readonly Message[]): Map<Message, number> => {
  const counts = new Map<Message, number>();
  for (const m of a) counts.set(m, (counts.get(m) ?? 0) + 1);
  for (const m of b) if (counts.has(m)) counts.set(m, (counts.get(m) ?? 0) - 1);
  return new Map([...counts].filter(([, n]) => n > 0));
};

const arrow = (o: Open, endAt: number | null, fate: MessageArrow['fate']): MessageArrow => ({
  kind: 'message',
  from: normalise(o.message.source),
  to: normalise(o.message.destination),
  sentAt: o.sentAt,
  endAt,
  fate,
  label: `${o.message.type} e=${o.message.epoch}`,
  duplicate: o.duplicate,
});

const normalise = (id: string): string => id;

/** The step's own mark: a fault, an API write (the API state changed), a read, or work. */
const stepMarks = (
  step: SequenceStep,
  index: number,
  lanes: ReadonlySet<string>,
  before: WorldState,
  after: WorldState,
  fault: boolean,
): SequenceEvent[] => {
  if (step.actor === 'net') return fault && step.label.startsWith('duplicate') ? [] : [];
  const [event] = eventsOfLabel(step, index, lanes);
  if (!event || event.kind === 'message') return [];
  if (fault) return [{ kind: 'fault', lane: event.lane, step: index, label: step.label }];
  if (event.kind === 'local' && before.api !== after.api && lanes.has(step.actor))
    return [{ kind: 'api', lane: step.actor, step: index, direction: 'write', label: step.label }];
  return [event];
};
