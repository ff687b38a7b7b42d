// `kd docs`: regenerate the design-review artefacts in docs/ (stage machine diagrams, the
// message table, the property catalogue, the design-space matrix, the spec map and every
// counterexample's space-time diagram) from the code and the committed counterexamples.
// `--check` writes nothing and fails when the committed artefacts are stale.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

interface DocsCliOptions {
  readonly check?: boolean;
}

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('Regenerate the review artefacts in docs/ from the code and counterexamples/')
    .option('--check', 'write nothing; exit 1 if the committed artefacts are stale')
    .action(async (options: DocsCliOptions) => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      process.exitCode = await runDocs(options, root, (line) => console.log(line));
    });
}

/** Exit code: 0 written (or fresh with --check), 1 stale with --check. */
async function runDocs(
  options: DocsCliOptions,
  root: string,
  print: (line: string) => void,
): Promise<number> {
  const { generateDocs, leftoverDocs, staleDocs, writeDocs } = await import(
    '../review/generate.js'
  );
  const files = await generateDocs(root);
  const leftovers = leftoverDocs(root, files);
  if (options.check) {
    const stale = [...staleDocs(root, files), ...leftovers];
    for (const path of stale) print(`stale: docs/${path}`);
    print(stale.length === 0 ? `docs: ${files.size} artefacts up to date` : 'run kd docs');
    return stale.length === 0 ? 0 : 1;
  }
  const changed = writeDocs(root, files);
  for (const path of changed) print(`wrote docs/${path}`);
  for (const path of leftovers) print(`no longer generated (remove it): docs/${path}`);
  print(`docs: ${files.size} artefacts, ${changed.length} changed`);
  return 0;
}
