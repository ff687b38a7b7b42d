/**
 * The committed counterexamples as review findings: every file listed in
 * `counterexamples/index.json`, validated by the one schema, with what a reviewer needs
 * next to it (who found it, under which profile or mutant, and how long the trace is).
 *
 * Both tools' files are read the same way (`explore-*` from the model, `check-*` from the
 * implementation), so whatever a tool commits shows up in every artefact without code here
 * knowing the file names.
 */
import { join } from 'node:path';
import { loadCounterexample, loadIndex } from '../checker/trace/load.js';
import type { Counterexample, IndexEntry } from '../checker/trace/schema.js';
import { HARDENED, PROFILES } from '../spec/types/config.js';
import { findMutant, MUTANTS } from '../spec/types/mutants.js';

export interface Finding {
  /** File name inside `counterexamples/`, e.g. `explore-up-artifact-caches-drain.json`. */
  readonly file: string;
  /** The file name without `.json`: the stem of every artefact made for it. */
  readonly stem: string;
  readonly counterexample: Counterexample;
  /** `hardened`, `artifact`, or the mutant's name: the row of the design-space matrix. */
  readonly subject: string;
  /** Steps up to the violation: the length a reviewer has to read. */
  readonly traceLength: number;
}

/** Every indexed finding, in index order (sorted by file name). */
export const loadFindings = (dir: string): Finding[] =>
  loadIndex(dir).map((entry) => toFinding(entry, loadCounterexample(join(dir, entry.file))));

const toFinding = (entry: IndexEntry, counterexample: Counterexample): Finding => ({
  file: entry.file,
  stem: entry.file.replace(/\.json$/, ''),
  counterexample,
  subject: subjectOf(counterexample),
  traceLength: counterexample.failingStep,
});

const subjectOf = (cx: Pick<Counterexample, 'profile' | 'mutant'>): string =>
  cx.mutant ?? cx.profile;

/** The shortest finding (fewest steps; then explore before check, then by file name). */
export const shortest = (findings: readonly Finding[]): Finding | undefined =>
  [...findings].sort(
    (a, b) => a.traceLength - b.traceLength || a.file.localeCompare(b.file, 'en'),
  )[0];

/**
 * The committed findings against our design that still fail: `hardened` (no mutant) and
 * not marked `fixed`. A campaign that finds nothing does not make them go away.
 */
export const openAgainstHardened = (findings: readonly Finding[]): Finding[] =>
  findings.filter(
    (f) =>
      f.counterexample.profile === 'hardened' &&
      f.counterexample.mutant === null &&
      f.counterexample.expected !== 'fixed',
  );

/** `The artifact profile differs from hardened in a: x, b: y.` */
export const profileDifference = (profile: string): string =>
  `The ${profile} profile differs from hardened in ${switchesDifferingFromHardened(profile).join(', ')}.`;

/** The switches in which a profile differs from `hardened`, as `name: value` strings. */
const switchesDifferingFromHardened = (profile: string): string[] => {
  const switches = PROFILES[profile as keyof typeof PROFILES];
  if (!switches) return [];
  return Object.entries(switches)
    .filter(([name, value]) => HARDENED[name as keyof typeof HARDENED] !== value)
    .map(([name, value]) => `${name}: ${String(value)}`);
};

/**
 * Why a finding fails, in words a reviewer can check against the trace: a mutant's hazard,
 * or for the `artifact` profile the switches in which it differs from our design (or, with
 * `switchesShown`, a pointer to where the page lists them once).
 */
export const whyItFails = (cx: Counterexample, switchesShown = false): string => {
  if (cx.mutant !== null) {
    const mutant = findMutant(cx.mutant);
    return mutant ? `Mutant ${cx.mutant}: ${mutant.hazard}.` : `Mutant ${cx.mutant}.`;
  }
  if (cx.profile === 'hardened')
    return cx.expected === 'fixed'
      ? 'A finding against our design (hardened), since fixed: replaying it must no longer fail.'
      : 'An open finding against our design (hardened).';
  const hazards = hazardsBehind(cx.profile, cx.property);
  const differs = switchesShown
    ? `The ${cx.profile} profile (its switches that differ from hardened are listed above).`
    : profileDifference(cx.profile);
  if (hazards.length === 0) return differs;
  return `${differs} Of these, ${hazards.join('; ')}.`;
};

/**
 * The hazards a profile takes that the property is known to catch: every mutant caught by
 * `property` whose flip the profile makes too (its switches set as the flip sets them).
 */
const hazardsBehind = (profile: string, property: string): string[] => {
  const switches = PROFILES[profile as keyof typeof PROFILES];
  if (!switches) return [];
  return MUTANTS.filter(
    (m) =>
      m.property === property &&
      Object.entries(m.flip).every(
        ([name, value]) => switches[name as keyof typeof switches] === value,
      ),
  ).map(
    (m) =>
      `${Object.entries(m.flip)
        .map(([name, value]) => `${name}: ${String(value)}`)
        .join(', ')} is mutant ${m.name}'s flip, whose hazard ${property} catches: ${m.hazard}`,
  );
};
