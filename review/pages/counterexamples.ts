/**
 * `docs/counterexamples/`: per committed counterexample, its space-time diagram (SVG) and a
 * page that says what failed, why (the mutant's hazard, or how the profile differs from
 * `hardened`), how to replay it, and the trace; and an index of them all.
 */
import { propertyKind } from '../../properties/catalogue.js';
import { type Finding, whyItFails } from '../findings.js';
import { sequenceOf } from '../sequence/build.js';
import { sequenceSvg } from '../sequence/svg.js';
import { code, generatedNotice, page, table } from './markdown.js';

const counterexampleSvg = (f: Finding): string => sequenceSvg(sequenceOf(f.counterexample), f.stem);

export const counterexamplePages = (findings: readonly Finding[]): Map<string, string> => {
  const files = new Map<string, string>();
  for (const f of findings) {
    files.set(`counterexamples/${f.stem}.svg`, counterexampleSvg(f));
    files.set(`counterexamples/${f.stem}.md`, page(findingLines(f)));
  }
  files.set('counterexamples/README.md', page(indexLines(findings)));
  return files;
};

/** Who found it and where: `explored on the model (preset up)` or the checker's case. */
export const origin = (f: Finding): string => {
  const cx = f.counterexample;
  if (cx.tool === 'explore') return `explored on the model (preset ${cx.preset.name})`;
  const c = cx.impl;
  return c
    ? `checked on the implementation (${c.mode} path, ${c.nodes} node(s), ${c.functions} function(s), seed ${c.seed}, ${c.schedule.length} choices)`
    : 'checked on the implementation';
};

const findingLines = (f: Finding): string[] => {
  const cx = f.counterexample;
  return [
    ...generatedNotice(`counterexamples/${f.file}`),
    `# ${f.stem}`,
    '',
    ...table(
      ['', ''],
      [
        ['property', `${code(cx.property)} (${propertyKind(cx.property) ?? cx.kind}, ${cx.kind})`],
        [
          'subject',
          cx.mutant === null
            ? `profile ${code(cx.profile)}`
            : `mutant ${code(cx.mutant)} of ${code(cx.profile)}`,
        ],
        ['found', origin(f)],
        [
          'fails after step',
          `${cx.failingStep}${cx.cycleStart === null ? '' : `; steps ${cx.cycleStart + 1}..${cx.steps.length} repeat forever`}`,
        ],
        ['expected outcome', code(cx.expected)],
        ['replay', code(`kd replay counterexamples/${f.file}`)],
      ],
    ),
    '',
    `**Why.** ${whyItFails(cx)}`,
    '',
    `**What fails.** ${cx.message}`,
    '',
    `![space-time diagram of ${f.stem}](${f.stem}.svg)`,
    '',
    '```text',
    ...cx.trace,
    '```',
  ];
};

const indexLines = (findings: readonly Finding[]): string[] => [
  ...generatedNotice('counterexamples/index.json'),
  '# Counterexamples',
  '',
  'Every committed counterexample, with its space-time diagram: one lane per stage (one per',
  'kubelet) and the API Server, messages labelled with their epochs, faults in red, the',
  'failing step highlighted; hovering a step in the SVG shows the key state after it.',
  '',
  ...table(
    ['counterexample', 'tool', 'subject', 'property', 'steps', 'expected'],
    findings.map((f) => [
      `[${f.stem}](${f.stem}.md)`,
      f.counterexample.tool,
      code(f.subject),
      code(f.counterexample.property),
      String(f.traceLength),
      f.counterexample.expected,
    ]),
  ),
];
