/**
 * The property catalogue for reviewers: every property's name, kind and statement (from
 * `properties/catalogue.ts`), which profiles and mutants violate it (from the committed
 * counterexamples, and the mutants that name it), and its minimal counterexample.
 */

import { CONFORMANCE_PROPERTY } from '../../checker/trace/schema.js';
import { CATALOGUE } from '../../properties/catalogue.js';
import { MUTANTS } from '../../spec/types/mutants.js';
import type { Property } from '../../spec/types/property.js';
import { type Finding, shortest } from '../findings.js';
import { code, generatedNotice, page, table } from './markdown.js';

interface CatalogueRow {
  readonly name: string;
  readonly kind: string;
  readonly family: string;
  readonly statement: string;
  /** Subjects (profiles, mutants) with a committed counterexample for it. */
  readonly violatedBy: readonly string[];
  /** Mutants that name it as the property that must catch them. */
  readonly namedBy: readonly string[];
  readonly minimal: Finding | undefined;
}

const CONFORMANCE_STATEMENT =
  'every implementation step is one the model can take (docs/design/conformance.md)';

export const catalogueRows = (findings: readonly Finding[]): CatalogueRow[] => {
  const families: [string, readonly Property[]][] = [
    ['safety', CATALOGUE.safety],
    ['liveness', CATALOGUE.liveness],
    ['reachability', CATALOGUE.reachability],
  ];
  const rows = families.flatMap(([family, properties]) =>
    properties.map((p) => row(findings, p.name, p.kind, family, p.statement)),
  );
  return [
    ...rows,
    row(findings, CONFORMANCE_PROPERTY, 'step', 'conformance', CONFORMANCE_STATEMENT),
  ];
};

const row = (
  findings: readonly Finding[],
  name: string,
  kind: string,
  family: string,
  statement: string,
): CatalogueRow => {
  const mine = findings.filter((f) => f.counterexample.property === name);
  return {
    name,
    kind,
    family,
    statement,
    violatedBy: [
      ...new Set(mine.filter((f) => f.counterexample.expected !== 'fixed').map((f) => f.subject)),
    ].sort(),
    namedBy: MUTANTS.filter((m) => m.property === name).map((m) => m.name),
    minimal: shortest(mine),
  };
};

export const cataloguePage = (findings: readonly Finding[]): string =>
  page([
    ...generatedNotice('properties/catalogue.ts and counterexamples/index.json'),
    '# Property catalogue',
    '',
    'Kinds: `always` (every state), `step` (every transition), `eventually` (within a bound',
    'once faults stop), `sometimes` (a reachability guard: must be hit at least once in a',
    'campaign, so that the others do not hold vacuously). "Violated by" lists the profiles',
    'and mutants with a committed counterexample; "named by" the mutants that must be caught',
    'by the property. The minimal counterexample is the shortest one committed.',
    '',
    ...table(
      ['property', 'kind', 'statement', 'violated by', 'named by', 'minimal counterexample'],
      catalogueRows(findings).map((r) => [
        code(r.name),
        `${r.family} (${r.kind})`,
        r.statement,
        r.violatedBy.map(code).join(', '),
        r.namedBy.map(code).join(', '),
        r.minimal
          ? `[${r.minimal.stem}](counterexamples/${r.minimal.stem}.md) (${r.minimal.traceLength} steps)`
          : '',
      ]),
    ),
  ]);
