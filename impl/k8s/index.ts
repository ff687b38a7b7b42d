/**
 * Real Kubernetes objects at the boundary: builders, template hashes, pod status and the
 * projections onto the narrow views. The only directory that may import
 * `@kubernetes/client-node` as a value (design.md §3); everything else imports types only.
 */
export * from './builders.js';
export * from './hash.js';
export * from './knative.js';
export * from './labels.js';
export * from './managed-fields.js';
export * from './node.js';
export * from './pod-status.js';
export * from './views.js';
