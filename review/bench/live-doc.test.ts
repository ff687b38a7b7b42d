import { describe, expect, it } from 'vitest';
import { LIVE_BEGIN, LIVE_END, liveSectionOf, withLiveSection } from './live-doc.js';

const section = (text: string) => `${LIVE_BEGIN}\n${text}\n${LIVE_END}`;

describe('the live section of docs/bench.md', () => {
  it('is appended to a doc that has none, and replaced in one that has', () => {
    const once = withLiveSection('# Benchmark\n\nin process\n', section('first'));
    expect(once).toBe(`# Benchmark\n\nin process\n\n${section('first')}\n`);
    const twice = withLiveSection(once, section('second'));
    expect(twice).toBe(`# Benchmark\n\nin process\n\n${section('second')}\n`);
  });

  it('survives the in-process bench rewriting the rest of the doc', () => {
    const old = withLiveSection('# old in-process figures\n', section('live'));
    const kept = liveSectionOf(old);
    expect(kept).toBe(section('live'));
    expect(withLiveSection('# new in-process figures\n', kept ?? '')).toContain('live');
    expect(liveSectionOf('# no live section\n')).toBeNull();
  });
});
