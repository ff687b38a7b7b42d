/**
 * Writing counterexample files:
 * `counterexamples/<tool>-<preset>-<profile>[-<mutant>]-<property>.json`
 * plus `counterexamples/index.json`, the sorted list the test suite replays.
 *
 * Files are pretty JSON in the schema's key order with sorted switches and a trailing
 * newline, so re-running a tool on an unchanged model rewrites identical bytes and a diff
 * shows only what changed. A file the tool produced before is overwritten (it is the same
 * counterexample, found again); nothing is ever deleted.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INDEX_FILE, loadIndex } from './load.js';
import {
  type Counterexample,
  CounterexampleSchema,
  type IndexEntry,
  IndexSchema,
} from './schema.js';

export function counterexampleFileName(
  file: Pick<Counterexample, 'tool' | 'profile' | 'mutant' | 'property' | 'preset' | 'impl'>,
): string {
  const parts = [
    file.tool,
    file.impl?.preset ?? file.preset.name,
    file.profile,
    ...(file.mutant === null ? [] : [file.mutant]),
    file.property,
  ];
  // Mutant names come from the command line; keep the file name portable whatever they are.
  return `${parts.map((part) => part.replace(/[^A-Za-z0-9_.-]+/g, '_')).join('-')}.json`;
}

/** Validates, writes the file and updates the index; returns the path written. */
export function saveCounterexample(counterexample: Counterexample, dir: string): string {
  const canonical = canonicalise(counterexample);
  const name = counterexampleFileName(canonical);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeAtomically(path, toJson(canonical));
  updateIndex(dir, {
    file: name,
    property: canonical.property,
    profile: canonical.profile,
    mutant: canonical.mutant,
    expected: canonical.expected,
  });
  return path;
}

/** The schema's parse rebuilds objects in its own key order; switches are sorted first. */
function canonicalise(counterexample: Counterexample): Counterexample {
  const switches = Object.fromEntries(
    Object.entries(counterexample.switches).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return CounterexampleSchema.parse({ ...counterexample, switches });
}

function updateIndex(dir: string, entry: IndexEntry): void {
  const others = loadIndex(dir).filter((existing) => existing.file !== entry.file);
  const entries = [...others, entry].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
  );
  writeAtomically(join(dir, INDEX_FILE), toJson(IndexSchema.parse(entries)));
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Write then rename, so an interrupted run never leaves half a file for the suite to load. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, 'utf8');
  renameSync(temporary, path);
}
