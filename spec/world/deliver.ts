/**
 * Delivery of one message: routes it to the session logic of its link by message type.
 * A message to a stage that no longer exists (a lost node) is discarded.
 */

import { answersHandshakes } from '../stages/common.js';
import type { Config } from '../types/config.js';
import type { DataMessage, Message, Sync } from '../types/messages.js';
import type { AppliedEvent } from '../types/observation.js';
import { linkOf, withoutMessage } from './net.js';
import { coreOf, ROLES } from './roles.js';
import { onData, onEpochMismatch, onHandshake, onHandshakeReply, onSyncAck } from './session.js';
import type { WorldState } from './state.js';

const method = (message: Message): string => message.type.slice(message.type.indexOf('.') + 1);

/**
 * A handshake waits in the network until its server answers handshakes (bottom-up
 * recovery). A handshake reply is delivered at any time: the client itself makes sure its
 * informer is fresh before round 2 (`PendingRound2` in state.ts).
 */
export const deliverable = (state: WorldState, cfg: Config, message: Message): boolean => {
  const link = state.links[linkOf(state, message)];
  if (!link) return true;
  if (method(message) === 'handshake') return answersHandshakes(cfg, coreOf(state, link.server));
  return true;
};

/**
 * The delivery of the message at `index`: the message is taken off the net, and handed to
 * the session logic of its link.
 */
export const deliverAt = (
  state: WorldState,
  cfg: Config,
  events: AppliedEvent[],
  index: number,
): WorldState => {
  const message = state.net[index];
  if (!message) throw new Error(`no message at index ${index}`);
  const rest = withoutMessage(state, index);
  const link = rest.links[linkOf(rest, message)];
  if (!link) return rest;
  switch (method(message)) {
    case 'handshake':
      return onHandshake(rest, cfg, events, ROLES, link, message.epoch);
    case 'handshakeReply': {
      const snapshot = 'snapshot' in message ? message.snapshot : [];
      return onHandshakeReply(rest, cfg, events, ROLES, link, message.epoch, snapshot);
    }
    case 'syncAck':
      return onSyncAck(rest, link, message.epoch);
    case 'epochMismatch':
      return onEpochMismatch(rest, link, message.epoch);
    case 'notReady':
    case 'notFound':
      // Never sent in the model: a server defers a handshake until it is ready, and a
      // kubelet holds a bind whose template it lacks.
      return rest;
    default:
      return onData(rest, cfg, events, ROLES, link, message as DataMessage | Sync);
  }
};
