/**
 * Writing a file a user named (`kd check --out`, `kd merge --out`, `kd bench --out`) or a
 * counterexample: one set of rules, so that no command loses work or someone's file.
 *
 * - `outFileProblem` is asked before a run, so a campaign of an hour is never run only to
 *   fail on a missing or unwritable folder at the end.
 * - A counterexample is never overwritten by an output: a path inside the counterexamples
 *   folder, or an existing file that is a counterexample wherever it lies, is refused (not
 *   written beside under a new name: the user meant some other file, and a result file in
 *   counterexamples/ would be replayed by the suite as a malformed counterexample). New
 *   counterexamples are written by `checker/trace/save.ts`, which keeps other finds itself.
 * - Every write goes to a temporary file in the same folder and is renamed over the target,
 *   so an interrupted or failed write never leaves half a file.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, 'utf8');
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * What is wrong with writing an output to `path` (absolute), or null: checked before the
 * work whose result goes there. `counterexamplesDir` is the folder no output may go into.
 */
export function outFileProblem(path: string, counterexamplesDir: string): string | null {
  const folder = dirname(path);
  if (isInside(path, resolve(counterexamplesDir)))
    return `${path} is in the counterexamples folder, which holds only counterexample files; write the result elsewhere`;
  if (existsSync(path) && statSync(path).isDirectory()) return `${path} is a folder, not a file`;
  if (existsSync(path) && isCounterexample(path))
    return `${path} is a counterexample file; it is never overwritten: write the result elsewhere`;
  if (!existsSync(folder)) return `the folder ${folder} does not exist`;
  if (!statSync(folder).isDirectory()) return `${folder} is not a folder`;
  return canCreateIn(folder) ? null : `cannot write in the folder ${folder} (permission denied)`;
}

const isInside = (path: string, folder: string): boolean => {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** A counterexample file: a JSON object with the format's identifying fields. */
function isCounterexample(path: string): boolean {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
    return typeof value === 'object' && value !== null && 'tool' in value && 'steps' in value;
  } catch {
    return false;
  }
}

/** Creates and removes a probe file: the only sure test (root passes every access check). */
function canCreateIn(folder: string): boolean {
  const probe = resolve(folder, `.kd-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}
