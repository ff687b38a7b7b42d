/**
 * A stage's memory of what it wrote, and when that memory may be trusted. A write that
 * succeeded is remembered with the resourceVersion it produced; the memory holds only until
 * the informer shows a different value written after it: a crashed incarnation's delayed
 * write, or a user's, may land later (`kd check` found both: the autoscaler's
 * replicas-converge-2, the status writers' seed 19 status-converges). A failed write may
 * still have been applied (its answer lost), so it leaves nothing known.
 */
import type { ObjectKey } from '../../../spec/types/ids.js';
import type { ObjectView } from '../io.js';
import { withKey } from './context.js';

/** A value this incarnation wrote, and the resourceVersion its write produced (0: unknown). */
export interface Written<T> {
  readonly value: T;
  readonly rv: number;
}

type Memory<T> = Readonly<Record<ObjectKey, Written<T>>>;

/** The memory after a write's answer: remembered if it took effect, forgotten otherwise. */
export const noteWrite = <T>(
  memory: Memory<T>,
  key: ObjectKey,
  value: T,
  tookEffect: boolean,
  object: ObjectView | undefined,
): Memory<T> => withKey(memory, key, tookEffect ? { value, rv: object?.view.rv ?? 0 } : undefined);

/** The informer shows another value, written after this one. */
export const overwritten = <T>(written: Written<T>, shown: T, shownRv: number): boolean =>
  shown !== written.value && shownRv > written.rv;

/** `value` is known written: remembered, and not overwritten since as far as the informer shows. */
export const knownWritten = <T>(
  written: Written<T> | undefined,
  value: T,
  shown: T,
  shownRv: number,
): boolean =>
  written !== undefined && written.value === value && !overwritten(written, shown, shownRv);
