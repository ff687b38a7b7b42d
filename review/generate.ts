/**
 * `kd docs`: every review artefact under `docs/`, generated from the code and the committed
 * counterexamples, deterministically (no clock, sorted inputs), so running it twice writes
 * the same bytes and a test can regenerate in memory and compare with what is committed.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeAtomically } from '../checker/out-file.js';
import { loadFindings } from './findings.js';
import { cataloguePage } from './pages/catalogue.js';
import { counterexamplePages } from './pages/counterexamples.js';
import { machineDiagrams, machinePages } from './pages/machines.js';
import { matrixPage } from './pages/matrix.js';
import { messagesPage } from './pages/messages.js';
import { specMapPage } from './pages/spec-map.js';

/** Paths relative to `docs/`, in a stable order, with their contents. */
export const generateDocs = async (root: string): Promise<Map<string, string>> => {
  const findings = loadFindings(join(root, 'counterexamples'));
  const files = new Map<string, string>([
    ['catalogue.md', cataloguePage(findings)],
    ['matrix.md', matrixPage(findings)],
    ['messages.md', messagesPage(join(root, 'spec/types/messages.ts'), findings)],
    ['spec-map.md', specMapPage(root, findings)],
    ...machinePages(await machineDiagrams()),
    ...counterexamplePages(findings),
  ]);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

/** Writes the artefacts; returns the paths whose content changed. */
export const writeDocs = (root: string, files: ReadonlyMap<string, string>): string[] => {
  const changed: string[] = [];
  for (const [path, content] of files) {
    const full = join(root, 'docs', path);
    if (readOrNull(full) === content) continue;
    mkdirSync(dirname(full), { recursive: true });
    writeAtomically(full, content);
    changed.push(path);
  }
  return changed;
};

/** The artefacts whose committed copy differs from a fresh generation (missing counts). */
export const staleDocs = (root: string, files: ReadonlyMap<string, string>): string[] =>
  [...files]
    .filter(([path, content]) => readOrNull(join(root, 'docs', path)) !== content)
    .map(([p]) => p);

const readOrNull = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Files in the generated folders that a fresh generation no longer makes (stale leftovers). */
export const leftoverDocs = (root: string, files: ReadonlyMap<string, string>): string[] =>
  ['machines', 'counterexamples'].flatMap((dir) => {
    let names: string[];
    try {
      names = readdirSync(join(root, 'docs', dir));
    } catch {
      return [];
    }
    return names.map((n) => `${dir}/${n}`).filter((p) => !files.has(p));
  });
