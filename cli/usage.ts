// Usage errors: a typo on the command line (an unknown flag, a bad number, an unknown preset)
// is told apart from a violation and from a bug. It exits 2 with one line naming the problem
// and one line saying where the usage is, never a screen of help or a stack trace.
//
// Exit codes of every command (README, "Exit codes"): 0 success, 1 a violation found (or the
// run failed), 2 a usage error or a bad input file, 130 interrupted (Ctrl-C).

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A usage error thrown by a command: `kd` prints it as one line and the hint, exit 2. */
export class UsageError extends Error {}

/** `run \`kd check --help\` for usage`: the hint under a usage error. */
export const usageHint = (command: string | undefined): string =>
  `run \`kd${command === undefined ? '' : ` ${command}`} --help\` for usage`;

/** Writes the usage error's two lines and returns its exit code, 2. */
export function usageError(
  write: (text: string) => void,
  command: string | undefined,
  message: string,
): number {
  write(`kd: ${oneLine(message)}\n${usageHint(command)}\n`);
  return EXIT_USAGE;
}

/** Commander's messages may run over lines (`(Did you mean --runs?)`): one line of them. */
export const oneLine = (message: string): string =>
  message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');

export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
