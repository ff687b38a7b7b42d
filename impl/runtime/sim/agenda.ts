/**
 * The agenda: every pending event of a run, by id, plus a binary heap that finds the
 * earliest one. Entries are ordered by due time, then a seeded tie-breaker drawn when the
 * entry was (re)scheduled, then a sequence number, so the order is total and replayable.
 *
 * The heap is lazy: rescheduling or removing an entry leaves a stale heap node behind,
 * recognised by its version and skipped. `all()` lists entries in insertion order, which is
 * deterministic; ids are assigned by the runtime from counters.
 */

interface HeapNode {
  readonly dueAtMs: number;
  readonly tie: number;
  readonly seq: number;
  readonly id: string;
  readonly version: number;
}

interface Scheduled {
  readonly id: string;
  dueAtMs: number;
}

const before = (a: HeapNode, b: HeapNode): boolean =>
  a.dueAtMs !== b.dueAtMs ? a.dueAtMs < b.dueAtMs : a.tie !== b.tie ? a.tie < b.tie : a.seq < b.seq;

export class Agenda<T extends Scheduled> {
  private readonly entries = new Map<string, { item: T; version: number }>();
  private readonly heap: HeapNode[] = [];
  private seq = 0;
  private versions = 0;
  /**
   * `all()`'s last answer, until the next put or remove: the runtime and the ghost list the
   * agenda several times per step, and a step changes it only a few times. The array itself
   * is never changed, so a caller that removes entries while it iterates one is safe.
   */
  private listed: readonly T[] | null = null;

  constructor(private readonly tieBreak: () => number) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): T | undefined {
    return this.entries.get(id)?.item;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Adds or reschedules `item` (an existing id keeps its place in `all()`). */
  put(item: T): void {
    const known = this.entries.get(item.id);
    // Versions are unique over the whole agenda, not per id: a heap node left behind by a
    // removed entry must never match an entry put again later under the same id (a timer
    // re-armed after it fired, a held message re-queued), or it would stand in the heap at
    // the old due time.
    const version = ++this.versions;
    this.listed = null;
    if (known) {
      known.item = item;
      known.version = version;
    } else this.entries.set(item.id, { item, version });
    this.push({
      dueAtMs: item.dueAtMs,
      tie: this.tieBreak(),
      seq: this.seq++,
      id: item.id,
      version,
    });
  }

  remove(id: string): T | undefined {
    const known = this.entries.get(id);
    if (known) this.listed = null;
    this.entries.delete(id);
    return known?.item;
  }

  /** The earliest pending entry, without removing it. */
  peek(): T | undefined {
    for (;;) {
      const top = this.heap[0];
      if (!top) return undefined;
      const known = this.entries.get(top.id);
      if (known && known.version === top.version) return known.item;
      this.pop();
    }
  }

  /** Every pending entry, in insertion order. */
  all(): readonly T[] {
    if (this.listed === null) {
      // A plain loop: Array.from with a mapping function was a visible part of a step.
      const items: T[] = [];
      for (const e of this.entries.values()) items.push(e.item);
      this.listed = items;
    }
    return this.listed;
  }

  private push(node: HeapNode): void {
    const heap = this.heap;
    heap.push(node);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as HeapNode;
      if (!before(node, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = node;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      const left = heap[l];
      const right = heap[r];
      if (left && before(left, smallest)) {
        smallest = left;
        at = l;
      }
      if (right && before(right, smallest)) {
        smallest = right;
        at = r;
      }
      if (at < 0) break;
      heap[i] = smallest;
      i = at;
    }
    heap[i] = last;
  }
}
