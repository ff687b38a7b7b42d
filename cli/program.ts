// The `kd` program: subcommands live in their own `*.command.ts` files and register
// themselves on it, so this file only wires them up and turns errors into exit codes
// (cli/usage.ts). `kd.ts` runs it; tests call `runKd` in process.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BadFileError } from '../checker/bad-file.js';
import { registerBench } from './bench.command.js';
import { registerChaos } from './chaos.command.js';
import { registerCheck } from './check.command.js';
import { registerDocs } from './docs.command.js';
import { registerExplore } from './explore.command.js';
import { registerLoad } from './load.command.js';
import { registerMerge } from './merge.command.js';
import { registerMutants } from './mutants.command.js';
import { registerReplay } from './replay.command.js';
import { registerReport } from './report.command.js';
import { registerRun } from './run.command.js';
import { registerUp } from './up.command.js';
import { EXIT_USAGE, messageOf, UsageError, usageError } from './usage.js';

interface PackageJson {
  version: string;
}

function readVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as PackageJson;
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('kd')
    .description('Design and verify KubeDirect-style control planes')
    .version(readVersion())
    // Commander's own errors are thrown, not printed with the whole help: `main` prints them
    // as one line and a hint (cli/usage.ts). Subcommands inherit both settings.
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerExplore(program);
  registerRun(program);
  registerCheck(program);
  registerMerge(program);
  registerMutants(program);
  registerReplay(program);
  registerBench(program);
  registerChaos(program);
  registerDocs(program);
  registerReport(program);
  registerUp(program);
  registerLoad(program);
  return program;
}

/** The subcommand the arguments name, for the usage hint (`kd check --help`). */
function commandOf(program: Command, args: readonly string[]): string | undefined {
  const names = new Set(program.commands.map((command) => command.name()));
  return args.find((arg) => names.has(arg));
}

/**
 * Parses `argv` and runs the command it names. Returns the exit code of an error caught here
 * (2 a usage error, 1 an unexpected one), or undefined when the command ran: a command sets
 * `process.exitCode` itself.
 */
export async function runKd(
  argv: readonly string[],
  err: (text: string) => void,
): Promise<number | undefined> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return 0; // --help, --version
    // `kd` alone: the help is printed, no command given.
    if (error instanceof CommanderError && error.code === 'commander.help') return EXIT_USAGE;
    // A bad input file: one line naming it and the field, no usage hint.
    if (error instanceof BadFileError) {
      err(`kd: ${messageOf(error)}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CommanderError || error instanceof UsageError)
      return usageError(err, commandOf(program, argv.slice(2)), error.message);
    // Errors thrown by actions are user-facing: print one line, keep the stack for debugging.
    err(
      process.env.KD_DEBUG === '1'
        ? `${String(error instanceof Error ? error.stack : error)}\n`
        : `kd: ${messageOf(error)}\n`,
    );
    return 1;
  }
}
