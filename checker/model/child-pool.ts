/**
 * Runs TypeScript entry points in child processes, at most one per core at a time: a test
 * file whose cases are long explorations spreads them over every core itself, instead of
 * being split into several files for vitest to schedule.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';

const waiting: (() => void)[] = [];
let running = 0;

const acquire = async (): Promise<void> => {
  if (running < availableParallelism()) {
    running += 1;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
};

const release = (): void => {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
};

/** Runs `script args…` under tsx and parses the JSON line it prints. */
export const runChild = async <T>(script: string, args: readonly string[]): Promise<T> => {
  await acquire();
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', script, ...args],
        { maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) =>
          error
            ? reject(new Error(`${script} ${args.join(' ')}: ${err || error.message}`))
            : resolve(out),
      ),
    );
    return JSON.parse(stdout) as T;
  } finally {
    release();
  }
};
