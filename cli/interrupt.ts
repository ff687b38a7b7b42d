// Ctrl-C as a request, not a crash: the first SIGINT asks the running work to stop and
// report what it has (a partial result, exit 130); a second one quits at once, after
// `onQuit` has stopped what the command started (worker processes, temporary folders).
import { EXIT_INTERRUPTED } from './usage.js';

export interface Interrupt {
  /** Ctrl-C was pressed: stop and report what there is. */
  readonly requested: () => boolean;
  /** Removes the handler: Ctrl-C kills the process again. */
  readonly dispose: () => void;
}

export function onInterrupt(
  write: (text: string) => void,
  onFirst: () => void = () => {},
  onQuit: () => void = () => {},
): Interrupt {
  let requested = false;
  const handler = () => {
    if (requested) {
      onQuit();
      process.exit(EXIT_INTERRUPTED);
    }
    requested = true;
    write('\nkd: interrupted: stopping with the result so far (Ctrl-C again to quit at once)\n');
    onFirst();
  };
  process.on('SIGINT', handler);
  return { requested: () => requested, dispose: () => process.off('SIGINT', handler) };
}
