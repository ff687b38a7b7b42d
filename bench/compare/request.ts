/** `bench:compare`'s command line: its own options, then SCRIPT and the benchmark's. */

export const USAGE =
  'usage: npm run bench:compare -- --baseline REV [--rounds N] SCRIPT [ARGS...] ({side} in ARGS: old or new)';
const MAX_ROUNDS = 20;

export interface Request {
  readonly baseline: string;
  readonly rounds: number;
  readonly script: string;
  readonly args: readonly string[];
}

/**
 * The benchmark's arguments for one side: `{side}` becomes `old` or `new`, so that each side
 * can write its own output (`--out /tmp/w1-{side}`) instead of both sharing one path.
 */
export const argsFor = (request: Request, side: 'old' | 'new'): string[] =>
  request.args.map((arg) => arg.replaceAll('{side}', side));

/** This tool's options come before SCRIPT; everything after SCRIPT is the benchmark's. */
export const parseRequest = (argv: readonly string[]): Request => {
  let baseline: string | undefined;
  let rounds = 1;
  let i = 0;
  for (; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (!arg.startsWith('--')) break;
    const value = argv[i + 1];
    if (arg !== '--baseline' && arg !== '--rounds') throw new Error(`unknown option ${arg}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
    i += 1;
    if (arg === '--baseline') baseline = value;
    else {
      rounds = Number(value);
      if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS)
        throw new Error(`--rounds must be a whole number from 1 to ${MAX_ROUNDS}: ${value}`);
    }
  }
  const script = argv[i];
  if (baseline === undefined) throw new Error('--baseline REV is required');
  if (script === undefined) throw new Error('SCRIPT is required (e.g. bench/impl.bench.ts)');
  if (!script.endsWith('.ts'))
    throw new Error(`SCRIPT must be a .ts file of the repository: ${script}`);
  return { baseline, rounds, script, args: argv.slice(i + 1) };
};
