// `kd report [--out DIR] [--from FILE...] [--runs N] [--seed S]`: one self-contained HTML
// page for a design review (no network: CSS, scripts and diagrams are inline). The campaign
// is a small `kd check` run in process (hardened, both paths, conformance on; nothing is
// saved to counterexamples/), or the summaries `kd check --out FILE` wrote, merged. The
// committed counterexamples and the stage machines are always included.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeAtomically } from '../checker/out-file.js';
import { positive, seedOption } from './run.command.js';

interface ReportCliOptions {
  readonly out: string;
  readonly from?: readonly string[];
  readonly runs: number;
  readonly seed: number;
}

/** Small enough for about half a minute on one core, large enough to hit every guard. */
const DEFAULT_REPORT_RUNS = 200;

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write a self-contained HTML review report of a campaign and the findings')
    .option('--out <dir>', 'directory to write index.html into', 'kd-report')
    .option('--from <files...>', 'use these kd check --out summaries instead of running a campaign')
    .option(
      '--runs <n>',
      'cases of the in-process campaign',
      positive('--runs'),
      DEFAULT_REPORT_RUNS,
    )
    .option('--seed <s>', 'seed of the in-process campaign', seedOption, 1)
    .action(async (options: ReportCliOptions) => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      process.exitCode = await runReport(options, root, (line) => console.error(line));
    });
}

/** Exit code: 0 written, 2 for bad input (an unreadable or invalid --from file). */
export async function runReport(
  options: ReportCliOptions,
  root: string,
  log: (line: string) => void,
): Promise<number> {
  let campaign: Awaited<ReturnType<typeof campaignOf>>;
  try {
    campaign = await campaignOf(options, log);
  } catch (error) {
    log(`kd: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const { loadFindings } = await import('../review/findings.js');
  const { machineDiagrams } = await import('../review/pages/machines.js');
  const { reportHtml } = await import('../review/html/report.js');
  const html = reportHtml({
    ...campaign,
    findings: loadFindings(join(root, 'counterexamples')),
    machines: await machineDiagrams(),
  });
  const dir = resolve(options.out);
  mkdirSync(dir, { recursive: true });
  // Through a temporary file: a report open in a browser is never seen half written.
  writeAtomically(join(dir, 'index.html'), html);
  log(`wrote ${join(dir, 'index.html')}`);
  return 0;
}

async function campaignOf(options: ReportCliOptions, log: (line: string) => void) {
  const { loadCampaign, setupCampaign } = await import('../checker/check/setup.js');
  if (options.from && options.from.length > 0)
    return { summary: loadCampaign(options.from), source: options.from.join(', ') };
  const setup = await setupCampaign({
    profile: 'hardened',
    mutant: null,
    preset: 'small',
    mode: '',
    runs: options.runs,
    timeMs: null,
    seed: options.seed,
    shard: null,
    conformance: true,
  });
  log(`kd report: running kd check --runs ${options.runs} --seed ${options.seed} in process…`);
  const summary = setup.summarise(setup.run(), null);
  return { summary, source: `kd check --runs ${options.runs} --seed ${options.seed} (in process)` };
}
