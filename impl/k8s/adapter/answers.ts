/**
 * What came back from a client-node call, in the API Server's own words (`ApiResponse`), so
 * that the sim's classification (`outcomeOf`, stage-io `resultOf`) applies unchanged: a
 * refusal's `Status` becomes an `ErrorResponse` whose cause `causeOfStatus` reads from the
 * code, reason and message; an error with no answer (connection refused or reset, a
 * timeout, the adapter stopping) is `Unavailable`, an outage, as a 503 is.
 */
import { ApiException } from '@kubernetes/client-node';
import { causeOfStatus, type ErrorResponse } from '../../apiserver/index.js';

/** The fields of a `Status` body, when the body is one. */
const statusOf = (body: unknown): { reason?: string; message?: string } => {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: body };
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { reason, message } = parsed as { reason?: unknown; message?: unknown };
  return {
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
};

/**
 * A failed call as an `ErrorResponse`. Its `code` and `reason` are what the server said
 * (which may lie outside the in-memory server's own codes: a 500, a 429); only `cause`
 * decides the outcome.
 */
export const refusalOf = (error: unknown): ErrorResponse => {
  if (error instanceof ApiException) {
    const code = error.code as number;
    const { reason = '', message = `HTTP ${code}` } = statusOf(error.body);
    const cause = causeOfStatus({ code, reason, message });
    return { ok: false, code, reason, cause, message } as unknown as ErrorResponse;
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    code: 503,
    reason: 'ServiceUnavailable',
    cause: 'Unavailable',
    message: `no answer: ${message}`,
  };
};
