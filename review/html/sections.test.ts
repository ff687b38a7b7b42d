import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary } from '../../checker/check/summary.js';
import { type Finding, loadFindings } from '../findings.js';
import { findingsSection, summarySection } from './sections.js';

const findings = loadFindings(fileURLToPath(new URL('../../counterexamples', import.meta.url)));

/** A campaign that found nothing. */
const quiet: CampaignSummary = {
  format: 1,
  kind: 'kd-check-result',
  profile: 'hardened',
  mutant: null,
  preset: 'small',
  modes: ['direct', 'api'],
  seed: 1,
  shard: null,
  conformance: true,
  runs: 8,
  steps: 800,
  seconds: 1,
  faults: {},
  hits: [],
  violated: [],
  failure: null,
  coverage: null,
};

/** A committed finding against hardened that is still open (not yet fixed). */
const reopened = (): Finding[] => {
  const fixed = findings.find(
    (f) => f.counterexample.profile === 'hardened' && f.counterexample.expected === 'fixed',
  ) as Finding;
  return findings.map((f) =>
    f === fixed ? { ...f, counterexample: { ...f.counterexample, expected: 'open' } } : f,
  );
};

describe('the report summary', () => {
  it('does not say "no violation" alone while an open counterexample against hardened is committed', () => {
    const html = summarySection(quiet, 'test', reopened());
    expect(html).toMatch(
      /<p class="what open-findings">1 open counterexample against hardened still fails: <a href="#cx-[^"]+">/,
    );
  });

  it('says there is none open when every finding against hardened is fixed', () => {
    const html = summarySection(quiet, 'test', findings);
    expect(html).toMatch(
      /<p class="open-findings">No open counterexample against hardened \(\d+ fixed/,
    );
  });
});

describe('the counterexamples section', () => {
  it('lists the artifact profile’s switches once, not on every artifact card', () => {
    const html = findingsSection(findings);
    const artifact = findings.filter((f) => f.counterexample.profile === 'artifact').length;
    expect(artifact).toBeGreaterThan(1);
    expect(html.split('The artifact profile differs from hardened in').length - 1).toBe(1);
  });
});
