import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupOf } from './grouped-by.js';
import { withEntry } from './tables.js';

interface Row {
  readonly key: string;
  readonly ownerUid: string;
}

/** `n` rows, owned in turn by rs-0, rs-1 and rs-2. */
const tableOf = (n: number): Record<string, Row> => {
  const table: Record<string, Row> = {};
  for (let i = 0; i < n; i += 1) table[`ns/p${i}`] = { key: `ns/p${i}`, ownerUid: `rs-${i % 3}` };
  return table;
};

const keysOf = (rows: readonly Row[]) => rows.map((row) => row.key);

describe('groupOf', () => {
  it.each([
    ['a small table (scanned)', 6],
    ['a large table (grouped)', 60],
  ])('finds the rows of a uid in the table’s own order in %s', (_what, n) => {
    const table = tableOf(n);
    const byOwner = (uid: string) => groupOf(table, 'ownerUid', (row) => row.ownerUid, uid);
    const expected = Object.values(table).filter((row) => row.ownerUid === 'rs-1');
    expect(keysOf(byOwner('rs-1'))).toEqual(keysOf(expected));
    expect(byOwner('rs-1').length).toBe(n / 3);
    expect(byOwner('rs-9')).toEqual([]);
  });

  it('groups a large table once, and a new table afresh', () => {
    let calls = 0;
    const uidOf = (row: Row) => {
      calls += 1;
      return row.ownerUid;
    };
    const table = tableOf(60);
    for (const uid of ['rs-0', 'rs-1', 'rs-2', 'rs-0']) groupOf(table, 'counted', uidOf, uid);
    expect(calls).toBe(60);
    // A stage changes a table by making a new one: its groups follow.
    const { 'ns/p1': _gone, ...next } = table;
    expect(groupOf(next, 'counted', uidOf, 'rs-1')).toHaveLength(19);
    expect(calls).toBe(119);
  });

  it('keeps the groups of two fields of one table apart', () => {
    const table = tableOf(60);
    expect(keysOf(groupOf(table, 'ownerUid', (row) => row.ownerUid, 'rs-2'))).toHaveLength(20);
    expect(keysOf(groupOf(table, 'key', (row) => row.key, 'ns/p5'))).toEqual(['ns/p5']);
    expect(groupOf(table, 'key', (row) => row.key, 'rs-2')).toEqual([]);
  });

  it('follows a table through edits of one key as a fresh grouping would', () => {
    // Each edit: a key of 50 (some new, some held), and an owner, or undefined to remove.
    const edit = fc.tuple(fc.nat(49), fc.option(fc.constantFrom('rs-0', 'rs-1', 'rs-2', 'rs-3')));
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 60 }), fc.boolean(), (steps, skipSome) => {
        let table: Readonly<Record<string, Row>> = tableOf(30);
        steps.forEach(([n, owner], i) => {
          const key = `ns/p${n}`;
          table = withEntry(table, key, owner === null ? undefined : { key, ownerUid: owner });
          // Unread tables leave the next one without groups to derive from.
          if (skipSome && i % 3 === 0) return;
          for (const uid of ['rs-0', 'rs-1', 'rs-2', 'rs-3']) {
            const fresh = Object.values(table).filter((row) => row.ownerUid === uid);
            const got = groupOf(table, 'ownerUid', (row) => row.ownerUid, uid);
            // The very rows, not equal copies: a replaced row is a new object.
            expect(got.length === fresh.length && got.every((row, j) => row === fresh[j])).toBe(
              true,
            );
          }
        });
      }),
    );
  });
});
