// `kd check`'s progress on stderr: runs, steps/s, faults, guards hit, transitions covered and
// the time left of the budget (ETA). A cli-progress bar on a terminal (the budget is known:
// runs, or seconds with --time); plain lines otherwise (a CI log, the tests). With
// `--workers`, each worker sends its progress as JSON lines on stderr and this process shows
// their sum.
import cliProgress from 'cli-progress';
import type { CampaignProgress } from '../checker/check/campaign.js';
import { liveLine, type ProgressStream } from './progress-line.js';

export type CheckProgress = CampaignProgress & { readonly coverage?: string };

/** What the campaign may spend: runs (null: unbounded) and time (null: unbounded). */
export interface CheckBudget {
  readonly runs: number | null;
  readonly timeMs: number | null;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Seconds until the first budget ends, from the rate so far; null while unknown. */
export const etaSeconds = (p: CheckProgress, budget: CheckBudget): number | null => {
  if (p.shrinking) return null;
  const byRuns =
    budget.runs !== null && p.runs > 0
      ? ((budget.runs - p.runs) * p.seconds) / p.runs
      : Number.POSITIVE_INFINITY;
  const byTime =
    budget.timeMs !== null ? budget.timeMs / 1000 - p.seconds : Number.POSITIVE_INFINITY;
  const eta = Math.min(byRuns, byTime);
  return Number.isFinite(eta) ? Math.max(0, eta) : null;
};

const duration = (seconds: number): string => {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/** What the progress says after the runs (the bar shows the runs itself). */
const details = (p: CheckProgress, budget: CheckBudget, guards: number): string => {
  const rate = p.seconds > 0 ? count(p.steps / p.seconds) : '0';
  const eta = etaSeconds(p, budget);
  return (
    `${rate} steps/s, faults ${count(p.faults)}, guards hit ${p.hits}/${guards}` +
    (p.coverage ? `, ${p.coverage}` : '') +
    (p.shrinking ? ', shrinking a failure…' : eta === null ? '' : `, ETA ${duration(eta)}`)
  );
};

export const progressText = (p: CheckProgress, budget: CheckBudget, guards: number): string =>
  `check: runs ${count(p.runs)}${budget.runs === null ? '' : `/${count(budget.runs)}`}, ` +
  details(p, budget, guards);

export interface ProgressDisplay {
  readonly report: (p: CheckProgress) => void;
  readonly done: () => void;
}

/** Lines on `stream` (in place if it is a terminal); a bar on `terminal` when given. */
export const checkProgress = (
  stream: ProgressStream,
  budget: CheckBudget,
  guards: number,
  terminal?: NodeJS.WriteStream,
): ProgressDisplay => {
  if (terminal !== undefined) return progressBar(terminal, budget, guards);
  const line = liveLine(stream);
  return { report: (p) => line.show(progressText(p, budget, guards)), done: line.done };
};

/** The bar counts runs, or seconds when only --time bounds the campaign. */
const progressBar = (
  terminal: NodeJS.WriteStream,
  budget: CheckBudget,
  guards: number,
): ProgressDisplay => {
  const byRuns = budget.runs !== null;
  const total = byRuns ? (budget.runs ?? 0) : Math.round((budget.timeMs ?? 0) / 1000);
  const bar = new cliProgress.SingleBar(
    {
      stream: terminal,
      format: `check [{bar}] {value}/{total} ${byRuns ? 'runs' : 's'}  {details}`,
      barsize: 20,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { details: '' });
  return {
    report: (p) =>
      bar.update(byRuns ? p.runs : Math.min(total, Math.round(p.seconds)), {
        details: details(p, budget, guards),
      }),
    done: () => bar.stop(),
  };
};

/** Adds up the workers' latest progress; the campaign has run as long as its slowest. */
export const sumProgress = (all: readonly CheckProgress[]): CheckProgress => ({
  runs: all.reduce((n, p) => n + p.runs, 0),
  steps: all.reduce((n, p) => n + p.steps, 0),
  faults: all.reduce((n, p) => n + p.faults, 0),
  seconds: Math.max(0, ...all.map((p) => p.seconds)),
  // Guard names are not sent: the most any worker hit is a lower bound of the union.
  hits: Math.max(0, ...all.map((p) => p.hits)),
  shrinking: all.some((p) => p.shrinking),
});

/**
 * What the workers write on stderr, chunk by chunk: a line that is a JSON object is
 * progress, anything else is kept to show if the worker fails.
 */
export const workerProgress = (workers: number) => {
  const latest: (CheckProgress | undefined)[] = Array.from({ length: workers });
  const partial = Array.from({ length: workers }, () => '');
  const other = Array.from({ length: workers }, () => '');
  return {
    take: (worker: number, chunk: string): void => {
      const lines = `${partial[worker]}${chunk}`.split('\n');
      partial[worker] = lines.pop() ?? '';
      for (const line of lines) {
        const progress = line.startsWith('{') ? parseProgress(line) : null;
        if (progress === null) other[worker] += `${line}\n`;
        else latest[worker] = progress;
      }
    },
    latest: (): CheckProgress[] => latest.filter((p) => p !== undefined),
    otherText: (worker: number): string => `${other[worker]}${partial[worker]}`,
  };
};

const parseProgress = (line: string): CheckProgress | null => {
  try {
    const value = JSON.parse(line) as CheckProgress;
    return typeof value.runs === 'number' && typeof value.steps === 'number' ? value : null;
  } catch {
    return null;
  }
};

/** A worker's progress as one JSON line, at most every half second. */
export const progressJson = (
  write: (text: string) => void,
  now: () => number = () => performance.now(),
): ProgressDisplay => {
  let last = Number.NEGATIVE_INFINITY;
  return {
    report: (p) => {
      if (now() - last < 500) return;
      last = now();
      const { coverage: _, ...sent } = p;
      write(`${JSON.stringify(sent)}\n`);
    },
    done: () => undefined,
  };
};
