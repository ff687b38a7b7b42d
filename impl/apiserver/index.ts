/**
 * The in-memory API Server: Kubernetes semantics for Deployments, ReplicaSets, Pods and
 * Nodes, watches, informers with lag, owner-reference garbage collection, outages and
 * accounting. See api-server.ts.
 */
export type { AccountingSnapshot, Tally, WatchTally } from './accounting.js';
export { ApiServer, type ApiServerOptions, type WireHooks } from './api-server.js';
export type { JournalEntry } from './core.js';
export { causeOfStatus, type Outcome, outcomeOf, type StatusAnswer } from './errors.js';
export * from './fixtures.js';
export { GC_CLIENT, type GcReport, POD_GC_CLIENT } from './gc.js';
export {
  Informer,
  type InformerEvent,
  type InformerOptions,
  listDifference,
} from './informer.js';
export { jsonSize } from './json-size.js';
export { mergePatch } from './merge-patch.js';
export { compileLabelSelector } from './selectors.js';
export { KINDS, keyOfObject, type StoredObject, storeKey } from './store.js';
export * from './types.js';
export type { QueuedEvent, Watch } from './watch.js';
