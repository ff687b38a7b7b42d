/**
 * Issue 14's done-when for informers: the same writes give the same `informer.*` events
 * (views, resourceVersions, `relisted`, tombstones, `synced`, `progress`) from the sim's
 * informers in process and from the client-node adapter's list + watch over HTTP, for every
 * stage's informers; an endpoint that lost its watch history answers a resuming watch 410
 * Expired and the adapter re-lists, delivering the difference as the sim's re-list does; a
 * list refused during an outage is tried again; bookmarks move the progress of an informer
 * whose filter sees no writes.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { StageId } from '../../../spec/types/ids.js';
import type { ApiRequest, ApiServer, SeededFunction } from '../../apiserver/index.js';
import { listensToProgress } from '../../runtime/stage-io/index.js';
import { inputFor } from '../../stages/controller/test-config.js';
import type { StageEvent } from '../../stages/io.js';
import { materialisePod, podFromReplicaSet } from '../builders.js';
import { TEMPLATE_LABEL } from '../labels.js';
import { runningStatus } from '../pod-status.js';
import { lastProgress, Twin, withoutProgress } from './testing.js';

const open: Twin[] = [];

afterEach(async () => {
  for (const twin of open.splice(0)) await twin.close();
});

const started = async (stage: StageId, endpoint = {}): Promise<Twin> => {
  const twin = await Twin.start({ stage, endpoint });
  open.push(twin);
  await twin.startInformers();
  return twin;
};

const send = (api: ApiServer, request: ApiRequest): void => {
  const response = api.handle({ ...request, client: 'user' } as ApiRequest);
  if (!response.ok) throw new Error(`${request.verb} ${request.kind}: ${response.message}`);
};

const createPod = (fn: SeededFunction, name: string, node: string | null) => (api: ApiServer) =>
  send(api, {
    verb: 'create',
    kind: 'Pod',
    object:
      node === null
        ? podFromReplicaSet(fn.replicaSet, 0, name)
        : materialisePod(fn.templatePod, name, node, 0),
  });

const patch =
  (
    kind: 'Pod' | 'Deployment' | 'ReplicaSet' | 'Node',
    name: string,
    body: unknown,
    subresource?: 'status',
  ) =>
  (api: ApiServer) =>
    send(api, {
      verb: 'patch',
      kind,
      namespace: kind === 'Node' ? '' : 'a',
      name,
      patch: body,
      ...(subresource ? { subresource } : {}),
    });

const deletePod = (name: string, gracePeriodSeconds?: number) => (api: ApiServer) =>
  send(api, {
    verb: 'delete',
    kind: 'Pod',
    namespace: 'a',
    name,
    ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
  });

/** One write at a time, each concerning one informer of any stage. */
const writes = (fn: SeededFunction): ((api: ApiServer) => void)[] => [
  patch('Deployment', 'fn', { spec: { replicas: 2 } }),
  patch('ReplicaSet', fn.replicaSet.metadata.name, { spec: { replicas: 2 } }),
  createPod(fn, 'p1', 'n1'),
  createPod(fn, 'fn-u1', null),
  (api) => send(api, { verb: 'bind', kind: 'Pod', namespace: 'a', name: 'fn-u1', nodeName: 'n1' }),
  (api) => {
    const pod = api.lookup('Pod', 'a', 'p1') as V1Pod;
    patch('Pod', 'p1', { status: runningStatus(pod, 2_000) }, 'status')(api);
  },
  patch('ReplicaSet', fn.replicaSet.metadata.name, { status: { replicas: 2 } }, 'status'),
  createPod(fn, 'p2', 'n2'),
  patch('Node', 'n1', { metadata: { labels: { zone: 'z1' } } }),
  deletePod('p1'),
  deletePod('p1', 0),
  patch('Deployment', 'fn', { status: { replicas: 1, readyReplicas: 1 } }, 'status'),
  deletePod('p2', 0),
];

/** Events grouped by the kind of object (one informer each) or, for the rest, by type. */
const byKind = (events: readonly StageEvent[]): Record<string, StageEvent[]> => {
  const groups: Record<string, StageEvent[]> = {};
  for (const event of events) {
    const group = 'object' in event && event.object ? event.object.kind : event.type;
    groups[group] = [...(groups[group] ?? []), event];
  }
  return groups;
};

/**
 * The events from `informer.synced` on: a stage that listens to progress hears, after its
 * lists, that its informers have come as far as them.
 */
const listsEnd = (events: readonly StageEvent[]): string[] =>
  events.slice(events.findIndex((e) => e.type === 'informer.synced')).map((e) => e.type);

/** The key (a node's name) of the object an informer event is about. */
const nameOf = (event: StageEvent): string | undefined => {
  if (!('object' in event) || !event.object) return undefined;
  const view = event.object.view;
  return 'key' in view ? view.key : view.name;
};

const STAGES: StageId[] = ['autoscaler', 'deployment', 'replicaset', 'scheduler', 'kubelet/n1'];

describe('the adapter over HTTP and the sim in process deliver the same informer events', () => {
  it.each(STAGES)(
    '%s: the initial lists, synced, then every write as it streams',
    async (stage) => {
      const twin = await started(stage);
      expect(listsEnd(twin.sim.events)).toEqual(
        listensToProgress(stage, inputFor(stage).config, 'direct')
          ? ['informer.synced', 'informer.progress']
          : ['informer.synced'],
      );
      for (const write of writes(twin.fn)) await twin.write(write);
      expect(twin.http.events).toEqual(twin.sim.events);
      expect(twin.sim.events.some((e) => e.type === 'informer.upsert' && !e.relisted)).toBe(true);
    },
  );

  it('an object that stops matching leaves one informer as DELETED and enters another', async () => {
    const twin = await started('scheduler');
    const template = twin.fn.templatePod.metadata.name;
    await twin.write(patch('Pod', template, { metadata: { labels: { [TEMPLATE_LABEL]: null } } }));
    await twin.write(
      patch('Pod', template, { metadata: { labels: { [TEMPLATE_LABEL]: 'true' } } }),
    );
    // One write reaches two informers over two connections: compare each informer's events.
    expect(byKind(twin.http.events)).toEqual(byKind(twin.sim.events));
    const kinds = twin.sim.events
      .slice(-4)
      .map((e) => `${e.type} ${'object' in e ? e.object?.kind : ''}`);
    expect(kinds.sort()).toEqual([
      'informer.delete Pod',
      'informer.delete TemplatePod',
      'informer.upsert Pod',
      'informer.upsert TemplatePod',
    ]);
  });
});

describe('the adapter re-lists after 410 Expired', () => {
  it('delivers the difference as upserts and tombstones marked relisted, then streams on', async () => {
    const twin = await started('replicaset');
    const { fn } = twin;
    await twin.write(createPod(fn, 'p0', 'n1'));
    await twin.write(createPod(fn, 'p9', 'n1'));
    await twin.restartEndpoint((api) => {
      createPod(fn, 'p1', 'n1')(api);
      patch('Pod', 'p0', { metadata: { labels: { touched: 'yes' } } })(api);
      deletePod('p9', 0)(api);
      createPod(fn, 'p2', 'n2')(api);
      deletePod('p2', 0)(api);
      patch('ReplicaSet', fn.replicaSet.metadata.name, { spec: { replicas: 3 } })(api);
    });
    const counts = twin.http.run?.counts() ?? {};
    expect(counts.pods?.expired).toBeGreaterThanOrEqual(1);
    expect(counts.replicasets?.expired).toBeGreaterThanOrEqual(1);
    const relisted = twin.sim.events.filter((e) => 'relisted' in e && e.relisted).slice(-4);
    expect(relisted.map((e) => [e.type, nameOf(e)])).toEqual([
      ['informer.upsert', `a/${fn.replicaSet.metadata.name}`],
      ['informer.upsert', 'a/p0'],
      ['informer.upsert', 'a/p1'],
      ['informer.delete', 'a/p9'],
    ]);
    expect(byKind(withoutProgress(twin.http.events))).toEqual(
      byKind(withoutProgress(twin.sim.events)),
    );
    expect(lastProgress(twin.http.events)).toBe(twin.http.api.resourceVersion);
    await twin.write(createPod(fn, 'p3', 'n1'));
    expect(byKind(withoutProgress(twin.http.events))).toEqual(
      byKind(withoutProgress(twin.sim.events)),
    );
    expect(twin.http.events.at(-1)).toEqual(twin.sim.events.at(-1));
  });
});

describe('the adapter during an outage', () => {
  it('lists again until the API answers, then syncs', async () => {
    const twin = await Twin.start({ stage: 'scheduler', given: (api) => api.setAvailable(false) });
    open.push(twin);
    await twin.startInformers();
    expect(twin.http.events).toEqual([]);
    expect(twin.sim.events).toEqual([]);
    await twin.write((api) => api.setAvailable(true));
    expect(byKind(twin.http.events)).toEqual(byKind(twin.sim.events));
    expect(twin.http.events.at(-1)).toEqual(twin.sim.events.at(-1));
    expect(listsEnd(twin.sim.events)).toEqual(['informer.synced', 'informer.progress']);
    expect(twin.http.run?.counts().pods?.listsFailed).toBeGreaterThanOrEqual(1);
  });
});

describe('the adapter with watch bookmarks', () => {
  it('reaches the API resourceVersion on an informer whose filter sees no writes', async () => {
    const twin = await started('replicaset', { watchBookmarkMs: 10 });
    const { http, fn } = twin;
    for (const name of ['p1', 'p2', 'p3']) createPod(fn, name, 'n1')(http.api);
    const rv = http.api.resourceVersion;
    await http.untilEvent(
      () => http.events.some((e) => e.type === 'informer.progress' && e.rv === rv),
      `informer.progress at ${rv}`,
    );
    expect(http.run?.counts().replicasets?.bookmarks).toBeGreaterThanOrEqual(1);
    const progress = http.events.flatMap((e) => (e.type === 'informer.progress' ? [e.rv] : []));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});
