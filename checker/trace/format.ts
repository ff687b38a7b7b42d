/**
 * Human-readable traces (design.md §5): one line per step, `step | actor | action | key
 * state after`, with padded columns. The same lines are printed by the CLI and stored in
 * the counterexample file, so a reader of the file sees what the terminal showed.
 *
 * The first column marks the failing step with `>` and, for a livelock, the state the
 * cycle returns to with `@`; a legend line under the trace says so.
 */

export interface TraceStep {
  readonly actor: string;
  readonly label: string;
}

interface TraceInput {
  readonly steps: readonly TraceStep[];
  /** The key state after each step; `summaries[0]` is the initial state. */
  readonly summaries: readonly string[];
  readonly failingStep: number;
  readonly cycleStart?: number | null;
}

interface Row {
  readonly mark: string;
  readonly step: string;
  readonly actor: string;
  readonly action: string;
  readonly state: string;
}

export function formatTrace(input: TraceInput): string[] {
  const rows: Row[] = [
    { mark: '', step: 'step', actor: 'actor', action: 'action', state: 'state after' },
  ];
  for (let i = 0; i <= input.steps.length; i++) {
    const step = input.steps[i - 1];
    rows.push({
      mark: markOf(input, i),
      step: String(i),
      actor: step?.actor ?? '',
      action: step?.label ?? '(initial)',
      state: input.summaries[i] ?? '?',
    });
  }
  const width = (column: keyof Row) => Math.max(...rows.map((row) => row[column].length));
  const widths = {
    mark: width('mark'),
    step: width('step'),
    actor: width('actor'),
    action: width('action'),
  };
  const lines = rows.map((row) =>
    [
      `${row.mark.padEnd(widths.mark)} ${row.step.padStart(widths.step)}`,
      row.actor.padEnd(widths.actor),
      row.action.padEnd(widths.action),
      row.state,
    ].join(' | '),
  );
  return [...lines, ...legend(input)];
}

function markOf(input: TraceInput, step: number): string {
  const failing = step === input.failingStep ? '>' : '';
  const cycle = step === input.cycleStart ? '@' : '';
  return failing + cycle;
}

function legend(input: TraceInput): string[] {
  const parts = [`> the property fails after step ${input.failingStep}`];
  if (input.cycleStart !== undefined && input.cycleStart !== null) {
    parts.push(`@ steps ${input.cycleStart + 1}..${input.steps.length} repeat forever`);
  }
  return [parts.join('; ')];
}
