/**
 * A growable vector of 32-bit integers. The explorer keeps one entry per state (parent,
 * depth, …) and one per fault-free edge; plain `number[]` arrays of millions of entries
 * cost several times more memory and GC time than one typed buffer that doubles when full.
 */
export class IntVec {
  private data: Int32Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.data.length) this.grow();
    this.data[this.count] = value;
    this.count += 1;
  }

  /** Callers index within `length`; out of range is a bug, so it throws rather than guess. */
  get(index: number): number {
    const value = this.data[index];
    if (value === undefined || index >= this.count) {
      throw new RangeError(`IntVec index ${index} out of range (length ${this.count})`);
    }
    return value;
  }

  set(index: number, value: number): void {
    if (index >= this.count) {
      throw new RangeError(`IntVec index ${index} out of range (length ${this.count})`);
    }
    this.data[index] = value;
  }

  /** A view of the filled part (no copy), for tight loops in the graph analyses. */
  view(): Int32Array {
    return this.data.subarray(0, this.count);
  }

  private grow(): void {
    const next = new Int32Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
}
