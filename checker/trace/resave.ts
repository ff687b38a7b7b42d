/**
 * Re-saves every committed counterexample in the current format: the switch list is written
 * out afresh from the file's profile and mutant, as a replay rebuilds it (a file saved before
 * a switch existed lacks it, and `saved.test.ts` fails on such a file). Nothing else in a
 * file changes. `--fixed NAME.json` also marks those files fixed: the bug they show is
 * repaired, and the suite keeps replaying them as regressions.
 *
 *   npx tsx checker/trace/resave.ts [--fixed NAME.json ...]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllCounterexamples } from './load.js';
import { rewriteCounterexample } from './save.js';
import type { Counterexample } from './schema.js';
import { switchesOf } from './switches.js';

const DIR = fileURLToPath(new URL('../../counterexamples/', import.meta.url));

const parseArgs = (args: readonly string[]): string[] => {
  const fixed: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const name = args[i + 1];
    if (args[i] !== '--fixed' || name === undefined)
      throw new Error(`usage: resave.ts [--fixed NAME.json ...] (unexpected '${args[i]}')`);
    if (!existsSync(join(DIR, name))) throw new Error(`--fixed: no file counterexamples/${name}`);
    fixed.push(name);
    i += 1;
  }
  return fixed;
};

const main = (): void => {
  const fixed = new Set(parseArgs(process.argv.slice(2)));
  let rewritten = 0;
  for (const { file, counterexample: cx } of loadAllCounterexamples(DIR)) {
    const next: Counterexample = {
      ...cx,
      switches: switchesOf(cx),
      expected: fixed.has(file) ? 'fixed' : cx.expected,
    };
    rewriteCounterexample(DIR, file, next);
    rewritten += 1;
  }
  console.log(`re-saved ${rewritten} files; marked fixed: ${[...fixed].join(', ') || 'none'}`);
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
