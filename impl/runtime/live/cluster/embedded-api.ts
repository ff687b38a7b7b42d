/**
 * The embedded default API: the in-memory API Server served over HTTP (`serveApi`), with the
 * garbage collector run on a timer as kube-controller-manager runs it (the endpoint itself
 * runs no controller), and a kubeconfig file naming it that client-node and kubectl use.
 */
import { writeFileSync } from 'node:fs';
import { type Endpoint, serveApi } from '../../../apiserver/http/index.js';
import { ApiServer, collectAll } from '../../../apiserver/index.js';
import { kubeConfigFor } from '../../../k8s/client.js';

export interface EmbeddedApi {
  readonly api: ApiServer;
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

export interface EmbeddedApiOptions {
  /** Default 0: the system chooses. */
  readonly port?: number;
  /** How often the garbage collector sweeps (default 100 ms). */
  readonly gcEveryMs?: number;
}

export const startEmbeddedApi = async (options: EmbeddedApiOptions = {}): Promise<EmbeddedApi> => {
  // A runtime, not stage logic: object timestamps are wall-clock time, as kubectl shows them.
  const api = new ApiServer({ now: () => Date.now() });
  const endpoint = await serveApi(api, { port: options.port ?? 0 });
  const gc = setInterval(() => collectAll(api), options.gcEveryMs ?? 100);
  return {
    api,
    endpoint,
    close: async () => {
      clearInterval(gc);
      await endpoint.close();
    },
  };
};

/** Writes a kubeconfig naming `server` to `file` (JSON, which kubectl reads as YAML). */
export const writeKubeConfig = (file: string, server: string): void => {
  writeFileSync(file, `${kubeConfigFor(server).exportConfig()}\n`, { mode: 0o600 });
};
