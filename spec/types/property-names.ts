/**
 * The names of protocol.md §9's properties, by kind. The catalogue in `properties/` gives
 * each one a statement and a check; the names live here so that mutants and counterexample
 * files can refer to them without importing the checker.
 */
export const SAFETY_PROPERTIES = [
  'unique-placement',
  'epoch-fencing',
  'snapshot-complete',
  'api-precedence',
  'no-resurrection',
  'no-orphan-exposure',
  'spec-fidelity',
  'capacity',
  'bounded-overshoot',
  'no-leaked-sandbox',
  'handshake-epochs-increase',
  'deletes-only-surplus',
] as const;

export const LIVENESS_PROPERTIES = [
  'replicas-converge',
  'caches-drain',
  'api-reflects-truth',
  'deletion-completes',
  'sessions-connect',
  'status-converges',
] as const;

export const REACHABILITY_PROPERTIES = [
  'round2-resends',
  'stale-epoch-refused',
  'adopted-from-snapshot',
  'expose-retried-after-outage',
  'bind-races-template',
] as const;

export type SafetyPropertyName = (typeof SAFETY_PROPERTIES)[number];
export type LivenessPropertyName = (typeof LIVENESS_PROPERTIES)[number];
export type ReachabilityPropertyName = (typeof REACHABILITY_PROPERTIES)[number];
export type PropertyName = SafetyPropertyName | LivenessPropertyName | ReachabilityPropertyName;

export type PropertyKind = 'always' | 'step' | 'eventually' | 'sometimes';
