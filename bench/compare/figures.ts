/**
 * The one line format `bench:compare` reads from a benchmark's output:
 *
 *   figure <name>: <value> <unit>
 *
 * A benchmark prints one such line per figure it wants compared across revisions (beside
 * whatever else it prints for a reader). Keeping the format this small lets a revision's
 * benchmark be compared with a later one's as long as both print the same names.
 */

import { median } from '../realtime/stats.js';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const PREFIX = 'figure ';
const LINE = /^figure (.+): (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?: (.*))?$/;

/** The line for one figure; the value keeps four decimals at most. */
export const figureLine = (name: string, value: number, unit: string): string => {
  if (name.includes(':')) throw new Error(`a figure's name may not contain ':': ${name}`);
  if (!Number.isFinite(value)) throw new Error(`figure ${name} is not a finite number: ${value}`);
  return `${PREFIX}${name}: ${Number(value.toFixed(4))} ${unit}`.trimEnd();
};

/** Every figure line of a benchmark's output, in order. */
export const parseFigures = (output: string): Figure[] => {
  const figures: Figure[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith(PREFIX)) continue;
    const match = LINE.exec(line.trimEnd());
    if (!match) throw new Error(`malformed figure line: ${line}`);
    figures.push({ name: match[1] as string, value: Number(match[2]), unit: match[3] ?? '' });
  }
  return figures;
};

/** One figure across the rounds, on both sides (a side that never printed it is empty). */
export interface ComparedFigure {
  readonly name: string;
  readonly unit: string;
  readonly baseline: readonly number[];
  readonly current: readonly number[];
}

/** Groups the rounds' figures by name, in the order they first appeared. */
export const compareFigures = (
  baselineRounds: readonly (readonly Figure[])[],
  currentRounds: readonly (readonly Figure[])[],
): ComparedFigure[] => {
  const byName = new Map<string, { unit: string; baseline: number[]; current: number[] }>();
  const add = (rounds: readonly (readonly Figure[])[], side: 'baseline' | 'current') => {
    for (const round of rounds)
      for (const figure of round) {
        const row = byName.get(figure.name) ?? { unit: figure.unit, baseline: [], current: [] };
        row[side].push(figure.value);
        byName.set(figure.name, row);
      }
  };
  add(baselineRounds, 'baseline');
  add(currentRounds, 'current');
  return [...byName].map(([name, row]) => ({ name, ...row }));
};

const show = (n: number | null): string =>
  n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : 2 });

/** A Markdown table: each figure's median on both sides, new ÷ old, and every round's value. */
export const renderComparison = (
  rows: readonly ComparedFigure[],
  labels: { readonly baseline: string; readonly current: string },
): string => {
  const lines = [
    `| figure | ${labels.baseline} | ${labels.current} | new ÷ old | rounds (old; new) |`,
    '|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const old = median(row.baseline);
    const now = median(row.current);
    const ratio = old === null || now === null || old === 0 ? '—' : `${(now / old).toFixed(2)}×`;
    const rounds = `${row.baseline.map(show).join(', ') || '—'}; ${row.current.map(show).join(', ') || '—'}`;
    lines.push(
      `| ${row.name} (${row.unit}) | ${show(old)} | ${show(now)} | ${ratio} | ${rounds} |`,
    );
  }
  return lines.join('\n');
};
