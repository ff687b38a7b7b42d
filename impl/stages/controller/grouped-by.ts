/**
 * Lookups of a table's values by one uid field, through groups built once per table and
 * remembered.
 *
 * Sound only for tables never changed in place, which is how stages keep their memory: an
 * event makes a new table (the informer cache's `edit`, a context's `copyTable`), so a
 * table's identity is its version, and the groups stay true for as long as the table is
 * reachable (a WeakMap: they go with it). Without them each lookup was a pass over the whole
 * table, once per object reconciled: quadratic in the objects per event. A small table is
 * scanned instead: building its groups for one lookup costs more than the pass.
 */
import type { Uid } from '../../../spec/types/ids.js';

type Groups<V> = ReadonlyMap<Uid, readonly V[]>;

const remembered = new WeakMap<object, Map<string, Groups<unknown>>>();
const NONE: readonly never[] = [];
/** Tables up to this many entries are scanned, not grouped. */
const SCAN_UP_TO = 16;

/** `table`'s values grouped by `field`'s uid, each group in the table's order. */
const groupsOf = <V extends object>(
  table: Readonly<Record<string, V>>,
  uidOf: (value: V) => Uid,
): Groups<V> => {
  const groups = new Map<Uid, V[]>();
  for (const value of Object.values(table)) {
    const uid = uidOf(value);
    const group = groups.get(uid);
    if (group === undefined) groups.set(uid, [value]);
    else group.push(value);
  }
  return groups;
};

/**
 * The values of `table` whose `field` (named for the memo, read by `uidOf`) is `uid`, in the
 * table's order.
 */
export const groupOf = <V extends object>(
  table: Readonly<Record<string, V>>,
  field: string,
  uidOf: (value: V) => Uid,
  uid: Uid,
): readonly V[] => {
  let byField = remembered.get(table);
  const known = byField?.get(field) as Groups<V> | undefined;
  if (known !== undefined) return known.get(uid) ?? NONE;
  const keys = Object.keys(table);
  if (keys.length > SCAN_UP_TO) {
    const groups = groupsOf(table, uidOf);
    if (byField === undefined) {
      byField = new Map();
      remembered.set(table, byField);
    }
    byField.set(field, groups);
    return groups.get(uid) ?? NONE;
  }
  let found: V[] | null = null;
  for (let i = 0; i < keys.length; i += 1) {
    const value = table[keys[i] as string] as V;
    if (uidOf(value) !== uid) continue;
    found ??= [];
    found.push(value);
  }
  return found ?? NONE;
};
