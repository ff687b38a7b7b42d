/**
 * `@kubernetes/client-node` as a client of a Kubernetes API: a kubeconfig for a server URL,
 * the typed API clients, the merge-patch header, watches and informers. Kept apart from
 * index.ts so that only what talks to an API over HTTP loads the library's values.
 */
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  type Informer,
  KubeConfig,
  type KubernetesObject,
  type ListPromise,
  makeInformer,
  type ObjectCache,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';

/** A kubeconfig with one cluster at `server` (plain http needs `skipTLSVerify`). */
export const kubeConfigFor = (server: string): KubeConfig => {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'kd', server, skipTLSVerify: true }],
    users: [{ name: 'kd' }],
    contexts: [{ name: 'kd', cluster: 'kd', user: 'kd' }],
    currentContext: 'kd',
  });
  return config;
};

/** The kubeconfig in `file`, checked to name a cluster with a server; else one line. */
export const kubeConfigFromFile = (file: string): KubeConfig => {
  const config = new KubeConfig();
  try {
    config.loadFromFile(file);
  } catch (error) {
    throw new Error(`cannot read kubeconfig ${file}: ${whyUnreadable(error)}`);
  }
  if (!config.getCurrentCluster()?.server)
    throw new Error(`kubeconfig ${file} names no cluster (no current context with a server)`);
  return config;
};

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'a directory',
};

/** client-node's errors are multi-line YAML excerpts, or a TypeError for an empty file. */
const whyUnreadable = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return FILE_ERRORS[code] ?? code;
  if (error instanceof TypeError) return 'not a kubeconfig';
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
};

export interface ApiClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly coordination: CoordinationV1Api;
}

/** An error answered by the API with this HTTP status (client-node's `ApiException`). */
export const isApiStatus = (error: unknown, status: number): boolean =>
  error instanceof ApiException && error.code === status;

export const apiClientsFor = (config: KubeConfig): ApiClients => ({
  core: config.makeApiClient(CoreV1Api),
  apps: config.makeApiClient(AppsV1Api),
  coordination: config.makeApiClient(CoordinationV1Api),
});

/** The per-call options that send a patch as a JSON merge patch (client-node's default is JSON patch). */
export const mergePatchOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export const watchFor = (config: KubeConfig): Watch => new Watch(config);

/** An informer on `path` (list with `list`, then watch from the list's resourceVersion). */
export const informerFor = <T extends KubernetesObject>(
  config: KubeConfig,
  path: string,
  list: ListPromise<T>,
  labelSelector?: string,
): Informer<T> & ObjectCache<T> => makeInformer(config, path, list, labelSelector);
