/**
 * Command-line arguments of the benchmark scripts: a bad flag or value stops the script
 * with one line that names it (and exit status 2), never a stack trace or a run that
 * quietly ignores it.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Stops the script with `message`, prefixed by the script's name. */
export const usageError = (script: string, message: string): never => {
  console.error(`${script}: ${message}`);
  process.exit(2);
};

/** The parsed flags of `process.argv`; an unknown flag, or one missing its value, stops the script. */
export const benchArgs = <T extends Options>(script: string, options: T) => {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return usageError(script, error instanceof Error ? error.message : String(error));
  }
};

/**
 * `value` as a whole number from `min` to `max`, or `fallback` when the flag was not given;
 * anything else stops the script naming `--flag`.
 */
export const wholeNumber = <F extends number | undefined>(
  script: string,
  flag: string,
  value: string | undefined,
  fallback: F,
  { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number | F => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    return usageError(script, `--${flag} must be a whole number ${range}: ${value}`);
  }
  return n;
};
