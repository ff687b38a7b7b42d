// `kd replay FILE`: replay a counterexample deterministically (an explore file on the
// model, a check file on the implementation), print its trace (what each step changed), and
// exit 0 iff the outcome is the one the file records. A malformed file gets an error naming
// the field.
import type { Command } from 'commander';
import { EXIT_USAGE, messageOf } from './usage.js';

interface ReplayCliOptions {
  readonly verbose?: boolean;
}

interface ReplayIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Replay a counterexample file and check that its recorded outcome still holds')
    .argument('<file>', 'a counterexample file (counterexamples/*.json)')
    .option('--verbose', 'print the stored table: each step with the whole key state after it')
    .action(async (file: string, options: ReplayCliOptions) => {
      process.exitCode = await runReplay(file, options, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
    });
}

/** Exit code: 0 the outcome matches the file, 1 it does not, 2 the file cannot be read. */
export async function runReplay(
  file: string,
  options: ReplayCliOptions,
  io: ReplayIo,
): Promise<number> {
  const [{ loadCounterexample }, { replayCounterexample }, { changedFieldsView }] =
    await Promise.all([
      import('../checker/trace/load.js'),
      import('../checker/replay/replay.js'),
      import('../checker/trace/changes.js'),
    ]);
  let cx: ReturnType<typeof loadCounterexample>;
  try {
    cx = loadCounterexample(file);
  } catch (error) {
    // A bad file: one line naming it and the field (checker/trace/load.ts).
    io.err(`kd: ${messageOf(error)}\n`);
    return EXIT_USAGE;
  }
  const result = replayCounterexample(cx);
  const on = cx.tool === 'check' ? 'implementation' : 'model';
  const lines = [
    `${file}: ${cx.property} (${cx.kind}), ${cx.profile}${cx.mutant ? `, mutant ${cx.mutant}` : ''}, replayed on the ${on}; expected: ${cx.expected}`,
    ...(options.verbose ? result.trace : changedFieldsView(result.trace)),
    result.verdict,
    result.reproduced
      ? result.sameTrace
        ? 'the trace is the recorded one, byte for byte'
        : 'the trace differs from the recorded one: the file is stale (re-run the tool that wrote it)'
      : '',
    result.matches
      ? `outcome matches the file (${cx.expected})`
      : `outcome does NOT match the file (${cx.expected})`,
  ].filter((line) => line !== '');
  io.out(`${lines.join('\n')}\n`);
  return result.matches ? 0 : 1;
}
