/**
 * A FIFO queue with O(1) push and shift (an array and a head index, compacted when half
 * consumed): watch queues hold tens of thousands of events in a burst.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    // Release the slot so a consumed event does not keep its object alive.
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Replaces the whole content. */
  reset(items: T[] = []): void {
    this.items = items;
    this.head = 0;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }

  /** Visits every item, oldest first, without copying. */
  forEach(visit: (item: T) => void): void {
    for (let i = this.head; i < this.items.length; i += 1) visit(this.items[i] as T);
  }
}
