/**
 * Regenerates the generated parts of docs/design/coverage.md from the code: the figures of
 * the quick campaign, the unreachable list, the switch-gated transitions and the probes. Each part sits between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; the prose around them is kept.
 *
 *   npx tsx review/coverage-doc.ts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAMPAIGN_PARAMS, coverageCampaign, QUICK_FLIPS } from '../checker/coverage/campaign.js';
import { PROBES } from '../checker/coverage/probes.js';
import { type CoverageReport, totals } from '../checker/coverage/report.js';
import { SWITCH_GATED, UNREACHABLE } from '../checker/coverage/unreachable.js';
import { writeAtomically } from '../checker/out-file.js';

export const DOC_PATH = fileURLToPath(new URL('../docs/design/coverage.md', import.meta.url));

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const code = (text: string): string => `\`${text.replaceAll('|', '\\|')}\``;
const cell = (text: string): string => text.replaceAll('|', '\\|');

const figuresTable = (report: CoverageReport): string => {
  const listed = new Set(UNREACHABLE.map((u) => u.id));
  const excused = (ids: readonly string[]) => ids.filter((id) => listed.has(id)).length;
  const lines = [
    row(['machine', 'states visited / total', 'transitions visited / total', 'unreachable']),
    row(['---', '---:', '---:', '---:']),
  ];
  for (const [name, m] of Object.entries(report.machines)) {
    lines.push(
      row([
        name,
        `${m.states.visited} / ${m.states.total}`,
        `${m.transitions.visited} / ${m.transitions.total}`,
        String(excused([...m.states.missing, ...m.transitions.missing])),
      ]),
    );
  }
  const t = totals(report);
  lines.push(
    row([
      '**total**',
      `${t.statesVisited} / ${t.statesTotal}`,
      `${t.transitionsVisited} / ${t.transitionsTotal}`,
      String(UNREACHABLE.length),
    ]),
  );
  return lines.join('\n');
};

export const unreachableTable = (): string =>
  [
    row(['state or transition', 'why no run can take it']),
    row(['---', '---']),
    ...UNREACHABLE.map((u) => row([code(u.id), cell(u.reason)])),
  ].join('\n');

export const gatedTable = (): string =>
  [
    row(['transition', 'needs', 'why no other setting takes it']),
    row(['---', '---', '---']),
    ...SWITCH_GATED.map((g) =>
      row([
        code(g.id),
        Object.entries(g.needs)
          .map(([name, value]) => code(`${name}: ${String(value)}`))
          .join(', '),
        cell(g.reason),
      ]),
    ),
  ].join('\n');

export const probesTable = (): string =>
  [
    row(['probe', 'what it plays', 'transitions it is for']),
    row(['---', '---', '---']),
    ...PROBES.map((p) =>
      row([cell(p.name), cell(p.description), p.reaches.map(code).join('<br>')]),
    ),
  ].join('\n');

const replaceSection = (doc: string, name: string, body: string): string => {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${DOC_PATH}: no section ${open} … ${close}`);
  return `${doc.slice(0, start + open.length)}\n${body}\n${doc.slice(end)}`;
};

const main = (): void => {
  const { report, runs } = coverageCampaign({ depth: 'quick' });
  const campaign = [
    `The quick campaign: ${runs} runs, ${report.records.toLocaleString('en')} events fed to machines;`,
    `scenario parameters \`${JSON.stringify(CAMPAIGN_PARAMS)}\`, flips ${QUICK_FLIPS.map(code).join(', ')}.`,
  ].join(' ');
  let doc = readFileSync(DOC_PATH, 'utf8');
  doc = replaceSection(doc, 'figures', `${campaign}\n\n${figuresTable(report)}`);
  doc = replaceSection(doc, 'unreachable', unreachableTable());
  doc = replaceSection(doc, 'gated', gatedTable());
  doc = replaceSection(doc, 'probes', probesTable());
  writeAtomically(DOC_PATH, doc);
  console.log(`wrote ${DOC_PATH}`);
};

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
