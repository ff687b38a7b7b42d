// `kd merge FILE...`: combine the results of `kd check --shard i/n --out FILE` (for
// instance the pods of a Kubernetes Indexed Job) into one report, as `kd check` prints it.
import type { Command } from 'commander';

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

/** Exit code: 0 no violation, 1 a violation, 2 a file cannot be read or merged. */
export async function runMerge(
  files: readonly string[],
  options: { json?: boolean; out?: string },
  io: { out: (text: string) => void; err: (text: string) => void },
): Promise<number> {
  const [{ loadSummaries, mergeAll }, { print }, { writeFileSync }, { findMutant }] =
    await Promise.all([
      import('../checker/check/setup.js'),
      import('../checker/check/output.js'),
      import('node:fs'),
      import('../spec/types/mutants.js'),
    ]);
  let merged: ReturnType<typeof mergeAll>;
  try {
    merged = mergeAll(loadSummaries(files));
  } catch (error) {
    io.err(`kd: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options.out !== undefined) writeFileSync(options.out, `${JSON.stringify(merged, null, 2)}\n`);
  const target = merged.mutant === null ? null : (findMutant(merged.mutant)?.property ?? null);
  io.out(`${print(merged, target, options.json === true, process.cwd()).join('\n')}\n`);
  if (target !== null) return merged.violated.includes(target) ? 0 : 1;
  return merged.violated.length === 0 ? 0 : 1;
}
