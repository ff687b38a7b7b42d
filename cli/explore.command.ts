// Placeholder for the `kd explore` subcommand; replaced by the real explorer wiring.
import type { Command } from 'commander';

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('Exhaustively explore the formal model on a preset and print the property table')
    .option('--preset <name>', 'configuration preset (tiny|small)', 'tiny')
    .action(() => {
      console.log('kd explore: not implemented yet');
      process.exitCode = 2;
    });
}
