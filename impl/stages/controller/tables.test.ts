import { describe, expect, it } from 'vitest';
import { copyTable, emptyTable } from './tables.js';

describe('copyTable', () => {
  const table = { 'kd/b': 2, 'kd/a': 1, 'kd/c': 3 };

  it('copies every entry in the order of the keys, as a spread does', () => {
    const copy = copyTable(table);
    expect(Object.keys(copy)).toEqual(Object.keys({ ...table }));
    expect(Object.values(copy)).toEqual([2, 1, 3]);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(table));
  });

  it('is a table of its own: changing the copy leaves the original as it was', () => {
    const copy = copyTable(table);
    copy['kd/d'] = 4;
    delete copy['kd/a'];
    expect(table).toEqual({ 'kd/b': 2, 'kd/a': 1, 'kd/c': 3 });
    expect(copy).toEqual({ 'kd/b': 2, 'kd/c': 3, 'kd/d': 4 });
  });

  it('has no inherited keys: a key named like a method of Object is absent until set', () => {
    const copy = copyTable(emptyTable<number>());
    expect('constructor' in copy).toBe(false);
    expect(copy.toString).toBeUndefined();
    const key = 'constructor';
    copy[key] = 1;
    expect(copyTable(copy)).toEqual({ constructor: 1 });
  });
});
