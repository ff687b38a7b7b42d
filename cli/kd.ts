// Entry point of the `kd` command. Subcommands live in their own `*.command.ts` files and
// register themselves on the program, so this file only wires them up and handles errors.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
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

interface PackageJson {
  version: string;
}

function readVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as PackageJson;
  return pkg.version;
}

function buildProgram(): Command {
  const program = new Command('kd')
    .description('Design and verify KubeDirect-style control planes')
    .version(readVersion())
    .showHelpAfterError();
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    // Errors thrown by actions are user-facing: print one line, keep the stack for debugging.
    if (process.env.KD_DEBUG === '1') {
      console.error(error);
    } else {
      console.error(`kd: ${describe(error)}`);
    }
    process.exitCode = 1;
  }
}

await main();
