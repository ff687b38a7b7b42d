/**
 * The stage process's side of the IPC channel, and the asks that wait for an answer (a
 * kubelet's list of sandboxes). In the process it is `process.send`/`process.on('message')`;
 * a test passes any pair of functions.
 */
import type { ToStage, ToSupervisor } from './ipc.js';

export interface SupervisorChannel {
  send(message: ToSupervisor): void;
  onMessage(listener: (message: ToStage) => void): void;
}

/** The channel `fork` opened; exits the process when the supervisor goes away. */
export const processChannel = (): SupervisorChannel => {
  const send = process.send?.bind(process);
  if (!send)
    throw new Error('a stage process is started by its supervisor (kd up), with an IPC channel');
  // Orphaned stages must not linger: a supervisor killed with -9 leaves no one to stop them.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message) => {
      if (process.connected) send(message);
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as ToStage)),
  };
};

/** Numbers the asks of one process and resolves each with its answer. */
export class Asks<T> {
  private next = 1;
  private readonly waiting = new Map<number, (answer: T) => void>();

  ask(send: (ask: number) => void): Promise<T> {
    const ask = this.next++;
    return new Promise<T>((resolve) => {
      this.waiting.set(ask, resolve);
      send(ask);
    });
  }

  answer(ask: number, answer: T): void {
    const resolve = this.waiting.get(ask);
    this.waiting.delete(ask);
    resolve?.(answer);
  }
}
