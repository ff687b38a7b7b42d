/**
 * `docs/spec-map.md`: protocol section → model handler → implementation handler → property
 * → counterexamples. Every handler reference is checked against the source, and each row's
 * counterexamples are the committed ones of a mutant that flips one of its switches or of
 * the `artifact` profile on one of its properties.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMutant } from '../../spec/types/mutants.js';
import type { Finding } from '../findings.js';
import { code, generatedNotice, page, table } from './markdown.js';
import { SPEC_MAP, type SpecRow } from './spec-map.data.js';

/** Throws, naming the reference, when a `file#symbol` is not defined in that file. */
const checkReference = (root: string, ref: string): void => {
  const [file = '', symbol = ''] = ref.split('#');
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    throw new Error(`spec map: ${file} does not exist (reference ${ref})`);
  }
  if (!new RegExp(`(?:const|function|let)\\s+${symbol}\\b`).test(text))
    throw new Error(`spec map: ${symbol} is not defined in ${file} (reference ${ref})`);
};

const rowFindings = (row: SpecRow, findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => {
    const cx = f.counterexample;
    if (cx.mutant !== null) {
      const flipped = Object.keys(findMutant(cx.mutant)?.flip ?? {});
      return flipped.some((s) => row.switches.includes(s));
    }
    return cx.profile === 'artifact' && row.properties.includes(cx.property);
  });

export const specMapPage = (root: string, findings: readonly Finding[]): string => {
  for (const row of SPEC_MAP)
    for (const ref of [...row.model, ...row.impl]) checkReference(root, ref);
  const link = (ref: string) => {
    const [file = '', symbol = ''] = ref.split('#');
    return `[${code(symbol)}](../${file})`;
  };
  return page([
    ...generatedNotice(
      'review/pages/spec-map.data.ts (every handler checked in the source) and counterexamples/index.json',
    ),
    '# Spec map',
    '',
    'From each section of the protocol (../shared/protocol.md) to the model handler that',
    'states it, the implementation handler that does it, the properties that check it, the',
    'design switches that turn it off, and the committed counterexamples that show what goes',
    'wrong without it.',
    '',
    ...table(
      ['protocol', 'model', 'implementation', 'properties', 'switches', 'counterexamples'],
      SPEC_MAP.map((row) => [
        row.section,
        row.model.map(link).join(', '),
        row.impl.map(link).join(', '),
        row.properties.map(code).join(', '),
        row.switches.map(code).join(', '),
        rowFindings(row, findings)
          .map((f) => `[${f.subject}/${f.counterexample.tool}](counterexamples/${f.stem}.md)`)
          .join(', '),
      ]),
    ),
  ]);
};
