import { describe, expect, it } from 'vitest';
import { mergePatch } from './merge-patch.js';

describe('JSON merge patch (RFC 7386)', () => {
  it('follows the RFC examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, result] of cases) expect(mergePatch(target, patch)).toEqual(result);
  });

  it('shares untouched subtrees and never mutates the target', () => {
    const untouched = { deep: [1, 2, 3] };
    const target = { keep: untouched, change: { x: 1 } };
    const result = mergePatch(target, { change: { y: 2 } }) as typeof target & {
      change: { y: number };
    };
    expect(result.keep).toBe(untouched);
    expect(target.change).toEqual({ x: 1 });
    expect(result.change).toEqual({ x: 1, y: 2 });
  });
});
