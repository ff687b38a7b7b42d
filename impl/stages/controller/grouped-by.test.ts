import { describe, expect, it } from 'vitest';
import { groupedBy } from './grouped-by.js';

describe('groupedBy', () => {
  const table = {
    'ns/a': { key: 'ns/a', ownerUid: 'rs-1' },
    'ns/b': { key: 'ns/b', ownerUid: 'rs-2' },
    'ns/c': { key: 'ns/c', ownerUid: 'rs-1' },
  };

  it('groups a table by a uid in the table’s own order', () => {
    const groups = groupedBy(table, 'ownerUid', (v) => v.ownerUid);
    expect(groups.get('rs-1')?.map((v) => v.key)).toEqual(['ns/a', 'ns/c']);
    expect(groups.get('rs-2')?.map((v) => v.key)).toEqual(['ns/b']);
    expect(groups.get('rs-3')).toBeUndefined();
  });

  it('builds the groups of a table once, and a new table’s afresh', () => {
    let calls = 0;
    const uidOf = (v: { ownerUid: string }) => {
      calls += 1;
      return v.ownerUid;
    };
    const first = groupedBy(table, 'counted', uidOf);
    expect(groupedBy(table, 'counted', uidOf)).toBe(first);
    expect(calls).toBe(3);
    // A stage changes a table by making a new one: its groups follow.
    const { 'ns/a': _gone, ...next } = table;
    expect(
      groupedBy(next, 'counted', uidOf)
        .get('rs-1')
        ?.map((v) => v.key),
    ).toEqual(['ns/c']);
    expect(calls).toBe(5);
  });

  it('keeps the groups of two fields of one table apart', () => {
    const byOwner = groupedBy(table, 'ownerUid', (v) => v.ownerUid);
    const byKey = groupedBy(table, 'key', (v) => v.key);
    expect(byOwner).not.toBe(byKey);
    expect(byKey.get('ns/b')?.[0]?.ownerUid).toBe('rs-2');
  });
});
