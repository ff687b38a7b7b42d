/**
 * A stage's I/O as every runtime carries it out: intents into Kubernetes requests and their
 * answers into `api.done` (intents.ts), watch events into `informer.*` (informers.ts). The
 * sim runtime and the client-node adapter share these, so a stage hears the same things
 * from either.
 */
export * from './informers.js';
export * from './intents.js';
