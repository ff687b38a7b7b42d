// `kd merge FILE...`: combine the results of `kd check --shard i/n --out FILE` (for
// instance the pods of a Kubernetes Indexed Job) into one report, as `kd check` prints it.
// The files must be every shard of one campaign, each once (checker/check/shards.ts).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { COUNTEREXAMPLES_DIR } from './check.command.js';
import { EXIT_USAGE, messageOf, usageError } from './usage.js';

interface MergeIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** `--out` is resolved against it. */
  readonly cwd?: string;
  /** No `--out` may go there (default: the repository's counterexamples/). */
  readonly counterexamplesDir?: string;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Combine kd check --shard results (--out files) into one report')
    .argument('<files...>', 'result files written by kd check --out')
    .option('--json', 'print one JSON object instead of tables')
    .option('--out <file>', 'also write the merged result as JSON')
    .action(async (files: string[], options: { json?: boolean; out?: string }) => {
      process.exitCode = await runMerge(files, options, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
    });
}

/** Exit code: 0 no violation, 1 a violation, 2 a file cannot be read or merged, or a bad --out. */
export async function runMerge(
  files: readonly string[],
  options: { json?: boolean; out?: string },
  io: MergeIo,
): Promise<number> {
  const [{ loadCampaign }, { print }, { outFileProblem, writeAtomically }, { findMutant }] =
    await Promise.all([
      import('../checker/check/setup.js'),
      import('../checker/check/output.js'),
      import('../checker/out-file.js'),
      import('../spec/types/mutants.js'),
    ]);
  const cwd = io.cwd ?? process.cwd();
  const out = options.out === undefined ? undefined : resolve(cwd, options.out);
  const problem =
    out === undefined ? null : outFileProblem(out, io.counterexamplesDir ?? COUNTEREXAMPLES_DIR);
  if (problem !== null) return usageError(io.err, 'merge', `--out: ${problem}`);
  let merged: ReturnType<typeof loadCampaign>;
  try {
    merged = loadCampaign(files);
  } catch (error) {
    // A bad file: one line naming it (and the field), no usage hint.
    io.err(`kd: ${messageOf(error)}\n`);
    return EXIT_USAGE;
  }
  if (out !== undefined) writeAtomically(out, `${JSON.stringify(merged, null, 2)}\n`);
  const target = merged.mutant === null ? null : (findMutant(merged.mutant)?.property ?? null);
  io.out(`${print(merged, target, options.json === true, cwd).join('\n')}\n`);
  if (target !== null) return merged.violated.includes(target) ? 0 : 1;
  return merged.violated.length === 0 ? 0 : 1;
}
