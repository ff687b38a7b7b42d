import { describe, expect, it } from 'vitest';
import type { Effect, StageEvent } from '../../stages/io.js';
import { SimCluster } from './cluster.js';
import { runDefault } from './policy.js';
import { fakeStage, logOf, registryOf, TEST_CONFIG } from './testing/fakes.js';

/** The Deployment controller's fake: one handshake to the ReplicaSet controller once synced. */
const client = fakeStage(
  () => null,
  (_state, event: StageEvent): { effects?: Effect[] } | undefined =>
    event.type === 'informer.synced'
      ? {
          effects: [
            {
              type: 'send',
              message: {
                type: 'replicaset.handshake',
                source: 'deployment',
                destination: 'replicaset',
                epoch: 'deployment#1.1',
              },
            },
          ],
        }
      : undefined,
);

/** The ReplicaSet controller's fake: answers every handshake at once with an empty snapshot. */
const server = fakeStage(
  () => null,
  (_state, event: StageEvent): { effects?: Effect[] } | undefined =>
    event.type === 'message' && event.message.type === 'replicaset.handshake'
      ? {
          effects: [
            {
              type: 'send',
              message: {
                type: 'deployment.handshakeReply',
                source: 'replicaset',
                destination: 'deployment',
                epoch: event.message.epoch,
                snapshot: [],
              },
            },
          ],
        }
      : undefined,
);

describe('a handshake reply waits for its client to be fresh (model decision 1)', () => {
  it('is held until the client has seen every write made before the reply arrived', () => {
    const cluster = new SimCluster({
      config: TEST_CONFIG,
      mode: 'direct',
      registry: registryOf({ deployment: client, replicaset: server }),
    });
    const replyPending = () =>
      cluster.pending().find((p) => p.label.includes('deployment.handshakeReply'));
    runDefault(cluster, { stepMax: 1_000, stopWhen: () => replyPending() !== undefined });
    // A write the client has not seen yet, whose informer event is slower than the reply.
    cluster.apply({
      type: 'write',
      write: { op: 'scaleDeployment', key: 'a/fn', replicas: 3 },
    });
    const inform = cluster
      .pending()
      .find((p) => p.kind === 'inform' && p.actor === 'deployment' && p.id.includes('deployment'));
    expect(inform).toBeDefined();
    cluster.apply({ type: 'delay', id: inform?.id ?? '', ms: 50 });
    const reply = replyPending();
    expect(reply).toBeDefined();
    expect(cluster.step(reply?.id ?? '').note).toMatch(/^held until deployment's informers/);
    runDefault(cluster, { stepMax: 1_000 });
    const log = logOf(cluster.snapshotOf('deployment'));
    const upsert = log.lastIndexOf('informer.upsert Deployment a/fn');
    const delivered = log.indexOf('message deployment.handshakeReply');
    expect(delivered).toBeGreaterThan(upsert);
    expect(upsert).toBeGreaterThanOrEqual(0);
  });
});
