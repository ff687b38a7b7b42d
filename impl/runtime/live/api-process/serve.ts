/**
 * The API Server as a process of its own: restored from etcd, served over HTTP on its
 * port, its garbage collector swept on a timer (as kube-controller-manager runs it) through
 * the same one-at-a-time, durable-before-seen gate as the requests.
 */

import { DurableApi } from '../../../apiserver/etcd/durable.js';
import { collectAll } from '../../../apiserver/fixtures.js';
import { type Endpoint, serveApi } from '../../../apiserver/http/index.js';
import type { ApiPlan, FromApiProcess } from './plan.js';

export interface ServedApi {
  readonly ready: FromApiProcess;
  close(): Promise<void>;
}

export const serveDurableApi = async (
  plan: ApiPlan,
  onLost: (error: Error) => void,
): Promise<ServedApi> => {
  // A runtime, not stage logic: object timestamps are wall-clock time, as kubectl shows them.
  const { durable, restored } = await DurableApi.open({
    etcd: plan.etcd,
    prefix: plan.prefix,
    now: () => Date.now(),
    onLost,
  });
  const endpoint: Endpoint = await serveApi(durable.api, { port: plan.port, gate: durable });
  let sweeping = false;
  const gc = setInterval(() => {
    if (sweeping || durable.api.pendingGc() === 0) return;
    sweeping = true;
    durable
      .run(() => collectAll(durable.api))
      .catch(() => undefined)
      .finally(() => {
        sweeping = false;
      });
  }, plan.gcEveryMs);
  return {
    ready: { type: 'ready', url: endpoint.url, ...restored },
    close: async () => {
      clearInterval(gc);
      await endpoint.close();
    },
  };
};
