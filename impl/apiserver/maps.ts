/** Map helpers shared by the indexes and tallies. */

/** The value at `key`, inserting `make()` first if there is none. */
export const getOrInsert = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
};
