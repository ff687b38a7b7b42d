// A progress line on stderr, for kd explore and kd check: rewritten in place on a terminal;
// otherwise (a CI log) one line every few seconds, since a line per half second would flood
// the log.

export interface ProgressStream {
  readonly write: (text: string) => void;
  readonly isTTY: boolean;
}

export const liveLine = (
  stream: ProgressStream,
  intervalMs = 5000,
  now: () => number = () => performance.now(),
) => {
  let lastLine = Number.NEGATIVE_INFINITY;
  let wrote = false;
  return {
    show: (line: string): void => {
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        wrote = true;
      } else if (now() - lastLine >= intervalMs) {
        lastLine = now();
        stream.write(`${line}\n`);
      }
    },
    done: (): void => {
      if (wrote) stream.write('\r\x1b[K');
    },
  };
};
