/**
 * What a failed send means to the stage that made it. Only a client hears of a broken
 * link (`link.down`, io.ts): a server's reply that fails is a loss the protocol tolerates,
 * and the client times out. Only `unreachable` (the peer's process is gone) and `timeout`
 * (it does not answer) break a link; any other refused frame or a missing address is a
 * fault of the cluster's setup, which the host reports as such.
 */
import type { StageId } from '../../../../spec/types/ids.js';
import type { EpochMismatch, Message } from '../../../../spec/types/messages.js';
import type { StageEvent } from '../../../stages/io.js';
import { SendError } from '../transport/index.js';

export type SendFailureOutcome =
  | { readonly kind: 'linkDown'; readonly event: StageEvent }
  | { readonly kind: 'lost' }
  | { readonly kind: 'fault'; readonly error: unknown };

export const onSendFailure = (
  error: unknown,
  message: Message,
  downstream: readonly StageId[],
): SendFailureOutcome => {
  if (!(error instanceof SendError)) return { kind: 'fault', error };
  // Our own transport closed (the process is going away), or the peer fenced an older
  // incarnation of this stage (the protocol would have anyway): nothing to tell.
  if (error.failure === 'closed' || error.refusal === 'staleEpoch') return { kind: 'lost' };
  if (error.failure !== 'unreachable' && error.failure !== 'timeout')
    return { kind: 'fault', error };
  if (!downstream.includes(message.destination)) return { kind: 'lost' };
  return { kind: 'linkDown', event: { type: 'link.down', server: message.destination } };
};

/** The stage's own refusal of a message from an older epoch, which the transport counts. */
export const isEpochMismatch = (message: Message): message is EpochMismatch =>
  message.type.endsWith('.epochMismatch');
