import { describe, expect, it } from 'vitest';
import { ApiServer } from '../apiserver/api-server.js';
import { must, seedFunction, seedNodes, virtualClock } from '../apiserver/fixtures.js';
import { materialisePod } from './builders.js';
import { runningStatus } from './pod-status.js';
import {
  toApiObjects,
  toDeploymentView,
  toNodeView,
  toPodView,
  toReplicaSetView,
  toTemplatePodView,
} from './views.js';

const setup = () => {
  const api = new ApiServer({ now: virtualClock().now, freezeObjects: true });
  const fn = seedFunction(
    api,
    { namespace: 'a', name: 'fn', replicas: 2 },
    { replicas: 2, replicasVersion: 4 },
  );
  return { api, ...fn };
};

describe('views', () => {
  it('project a Deployment with its server-minted uid, numeric rv and generation', () => {
    const { deployment } = setup();
    expect(toDeploymentView(deployment)).toEqual({
      key: 'a/fn',
      uid: 'u1',
      replicas: 2,
      templateHash: deployment.metadata.labels && expect.any(String),
      generation: 1,
      replicasVersion: 0,
      deleting: false,
      status: { replicas: 0, readyReplicas: 0 },
      rv: 1,
      managed: true,
    });
  });

  it('project a ReplicaSet with owner, replicas-version, path labels and status', () => {
    const { api, deployment, replicaSet } = setup();
    const updated = must(
      api.handle({
        verb: 'patch',
        kind: 'ReplicaSet',
        namespace: 'a',
        name: replicaSet.metadata.name,
        subresource: 'status',
        patch: { status: { replicas: 2, readyReplicas: 1 } },
      }),
    );
    const view = toReplicaSetView(updated);
    expect(view).toMatchObject({
      key: `a/${replicaSet.metadata.name}`,
      uid: 'u2',
      ownerUid: deployment.metadata.uid,
      templateHash: toDeploymentView(deployment).templateHash,
      replicas: 2,
      replicasVersion: 4,
      fallbackScaling: false,
      status: { replicas: 2, readyReplicas: 1 },
      deleting: false,
      rv: 4,
      managed: true,
    });
  });

  it('project the template Pod with its owner key and fallback-binding label', () => {
    const { replicaSet, templatePod } = setup();
    expect(toTemplatePodView(templatePod)).toEqual({
      key: `a/${templatePod.metadata.name}`,
      uid: 'u3',
      ownerUid: replicaSet.metadata.uid,
      ownerKey: `a/${replicaSet.metadata.name}`,
      templateHash: toReplicaSetView(replicaSet).templateHash,
      fallbackBinding: false,
      rv: 3,
    });
  });

  it('project a pod: node, ready from the PodReady condition, deleting from deletionTimestamp', () => {
    const { api, replicaSet, templatePod } = setup();
    const created = must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(templatePod, 'p1', 'n1', 0),
      }),
    );
    expect(toPodView(created)).toMatchObject({
      key: 'a/p1',
      nodeName: 'n1',
      ready: false,
      deleting: false,
    });
    const patch = { status: runningStatus(created, 10) };
    const ready = must(
      api.handle({
        verb: 'patch',
        kind: 'Pod',
        namespace: 'a',
        name: 'p1',
        subresource: 'status',
        patch,
      }),
    );
    const deleting = must(api.handle({ verb: 'delete', kind: 'Pod', namespace: 'a', name: 'p1' }));
    expect(toPodView(ready)).toMatchObject({ ready: true, deleting: false, rv: 5 });
    expect(toPodView(deleting)).toEqual({
      key: 'a/p1',
      uid: created.metadata?.uid,
      ownerUid: replicaSet.metadata.uid,
      ownerKey: `a/${replicaSet.metadata.name}`,
      templateHash: toReplicaSetView(replicaSet).templateHash,
      nodeName: 'n1',
      ready: true,
      deleting: true,
      rv: 6,
    });
  });

  it('project an unbound pod with a null node and a Node with its allocatable pods', () => {
    const { api } = setup();
    const [node] = seedNodes(api, ['n1'], 5);
    expect(node && toNodeView(node)).toEqual({ name: 'n1', allocatable: 5, rv: 4 });
    const unbound = must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: { metadata: { name: 'u', namespace: 'a' }, spec: { containers: [] } },
      }),
    );
    expect(toPodView(unbound).nodeName).toBeNull();
  });

  it('compute each view once per object version', () => {
    const { deployment } = setup();
    expect(toDeploymentView(deployment)).toBe(toDeploymentView(deployment));
  });

  it('split template Pods from pods in the ApiObjects of an observation', () => {
    const { api, templatePod } = setup();
    must(
      api.handle({
        verb: 'create',
        kind: 'Pod',
        object: materialisePod(templatePod, 'p1', 'n1', 0),
      }),
    );
    seedNodes(api, ['n1'], 3);
    const objects = toApiObjects(api.stored());
    expect(Object.keys(objects.deployments)).toEqual(['a/fn']);
    expect(Object.keys(objects.templatePods)).toEqual([`a/${templatePod.metadata.name}`]);
    expect(Object.keys(objects.pods)).toEqual(['a/p1']);
    expect(Object.keys(objects.nodes)).toEqual(['n1']);
  });
});
