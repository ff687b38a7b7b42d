/**
 * Error responses with Kubernetes' codes, reasons and messages, and their translation into
 * the outcome vocabulary of `AppliedEvent` (spec/types/observation.ts), so that the
 * implementation reports API requests in the same words as the model.
 */
import type { AppliedEvent } from '../../spec/types/observation.js';
import type { ApiResponse, ErrorCause, ErrorResponse, Kind } from './types.js';

export type Outcome = Extract<AppliedEvent, { kind: 'api' }>['outcome'];

const resourceOf = (kind: Kind): string => `${kind.toLowerCase()}s`;

const error = (
  code: ErrorResponse['code'],
  reason: ErrorResponse['reason'],
  cause: ErrorCause,
  message: string,
): ErrorResponse => ({ ok: false, code, reason, cause, message });

export const unavailable = (): ErrorResponse =>
  error(
    503,
    'ServiceUnavailable',
    'Unavailable',
    'the server is currently unable to handle the request',
  );

export const notFound = (kind: Kind, name: string): ErrorResponse =>
  error(404, 'NotFound', 'NotFound', `${resourceOf(kind)} "${name}" not found`);

export const alreadyExists = (kind: Kind, name: string): ErrorResponse =>
  error(409, 'AlreadyExists', 'AlreadyExists', `${resourceOf(kind)} "${name}" already exists`);

export const staleResourceVersion = (kind: Kind, name: string): ErrorResponse =>
  error(
    409,
    'Conflict',
    'StaleResourceVersion',
    `Operation cannot be fulfilled on ${resourceOf(kind)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );

export const preconditionFailed = (
  cause: 'UidPrecondition' | 'ResourceVersionPrecondition',
  expected: string,
  actual: string,
): ErrorResponse => {
  const field = cause === 'UidPrecondition' ? 'UID' : 'ResourceVersion';
  return error(
    409,
    'Conflict',
    cause,
    `Precondition failed: ${field} in precondition: ${expected}, ${field} in object meta: ${actual}`,
  );
};

export const alreadyBound = (name: string, node: string): ErrorResponse =>
  error(
    409,
    'Conflict',
    'AlreadyBound',
    `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${node}"`,
  );

export const podDeleting = (name: string): ErrorResponse =>
  error(
    409,
    'Conflict',
    'PodDeleting',
    `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host`,
  );

export const invalid = (kind: Kind, name: string, detail: string): ErrorResponse =>
  error(422, 'Invalid', 'Invalid', `${kind} "${name}" is invalid: ${detail}`);

const OUTCOME_OF_CAUSE: Readonly<Record<ErrorCause, Outcome>> = {
  Unavailable: 'outage',
  NotFound: 'notFound',
  AlreadyExists: 'alreadyExists',
  StaleResourceVersion: 'conflict',
  AlreadyBound: 'conflict',
  PodDeleting: 'conflict',
  // The model has no word for a malformed request (a caller's bug, not a race).
  Invalid: 'conflict',
  UidPrecondition: 'precondition',
  ResourceVersionPrecondition: 'precondition',
};

/** The model's outcome word for a response. */
export const outcomeOf = (response: ApiResponse): Outcome =>
  response.ok ? 'ok' : OUTCOME_OF_CAUSE[response.cause];

/** What a Kubernetes `Status` answer says, as an HTTP client receives it. */
export interface StatusAnswer {
  readonly code: number;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * The cause of a refusal received over HTTP, the inverse of the Statuses above, so that a
 * client of a real API (the client-node adapter) classifies answers as `outcomeOf` does:
 * a 409 Conflict is a failed precondition when its message says so (Kubernetes' own
 * wording, `preconditionFailed`), else a conflict. What the in-memory server never answers
 * falls on the nearest side: 5xx and 429 Too Many Requests are the server's trouble
 * (`Unavailable`, retried as an outage), any other refusal a request the server will not
 * take (`Invalid`).
 */
export const causeOfStatus = ({ code, reason, message = '' }: StatusAnswer): ErrorCause => {
  if (code >= 500 || code === 429) return 'Unavailable';
  if (code === 404) return 'NotFound';
  if (code === 409 && reason === 'AlreadyExists') return 'AlreadyExists';
  if (code === 409) {
    if (message.startsWith('Precondition failed: UID')) return 'UidPrecondition';
    if (message.startsWith('Precondition failed: ResourceVersion'))
      return 'ResourceVersionPrecondition';
    return 'StaleResourceVersion';
  }
  return 'Invalid';
};
