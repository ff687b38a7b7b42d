/**
 * The layers of the code base, each importing only from the layers below it:
 *
 *   spec ← impl ← properties ← checker ← review, bench ← cli
 *
 * `spec` is the model and the vocabulary everything shares; `impl` the implementation;
 * `properties` the catalogue that judges both; `checker` what runs and judges them (the
 * fuzzer, check, replay, traces, conformance, coverage, the model's explorations); `review`
 * and `bench` the documents and benchmarks made from their results; `cli` the `kd`
 * command. Tests obey the layers of their folder. `test-support` sits beneath them all:
 * helpers any layer's tests may use (temporary folders), which know nothing of the project.
 * This test reads the sources (it imports none of them), so a wrong-way import fails here
 * with the file and the line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(fileURLToPath(import.meta.url));
const LAYERS: Readonly<Record<string, number>> = {
  'test-support': -1,
  spec: 0,
  impl: 1,
  properties: 2,
  checker: 3,
  review: 4,
  bench: 4,
  cli: 5,
};

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });

const layerOf = (path: string): string | undefined => {
  const top = relative(ROOT, path).split(sep)[0] ?? '';
  return top in LAYERS ? top : undefined;
};

/** Every relative module a file names: static, side-effect and dynamic imports, re-exports. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Imports that run the wrong way, and how many imports were read. */
const scan = (): { wrongWay: string[]; imports: number } => {
  const wrongWay: string[] = [];
  let imports = 0;
  for (const top of Object.keys(LAYERS)) {
    for (const file of sources(join(ROOT, top))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(SPECIFIER)) {
        imports += 1;
        const target = layerOf(normalize(join(dirname(file), match[1] as string)));
        if (target === undefined || (LAYERS[target] as number) <= (LAYERS[top] as number)) continue;
        const line = text.slice(0, match.index).split('\n').length;
        wrongWay.push(`${relative(ROOT, file)}:${line} (${top}) imports ${match[1]} (${target})`);
      }
    }
  }
  return { wrongWay, imports };
};

describe('the layering', () => {
  it('has every import run from a layer to one below it, or within it', () => {
    const { wrongWay, imports } = scan();
    expect(wrongWay).toEqual([]);
    expect(imports).toBeGreaterThan(1000);
  });

  it('would name an import that runs the wrong way', () => {
    // The check above must be able to fail: the pattern finds each kind of import.
    const text =
      "import { a } from '../checker/x.js';\nexport * from './y.js';\nawait import('../cli/z.js');";
    expect([...text.matchAll(SPECIFIER)].map((m) => m[1])).toEqual([
      '../checker/x.js',
      './y.js',
      '../cli/z.js',
    ]);
  });
});
