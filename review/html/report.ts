/**
 * The review report: one self-contained HTML page of a campaign and the committed findings
 * (summary, property table, coverage, the design-space matrix, every counterexample with
 * its space-time diagram and the reason it fails, and the stage machines).
 */
import type { CampaignSummary } from '../../checker/check/summary.js';
import type { Finding } from '../findings.js';
import type { MachineDiagram } from '../pages/machines.js';
import {
  coverageSection,
  findingsSection,
  machinesSection,
  matrixSection,
  propertySection,
  summarySection,
} from './sections.js';
import { shell } from './shell.js';

interface ReportInput {
  readonly summary: CampaignSummary;
  /** Where the campaign came from, in words (`kd check --runs 200 in process`, a file). */
  readonly source: string;
  readonly findings: readonly Finding[];
  readonly machines: readonly MachineDiagram[];
}

const NAV: [string, string][] = [
  ['summary', 'Summary'],
  ['properties', 'Properties'],
  ['coverage', 'Coverage'],
  ['matrix', 'Mutant matrix'],
  ['counterexamples', 'Counterexamples'],
  ['machines', 'Stage machines'],
];

export const reportHtml = (input: ReportInput): string =>
  shell(
    'KubeDirect design review',
    NAV,
    [
      summarySection(input.summary, input.source, input.findings),
      propertySection(input.summary, input.findings),
      coverageSection(input.summary),
      matrixSection(input.findings),
      findingsSection(input.findings),
      machinesSection(input.machines),
    ].join('\n'),
  );
