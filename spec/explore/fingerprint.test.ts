import { describe, expect, it } from 'vitest';
import {
  collisionProbability,
  contentId,
  FingerprintSet,
  fingerprintBuffer,
  fingerprintInto,
} from './fingerprint.js';

const fingerprintOf = (key: string): string => {
  const out = fingerprintBuffer();
  fingerprintInto(key, out);
  return `${out[0]}:${out[1]}`;
};

describe('fingerprints of state keys', () => {
  it('tells apart keys that differ in one character, in length, or in order', () => {
    // Keys like the model's: long, mostly equal, differing in a digit or two.
    const keys = new Set<string>();
    const base = 'api{rv:12,pods:[p1@n1:Running,p2@n2:Pending]}|links{rs>s:connected/3}';
    for (let i = 0; i < 200_000; i++) keys.add(`${base}|${i}`);
    keys.add('ab');
    keys.add('ba');
    keys.add('a');
    keys.add('');
    keys.add('\u0000');
    const fingerprints = new Set([...keys].map(fingerprintOf));
    expect(fingerprints.size).toBe(keys.size);
  });

  it('are a function of the key alone', () => {
    expect(fingerprintOf('some state')).toBe(fingerprintOf(`some ${'state'}`));
  });

  it('report the birthday bound as the chance of a merge', () => {
    expect(collisionProbability(1)).toBe(0);
    expect(collisionProbability(2)).toBe(2 ** -64);
    // TLC's order of magnitude for ten million states.
    expect(collisionProbability(10_000_000)).toBeCloseTo(2.7e-6, 7);
  });
});

describe('content ids of sub-objects', () => {
  it('are 9 characters clear of surrogates, equal for equal content, apart for different', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = contentId(`{replicas:${i},name:fn}`);
      expect(id).toMatch(/^[\u4000-\uc000]{9}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(100_000);
    expect(contentId('{a:1}')).toBe(contentId(`{a:${1}}`));
  });
});

describe('the visited set', () => {
  it('finds what it stored across growth, and nothing else', () => {
    const set = new FingerprintSet(4);
    const out = fingerprintBuffer();
    for (let i = 0; i < 5_000; i++) {
      fingerprintInto(`state ${i}`, out);
      expect(set.get(out[0] as number, out[1] as number)).toBe(-1);
      set.add(out[0] as number, out[1] as number, i);
    }
    expect(set.size).toBe(5_000);
    for (let i = 0; i < 5_000; i++) {
      fingerprintInto(`state ${i}`, out);
      expect(set.get(out[0] as number, out[1] as number)).toBe(i);
    }
    fingerprintInto('state 5000', out);
    expect(set.get(out[0] as number, out[1] as number)).toBe(-1);
  });

  it('keeps apart fingerprints with one home slot or one half in common', () => {
    const set = new FingerprintSet(8);
    const sameSlotAs0 = (high: number) => (5 ^ Math.imul(high, 0x9e3779b1)) >>> 0;
    set.add(0, 5, 0);
    set.add(3, sameSlotAs0(3), 1);
    set.add(9, 5, 2);
    set.add(0, 6, 3);
    expect([set.get(0, 5), set.get(3, sameSlotAs0(3)), set.get(9, 5), set.get(0, 6)]).toEqual([
      0, 1, 2, 3,
    ]);
    expect([set.get(4, 5), set.get(0, sameSlotAs0(3)), set.get(11, sameSlotAs0(11))]).toEqual([
      -1, -1, -1,
    ]);
  });
});
