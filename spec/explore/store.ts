/**
 * What the explorer remembers about every visited state, without the state itself: the
 * fingerprint of its canonical key, how it was first reached (BFS parent and the ordinal of the transition in
 * the parent's `transitions()` list), its depth, whether it is converged, and its fault-free
 * successors. States are expanded in index order (BFS discovers them level by level), so the
 * successor lists form one compressed adjacency (CSR) filled as the search goes.
 *
 * Equality is by 64-bit fingerprint, as in TLC (fingerprint.ts): a key of a few hundred
 * characters per state would not fit in memory for the larger presets; the chance that two
 * states were merged is reported with every result.
 */
import { FingerprintSet } from './fingerprint.js';
import { IntVec } from './int-vec.js';

export class StateStore {
  private readonly visited = new FingerprintSet();
  private readonly highs = new IntVec();
  private readonly lows = new IntVec();
  private readonly parents = new IntVec();
  private readonly ordinals = new IntVec();
  private readonly depths = new IntVec();
  /** Per state, a bitmask of the liveness properties failing in it: 0 means converged. */
  private readonly failingLiveness = new IntVec();
  /** `edgeStarts[i]` is the first edge of state `i`; pushed when `i` is expanded. */
  private readonly edgeStarts = new IntVec();
  private readonly edgeTargets = new IntVec();
  private readonly edgeOrdinals = new IntVec();

  get size(): number {
    return this.highs.length;
  }

  /** The index of the state with this fingerprint, or -1. */
  lookup(high: number, low: number): number {
    return this.visited.get(high, low);
  }

  /** Adds a new state; `parent` is -1 for the initial state. Returns its index. */
  add(high: number, low: number, parent: number, ordinal: number, failingLiveness: number): number {
    const id = this.highs.length;
    this.visited.add(high, low, id);
    this.highs.push(high | 0);
    this.lows.push(low | 0);
    this.parents.push(parent);
    this.ordinals.push(ordinal);
    this.depths.push(parent < 0 ? 0 : this.depths.get(parent) + 1);
    this.failingLiveness.push(failingLiveness);
    return id;
  }

  fingerprintOf(id: number): Fingerprint {
    return { high: this.highs.get(id) >>> 0, low: this.lows.get(id) >>> 0 };
  }

  failingLivenessOf(id: number): number {
    return this.failingLiveness.get(id);
  }

  depthOf(id: number): number {
    return this.depths.get(id);
  }

  /** How many states were first met at each BFS depth (ids go by depth). */
  levels(): number[] {
    const counts: number[] = [];
    for (let id = 0; id < this.size; id++) {
      const depth = this.depths.get(id);
      counts[depth] = (counts[depth] ?? 0) + 1;
    }
    return counts;
  }

  /** Starts the successor list of `id`; states must be expanded in index order. */
  beginEdges(id: number): void {
    if (id !== this.edgeStarts.length) {
      throw new Error(
        `states must be expanded in order: expected ${this.edgeStarts.length}, got ${id}`,
      );
    }
    this.edgeStarts.push(this.edgeTargets.length);
  }

  addEdge(target: number, ordinal: number): void {
    this.edgeTargets.push(target);
    this.edgeOrdinals.push(ordinal);
  }

  /** The state `id` was first reached from (-1 for the initial state). */
  parentOf(id: number): number {
    return this.parents.get(id);
  }

  /** The ordinal of the transition that first reached `id` (-1 for the initial state). */
  ordinalOf(id: number): number {
    return this.ordinals.get(id);
  }

  /** The ordinals of the transitions on the BFS-tree path from the initial state to `id`. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let at = id; at > 0; at = this.parents.get(at)) path.push(this.ordinals.get(at));
    return path.reverse();
  }

  /** The state indices on that same path, initial state first. */
  statesTo(id: number): number[] {
    const states: number[] = [];
    for (let at = id; at >= 0; at = this.parents.get(at)) states.push(at);
    return states.reverse();
  }

  /** A read-only snapshot of the fault-free graph for the liveness analysis. */
  graph(): ProgressGraph {
    if (this.edgeStarts.length !== this.size) {
      throw new Error('the liveness analysis needs every state expanded');
    }
    const starts = new Int32Array(this.edgeStarts.length + 1);
    starts.set(this.edgeStarts.view());
    starts[this.edgeStarts.length] = this.edgeTargets.length;
    return {
      size: this.size,
      unconverged: this.failingLiveness.view(),
      edgeStarts: starts,
      edgeTargets: this.edgeTargets.view(),
      edgeOrdinals: this.edgeOrdinals.view(),
    };
  }
}

export interface Fingerprint {
  readonly high: number;
  readonly low: number;
}

/**
 * The fault-free transition graph in CSR form: the edges of state `i` are
 * `edgeStarts[i] .. edgeStarts[i + 1]`. Every state was expanded (the search completed).
 */
export interface ProgressGraph {
  readonly size: number;
  /** Bitmask of the liveness properties failing in each state; 0 means converged. */
  readonly unconverged: Int32Array;
  readonly edgeStarts: Int32Array;
  readonly edgeTargets: Int32Array;
  readonly edgeOrdinals: Int32Array;
}
