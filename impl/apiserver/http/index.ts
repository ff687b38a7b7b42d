/**
 * The embedded API endpoint: the in-memory API Server over HTTP, as Kubernetes serves its
 * REST API (endpoint.ts; what is served and what is not: docs/live.md).
 */
export { type Endpoint, type EndpointOptions, serveApi } from './endpoint.js';
export { immediateGate, type WriteGate } from './gate.js';
