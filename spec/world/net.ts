/**
 * The network of direct links: a multiset of messages in flight. Any message may be
 * delivered next (reordering), dropped or duplicated (faults, within their budgets).
 */

import type { LinkId } from '../types/ids.js';
import { linkId } from '../types/ids.js';
import type { Message } from '../types/messages.js';
import type { WorldState } from './state.js';

/** `state` with `message` in flight (sent, or a duplicate of one in flight). */
export const withSent = (state: WorldState, message: Message): WorldState => ({
  ...state,
  net: [...state.net, Object.freeze(message)],
});

/** The link a message travels on, whichever its direction. */
export const linkOf = (state: Pick<WorldState, 'links'>, message: Message): LinkId => {
  const forward = linkId(message.source, message.destination);
  return state.links[forward] ? forward : linkId(message.destination, message.source);
};

/** `state` without the message at `index` (a delivery or a drop takes it off the net). */
export const withoutMessage = (state: WorldState, index: number): WorldState => ({
  ...state,
  net: state.net.filter((_, i) => i !== index),
});

export const inFlightOn = (state: WorldState, link: LinkId): number => {
  let count = 0;
  for (const message of state.net) if (linkOf(state, message) === link) count += 1;
  return count;
};
