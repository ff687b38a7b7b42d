/**
 * Per-kind validation of a client's body on create and on update/patch, as the API Server's
 * registry strategies do. Only kinds with rules a client can break are listed; today that is
 * the Lease (coordination.k8s.io/v1), whose numeric fields Kubernetes validates.
 */
import type { Kind } from './types.js';

type Body = { spec?: object };

const nonNegativeInteger = (value: unknown): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

const leaseError = (spec: Record<string, unknown>): string | undefined => {
  const { holderIdentity, leaseDurationSeconds, leaseTransitions } = spec;
  if (holderIdentity !== undefined && typeof holderIdentity !== 'string')
    return 'spec.holderIdentity: Invalid value: must be a string';
  if (
    leaseDurationSeconds !== undefined &&
    (!nonNegativeInteger(leaseDurationSeconds) || leaseDurationSeconds === 0)
  )
    return 'spec.leaseDurationSeconds: Invalid value: must be greater than 0';
  if (leaseTransitions !== undefined && !nonNegativeInteger(leaseTransitions))
    return 'spec.leaseTransitions: Invalid value: must be greater than or equal to 0';
  return undefined;
};

/** Why `body` is not a valid `kind`, or undefined when it is. */
export const validationError = (kind: Kind, body: Body): string | undefined => {
  if (kind !== 'Lease') return undefined;
  return leaseError((body.spec ?? {}) as Record<string, unknown>);
};
