/**
 * The design-space matrix: profiles and mutants × properties, each cell from the committed
 * counterexamples (both tools). A cell is `violated` with the shortest trace per tool
 * (`E 13` explored on the model, `C 9` checked on the implementation), `holds` for the
 * `hardened` profile when no open finding is committed against it, or empty (not recorded:
 * a tool stops at a subject's first violation).
 */

import { CONFORMANCE_PROPERTY } from '../../checker/trace/schema.js';
import { MUTANTS } from '../../spec/types/mutants.js';
import { LIVENESS_PROPERTIES, SAFETY_PROPERTIES } from '../../spec/types/property-names.js';
import { type Finding, shortest } from '../findings.js';
import { code, generatedNotice, page, table } from './markdown.js';

export const MATRIX_PROPERTIES: readonly string[] = [
  ...SAFETY_PROPERTIES,
  ...LIVENESS_PROPERTIES,
  CONFORMANCE_PROPERTY,
];

interface MatrixRow {
  readonly subject: string;
  /** The property a mutant names (must catch it); null for a profile. */
  readonly target: string | null;
  readonly cells: readonly MatrixCell[];
}

interface MatrixCell {
  readonly property: string;
  readonly status: 'violated' | 'holds' | 'not recorded';
  /** The shortest finding per tool. */
  readonly explore: Finding | undefined;
  readonly check: Finding | undefined;
}

export const matrixRows = (findings: readonly Finding[]): MatrixRow[] => {
  const subjects: { subject: string; target: string | null }[] = [
    { subject: 'hardened', target: null },
    { subject: 'artifact', target: null },
    ...MUTANTS.map((m) => ({ subject: m.name, target: m.property as string })),
  ];
  return subjects.map(({ subject, target }) => ({
    subject,
    target,
    cells: MATRIX_PROPERTIES.map((property) => cellOf(findings, subject, property)),
  }));
};

const cellOf = (findings: readonly Finding[], subject: string, property: string): MatrixCell => {
  const here = findings.filter(
    (f) => f.subject === subject && f.counterexample.property === property,
  );
  const explore = shortest(here.filter((f) => f.counterexample.tool === 'explore'));
  const check = shortest(here.filter((f) => f.counterexample.tool === 'check'));
  // A finding marked `fixed` no longer fails: the property holds again, with its history.
  const failing = here.some((f) => f.counterexample.expected !== 'fixed');
  const status = failing
    ? 'violated'
    : subject === 'hardened' || here.length > 0
      ? 'holds'
      : 'not recorded';
  return { property, status, explore, check };
};

/** `✗ E13 C9`, `✓`, or empty; links to the counterexample pages when `link` is given. */
export const cellText = (cell: MatrixCell, link?: (f: Finding) => string): string => {
  if (cell.status === 'not recorded') return '';
  const part = (tag: string, f: Finding | undefined) =>
    f === undefined
      ? []
      : [link ? `[${tag}${f.traceLength}](${link(f)})` : `${tag}${f.traceLength}`];
  const found = [...part('E', cell.explore), ...part('C', cell.check)];
  if (cell.status === 'holds') return found.length === 0 ? '✓' : `✓ (fixed: ${found.join(' ')})`;
  return ['✗', ...found].join(' ');
};

export const matrixPage = (findings: readonly Finding[]): string => {
  const rows = matrixRows(findings);
  const link = (f: Finding) => `counterexamples/${f.stem}.md`;
  return page([
    ...generatedNotice('counterexamples/index.json and the mutants in spec/types/mutants.ts'),
    '# Design-space matrix',
    '',
    'Rows: the two profiles and every mutant (one switch flipped from `hardened`). Columns:',
    'the safety and liveness properties and conformance to the model (`refines-model`).',
    '',
    '- `✗ E13 C9`: violated; the shortest committed counterexample has 13 steps explored on',
    '  the model (E) and 9 steps checked on the implementation (C). Each links to its page.',
    '- `✓`: `hardened` has no open counterexample committed for the property; `✓ (fixed: C22)`:',
    '  a committed counterexample that failed once and is marked `fixed` (replay checks it passes).',
    "- empty: nothing recorded (a tool stops at a subject's first violation).",
    '- **bold** column header in a mutant row: the property the mutant names; `(missed)` when no',
    '  committed counterexample shows it caught.',
    '',
    ...table(
      ['subject', 'must fail', ...MATRIX_PROPERTIES.map(code)],
      rows.map((row) => [
        code(row.subject),
        row.target === null ? '' : targetText(row),
        ...row.cells.map((c) =>
          c.property === row.target ? `**${cellText(c, link) || '(missed)'}**` : cellText(c, link),
        ),
      ]),
    ),
  ]);
};

const targetText = (row: MatrixRow): string => {
  const caught = row.cells.find((c) => c.property === row.target)?.status === 'violated';
  return `${code(row.target ?? '')}${caught ? '' : ' (missed)'}`;
};
