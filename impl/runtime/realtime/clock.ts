/**
 * The real-time runtime's clock. A cluster warms up on virtual time (informer lists,
 * handshakes and their retries cost no waiting), then `start()` pins the wall clock to the
 * virtual time reached, and from then on time is `performance.now()` shifted by that
 * offset: timers armed during warm-up stay due at the same distance.
 *
 * Only the runtime and the benchmark read it; stage logic gets time through events.
 */
export class RealtimeClock {
  private offsetMs: number | null = null;

  /** Virtual (0: the sim advances time itself) until started, then wall-clock. */
  readonly now = (): number => (this.offsetMs === null ? 0 : this.offsetMs + performance.now());

  get started(): boolean {
    return this.offsetMs !== null;
  }

  /** From now on the clock runs in real time, starting at `atMs`. */
  start(atMs: number): void {
    this.offsetMs = atMs - performance.now();
  }
}
