/**
 * A stage's named timers on real time: setting a name again replaces the pending one, as
 * the `timer.set` effect says; a fired timer is forgotten before the stage hears it.
 */
import type { TimerPort } from './ports.js';

export class Timers {
  private readonly pending = new Map<string, unknown>();

  constructor(
    private readonly port: TimerPort,
    private readonly fire: (name: string) => void,
  ) {}

  set(name: string, afterMs: number): void {
    this.cancel(name);
    const handle = this.port.set(Math.max(0, afterMs), () => {
      if (this.pending.get(name) !== handle) return;
      this.pending.delete(name);
      this.fire(name);
    });
    this.pending.set(name, handle);
  }

  cancel(name: string): void {
    const handle = this.pending.get(name);
    if (handle === undefined) return;
    this.pending.delete(name);
    this.port.clear(handle);
  }

  clearAll(): void {
    for (const handle of this.pending.values()) this.port.clear(handle);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
