/**
 * Liveness as convergence over the fault-free graph. Once faults stop, the system may only
 * take fault-free actions; from every state it must reach a converged state (every
 * liveness property holds) within `bound` steps, whatever order those actions take. No
 * fairness is assumed: a fault-free cycle among unconverged states is a livelock, because
 * a scheduler may keep choosing it.
 *
 * Everything here is iterative over typed arrays: the graph may have millions of states,
 * far beyond what recursion (Tarjan, DFS) survives.
 */
import type { ProgressGraph } from './store.js';

export type LivenessFinding =
  /** An unconverged state where no fault-free action is enabled. */
  | { readonly kind: 'deadlock'; readonly state: number }
  /** `state` lies on a fault-free cycle of unconverged states; `cycle` returns to it. */
  | { readonly kind: 'livelock'; readonly state: number; readonly cycle: readonly number[] }
  /**
   * From `state`, the fault-free path `path` (ordinals, through the states `through`) takes
   * longer than the bound before it converges.
   */
  | {
      readonly kind: 'slow';
      readonly state: number;
      readonly path: readonly number[];
      readonly through: readonly number[];
    };

/**
 * The first liveness problem, preferring the most fundamental kind (a deadlock, then a
 * livelock, then a too-long path) and, within a kind, the state first in BFS order, which
 * has the shortest trace from the initial state.
 */
export function findLivenessProblem(graph: ProgressGraph, bound: number): LivenessFinding | null {
  const deadlock = firstDeadlock(graph);
  if (deadlock !== null) return { kind: 'deadlock', state: deadlock };
  const longest = longestPaths(graph);
  const stuck = firstUnsettled(graph, longest.settled);
  if (stuck !== null) return findCycle(graph, longest.settled, stuck);
  for (let v = 0; v < graph.size; v++) {
    if (graph.unconverged[v] !== 0 && at(longest.dist, v) > bound) {
      return { kind: 'slow', state: v, ...followBest(graph, longest.bestEdge, v) };
    }
  }
  return null;
}

function at(array: Int32Array | Uint8Array, index: number): number {
  return array[index] ?? 0;
}

function firstDeadlock(graph: ProgressGraph): number | null {
  for (let v = 0; v < graph.size; v++) {
    const noEdges = at(graph.edgeStarts, v) === at(graph.edgeStarts, v + 1);
    if (graph.unconverged[v] !== 0 && noEdges) return v;
  }
  return null;
}

interface LongestPaths {
  /** Longest fault-free path (in steps) from each settled unconverged state to convergence. */
  readonly dist: Int32Array;
  /** The edge that starts that longest path. */
  readonly bestEdge: Int32Array;
  /** 1 once a state's longest path is known; states left at 0 reach a cycle. */
  readonly settled: Uint8Array;
}

/**
 * Longest paths in the DAG of unconverged states, in reverse topological order (Kahn's
 * algorithm on the reversed edges). A state is settled once all its unconverged successors
 * are; states on or leading into a cycle never are.
 */
function longestPaths(graph: ProgressGraph): LongestPaths {
  const n = graph.size;
  const dist = new Int32Array(n);
  const bestEdge = new Int32Array(n).fill(-1);
  const settled = new Uint8Array(n);
  const pending = new Int32Array(n);
  const reverse = reverseEdges(graph, pending);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let v = 0; v < n; v++) {
    if (graph.unconverged[v] === 0) continue;
    initialiseDistance(graph, v, dist, bestEdge);
    if (pending[v] === 0) queue[tail++] = v;
  }
  for (let head = 0; head < tail; head++) {
    const w = at(queue, head);
    settled[w] = 1;
    for (let r = at(reverse.starts, w); r < at(reverse.starts, w + 1); r++) {
      const edge = at(reverse.edges, r);
      const v = at(reverse.sources, r);
      if (at(dist, w) + 1 > at(dist, v)) {
        dist[v] = at(dist, w) + 1;
        bestEdge[v] = edge;
      }
      pending[v] = at(pending, v) - 1;
      if (pending[v] === 0) queue[tail++] = v;
    }
  }
  return { dist, bestEdge, settled };
}

/** A state with an edge straight to a converged state is at least one step away. */
function initialiseDistance(
  graph: ProgressGraph,
  v: number,
  dist: Int32Array,
  bestEdge: Int32Array,
): void {
  for (let e = at(graph.edgeStarts, v); e < at(graph.edgeStarts, v + 1); e++) {
    if (graph.unconverged[at(graph.edgeTargets, e)] === 0) {
      dist[v] = 1;
      bestEdge[v] = e;
      return;
    }
  }
}

interface ReverseEdges {
  readonly starts: Int32Array;
  readonly sources: Int32Array;
  readonly edges: Int32Array;
}

/**
 * Reverses the edges between unconverged states (CSR again), and counts into `outDegree`
 * each state's edges to unconverged successors (parallel edges counted each time, as they
 * are released each time).
 */
function reverseEdges(graph: ProgressGraph, outDegree: Int32Array): ReverseEdges {
  const n = graph.size;
  const starts = new Int32Array(n + 1);
  forEachInnerEdge(graph, (v, w) => {
    starts[w + 1] = at(starts, w + 1) + 1;
    outDegree[v] = at(outDegree, v) + 1;
  });
  for (let v = 0; v < n; v++) starts[v + 1] = at(starts, v + 1) + at(starts, v);
  const fill = starts.slice(0, n);
  const sources = new Int32Array(at(starts, n));
  const edges = new Int32Array(at(starts, n));
  forEachInnerEdge(graph, (v, w, e) => {
    const slot = at(fill, w);
    sources[slot] = v;
    edges[slot] = e;
    fill[w] = slot + 1;
  });
  return { starts, sources, edges };
}

function forEachInnerEdge(
  graph: ProgressGraph,
  visit: (source: number, target: number, edge: number) => void,
): void {
  for (let v = 0; v < graph.size; v++) {
    if (graph.unconverged[v] === 0) continue;
    for (let e = at(graph.edgeStarts, v); e < at(graph.edgeStarts, v + 1); e++) {
      const w = at(graph.edgeTargets, e);
      if (graph.unconverged[w] !== 0) visit(v, w, e);
    }
  }
}

function firstUnsettled(graph: ProgressGraph, settled: Uint8Array): number | null {
  for (let v = 0; v < graph.size; v++) {
    if (graph.unconverged[v] !== 0 && settled[v] === 0) return v;
  }
  return null;
}

/**
 * Walks from an unsettled state along unsettled successors (every unsettled state has one)
 * until a state repeats: that closes a cycle. Reports the cycle rotated to start at its
 * state first in BFS order, which has the shortest trace from the initial state.
 */
function findCycle(graph: ProgressGraph, settled: Uint8Array, start: number): LivenessFinding {
  const positionOf = new Map<number, number>();
  const states: number[] = [];
  const ordinals: number[] = [];
  let v = start;
  while (!positionOf.has(v)) {
    positionOf.set(v, states.length);
    states.push(v);
    const edge = unsettledEdge(graph, settled, v);
    ordinals.push(at(graph.edgeOrdinals, edge));
    v = at(graph.edgeTargets, edge);
  }
  const from = positionOf.get(v) ?? 0;
  const cycleStates = states.slice(from);
  const cycleOrdinals = ordinals.slice(from);
  // A loop, not Math.min(...spread): a long cycle would overflow the argument stack.
  let first = 0;
  cycleStates.forEach((state, i) => {
    if (state < (cycleStates[first] ?? state)) first = i;
  });
  return {
    kind: 'livelock',
    state: cycleStates[first] ?? v,
    cycle: [...cycleOrdinals.slice(first), ...cycleOrdinals.slice(0, first)],
  };
}

function unsettledEdge(graph: ProgressGraph, settled: Uint8Array, v: number): number {
  for (let e = at(graph.edgeStarts, v); e < at(graph.edgeStarts, v + 1); e++) {
    const w = at(graph.edgeTargets, e);
    if (graph.unconverged[w] !== 0 && settled[w] === 0) return e;
  }
  throw new Error(`internal: unsettled state ${v} has no unsettled successor`);
}

/** The longest path from `v` to convergence: transition ordinals and the states reached. */
function followBest(
  graph: ProgressGraph,
  bestEdge: Int32Array,
  v: number,
): { path: number[]; through: number[] } {
  const path: number[] = [];
  const through: number[] = [];
  for (let cursor = v; graph.unconverged[cursor] !== 0; ) {
    const edge = at(bestEdge, cursor);
    path.push(at(graph.edgeOrdinals, edge));
    cursor = at(graph.edgeTargets, edge);
    through.push(cursor);
  }
  return { path, through };
}
