/**
 * A table's values grouped by one uid field, built once per table and remembered.
 *
 * Sound only for tables never changed in place, which is how stages keep their memory: an
 * event makes a new table (the informer cache's `edit`, a context's `{ ...record }`), so a
 * table's identity is its version, and the groups stay true for as long as the table is
 * reachable (a WeakMap: they go with it). Without them each lookup was a pass over the whole
 * table, once per object reconciled: quadratic in the objects per event.
 */
import type { Uid } from '../../../spec/types/ids.js';

export type Groups<V> = ReadonlyMap<Uid, readonly V[]>;

const remembered = new WeakMap<object, Map<string, Groups<unknown>>>();

/** `table`'s values grouped by `field` (named for the memo), each group in the table's order. */
export const groupedBy = <V extends object>(
  table: Readonly<Record<string, V>>,
  field: string,
  uidOf: (value: V) => Uid,
): Groups<V> => {
  let byField = remembered.get(table);
  if (byField === undefined) {
    byField = new Map();
    remembered.set(table, byField);
  }
  const known = byField.get(field) as Groups<V> | undefined;
  if (known !== undefined) return known;
  const groups = new Map<Uid, V[]>();
  for (const value of Object.values(table)) {
    const uid = uidOf(value);
    const group = groups.get(uid);
    if (group === undefined) groups.set(uid, [value]);
    else group.push(value);
  }
  byField.set(field, groups);
  return groups;
};
