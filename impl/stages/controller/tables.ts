/**
 * Copying a stage's table (a record by key) to change it, as a stage does on every event
 * that touches it: the informer's tables and the per-pod memories hold one entry per pod.
 *
 * A spread (`{ ...record }`) of an object with hundreds of keys made for every event costs
 * V8 a new hidden class per copy; it was a fifth of a 600-pod burst's CPU (`edit` and
 * `withKey` in a profile of `kd bench` W1: bench/profile/). The copy here is a dictionary
 * object without a prototype, filled key by key, which spares V8 the hidden classes: W1
 * n = 600 direct went from 3.0 to 2.4 CPU ms per pod with it and the uid indexes, side by
 * side (`npm run bench:compare`, docs/bench-impl.md). Key order is the same as a spread's
 * (insertion order), so behaviour is unchanged; readers see an ordinary record
 * (`record[key]`, `key in record`, `Object.values`, JSON).
 */
import { noteEdit } from './grouped-by.js';

/** An empty table, in the same representation as `copyTable`'s. */
export const emptyTable = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

/** A copy of `record` to change, in the order of its keys. */
export const copyTable = <V>(record: Readonly<Record<string, V>>): Record<string, V> => {
  const copy = emptyTable<V>();
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    copy[key] = record[key] as V;
  }
  return copy;
};

/**
 * A copy of `record` with `key` set to `value`, or removed for undefined; the groups of
 * grouped-by.ts follow the one change instead of being built again.
 */
export const withEntry = <V>(
  record: Readonly<Record<string, V>>,
  key: string,
  value: V | undefined,
): Record<string, V> => {
  const next = copyTable(record);
  if (value === undefined) delete next[key];
  else next[key] = value;
  noteEdit(record, next, key);
  return next;
};
