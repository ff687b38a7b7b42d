// Entry point of the `kd` command: runs the program (cli/program.ts) on the command line.
import { runKd } from './program.js';

const code = await runKd(process.argv, (text) => process.stderr.write(text));
if (code !== undefined) process.exitCode = code;
