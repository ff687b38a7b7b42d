/**
 * A server whose process is gone refuses connections at once. The client hears `link.down`
 * once; the handshakes it sends while the server is still down are losses its retry timer
 * answers (as in the sim, where a dead server's messages are dropped), not a new
 * `link.down` each, which would re-handshake in a tight loop: a live run saw 2,730 refused
 * handshakes in the four seconds a scheduler took to restart.
 */
import { describe, expect, it } from 'vitest';
import { type Config, HARDENED, PRESETS } from '../../../../spec/types/config.js';
import type { Message } from '../../../../spec/types/messages.js';
import { ApiServer, seedFunction, seedNodes } from '../../../apiserver/index.js';
import { SendError } from '../transport/index.js';
import { downstreamOf, InProcessApi, type MessagePort, StageHost } from './index.js';

const CONFIG: Config = {
  preset: PRESETS.up,
  profile: 'hardened',
  switches: HARDENED,
  mutant: null,
};

/** A transport to a server that is down: every send is refused. */
const transportTo = () => {
  const sent: Message[] = [];
  const port: MessagePort = {
    send: async (message) => {
      sent.push(message);
      // A refused connection is answered from the event loop, as a socket's error is.
      await new Promise((resolve) => setImmediate(resolve));
      throw new SendError('unreachable', message.destination, 'ECONNREFUSED');
    },
    countStageRefusal: () => undefined,
  };
  return { sent, port };
};

const handshakes = (sent: readonly Message[]) =>
  sent.filter((m) => m.type.endsWith('.handshake')).length;

describe('a client whose server is down', () => {
  it('handshakes again on its retry timer, not on every refused send', async () => {
    const api = new ApiServer({ now: () => 0 });
    seedNodes(api, ['n1'], 10);
    seedFunction(api, { namespace: 'a', name: 'fn' });
    const transport = transportTo();
    const host = new StageHost(
      {
        id: 'replicaset',
        config: CONFIG,
        mode: 'direct',
        downstream: downstreamOf('replicaset', CONFIG, 'direct', ['n1']),
      },
      { api: new InProcessApi(api, 'replicaset', () => 0), transport: transport.port },
    );
    await host.start();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    // The first handshake, and one per 500 ms retry: not thousands.
    expect(handshakes(transport.sent)).toBeGreaterThanOrEqual(2);
    expect(handshakes(transport.sent)).toBeLessThanOrEqual(5);
    await host.stop();
  });
});
