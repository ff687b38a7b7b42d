/**
 * Kubernetes `Status` objects (metav1.Status) and the refusals the endpoint raises before a
 * request reaches the API Server: a malformed body, an unknown path, a verb the resource
 * does not serve. The API Server's own errors (`ErrorResponse`) become the same objects.
 */
import type { ErrorResponse } from '../types.js';

/** `metav1.StatusReason` values the endpoint answers with, besides the API Server's. */
export type HttpReason =
  | ErrorResponse['reason']
  | 'MethodNotAllowed'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError';

/** What a Status names: the object (when there is one) and its resource, as Kubernetes does. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource, plural and lower case (`pods`), as Kubernetes fills `details.kind`. */
  readonly kind?: string;
  readonly uid?: string;
}

/** A reply: an HTTP code and a JSON body. */
export interface Reply {
  readonly code: number;
  readonly body: unknown;
}

/** A request refused with a Status; thrown by the decoding helpers, answered at the top. */
export class Refusal extends Error {
  constructor(
    readonly code: number,
    readonly reason: HttpReason,
    message: string,
  ) {
    super(message);
  }
}

export const failureStatus = (
  code: number,
  reason: HttpReason,
  message: string,
  details?: StatusDetails,
) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

export const successStatus = (code: number, details: StatusDetails) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details,
  code,
});

export const refusalReply = (refusal: Refusal): Reply => ({
  code: refusal.code,
  body: failureStatus(refusal.code, refusal.reason, refusal.message),
});

export const errorReply = (error: ErrorResponse, details: StatusDetails): Reply => ({
  code: error.code,
  body: failureStatus(error.code, error.reason, error.message, details),
});

export const badRequest = (message: string): Refusal => new Refusal(400, 'BadRequest', message);

export const notFoundPath = (): Refusal =>
  new Refusal(404, 'NotFound', 'the server could not find the requested resource');

export const methodNotAllowed = (): Refusal =>
  new Refusal(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );

export const invalidValue = (field: string, message: string): Refusal =>
  new Refusal(422, 'Invalid', `${field}: ${message}`);
