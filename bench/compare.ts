// Old and new figures side by side, measured in one run: a benchmark run on a committed
// revision and on this working tree, alternately, its `figure` lines (compare/figures.ts)
// collected and printed as one table with medians and new ÷ old.
//
//   npm run bench:compare -- --baseline REV [--rounds N] SCRIPT [ARGS...]
//
//   npm run bench:compare -- --baseline b9e1622 --rounds 2 bench/impl.bench.ts --skip-burst
//   npm run bench:compare -- --baseline main cli/kd.ts bench --workload W1 --sizes 600 \
//     --config unthrottled --sandbox-ms 200 --out /tmp/bench-w1-{side}
//
// `{side}` in ARGS becomes `old` or `new`: each side writes its own output. (kd bench writes
// a document unless --quick: give it --out, or it rewrites docs/bench.md. Before 9283917
// its --out was a file that had to be inside the checkout, after it a folder whose parent
// must exist: against such a revision only a relative `--out bench-{side}.md` works, and the
// new side's then lands in this checkout. The revisions before b9e1622 print no figure
// lines.)
//
// SCRIPT is a TypeScript file of the repository, run with the same Node and tsx in both
// trees; ARGS go to it unchanged. The rounds alternate which tree goes first, so a drift of
// the machine's load over the run does not favour one side. Both runs share this machine,
// which is shared and noisy: compare the two columns of one table, not figures across runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareFigures, type Figure, parseFigures, renderComparison } from './compare/figures.js';
import { argsFor, parseRequest, type Request, USAGE } from './compare/request.js';
import {
  describeWorkingTree,
  exportRevision,
  lockfilesDiffer,
  resolveRevision,
} from './compare/trees.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the benchmark in one tree; its stderr (progress) passes through, stdout is read. */
const runIn = (dir: string, request: Request, side: 'old' | 'new', label: string): Figure[] => {
  const script = join(dir, request.script);
  if (!existsSync(script)) throw new Error(`${request.script} does not exist in ${label}`);
  const tsx = join(dir, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const result = spawnSync(process.execPath, ['--import', tsx, script, ...argsFor(request, side)], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(
      `${request.script} failed in ${label} (exit ${result.status ?? result.signal}; its stderr is above)` +
        (result.stdout.trim() === ''
          ? ''
          : `, the end of its output:\n${result.stdout.slice(-2000)}`),
    );
  const figures = parseFigures(result.stdout);
  if (figures.length === 0)
    throw new Error(`${request.script} printed no "figure NAME: VALUE UNIT" line in ${label}`);
  return figures;
};

const main = (): number => {
  const request = parseRequest(process.argv.slice(2));
  const commit = resolveRevision(REPO, request.baseline);
  const labels = {
    baseline: `old: ${request.baseline} (${commit.slice(0, 7)})`,
    current: `new: ${describeWorkingTree(REPO)}`,
  };
  const tree = exportRevision(REPO, commit);
  const cleanUp = () => tree.remove();
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    const old: Figure[][] = [];
    const now: Figure[][] = [];
    for (let round = 1; round <= request.rounds; round += 1) {
      // Alternate which side goes first.
      const order = round % 2 === 1 ? (['old', 'new'] as const) : (['new', 'old'] as const);
      for (const side of order) {
        console.log(
          `round ${round}/${request.rounds}: ${side === 'old' ? labels.baseline : labels.current}`,
        );
        if (side === 'old') old.push(runIn(tree.dir, request, side, labels.baseline));
        else now.push(runIn(REPO, request, side, labels.current));
      }
    }
    console.log(
      `\n${request.script} ${request.args.join(' ')}, ${request.rounds} round(s), node ${process.version}`,
    );
    if (lockfilesDiffer(REPO, commit))
      console.log(
        "(the lockfiles differ: the old revision ran on the working tree's dependencies)",
      );
    console.log(renderComparison(compareFigures(old, now), labels));
    return 0;
  } finally {
    cleanUp();
  }
};

try {
  process.exitCode = main();
} catch (error) {
  console.error(`bench:compare: ${(error as Error).message}\n${USAGE}`);
  process.exitCode = 2;
}
