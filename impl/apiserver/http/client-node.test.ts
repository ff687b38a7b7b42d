/**
 * `@kubernetes/client-node` against the embedded endpoint over real HTTP: the typed clients
 * create, read, list, update, patch (status, scale) and delete, and an informer and a raw
 * watch see what the in-process watches see (watch.test.ts, informer.test.ts, crud.test.ts,
 * lease.test.ts), in order.
 */
import type { KubernetesObject, V1Lease, V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { materialisePod } from '../../k8s/builders.js';
import {
  type ApiClients,
  apiClientsFor,
  informerFor,
  kubeConfigFor,
  mergePatchOptions,
  watchFor,
} from '../../k8s/client.js';
import { buildNode } from '../../k8s/node.js';
import { ApiServer } from '../api-server.js';
import { must, type SeededFunction, seedFunction, virtualClock } from '../fixtures.js';
import { type Endpoint, serveApi } from './endpoint.js';

const open: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

interface Setup extends ApiClients {
  readonly api: ApiServer;
  readonly endpoint: Endpoint;
  readonly config: ReturnType<typeof kubeConfigFor>;
  readonly fn: SeededFunction;
}

/** A server with one function (Deployment, ReplicaSet, template Pod) in namespace `a`. */
const setup = async (): Promise<Setup> => {
  const api = new ApiServer({ now: virtualClock(1_000).now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  const endpoint = await serveApi(api);
  open.push(() => endpoint.close());
  const config = kubeConfigFor(endpoint.url);
  return { api, endpoint, config, fn, ...apiClientsFor(config) };
};

const pod = (fn: SeededFunction, name: string, node = 'n1'): V1Pod =>
  materialisePod(fn.templatePod, name, node, 0);

/** The code and Status of a refused call. */
const refusal = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    const { code, body } = error as { code: number; body: string };
    return { code, reason: (JSON.parse(body) as { reason: string }).reason };
  }
  throw new Error('the call succeeded');
};

/** Events as `type name`, with a promise that resolves once `count` have arrived. */
const recorder = () => {
  const seen: string[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  return {
    seen,
    record(type: string, object: KubernetesObject) {
      seen.push(`${type} ${object.metadata?.name}`);
      if (waiting && seen.length >= waiting.count) waiting.resolve();
    },
    until(count: number): Promise<string[]> {
      if (seen.length >= count) return Promise.resolve(seen);
      return new Promise((resolve) => {
        waiting = { count, resolve: () => resolve(seen) };
      });
    },
  };
};

describe('client-node against the endpoint', () => {
  it('creates, reads and lists pods, the list carrying the resourceVersion to watch from', async () => {
    const { api, core, fn } = await setup();
    const created = await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    expect(created.metadata?.uid).toBeDefined();
    expect(created.metadata?.resourceVersion).toBe(String(api.resourceVersion));
    expect(created.status?.phase).toBe('Pending');
    const read = await core.readNamespacedPod({ namespace: 'a', name: 'p1' });
    expect(read.metadata?.creationTimestamp).toEqual(created.metadata?.creationTimestamp);
    const listed = await core.listNamespacedPod({ namespace: 'a' });
    // Sorted by name, as etcd returns them.
    expect(listed.items.map((p) => p.metadata?.name)).toEqual([fn.templatePod.metadata.name, 'p1']);
    expect(listed.metadata?.resourceVersion).toBe(String(api.resourceVersion));
    const everywhere = await core.listPodForAllNamespaces({
      labelSelector: '!kubedirect/template',
    });
    expect(everywhere.items.map((p) => p.metadata?.name)).toEqual(['p1']);
    const onNode = await core.listNamespacedPod({
      namespace: 'a',
      fieldSelector: 'spec.nodeName=n1',
    });
    expect(onNode.items.map((p) => p.metadata?.name)).toEqual(['p1']);
  });

  it('refuses a second pod of the same name (409) and reads an unknown one as 404', async () => {
    const { core, fn } = await setup();
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    expect(
      await refusal(core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') })),
    ).toEqual({ code: 409, reason: 'AlreadyExists' });
    expect(await refusal(core.readNamespacedPod({ namespace: 'a', name: 'nope' }))).toEqual({
      code: 404,
      reason: 'NotFound',
    });
  });

  it('merge-patches a pod status, and deletes the pod gracefully, then at once', async () => {
    const { core, fn } = await setup();
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    const body = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
    const patched = await core.patchNamespacedPodStatus(
      { namespace: 'a', name: 'p1', body },
      mergePatchOptions,
    );
    expect(patched.status?.phase).toBe('Running');
    expect(patched.status?.conditions?.[0]?.type).toBe('Ready');
    const deleting = await core.deleteNamespacedPod({ namespace: 'a', name: 'p1' });
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    const gone = await core.deleteNamespacedPod({
      namespace: 'a',
      name: 'p1',
      gracePeriodSeconds: 0,
    });
    expect(gone.metadata?.name).toBe('p1');
    expect((await refusal(core.readNamespacedPod({ namespace: 'a', name: 'p1' }))).code).toBe(404);
  });

  it('scales a Deployment through its scale subresource and refuses a stale Scale', async () => {
    const { apps } = await setup();
    const before = await apps.readNamespacedDeploymentScale({ namespace: 'a', name: 'fn' });
    const scaled = await apps.patchNamespacedDeploymentScale(
      { namespace: 'a', name: 'fn', body: { spec: { replicas: 3 } } },
      mergePatchOptions,
    );
    expect(scaled.spec?.replicas).toBe(3);
    const deployment = await apps.readNamespacedDeployment({ namespace: 'a', name: 'fn' });
    expect(deployment.spec?.replicas).toBe(3);
    expect(deployment.metadata?.generation).toBe(2);
    const stale = { ...before, spec: { replicas: 5 } };
    const refused = apps.replaceNamespacedDeploymentScale({
      namespace: 'a',
      name: 'fn',
      body: stale,
    });
    expect(await refusal(refused)).toEqual({ code: 409, reason: 'Conflict' });
    const fresh = { ...scaled, spec: { replicas: 0 } };
    const replaced = await apps.replaceNamespacedDeploymentScale({
      namespace: 'a',
      name: 'fn',
      body: fresh,
    });
    expect(replaced.spec?.replicas).toBe(0);
  });

  it('updates a ReplicaSet status with the current resourceVersion and refuses a stale one', async () => {
    const { apps, fn } = await setup();
    const rs = await apps.readNamespacedReplicaSet({
      namespace: 'a',
      name: fn.replicaSet.metadata.name,
    });
    const body = { ...rs, status: { replicas: 2, readyReplicas: 1 } };
    const name = rs.metadata?.name as string;
    const updated = await apps.replaceNamespacedReplicaSetStatus({ namespace: 'a', name, body });
    expect(updated.status?.readyReplicas).toBe(1);
    expect(updated.metadata?.generation).toBe(rs.metadata?.generation);
    const again = apps.replaceNamespacedReplicaSetStatus({ namespace: 'a', name, body });
    expect(await refusal(again)).toEqual({ code: 409, reason: 'Conflict' });
    const scaled = await apps.patchNamespacedReplicaSetScale(
      { namespace: 'a', name, body: { spec: { replicas: 4 } } },
      mergePatchOptions,
    );
    expect(scaled.status?.replicas).toBe(2);
  });

  it('deletes a Deployment with a Success Status, and in the foreground keeps it deleting', async () => {
    const { api, apps } = await setup();
    const status = await apps.deleteNamespacedDeployment({ namespace: 'a', name: 'fn' });
    expect(status.status).toBe('Success');
    expect(api.pendingGc()).toBeGreaterThan(0);
    seedFunction(api, { namespace: 'b', name: 'fn' });
    await apps.deleteNamespacedDeployment({
      namespace: 'b',
      name: 'fn',
      body: { propagationPolicy: 'Foreground' },
    });
    const deleting = await apps.readNamespacedDeployment({ namespace: 'b', name: 'fn' });
    expect(deleting.metadata?.finalizers).toContain('foregroundDeletion');
  });

  it('takes, renews and refuses Leases as the in-process server does', async () => {
    const { coordination } = await setup();
    const lease: V1Lease = {
      metadata: { name: 'kd-deployment' },
      spec: { holderIdentity: 'deployment', leaseTransitions: 0 },
    };
    const made = await coordination.createNamespacedLease({
      namespace: 'kube-system',
      body: lease,
    });
    expect(made.kind).toBe('Lease');
    const renewed = { ...made, spec: { ...made.spec, leaseTransitions: 1 } };
    const name = 'kd-deployment';
    const taken = await coordination.replaceNamespacedLease({
      namespace: 'kube-system',
      name,
      body: renewed,
    });
    expect(taken.spec?.leaseTransitions).toBe(1);
    const late = coordination.replaceNamespacedLease({
      namespace: 'kube-system',
      name,
      body: renewed,
    });
    expect(await refusal(late)).toEqual({ code: 409, reason: 'Conflict' });
    const bad = { ...taken, spec: { leaseTransitions: -1 } };
    const invalid = coordination.replaceNamespacedLease({
      namespace: 'kube-system',
      name,
      body: bad,
    });
    expect(await refusal(invalid)).toEqual({ code: 422, reason: 'Invalid' });
    const leases = await coordination.listLeaseForAllNamespaces();
    expect(leases.items.map((l) => l.metadata?.name)).toEqual([name]);
  });

  it('creates Nodes (cluster-scoped), patches their status and binds a pod to one', async () => {
    const { core, fn } = await setup();
    await core.createNode({ body: buildNode('n1', { allocatablePods: 5 }, 0) });
    const patched = await core.patchNodeStatus(
      { name: 'n1', body: { status: { phase: 'Running' } } },
      mergePatchOptions,
    );
    expect(patched.status?.phase).toBe('Running');
    expect((await core.listNode()).items.map((n) => n.metadata?.name)).toEqual(['n1']);
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1', '') });
    const target = { kind: 'Node', name: 'n1' };
    await core.createNamespacedPodBinding({
      namespace: 'a',
      name: 'p1',
      body: { metadata: { name: 'p1' }, target },
    });
    expect((await core.readNamespacedPod({ namespace: 'a', name: 'p1' })).spec?.nodeName).toBe(
      'n1',
    );
  });
});

describe('watching through the endpoint', () => {
  it('an informer sees adds, updates and deletes in order, writes from anyone included', async () => {
    const { api, config, core, fn } = await setup();
    const events = recorder();
    const informer = informerFor(
      config,
      '/api/v1/namespaces/a/pods',
      () => core.listNamespacedPod({ namespace: 'a', labelSelector: '!kubedirect/template' }),
      '!kubedirect/template',
    );
    for (const type of ['add', 'update', 'delete'] as const)
      informer.on(type, (object) => events.record(type, object));
    await informer.start();
    open.push(() => informer.stop());
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p2') });
    await core.patchNamespacedPodStatus(
      { namespace: 'a', name: 'p1', body: { status: { phase: 'Running' } } },
      mergePatchOptions,
    );
    // A write in process (as the garbage collector's) reaches the stream too.
    must(
      api.handle({
        verb: 'delete',
        kind: 'Pod',
        namespace: 'a',
        name: 'p2',
        gracePeriodSeconds: 0,
      }),
    );
    await core.deleteNamespacedPod({ namespace: 'a', name: 'p1', gracePeriodSeconds: 0 });
    expect(await events.until(5)).toEqual([
      'add p1',
      'add p2',
      'update p1',
      'delete p2',
      'delete p1',
    ]);
    expect(informer.list('a')).toEqual([]);
  });

  it('an informer started late lists what exists, then watches from the list', async () => {
    const { config, apps } = await setup();
    const events = recorder();
    const informer = informerFor(config, '/apis/apps/v1/namespaces/a/deployments', () =>
      apps.listNamespacedDeployment({ namespace: 'a' }),
    );
    informer.on('add', (object) => events.record('add', object));
    informer.on('update', (object) => events.record('update', object));
    await informer.start();
    open.push(() => informer.stop());
    await apps.patchNamespacedDeploymentScale(
      { namespace: 'a', name: 'fn', body: { spec: { replicas: 2 } } },
      mergePatchOptions,
    );
    expect(await events.until(2)).toEqual(['add fn', 'update fn']);
    expect(informer.get('fn', 'a')?.spec?.replicas).toBe(2);
  });

  it('a watch from a resourceVersion replays the writes after it, then follows new ones', async () => {
    const { api, config, core, fn } = await setup();
    const from = String(api.resourceVersion);
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p2') });
    const events = recorder();
    const versions: string[] = [];
    const done: unknown[] = [];
    const controller = await watchFor(config).watch(
      '/api/v1/namespaces/a/pods',
      { resourceVersion: from },
      (type: string, object: KubernetesObject) => {
        events.record(type, object);
        versions.push(object.metadata?.resourceVersion ?? '');
      },
      (error: unknown) => done.push(error),
    );
    open.push(async () => controller.abort());
    await core.deleteNamespacedPod({ namespace: 'a', name: 'p1', gracePeriodSeconds: 0 });
    expect(await events.until(3)).toEqual(['ADDED p1', 'ADDED p2', 'DELETED p1']);
    expect(versions.map(Number)).toEqual([4, 5, 6]);
    expect(done).toEqual([]);
  });

  it('a selector watch gets ADDED when an object starts matching and DELETED when it stops', async () => {
    const { config, core, fn } = await setup();
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    const events = recorder();
    const controller = await watchFor(config).watch(
      '/api/v1/pods',
      { labelSelector: 'phase in (ready)' },
      (type: string, object: KubernetesObject) => events.record(type, object),
      () => undefined,
    );
    open.push(async () => controller.abort());
    const label = (value: string) =>
      core.patchNamespacedPod(
        { namespace: 'a', name: 'p1', body: { metadata: { labels: { phase: value } } } },
        mergePatchOptions,
      );
    await label('ready');
    await label('ready-again');
    expect(await events.until(2)).toEqual(['ADDED p1', 'DELETED p1']);
  });

  it('a watch that allows bookmarks learns the resourceVersion of writes it does not see', async () => {
    const { api, config, core, apps, fn } = await setup();
    const watch = async (allowWatchBookmarks: boolean) => {
      const seen: string[] = [];
      const arrived = recorder();
      const controller = await watchFor(config).watch(
        '/api/v1/pods',
        { resourceVersion: String(api.resourceVersion), allowWatchBookmarks },
        (type: string, object: KubernetesObject) => {
          seen.push(`${type} ${object.metadata?.resourceVersion}`);
          arrived.record(type, object);
        },
        () => undefined,
      );
      open.push(async () => controller.abort());
      return { seen, arrived };
    };
    const bookmarked = await watch(true);
    const plain = await watch(false);
    await apps.patchNamespacedDeployment(
      { namespace: 'a', name: 'fn', body: { spec: { replicas: 2 } } },
      mergePatchOptions,
    );
    const scaled = api.resourceVersion;
    await bookmarked.arrived.until(1);
    await core.createNamespacedPod({ namespace: 'a', body: pod(fn, 'p1') });
    await bookmarked.arrived.until(2);
    await plain.arrived.until(1);
    expect(bookmarked.seen).toEqual([`BOOKMARK ${scaled}`, `ADDED ${scaled + 1}`]);
    // The other watch, which did not ask for bookmarks, got the pod's event alone.
    expect(plain.seen).toEqual([`ADDED ${scaled + 1}`]);
  });
});
