import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { describe, expect, it } from 'vitest';
import { ApiServer } from '../apiserver/api-server.js';
import { must, seedFunction, seedNodes, virtualClock } from '../apiserver/fixtures.js';
import { materialisePod, podFromReplicaSet } from './builders.js';
import { runningStatus } from './pod-status.js';

/** The client-node model writes only the fields it knows, with the types it knows. */
const roundTrip = (object: unknown, type: string): unknown =>
  JSON.parse(
    JSON.stringify(
      ObjectSerializer.serialize(ObjectSerializer.deserialize(asJson(object), type), type),
    ),
  );

const asJson = (object: unknown): unknown => JSON.parse(JSON.stringify(object));

describe('objects are real Kubernetes objects', () => {
  it('survive a round trip through the client-node models unchanged', () => {
    const api = new ApiServer({ now: virtualClock(1_000).now });
    const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
    const pod = must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(fn.templatePod, 'p1', 'n1', 0),
      }),
    );
    const running = { ...pod, status: runningStatus(pod, 2_000) };
    const [node] = seedNodes(api, ['n1'], 5);
    const samples: [unknown, string][] = [
      [fn.deployment, 'V1Deployment'],
      [fn.replicaSet, 'V1ReplicaSet'],
      [fn.templatePod, 'V1Pod'],
      [running, 'V1Pod'],
      [podFromReplicaSet(fn.replicaSet, 0), 'V1Pod'],
      [node, 'V1Node'],
    ];
    for (const [object, type] of samples) expect(roundTrip(object, type)).toEqual(asJson(object));
  });
});
