// `kd load`'s progress on stderr: a cli-progress bar when stderr is a terminal, otherwise
// (a log, CI) a line at most once a second, so a long burst does not flood the output.
import cliProgress from 'cli-progress';
import type { BurstProgress } from '../impl/runtime/live/load/drive.js';

export interface ProgressDisplay {
  update(progress: BurstProgress): void;
  stop(): void;
}

const LINE_EVERY_MS = 1_000;

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Lines on `err`, at most one per second by `nowMs`. */
export const progressLines = (
  err: (text: string) => void,
  nowMs: () => number,
  functions: number,
): ProgressDisplay => {
  let lastMs = Number.NEGATIVE_INFINITY;
  const line = (text: string) => {
    const now = nowMs();
    if (now - lastMs < LINE_EVERY_MS) return;
    lastMs = now;
    err(`kd load: ${text}\n`);
  };
  return {
    update: (p) => {
      if (p.phase === 'drain' && p.remaining > 0)
        line(
          `load 0: ${p.remaining} pods of ${functions} functions still there after ${seconds(p.elapsedMs)} s`,
        );
      // The last state is the result's line.
      if (p.phase === 'burst' && p.ready < p.target)
        line(`${p.ready}/${p.target} pods Ready after ${seconds(p.elapsedMs)} s`);
    },
    stop: () => undefined,
  };
};

/** A bar on `stream` (a terminal) for the burst; the drain is one line. */
export const progressBar = (stream: NodeJS.WriteStream, functions: number): ProgressDisplay => {
  let bar: cliProgress.SingleBar | null = null;
  let drainTold = false;
  return {
    update: (p) => {
      if (p.phase === 'drain') {
        if (!drainTold && p.remaining > 0)
          stream.write(
            `kd load: load 0: waiting for ${p.remaining} pods of ${functions} functions to go\n`,
          );
        drainTold = true;
        return;
      }
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: 'kd load [{bar}] {value}/{total} pods Ready  {seconds} s',
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.target, p.ready, { seconds: seconds(p.elapsedMs) });
      } else bar.update(p.ready, { seconds: seconds(p.elapsedMs) });
    },
    stop: () => bar?.stop(),
  };
};
