/**
 * The temporary folders of live runs (`kd chaos`'s cluster and its throwaway etcd, `kd bench
 * --live`'s clusters), removed however the run ends. Each run removes its folder in a
 * `finally`, but Ctrl-C kills a process that does not handle SIGINT before any `finally`
 * runs, and /tmp kept those folders. So a SIGINT that would kill the process removes them
 * first, and the process then dies of it as it would have (exit 130 in a shell). A command
 * that handles Ctrl-C itself (kd check, kd up) is left to stop in its own time: its
 * `finally` removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempFolder {
  readonly dir: string;
  /** Removes the folder (what uses it must be stopped first). */
  readonly remove: () => void;
}

/** What to do on a SIGINT that ends the process: one entry per folder still there. */
const onCtrlC = new Set<() => void>();

const removeAllAndDie = (): void => {
  // Another listener handles Ctrl-C: the process goes on, and so may the folders' users.
  if (process.listenerCount('SIGINT') > 1) return;
  for (const remove of onCtrlC) remove();
  onCtrlC.clear();
  process.off('SIGINT', removeAllAndDie);
  // With no listener left, the signal again does what it does by default: end the process.
  process.kill(process.pid, 'SIGINT');
};

/**
 * A new folder `<tmpdir>/<prefix>-XXXXXX`, removed by `remove` or by a Ctrl-C that ends the
 * process; `stopUser` runs first then, to stop what writes into it (a child process, say).
 */
export function makeTempFolder(prefix: string, stopUser: () => void = () => {}): TempFolder {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  // Retried: a child killed a moment ago may still be writing into the folder.
  const removeDir = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const onSigint = () => {
    stopUser();
    removeDir();
  };
  if (onCtrlC.size === 0) process.on('SIGINT', removeAllAndDie);
  onCtrlC.add(onSigint);
  return {
    dir,
    remove: () => {
      onCtrlC.delete(onSigint);
      if (onCtrlC.size === 0) process.off('SIGINT', removeAllAndDie);
      removeDir();
    },
  };
}
