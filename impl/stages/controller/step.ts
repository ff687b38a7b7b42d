/**
 * How every stage machine is written: a handler is a pure function of the context and one
 * event, returning the next context and the effects of the step, in order. It performs no
 * I/O and reads no clock, so a transition is a pure function of (snapshot, event).
 *
 * Inside a handler, helpers take the context, push effects onto the step's own `out` array
 * and return the next context (`(context, …, out) => context`); `step` turns a handler into
 * an xstate action: one `assign`, then one `emit` per effect (`collectEffects`, io.ts, reads
 * them back).
 */
import { enqueueActions } from 'xstate';
import type { Effect, StageEvent } from '../io.js';

/** What a handler returns: the next context and the effects of this step, in order. */
export interface Step<C> {
  readonly context: C;
  readonly effects: readonly Effect[];
}

/** A step that changes nothing but (maybe) the context. */
export const none = <C>(context: C): Step<C> => ({ context, effects: [] });

/**
 * Runs a helper of the `(context, out) => context` form as a step: the effects it pushes
 * are the step's.
 */
export const collect = <C>(f: (out: Effect[]) => C): Step<C> => {
  const out: Effect[] = [];
  const context = f(out);
  return { context, effects: out };
};

/** A step followed by a helper of its context: its effects come after the step's. */
export const andThen = <C>(first: Step<C>, f: (context: C, out: Effect[]) => C): Step<C> => {
  const out = [...first.effects];
  return { context: f(first.context, out), effects: out };
};

/**
 * The xstate action running `handler`. The machine binds it to the events of type `E` only
 * (its `on` keys), hence the narrowing of the event.
 */
export const step = <C extends object, E extends StageEvent = StageEvent>(
  handler: (context: C, event: E) => Step<C>,
) =>
  enqueueActions<C, StageEvent, undefined, StageEvent, never, never, never, never, Effect>(
    ({ context, event, enqueue }) => {
      const next = handler(context, event as E);
      // A function, not the object: given an object, xstate walks its keys to build the
      // update (calling any that holds a function); given a function, it takes the result.
      if (next.context !== context) enqueue.assign(() => next.context);
      for (const effect of next.effects) enqueue.emit(effect);
    },
  );

/**
 * The same transition for each of the named events: a machine that handles many events
 * alike still names each one (no `'*'`), so its diagram and its coverage show them.
 */
export const onEach = <const T extends StageEvent['type'], X>(
  types: readonly T[],
  transition: X,
): Record<T, X> => Object.fromEntries(types.map((t) => [t, transition])) as Record<T, X>;

type MessageEvent = Extract<StageEvent, { type: 'message' }>;

/** The action running a helper of the context alone, `(context, out) => context`. */
export const withContext = <C extends object>(f: (context: C, out: Effect[]) => C) =>
  step<C>((c) => collect((out) => f(c, out)));

/** The action running a helper of the context and the event, `(context, event, out) => context`. */
export const withEvent = <C extends object, E extends StageEvent = StageEvent>(
  f: (context: C, event: E, out: Effect[]) => C,
) => step<C, E>((c, e) => collect((out) => f(c, e, out)));

/** The action running a helper of the event's message, `(context, message, out) => context`. */
export const withMessage = <C extends object>(
  f: (context: C, message: MessageEvent['message'], out: Effect[]) => C,
) => withEvent<C, MessageEvent>((c, e, out) => f(c, e.message, out));
