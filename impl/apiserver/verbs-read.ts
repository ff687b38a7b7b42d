/**
 * GET and LIST. Lists are sorted by key, as etcd returns them, and carry the store's
 * resourceVersion so that a watch could resume from it.
 */

import type { Core } from './core.js';
import { notFound } from './errors.js';
import { isClusterScoped } from './object-meta.js';
import { compileFilter } from './selectors.js';
import { keyOfObject, storeKey } from './store.js';
import type {
  ErrorResponse,
  GetRequest,
  KubeObject,
  ListFilter,
  ListResponse,
  ObjectResponse,
} from './types.js';

export const getObject = (core: Core, request: GetRequest): ObjectResponse | ErrorResponse => {
  const namespace = isClusterScoped(request.kind) ? undefined : request.namespace;
  const object = core.store.get(request.kind, storeKey(namespace, request.name));
  return object ? { ok: true, code: 200, object } : notFound(request.kind, request.name);
};

/** The objects a list or a relist returns, sorted by key. */
const listObjects = (core: Core, filter: ListFilter): KubeObject[] => {
  const matches = compileFilter(filter);
  const candidates =
    filter.nodeName === undefined
      ? core.store.all(filter.kind)
      : core.store
          .podKeysOn(filter.nodeName)
          .map((key) => core.store.get('Pod', key) as KubeObject);
  const items: { key: string; object: KubeObject }[] = [];
  for (const object of candidates)
    if (matches(object)) items.push({ key: keyOfObject(object), object });
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return items.map((item) => item.object);
};

export const list = (core: Core, filter: ListFilter): ListResponse => ({
  ok: true,
  code: 200,
  items: listObjects(core, filter),
  resourceVersion: String(core.store.resourceVersion),
});
