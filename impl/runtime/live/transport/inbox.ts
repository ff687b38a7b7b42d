/**
 * In-order handling of one connection's frames. HTTP/2 opens a connection's streams in the
 * order they were sent, but their bodies may finish in another order (flow control, frames
 * of many streams interleaved); the stage must see the frames in the order of the streams.
 * Each stream takes a ticket when it opens and hands in what to do once its body is read
 * (or it failed); the actions run in ticket order.
 */
export class Inbox {
  private issued = 0;
  private next = 0;
  private readonly ready = new Map<number, () => void>();

  take(): number {
    const ticket = this.issued;
    this.issued += 1;
    return ticket;
  }

  /** Each ticket is finished exactly once; `act` must not throw. */
  finish(ticket: number, act: () => void): void {
    this.ready.set(ticket, act);
    for (let due = this.ready.get(this.next); due; due = this.ready.get(this.next)) {
      this.ready.delete(this.next);
      this.next += 1;
      due();
    }
  }

  /** Frames read and waiting for an earlier one. */
  get waiting(): number {
    return this.ready.size;
  }
}
