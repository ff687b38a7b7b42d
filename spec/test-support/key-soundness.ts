/**
 * Is the canonical key a sound abstraction? Two states with one key are one state to the
 * explorer, which keeps whichever it met first; that is only sound when their successors
 * have the same keys too. This walks a model breadth-first, keeps the first state met under
 * each key, and on every later meeting compares the two states' successor keys.
 */
import type { Model } from '../model.js';

export interface KeyDivergence {
  /** The label of the transition that met the second state. */
  readonly via: string;
  /** Successor labels whose targets' keys differ between the two states. */
  readonly labels: readonly string[];
}

export function firstKeyDivergence<S>(model: Model<S>, maxMeetings: number): KeyDivergence | null {
  const first = new Map<string, S>();
  const initial = model.initial();
  first.set(model.key(initial), initial);
  let frontier = [initial];
  let meetings = 0;
  while (frontier.length > 0) {
    const next: S[] = [];
    for (const state of frontier) {
      for (const { action, next: successor } of model.transitions(state)) {
        const key = model.key(successor);
        const kept = first.get(key);
        if (kept === undefined) {
          first.set(key, successor);
          next.push(successor);
          continue;
        }
        if (++meetings > maxMeetings) return null;
        const labels = differingSuccessors(model, kept, successor);
        if (labels.length > 0) return { via: action.label, labels };
      }
    }
    frontier = next;
  }
  return null;
}

function differingSuccessors<S>(model: Model<S>, a: S, b: S): string[] {
  const keysOf = (s: S) =>
    new Map(model.transitions(s).map((t) => [t.action.label, model.key(t.next)]));
  const [ka, kb] = [keysOf(a), keysOf(b)];
  const labels = new Set([...ka.keys(), ...kb.keys()]);
  return [...labels].filter((label) => ka.get(label) !== kb.get(label));
}
