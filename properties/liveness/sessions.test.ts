import { describe, it } from 'vitest';
import { healthy, kubelet, link } from '../test-support/observation.js';
import { expectFails, expectHolds } from '../test-support/verdict.js';
import { sessionsConnect } from './sessions.js';

describe('sessions-connect', () => {
  it('holds when every link is connected on one epoch', () => {
    const obs = healthy({
      links: [link('replicaset', 'scheduler'), link('scheduler', 'kubelet/n1')],
      kubelets: [kubelet('n1')],
    });
    expectHolds(sessionsConnect.check(obs));
  });

  it('a link still handshaking has not connected', () => {
    const obs = healthy({
      links: [link('replicaset', 'scheduler', { clientPhase: 'handshaking' })],
    });
    expectFails(sessionsConnect.check(obs), 'replicaset->scheduler', 'handshaking');
  });

  it('a connected link whose server restarted and lost its epoch has not connected', () => {
    const obs = healthy({ links: [link('replicaset', 'scheduler', { serverEpoch: null })] });
    expectFails(sessionsConnect.check(obs), 'replicaset->scheduler', 'e1', 'none');
  });

  it('a connected link whose ends hold different epochs has not connected', () => {
    const obs = healthy({ links: [link('scheduler', 'kubelet/n1', { serverEpoch: 'e0' })] });
    expectFails(sessionsConnect.check(obs), 'scheduler->kubelet/n1', 'e0');
  });

  it('a link to the kubelet of a lost node is not expected to reconnect', () => {
    const obs = healthy({
      links: [link('scheduler', 'kubelet/n1', { clientPhase: 'disconnected' })],
      kubelets: [kubelet('n1', [], false)],
    });
    expectHolds(sessionsConnect.check(obs));
  });
});
