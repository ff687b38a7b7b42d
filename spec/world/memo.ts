/**
 * Memo tables of the key and the observation, per sub-object, whose writes wait until the
 * explorer keeps the state they were made for.
 *
 * The explorer keys and observes every successor, and most successors are states it has met
 * before: it drops them, and the objects their step made are never seen again. An entry in
 * a weak map is costly to make (and to carry through every garbage collection), so the
 * entries a successor's key and observation make are held in a plain list and written only
 * if the explorer keeps the successor (`Model.kept`), whose own successors share those
 * objects. Anything else the model memoises (while it builds successors, say) is written at
 * once. A memo is a cache: an entry not written is only computed again when next asked for.
 */

/** The state whose key or observation is being made, or null: entries are written at once. */
let holdingFor: object | null = null;
/** The held entries, three slots each: table, object, value. */
const held: unknown[] = [];

export class HeldMemo<K extends object, V> {
  private readonly table = new WeakMap<K, V>();

  get(key: K): V | undefined {
    return this.table.get(key);
  }

  set(key: K, value: V): void {
    if (holdingFor === null) this.table.set(key, value);
    else held.push(this.table, key, value);
  }
}

/** What the memos learn from now on is for `state`, held until it is kept. */
export const holdFor = (state: object): void => {
  if (holdingFor === state) return;
  held.length = 0;
  holdingFor = state;
};

/** The explorer keeps `state`: the entries held for it are written. */
export const keep = (state: object): void => {
  if (holdingFor === state) {
    for (let i = 0; i < held.length; i += 3) {
      (held[i] as WeakMap<object, unknown>).set(held[i + 1] as object, held[i + 2]);
    }
  }
  writeThrough();
};

/** Entries are written at once from now on (while the model builds successors). */
export const writeThrough = (): void => {
  held.length = 0;
  holdingFor = null;
};
