/**
 * The network of direct links: a multiset of messages in flight. Any message may be
 * delivered next (reordering), dropped or duplicated (faults, within their budgets).
 */

import { castDraft, current, isDraft } from 'immer';
import type { LinkId } from '../types/ids.js';
import { linkId } from '../types/ids.js';
import type { Message } from '../types/messages.js';
import type { Ctx, WorldState } from './state.js';

export const send = (ctx: Ctx, message: Message): void => {
  ctx.w.net.push(castDraft(Object.freeze(message)));
};

/** `send` on plain objects (`PlainStep`): `state` with `message` in flight. */
export const withSent = (state: WorldState, message: Message): WorldState => ({
  ...state,
  net: [...state.net, Object.freeze(message)],
});

/** The link a message travels on, whichever its direction. */
export const linkOf = (state: Pick<WorldState, 'links'>, message: Message): LinkId => {
  const forward = linkId(message.source, message.destination);
  return state.links[forward] ? forward : linkId(message.destination, message.source);
};

export const inFlightOn = (state: WorldState, link: LinkId): number => {
  let count = 0;
  for (const message of state.net) if (linkOf(state, message) === link) count += 1;
  return count;
};

/**
 * Removes the message at `index` (a drop; a delivery takes its message off the plain net,
 * `deliverAt`) and returns it. The net is replaced by a plain copy without it: a `splice`
 * through the draft would make immer draft every message it shifts (only to drop those
 * drafts when the step ends), and hand out a draft of the frozen message instead of the
 * message.
 */
export const take = (ctx: Ctx, index: number): Message => {
  const net = ctx.w.net;
  const plain = (isDraft(net) ? current(net) : net) as readonly Message[];
  const message = plain[index];
  if (!message) throw new Error(`no message at index ${index}`);
  ctx.w.net = castDraft(plain.filter((_, i) => i !== index));
  return message;
};
