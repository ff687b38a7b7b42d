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
 *
 * A table made from another by one key's change (`withEntry`, tables.ts: an informer event,
 * a held entry written back) derives its groups from the other's, when it has them, by
 * changing that key's group only: building them afresh was a pass over the whole table per
 * event, a tenth of a 600-pod burst's CPU without the wire's JSON (`kd bench` W1, profiled
 * as bench/profile/one-run.ts says). The groups are the same either way.
 */
import type { Uid } from '../../../spec/types/ids.js';

type Groups<V> = ReadonlyMap<Uid, readonly V[]>;

const remembered = new WeakMap<object, Map<string, Groups<unknown>>>();
/** A table made by changing one key of another that had groups: those groups, the key's old value. */
interface Edit {
  readonly groups: ReadonlyMap<string, Groups<unknown>>;
  readonly key: string;
  readonly before: unknown;
}
const edits = new WeakMap<object, Edit>();
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

/** `next` is `table` with `key` changed (set, replaced or removed): see `derived`. */
export const noteEdit = (table: object, next: object, key: string): void => {
  const groups = remembered.get(table);
  if (groups !== undefined)
    edits.set(next, { groups, key, before: (table as Record<string, unknown>)[key] });
};

/** An array index as a key: an object lists it first, not in insertion order. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * `table`'s groups made from those of the table it was edited from, or null where only a
 * full pass can tell (no such groups; a value moved to another group, or a value held
 * under two keys, whose place in its group depends on the whole table's order).
 */
const derived = <V extends object>(
  table: Readonly<Record<string, V>>,
  field: string,
  uidOf: (value: V) => Uid,
): Groups<V> | null => {
  const edit = edits.get(table);
  const old = edit?.groups.get(field) as Groups<V> | undefined;
  if (edit === undefined || old === undefined) return null;
  const before = edit.before as V | undefined;
  const after = table[edit.key];
  if (before === after) return old;
  const groups = new Map(old);
  if (before === undefined) {
    // A new key goes last in the table, so last in its group.
    if (after === undefined || INDEX_KEY.test(edit.key)) return null;
    const uid = uidOf(after);
    groups.set(uid, [...(old.get(uid) ?? NONE), after]);
    return groups;
  }
  const uid = uidOf(before);
  const group = old.get(uid) ?? NONE;
  const at = group.indexOf(before);
  if (at < 0 || group.lastIndexOf(before) !== at) return null;
  if (after === undefined) {
    groups.set(
      uid,
      group.filter((_, i) => i !== at),
    );
    return groups;
  }
  if (uidOf(after) !== uid) return null;
  const replaced = group.slice();
  replaced[at] = after;
  groups.set(uid, replaced);
  return groups;
};

/** Remembers `groups` as `table`'s groups by `field`. */
const remember = <V>(table: object, field: string, groups: Groups<V>): void => {
  let byField = remembered.get(table);
  if (byField === undefined) {
    byField = new Map();
    remembered.set(table, byField);
  }
  byField.set(field, groups);
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
  const known = remembered.get(table)?.get(field) as Groups<V> | undefined;
  if (known !== undefined) return known.get(uid) ?? NONE;
  const fromEdit = derived(table, field, uidOf);
  const keys = fromEdit === null ? Object.keys(table) : [];
  if (fromEdit !== null || keys.length > SCAN_UP_TO) {
    const groups = fromEdit ?? groupsOf(table, uidOf);
    remember(table, field, groups);
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

/**
 * Does `table` hold a value whose `field` is `uid`? As `groupOf(...).length > 0`, but a
 * small table without groups is scanned with `matches`, which must hold exactly when
 * `uidOf(value) === uid`: the scan then builds no uid per value (a pending request's is a
 * string made from two fields, and every reconcile asks of every object it may write).
 */
export const someOf = <V extends object>(
  table: Readonly<Record<string, V>>,
  field: string,
  uidOf: (value: V) => Uid,
  uid: Uid,
  matches: (value: V) => boolean,
): boolean => {
  if (remembered.get(table)?.get(field) === undefined && edits.get(table) === undefined) {
    // Values, not keys: a table keyed by request ids would make a string of every id.
    const values = Object.values(table);
    if (values.length <= SCAN_UP_TO) {
      for (let i = 0; i < values.length; i += 1) if (matches(values[i] as V)) return true;
      return false;
    }
  }
  return groupOf(table, field, uidOf, uid).length > 0;
};
