/**
 * The API Server backed by a real etcd (Debian's etcd-server, as CI installs it): a restart
 * finds every object as it was, uids are never handed out twice, a write is in etcd before
 * its request is answered, and anything else writing to etcd stops the server instead of
 * being overwritten or overtaking its resourceVersions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podFromReplicaSet } from '../../k8s/builders.js';
import { collectAll, must, seedFunction, seedNodes } from '../fixtures.js';
import { EtcdClient } from './client.js';
import { DurableApi } from './durable.js';
import { hasEtcd, type LocalEtcd, startLocalEtcd } from './local-etcd.js';

// CI installs etcd (.ci/run); elsewhere the test needs it too, but a checkout without it
// still runs the rest of the suite.
const runs = hasEtcd() || process.env.CI !== undefined;

describe.runIf(runs)('the API Server backed by etcd', () => {
  let etcd: LocalEtcd;
  let prefixes = 0;
  beforeAll(async () => {
    etcd = await startLocalEtcd();
  }, 30_000);
  afterAll(() => etcd?.stop());

  /** A server on a prefix of its own (each test its own store), with its losses. */
  const freshPrefix = () => {
    prefixes += 1;
    return `/t${prefixes}/`;
  };
  const open = async (prefix = freshPrefix(), compactEvery?: number) => {
    const lost: Error[] = [];
    const { durable, restored } = await DurableApi.open({
      etcd: etcd.url,
      prefix,
      now: () => 0,
      onLost: (error) => lost.push(error),
      ...(compactEvery === undefined ? {} : { compactEvery }),
    });
    return { durable, restored, lost, prefix };
  };

  it('restores every object, its resourceVersion and the counters from etcd', async () => {
    const first = await open();
    const fn = await first.durable.run(() => {
      seedNodes(first.durable.api, ['n1', 'n2'], 10);
      return seedFunction(first.durable.api, { namespace: 'kd', name: 'fn' });
    });
    const pod = await first.durable.run(() =>
      must(
        first.durable.api.handle({
          verb: 'create',
          kind: 'Pod',
          object: podFromReplicaSet(fn.replicaSet, 0, 'fn-a'),
          client: 'test',
        }),
      ),
    );
    await first.durable.run(() =>
      first.durable.api.handle({
        verb: 'delete',
        kind: 'Pod',
        namespace: 'kd',
        name: pod.metadata?.name ?? '',
        gracePeriodSeconds: 0,
        client: 'test',
      }),
    );
    const again = await open(first.prefix);
    expect(again.restored.objects).toBe(5);
    expect(again.durable.api.dump()).toBe(first.durable.api.dump());
    // The deleted pod's uid was the last minted; the next object gets a new one.
    const next = await again.durable.run(() =>
      must(
        again.durable.api.handle({
          verb: 'create',
          kind: 'Pod',
          object: podFromReplicaSet(fn.replicaSet, 0, 'fn-b'),
          client: 'test',
        }),
      ),
    );
    const uids = [...first.durable.api.objects('Pod'), pod, next].map((p) => p.metadata?.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(again.lost).toEqual([]);
  });

  it('answers a request only once its writes are in etcd, at the resourceVersion given', async () => {
    const { durable, prefix } = await open();
    const node = await durable.run(() => seedNodes(durable.api, ['n1'], 10)[0]);
    // Read as the answer arrives, before anything else could finish the write.
    expect(durable.durableResourceVersion).toBe(Number(node?.metadata?.resourceVersion));
    const { kvs } = await new EtcdClient(etcd.url).range(prefix);
    expect(kvs.map((kv) => [kv.key, kv.modRevision])).toEqual([
      [`${prefix}Node/n1`, Number(node?.metadata?.resourceVersion)],
    ]);
    expect(durable.settled()).toBe(true);
  });

  it('stops, never overwriting, when something else changed an object in etcd', async () => {
    const { durable, lost, prefix } = await open();
    await durable.run(() => seedNodes(durable.api, ['n1'], 10));
    const client = new EtcdClient(etcd.url);
    // Another writer moves the key on; the API Server's next write of it must not land.
    await client
      .write({ key: `${prefix}Node/n1`, value: '{}', expectedModRevision: 0 })
      .then(async () => {
        const { kvs } = await client.range(`${prefix}Node/n1`);
        await client.write({
          key: `${prefix}Node/n1`,
          value: '{"other":"writer"}',
          expectedModRevision: kvs[0]?.modRevision ?? 0,
        });
      });
    const patched = durable.run(() =>
      durable.api.handle({
        verb: 'patch',
        kind: 'Node',
        namespace: '',
        name: 'n1',
        patch: { metadata: { labels: { x: 'y' } } },
        client: 'test',
      }),
    );
    await expect(patched).rejects.toThrow(/changed Node n1 behind the API Server/);
    expect(lost).toHaveLength(1);
    await expect(durable.run(() => 1)).rejects.toThrow(/behind the API Server/);
    const { kvs } = await client.range(`${prefix}Node/n1`);
    expect(JSON.parse(kvs[0]?.value ?? '')).toEqual({ other: 'writer' });
  });

  it('stops when a write outside the prefix makes the revisions disagree', async () => {
    const { durable, lost } = await open();
    await new EtcdClient(etcd.url).write({ key: '/elsewhere', value: 'x', expectedModRevision: 0 });
    await expect(durable.run(() => seedNodes(durable.api, ['n1'], 10))).rejects.toThrow(
      /something else writes to etcd/,
    );
    expect(lost.map((e) => e.message)).toEqual([expect.stringMatching(/revision/)]);
  });

  it('refuses a write made outside a request (it could be seen before it is durable)', async () => {
    const { durable, lost } = await open();
    seedNodes(durable.api, ['n1'], 10);
    expect(lost.map((e) => e.message)).toEqual(['a write outside a request: Node n1']);
  });

  it("compacts etcd's history to what is durable as writes accumulate", async () => {
    const { durable, lost } = await open(undefined, 3);
    const first = await durable.run(() => seedNodes(durable.api, ['n1'], 10)[0]);
    await durable.run(() => seedNodes(durable.api, ['n2', 'n3', 'n4'], 10));
    const oldRevision = Number(first?.metadata?.resourceVersion);
    // The compaction runs in the background; etcd then refuses a read of the old revision.
    let answer = '';
    for (let i = 0; i < 50 && !answer.includes('compacted'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const response = await fetch(`${etcd.url}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: Buffer.from('/').toString('base64'), revision: oldRevision }),
      });
      answer = await response.text();
    }
    expect(answer).toContain('required revision has been compacted');
    expect(lost).toEqual([]);
  });

  it('finds the garbage collector its work again after a restart', async () => {
    const first = await open();
    const fn = await first.durable.run(() =>
      seedFunction(first.durable.api, { namespace: 'kd', name: 'fn' }),
    );
    // A pod whose ReplicaSet is gone: the collector of the server that crashed never ran.
    await first.durable.run(() => {
      first.durable.api.handle({
        verb: 'create',
        kind: 'Pod',
        object: podFromReplicaSet(fn.replicaSet, 0, 'fn-a'),
        client: 'test',
      });
      first.durable.api.handle({
        verb: 'delete',
        kind: 'ReplicaSet',
        namespace: 'kd',
        name: fn.replicaSet.metadata.name,
        propagationPolicy: 'Background',
        client: 'test',
      });
    });
    const again = await open(first.prefix);
    expect(again.durable.api.pendingGc()).toBeGreaterThan(0);
    await again.durable.run(() => collectAll(again.durable.api));
    expect(again.durable.api.objects('Pod')).toEqual([]);
  });
});
