/**
 * At most `max` sends in flight to one destination; later ones wait their turn, in order.
 * An HTTP/2 connection with tens of thousands of open streams exceeds the session memory
 * nghttp2 allows and is torn down with every stream on it (50,000 binds sent at once did
 * that here); a bounded window keeps a burst of any size on one healthy connection.
 */
export class Lane {
  private inFlight = 0;
  private readonly waiting: ((done: () => void) => void)[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  /** Starts `start` now or after the sends before it; `start` calls `done` when finished. */
  run(start: (done: () => void) => void): void {
    if (this.inFlight < this.max && this.head === this.waiting.length) this.begin(start);
    else this.waiting.push(start);
  }

  private begin(start: (done: () => void) => void): void {
    this.inFlight += 1;
    let finished = false;
    start(() => {
      if (finished) return;
      finished = true;
      this.inFlight -= 1;
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.max && this.head < this.waiting.length) {
      const start = this.waiting[this.head] as (done: () => void) => void;
      this.head += 1;
      this.begin(start);
    }
    // Reclaim the queue once it has drained, rather than shifting it one send at a time.
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    }
  }
}
