/**
 * What a stage transport counts, as a plain snapshot for logs, `kd up` and the chaos test:
 * frames accepted, frames refused by reason (each with its HTTP status), the refusals the
 * stage made itself as its host reports them, and sends that failed.
 */
import type { EpochMismatch } from '../../../../spec/types/messages.js';

/** Why the listener refused a frame, and the status it answered with. */
export const REFUSAL_STATUS = {
  /** No `authorization: Bearer <token>`, or another token. */
  unauthenticated: 401,
  /** Not UTF-8 JSON, not an object, a missing or mistyped field, an extra field, a type sent
   * to the wrong kind of stage, an epoch its link's client did not mint. */
  malformed: 400,
  /** Well-formed JSON whose `type` is not a message of the protocol. */
  unknownType: 422,
  /** A `source` not in the address book. */
  unknownSource: 403,
  /** A `destination` that is not this stage (421 Misdirected Request). */
  wrongDestination: 421,
  /** An epoch of an older incarnation than one already accepted on the link (epochs.ts). */
  staleEpoch: 409,
  /** A body over the size limit. */
  tooLarge: 413,
  /** Not `POST /v1/messages` (404; 405 for another method) or not `application/json` (415). */
  badRequest: 404,
  /** The stage's handler threw; the frame did not reach it. */
  stageError: 500,
} as const;

export type RefusalReason = keyof typeof REFUSAL_STATUS;

/** Why a send failed (transport.ts's `SendError`). */
export type SendFailure = 'noAddress' | 'unreachable' | 'timeout' | 'refused' | 'closed';

export interface CountersSnapshot {
  readonly accepted: number;
  readonly refused: Readonly<Record<RefusalReason, number>>;
  /** Refusals the stage made, as its host reports them: its `epochMismatch` replies. */
  readonly refusedByStage: { readonly epochMismatch: number };
  readonly sent: number;
  readonly sendFailed: Readonly<Record<SendFailure, number>>;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

const SEND_FAILURES: readonly SendFailure[] = [
  'noAddress',
  'unreachable',
  'timeout',
  'refused',
  'closed',
];

export class TransportCounters {
  private accepted = 0;
  private readonly refused = zeros(Object.keys(REFUSAL_STATUS) as RefusalReason[]);
  private epochMismatch = 0;
  private sent = 0;
  private readonly sendFailed = zeros(SEND_FAILURES);

  accept(): void {
    this.accepted += 1;
  }

  refuse(reason: RefusalReason): void {
    this.refused[reason] += 1;
  }

  /** The stage host calls this for each `epochMismatch` its stage sends. */
  stageRefused(_reply: EpochMismatch): void {
    this.epochMismatch += 1;
  }

  sendSucceeded(): void {
    this.sent += 1;
  }

  sendFailedWith(failure: SendFailure): void {
    this.sendFailed[failure] += 1;
  }

  snapshot(): CountersSnapshot {
    return {
      accepted: this.accepted,
      refused: { ...this.refused },
      refusedByStage: { epochMismatch: this.epochMismatch },
      sent: this.sent,
      sendFailed: { ...this.sendFailed },
    };
  }
}
