// `kd mutants`: run the checker on every mutant of the implementation (the model's names)
// and print, for each, the property that must catch it, whether it did, the seconds to the
// first failing run and the length of the shrunk schedule. Each catch is saved as an
// `expected-failure` counterexample.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseDuration } from './check.command.js';
import { positive, seedOption } from './run.command.js';
import { usageError } from './usage.js';

export interface MutantsCliOptions {
  readonly preset: string;
  readonly runs: number;
  readonly time: number;
  readonly seed: number;
  readonly only?: string;
  readonly json?: boolean;
  readonly save: boolean;
}

interface MutantRow {
  readonly name: string;
  readonly property: string;
  readonly caught: boolean;
  /** Seconds from the start of the mutant's campaign to its first failing run. */
  readonly seconds: number | null;
  /** Choices of the shrunk schedule. */
  readonly steps: number | null;
  /** Steps of the shrunk trace after the warm-up (what a reader follows). */
  readonly traceSteps: number | null;
  readonly counterexample: string | null;
  /** Why no schedule can show this mutant's hazard here (`checker/fuzz/prevented.ts`). */
  readonly prevented: string | null;
}

export function registerMutants(program: Command): void {
  program
    .command('mutants')
    .description('Check that the fuzzer catches every mutant of the implementation')
    .option('--preset <name>', 'bounds of the drawn cases (tiny|small)', 'small')
    .option('--runs <n>', 'at most this many cases per mutant', positive('--runs'), 1_000_000)
    .option('--time <duration>', 'at most this long per mutant', parseDuration, 120_000)
    .option('--seed <s>', 'seed the cases are drawn from', seedOption, 1)
    .option('--only <names>', 'comma-separated mutants to run (default: all)')
    .option('--json', 'print one JSON object')
    .option('--no-save', 'do not write counterexample files')
    .action(async (options: MutantsCliOptions) => {
      process.exitCode = await runMutants(options, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        counterexamplesDir: fileURLToPath(new URL('../counterexamples/', import.meta.url)),
      });
    });
}

/** Exit code: 0 every mutant caught by its property, 1 otherwise, 2 a usage error. */
export async function runMutants(
  options: MutantsCliOptions,
  io: { out: (t: string) => void; err: (t: string) => void; counterexamplesDir: string },
): Promise<number> {
  const [{ MUTANTS }, { setupCampaign }, { table }, { PREVENTED }] = await Promise.all([
    import('../spec/types/mutants.js'),
    import('../checker/check/setup.js'),
    import('../checker/check/print.js'),
    import('../checker/fuzz/prevented.js'),
  ]);
  const wanted = options.only?.split(',').map((s) => s.trim());
  const unknown = wanted?.filter((name) => !MUTANTS.some((m) => m.name === name)) ?? [];
  if (unknown.length > 0) {
    return usageError(
      io.err,
      'mutants',
      `unknown mutant ${unknown.join(', ')} (see kd explore --list-mutants)`,
    );
  }
  const rows: MutantRow[] = [];
  for (const mutant of MUTANTS.filter((m) => !wanted || wanted.includes(m.name))) {
    const setup = await setupCampaign({
      profile: 'hardened',
      mutant: mutant.name,
      preset: options.preset,
      mode: '',
      runs: options.runs,
      timeMs: options.time,
      seed: options.seed,
      shard: null,
      conformance: false,
    });
    const result = setup.run();
    const failure = result.failure;
    const saved = options.save && failure ? setup.save(failure, io.counterexamplesDir) : null;
    rows.push({
      name: mutant.name,
      property: mutant.property,
      caught: failure !== null,
      seconds: failure ? Number(failure.secondsToDetect.toFixed(1)) : null,
      steps: failure ? failure.fuzzCase.schedule.length : null,
      traceSteps: failure ? failure.outcome.trace.length : null,
      counterexample: saved === null ? null : relative(process.cwd(), saved),
      prevented: PREVENTED[mutant.name]?.reason ?? null,
    });
    if (!options.json) io.err(`${mutant.name}: ${progressWord(rows.at(-1) as MutantRow)}\n`);
  }
  if (options.json) {
    io.out(
      `${JSON.stringify({ mutants: rows.map(({ name, property, caught, seconds, steps, prevented }) => ({ name, property, caught, seconds, steps, prevented })) })}\n`,
    );
  } else {
    const lines = table(
      ['mutant', 'property', 'caught', 'seconds', 'choices', 'trace steps'],
      rows.map((r) => [
        r.name,
        r.property,
        caughtWord(r),
        r.seconds?.toFixed(1) ?? '-',
        String(r.steps ?? '-'),
        String(r.traceSteps ?? '-'),
      ]),
    );
    io.out(`${[...lines, '', medianLine(rows), ...preventedLines(rows)].join('\n')}\n`);
  }
  return rows.every((r) => r.caught !== (r.prevented !== null)) ? 0 : 1;
}

/** `yes`; `prevented` (not caught, as the environment rules out); `NO`; `yes, but…`. */
const caughtWord = (r: MutantRow): string => {
  if (r.prevented === null) return r.caught ? 'yes' : 'NO';
  return r.caught ? 'yes (listed as prevented!)' : 'prevented';
};

const progressWord = (r: MutantRow): string =>
  r.caught ? `caught in ${r.seconds?.toFixed(1)} s` : r.prevented ? 'prevented' : 'not caught';

const preventedLines = (rows: readonly MutantRow[]): string[] =>
  rows
    .filter((r) => r.prevented !== null)
    .map((r) =>
      r.caught
        ? `${r.name} is listed as prevented (checker/fuzz/prevented.ts) yet was caught: the reason is wrong`
        : `prevented: ${r.name}: ${r.prevented}`,
    );

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const medianLine = (rows: readonly MutantRow[]): string => {
  const caught = rows.filter((r) => r.caught);
  const seconds = median(caught.map((r) => r.seconds ?? 0));
  const steps = median(caught.map((r) => r.steps ?? 0));
  const trace = median(caught.map((r) => r.traceSteps ?? 0));
  return `caught ${caught.length}/${rows.length}; median seconds to detect ${seconds?.toFixed(1) ?? '-'}, median shrunk schedule ${steps ?? '-'} choices (${trace ?? '-'} trace steps)`;
};
