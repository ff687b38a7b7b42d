import { describe, expect, it } from 'vitest';
import { wrapWords } from './output.js';

describe('wrapWords: the unreachable-transition notes of kd check', () => {
  it('keeps a short line as it is, indent included', () => {
    expect(wrapWords('  unreachable: a: b', '      ')).toEqual(['  unreachable: a: b']);
  });

  it('breaks a long note between words, within 100 columns, later lines indented', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`);
    const lines = wrapWords(`  unreachable: ${words.join(' ')}`, '      ');
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines[0]?.startsWith('  unreachable: word0 ')).toBe(true);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {6}\S/);
    // Nothing lost or reordered.
    expect(lines.join(' ').split(/ +/).filter(Boolean)).toEqual(['unreachable:', ...words]);
  });

  it('gives a word longer than a line a line of its own', () => {
    const long = 'x'.repeat(130);
    expect(wrapWords(`  a ${long} b`, '    ')).toEqual(['  a', `    ${long}`, '    b']);
  });
});
