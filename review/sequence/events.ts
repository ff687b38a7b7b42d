/**
 * What a space-time diagram draws, independent of how it is drawn: one lane per stage (a
 * kubelet lane per node) and the API Server; per step, the messages that travel between
 * lanes (with their epochs), API requests and informer reads, local work, and faults.
 */
import { traceRows } from '../../checker/trace/changes.js';

export const API_LANE = 'API Server';

/** The narrow waist, top to bottom; kubelets follow, one per node, then the API Server. */
const STAGE_LANES = ['autoscaler', 'deployment', 'replicaset', 'scheduler'] as const;

type MessageFate = 'delivered' | 'dropped' | 'in flight';

export interface MessageArrow {
  readonly kind: 'message';
  readonly from: string;
  readonly to: string;
  /** The step that sent it; null when the trace does not say (implementation traces). */
  readonly sentAt: number | null;
  /** The step that delivered or dropped it; null while still in flight at the end. */
  readonly endAt: number | null;
  readonly fate: MessageFate;
  /** `replicaset.scale e=deployment#1.1`. */
  readonly label: string;
  /** A copy made by a duplicate fault. */
  readonly duplicate: boolean;
}

export interface LaneMark {
  /** `local`: a stage's own work; `fault`: a crash, outage, timeout, loss, user write. */
  readonly kind: 'local' | 'fault';
  readonly lane: string;
  readonly step: number;
  readonly label: string;
}

export interface ApiArrow {
  readonly kind: 'api';
  /** The stage's lane; the other end is the API Server. */
  readonly lane: string;
  readonly step: number;
  /** `write`: stage → API Server; `read`: an informer delivery or answer, API → stage. */
  readonly direction: 'write' | 'read';
  readonly label: string;
}

export type SequenceEvent = MessageArrow | LaneMark | ApiArrow;

export interface SequenceStep {
  readonly actor: string;
  readonly label: string;
  /** The key state after the step, from the counterexample's printed trace. */
  readonly state: string;
}

export interface Sequence {
  readonly lanes: readonly string[];
  readonly steps: readonly SequenceStep[];
  /** The key state before the first step. */
  readonly initialState: string;
  readonly events: readonly SequenceEvent[];
  readonly failingStep: number;
  readonly cycleStart: number | null;
  readonly property: string;
  /** Whether message sends are exact (model replay) or only deliveries are known. */
  readonly sendsKnown: boolean;
}

/** Lanes for a set of kubelet stage ids: the waist, the kubelets by name, the API Server. */
export const lanesFor = (kubelets: Iterable<string>): string[] => [
  ...STAGE_LANES,
  ...[...new Set(kubelets)].sort(),
  API_LANE,
];

/** `k/n1` (the model's short form) and `kubelet/n1` name the same lane. */
export const normaliseStage = (id: string): string =>
  id.startsWith('k/') ? `kubelet/${id.slice(2)}` : id;

/** Kubelet ids mentioned anywhere in a text (`kubelet/n1`, `k/n1`). */
export const kubeletsIn = (text: string): string[] =>
  [...text.matchAll(/\b(?:kubelet|k)\/([A-Za-z0-9-]+)/g)].map((m) => `kubelet/${m[1]}`);

/** The printed trace's `state after` column by step (index 0: the initial state). */
export const statesFromTrace = (trace: readonly string[]): string[] => {
  const states: string[] = [];
  for (const row of traceRows(trace)) states[row.step] = row.state;
  return states;
};
