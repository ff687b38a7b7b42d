/**
 * A counterexample file as a `Sequence`: the lanes its trace involves, the key state after
 * every step, and the events, from a model replay for `explore` files (exact sends) and
 * from the labels for `check` files (deliveries only).
 */
import type { Counterexample } from '../../checker/trace/schema.js';
import {
  kubeletsIn,
  lanesFor,
  type Sequence,
  type SequenceStep,
  statesFromTrace,
} from './events.js';
import { eventsOfLabel } from './labels.js';
import { modelEvents } from './model.js';

export const sequenceOf = (cx: Counterexample): Sequence => {
  const states = statesFromTrace(cx.trace);
  const steps: SequenceStep[] = cx.steps.map((s, i) => ({ ...s, state: states[i + 1] ?? '' }));
  const lanes = lanesFor(kubeletLanes(cx));
  const laneSet = new Set(lanes);
  const fromModel = cx.tool === 'explore' ? modelEvents(cx, steps, laneSet) : null;
  const events = fromModel ?? steps.flatMap((s, i) => eventsOfLabel(s, i + 1, laneSet));
  return {
    lanes,
    steps,
    initialState: states[0] ?? '',
    events,
    failingStep: cx.failingStep,
    cycleStart: cx.cycleStart,
    property: cx.property,
    sendsKnown: fromModel !== null,
  };
};

/** One lane per node of the preset (model) or of the case's topology, and any named. */
const kubeletLanes = (cx: Counterexample): string[] => {
  const nodes =
    cx.tool === 'explore'
      ? cx.preset.nodes.map((n) => `kubelet/${n}`)
      : Array.from({ length: cx.impl?.nodes ?? 0 }, (_, i) => `kubelet/n${i + 1}`);
  const named = cx.steps.flatMap((s) => [...kubeletsIn(s.actor), ...kubeletsIn(s.label)]);
  return [...nodes, ...named];
};
