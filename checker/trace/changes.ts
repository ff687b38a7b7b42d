/**
 * A trace as a reader follows it in a terminal, the way TLC prints one: the step number and
 * its action, then only the state fields the step changed (the initial state in full). The
 * stored trace (`format.ts`) repeats the whole state on every row, 200 columns and more; it
 * stays the record (replay compares it byte for byte), and this view is derived from it.
 */

export interface TraceRow {
  /** `>` the failing step, `@` where a cycle returns, or both. */
  readonly mark: string;
  readonly step: number;
  readonly actor: string;
  readonly action: string;
  /** The key state after the step: fields separated by ` | `. */
  readonly state: string;
}

/**
 * The rows of a stored trace (`mark step | actor | action | state after`; the state has
 * `|` of its own). The header and the legend are not rows.
 */
export const traceRows = (trace: readonly string[]): TraceRow[] =>
  trace.flatMap((line) => {
    const parts = line.split(' | ');
    const head = /^([>@]*)\s*(\d+)$/.exec(parts[0]?.trim() ?? '');
    if (parts.length < 4 || head === null) return [];
    return [
      {
        mark: head[1] ?? '',
        step: Number(head[2]),
        actor: (parts[1] ?? '').trim(),
        action: (parts[2] ?? '').trim(),
        state: parts.slice(3).join(' | ').trim(),
      },
    ];
  });

/** The lines of a stored trace that are neither header nor rows: the legend. */
const legendOf = (trace: readonly string[]): string[] =>
  trace.filter((line) => line.startsWith('>') && !/^[>@]*\s*\d+ \|/.test(line));

const FIELD_INDENT = '        ';

/**
 * What changed, step by step. Fields are compared by position; when a state has another
 * number of fields than the one before (a step of the liveness phase left out), it is
 * printed in full.
 */
export const changedFieldsView = (trace: readonly string[]): string[] => {
  const rows = traceRows(trace);
  const width = Math.max(0, ...rows.map((row) => String(row.step).length));
  const lines: string[] = [];
  let before: string[] | null = null;
  for (const row of rows) {
    const mark = row.mark.padEnd(2);
    const step = String(row.step).padStart(width);
    const action = row.step === 0 ? 'initial state' : `${row.actor}: ${row.action}`;
    lines.push(`${mark}${step}  ${action}`);
    const fields = row.state.split(' | ');
    const changed =
      before === null || before.length !== fields.length
        ? fields
        : fields.filter((field, i) => field !== before?.[i]);
    lines.push(...changed.map((field) => `${FIELD_INDENT}${field}`));
    before = fields;
  }
  return [...lines, ...legendOf(trace)];
};

/** The command that reruns a saved counterexample. */
export const rerunLine = (file: string): string => `rerun: kd replay ${file}`;
