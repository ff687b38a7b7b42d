/**
 * Reading counterexample files. Every failure is an `Error` whose message names the file
 * and, for a schema violation, the offending field path (`steps[3].label`): people edit
 * these files by hand (to mark one `fixed`), so the error must say where to look.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { BadFileError } from '../bad-file.js';
import {
  type Counterexample,
  CounterexampleSchema,
  type IndexEntry,
  IndexSchema,
} from './schema.js';
import { replayProfile } from './switches.js';

export const INDEX_FILE = 'index.json';

/** Reads and validates one counterexample file. */
export function loadCounterexample(file: string): Counterexample {
  return parseCounterexample(readText(file), file);
}

/** Validates counterexample text; `file` only names the source in error messages. */
export function parseCounterexample(text: string, file: string): Counterexample {
  const counterexample = validate(CounterexampleSchema, parseJson(text, file), file);
  try {
    replayProfile(counterexample); // A switch set against the file's mutant.
  } catch (error) {
    throw new BadFileError(`${file}: ${describe(error)}`);
  }
  return counterexample;
}

/** The index of `dir`, or an empty one when the directory has none yet. */
export function loadIndex(dir: string): IndexEntry[] {
  const file = join(dir, INDEX_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return [];
    throw new BadFileError(`${file}: cannot read: ${describe(error)}`);
  }
  return validate(IndexSchema, parseJson(text, file), file);
}

/** Every counterexample file in `dir` (all `*.json` but the index), sorted by name. */
export function loadAllCounterexamples(
  dir: string,
): { file: string; counterexample: Counterexample }[] {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.json') && name !== INDEX_FILE)
    .sort();
  return names.map((name) => ({
    file: name,
    counterexample: loadCounterexample(join(dir, name)),
  }));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BadFileError(`${file}: cannot read: ${describe(error)}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadFileError(`${file}: not valid JSON: ${describe(error)}`);
  }
}

function validate<T extends z.ZodType>(schema: T, value: unknown, file: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const shown = result.error.issues.slice(0, 5).map(describeIssue);
  const more = result.error.issues.length - shown.length;
  throw new BadFileError(`${file}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
}

/** `steps[2].label: missing (expected string)`, `failingStep: step 9 is beyond …`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? '(top level)' : formatPath(issue.path);
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  const message = missing ? `missing (expected ${issue.expected})` : issue.message;
  return `${where}: ${message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const name = String(part);
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
