/**
 * When the endpoint may answer and what its watches may carry. In memory a write is final
 * once the API Server has made it, so every request is answered at once (`immediateGate`).
 * Backed by storage (impl/apiserver/etcd/), a write counts only once it is durable: the
 * gate runs the requests one at a time, answers each once its writes are stored, and tells
 * the watches when everything written so far is (`settled`), so that no client, by an
 * answer or by a watch event, ever sees a write a crash of the API Server could undo.
 */
import type { ApiServer } from '../api-server.js';

export interface WriteGate {
  /** Runs `work` against the API Server; resolves once what it wrote may be seen. */
  run<T>(work: () => T): Promise<T>;
  /** Whether every write made so far may be seen (a watch may carry up to the present). */
  settled(): boolean;
  /** Calls `listener` whenever more writes may be seen; returns the function that removes it. */
  onSettled(listener: () => void): () => void;
}

export const immediateGate = (api: ApiServer): WriteGate => ({
  run: async (work) => work(),
  settled: () => true,
  onSettled: (listener) => api.onAnswered(listener),
});
