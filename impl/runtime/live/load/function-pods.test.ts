import { afterEach, describe, expect, it } from 'vitest';
import { ApiServer } from '../../../apiserver/api-server.js';
import { seedFunction, virtualClock } from '../../../apiserver/fixtures.js';
import { serveApi } from '../../../apiserver/http/index.js';
import { materialisePod } from '../../../k8s/builders.js';
import { apiClientsFor, kubeConfigFor, mergePatchOptions } from '../../../k8s/client.js';
import { type PodChange, watchFunctionPods } from './function-pods.js';

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** Two functions in `kd`, served over HTTP, and a watch of the first one's pods. */
const setup = async () => {
  const api = new ApiServer({ now: virtualClock(1_000).now });
  const fn1 = seedFunction(api, { namespace: 'kd', name: 'fn-1' });
  const fn2 = seedFunction(api, { namespace: 'kd', name: 'fn-2' });
  const endpoint = await serveApi(api);
  open.push(() => endpoint.close());
  const config = kubeConfigFor(endpoint.url);
  const watch = await watchFunctionPods(config, ['kd/fn-1']);
  open.push(() => watch.stop());
  const changes: string[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const describe = (c: PodChange) =>
    `${c.type} ${c.pod.key}${c.pod.ready ? ' ready' : ''}${c.pod.deleting ? ' deleting' : ''}`;
  watch.onChange((change) => {
    changes.push(describe(change));
    if (waiting && changes.length >= waiting.count) waiting.resolve();
  });
  const until = (count: number) =>
    new Promise<string[]>((resolve) => {
      waiting = { count, resolve: () => resolve(changes) };
      if (changes.length >= count) resolve(changes);
    });
  return { ...apiClientsFor(config), fn1, fn2, watch, until };
};

const readyStatus = {
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
};

describe("the functions' pods as the API shows them", () => {
  it("follows one function's pods through the owner chain, not the template's or others'", async () => {
    const { core, fn1, fn2, watch, until } = await setup();
    await core.createNamespacedPod({
      namespace: 'kd',
      body: materialisePod(fn2.templatePod, 'other', 'n1', 0),
    });
    await core.createNamespacedPod({
      namespace: 'kd',
      body: materialisePod(fn1.templatePod, 'p1', 'n1', 0),
    });
    await core.patchNamespacedPodStatus(
      { namespace: 'kd', name: 'p1', body: readyStatus },
      mergePatchOptions,
    );
    await core.deleteNamespacedPod({ namespace: 'kd', name: 'p1', gracePeriodSeconds: 0 });
    expect(await until(3)).toEqual(['upsert kd/p1', 'upsert kd/p1 ready', 'delete kd/p1 ready']);
    expect(watch.count).toBe(0);
  });

  it('lists the pods there are when it starts', async () => {
    const api = new ApiServer({ now: virtualClock(1_000).now });
    const fn1 = seedFunction(api, { namespace: 'kd', name: 'fn-1' });
    const endpoint = await serveApi(api);
    open.push(() => endpoint.close());
    const { core } = apiClientsFor(kubeConfigFor(endpoint.url));
    for (const name of ['p1', 'p2'])
      await core.createNamespacedPod({
        namespace: 'kd',
        body: materialisePod(fn1.templatePod, name, 'n1', 0),
      });
    const watch = await watchFunctionPods(kubeConfigFor(endpoint.url), ['kd/fn-1']);
    open.push(() => watch.stop());
    expect(watch.pods().map((p) => p.key)).toEqual(['kd/p1', 'kd/p2']);
  });

  it('fails in one line when the API does not answer', async () => {
    await expect(
      watchFunctionPods(kubeConfigFor('http://127.0.0.1:1'), ['kd/fn-1']),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
