// Options of the live commands (`kd up`, `kd load`), read inside the command rather than by
// commander's parsers: a bad value is one line and exit 2, as the commands' other usage
// errors are, where commander would exit 1 and print the whole help after it.
import { resolve } from 'node:path';
import { parseDuration } from './check.command.js';

import { UsageError } from './usage.js';

export { UsageError };

/** A whole number in `min..max` written as digits. */
export const countOption = (flag: string, text: string, min = 1, max = 1_000_000): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `${flag} expects a whole number from ${min} to ${max.toLocaleString('en-US')} (got '${text}')`,
    );
  return n;
};

/** `60s`, `2m`, `500ms` (a bare number is seconds), in ms. */
export const durationOption = (flag: string, text: string): number => {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message} (got '${text}')`);
  }
};

/** `--etcd`: etcd's client URL (`http://127.0.0.1:2379`). */
export const etcdOption = (text: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/')
    throw new UsageError(
      `--etcd expects etcd's client URL, such as http://127.0.0.1:2379 (got '${text}')`,
    );
  return url.origin;
};

/** `--dir`, absolute, or kd up's default for this user. */
export const dirOption = async (text: string | undefined): Promise<string> => {
  if (text !== undefined) return resolve(text);
  const { defaultUpDir } = await import('../impl/runtime/live/cluster/up-state.js');
  return defaultUpDir();
};

/** The exit code of an error: 2 for a usage error, 1 for any other; one line on `err`. */
export const reportError = (error: unknown, err: (text: string) => void): number => {
  const message = error instanceof Error ? error.message : String(error);
  err(`kd: ${message.split('\n')[0]}\n`);
  if (process.env.KD_DEBUG === '1' && error instanceof Error && error.stack)
    err(`${error.stack}\n`);
  return error instanceof UsageError ? 2 : 1;
};
