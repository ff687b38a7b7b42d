/**
 * Stale epochs at the transport. Only a stage knows its links' current epochs, and it
 * refuses a data message of another epoch itself (`epochMismatch`, which its host reports
 * to the counters). What the transport can know alone is the incarnation: a stage process
 * that restarted mints epochs of a higher incarnation, and its old incarnation's frames can
 * only be delayed ones, which the protocol fences anyway (protocol.md §4). Refusing them
 * here is a loss, which the protocol tolerates; counting them shows how many arrive.
 */
import { type LinkId, linkId } from '../../../../spec/types/ids.js';
import type { Message } from '../../../../spec/types/messages.js';
import { isReplyType, parseEpoch } from './schema.js';

/** The link a frame travels on, named `<client>-><server>`; its client minted the epoch. */
const linkOfFrame = (message: Message): LinkId =>
  isReplyType(message.type)
    ? linkId(message.destination, message.source)
    : linkId(message.source, message.destination);

const incarnationOf = (message: Message): number => parseEpoch(message.epoch)?.incarnation ?? 0;

export class IncarnationsSeen {
  /** The newest incarnation in a frame accepted on each link. */
  private readonly newest = new Map<LinkId, number>();

  /** Whether the frame's epoch is of an older incarnation than one already accepted. */
  isStale(message: Message): boolean {
    return incarnationOf(message) < (this.newest.get(linkOfFrame(message)) ?? 0);
  }

  /** Called for accepted frames only, so a refused frame cannot make later ones stale. */
  note(message: Message): void {
    const link = linkOfFrame(message);
    this.newest.set(link, Math.max(incarnationOf(message), this.newest.get(link) ?? 0));
  }
}
