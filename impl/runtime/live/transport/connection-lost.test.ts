/**
 * A connection that was up and breaks from the peer's side is news (the peer's process went
 * away: the host tells its stage `link.down`, as the sim tells a dead server's clients); a
 * connection this side closes, or one that never came up, is not.
 */
import { describe, expect, it } from 'vitest';
import type { StageId } from '../../../../spec/types/ids.js';
import type { Message } from '../../../../spec/types/messages.js';
import type { Address } from './address.js';
import { generateToken } from './token.js';
import { StageTransport } from './transport.js';

const ping = (destination: StageId): Message =>
  ({
    type: 'kubelet.handshake',
    source: 'scheduler',
    destination,
    epoch: 'scheduler#1.1',
  }) as Message;

const cluster = async () => {
  const token = generateToken();
  const book = new Map<StageId, Address>();
  const lost: StageId[] = [];
  const scheduler = new StageTransport({
    self: 'scheduler',
    token,
    book,
    onMessage: () => undefined,
    onConnectionLost: (peer) => lost.push(peer),
  });
  const kubelet = new StageTransport({
    self: 'kubelet/n1',
    token,
    book,
    onMessage: () => undefined,
  });
  book.set('scheduler', await scheduler.listen());
  book.set('kubelet/n1', await kubelet.listen());
  return { scheduler, kubelet, lost };
};

const until = async (holds: () => boolean) => {
  for (let i = 0; i < 200 && !holds(); i += 1) await new Promise((r) => setTimeout(r, 5));
};

describe('a connection to a peer', () => {
  it('that breaks from the peer side is reported once, naming the peer', async () => {
    const { scheduler, kubelet, lost } = await cluster();
    await scheduler.send(ping('kubelet/n1'));
    await kubelet.close();
    await until(() => lost.length > 0);
    expect(lost).toEqual(['kubelet/n1']);
    await scheduler.close();
  });

  it('that this side closes, or that never came up, is not reported', async () => {
    const { scheduler, kubelet, lost } = await cluster();
    await kubelet.close();
    await expect(scheduler.send(ping('kubelet/n1'))).rejects.toThrow(/unreachable/);
    await scheduler.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(lost).toEqual([]);
  });
});
