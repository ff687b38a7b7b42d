/**
 * Writing counterexample files:
 * `counterexamples/<tool>-<preset>-<profile>[-<mutant>]-<property>.json`
 * plus `counterexamples/index.json`, the sorted list the test suite replays.
 *
 * Files are pretty JSON in the schema's key order with sorted switches and a trailing
 * newline, so re-running a tool on an unchanged model rewrites identical bytes and a diff
 * shows only what changed. A file is overwritten only by the same counterexample found
 * again: an explorer's shortest counterexample for the same property, a mutant's or the
 * artifact's counterexample (one kept per mutant and property), or a checker's same case.
 * A different open find of the hardened design, or any file recorded as `fixed` (a
 * regression the suite must keep replaying), is kept, and the new one is written beside it
 * as `…-2.json`, `…-3.json`; nothing is ever deleted.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../out-file.js';
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
  const name = freeName(dir, canonical);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  rewriteCounterexample(dir, name, canonical);
  return path;
}

/**
 * Rewrites the file `name` in `dir` in place with `counterexample` (same name, index entry
 * updated): for re-saving a file in the current format or marking it `fixed`, never for a
 * new find (that is `saveCounterexample`, which never overwrites another find).
 */
export function rewriteCounterexample(dir: string, name: string, counterexample: Counterexample) {
  const canonical = canonicalise(counterexample);
  writeAtomically(join(dir, name), toJson(canonical));
  updateIndex(dir, {
    file: name,
    property: canonical.property,
    profile: canonical.profile,
    mutant: canonical.mutant,
    expected: canonical.expected,
  });
}

/** The file name to write: the plain one, unless a different counterexample holds it. */
function freeName(dir: string, counterexample: Counterexample): string {
  const plain = counterexampleFileName(counterexample);
  for (let n = 1; ; n += 1) {
    const name = n === 1 ? plain : plain.replace(/\.json$/, `-${n}.json`);
    const path = join(dir, name);
    if (!existsSync(path) || replaceable(path, counterexample)) return name;
  }
}

/** The file at `path` may be overwritten by `next`: the same counterexample, not a fixed one. */
function replaceable(path: string, next: Counterexample): boolean {
  let existing: { expected?: unknown; tool?: unknown; impl?: unknown };
  try {
    existing = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return false; // Unreadable: someone's file, never ours to overwrite.
  }
  if (existing.expected === 'fixed' || existing.tool !== next.tool) return false;
  // A mutant's or the artifact's file is the one counterexample kept for it; an open find
  // of the hardened design is a bug of its own unless it is the same case.
  if (next.tool === 'explore' || existing.expected === 'expected-failure') return true;
  return JSON.stringify(existing.impl) === JSON.stringify(next.impl);
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
