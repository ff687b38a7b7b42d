/**
 * Which verb an HTTP request is, and how each verb becomes an API Server request and its
 * response an HTTP reply: GET one, LIST, CREATE (POST), UPDATE (PUT), PATCH (JSON merge
 * patch), DELETE, the `status` and `scale` subresources and pod binding. Decoding refuses a
 * malformed request before the API Server sees it; the API Server's own refusals
 * (NotFound, Conflict, Invalid, ServiceUnavailable) become Statuses with their codes.
 */
import type { ApiServer } from '../api-server.js';
import { isClusterScoped, loose } from '../object-meta.js';
import type { KubeObject, ListFilter } from '../types.js';
import { scaleOf } from '../verbs-write.js';
import {
  checkObject,
  type Json,
  numberField,
  objectField,
  parseObject,
  stringField,
} from './body.js';
import { deleteVerb } from './delete.js';
import { parseFieldSelector, parseLabelSelector } from './query.js';
import { detailsOf, replyOf } from './replies.js';
import { groupVersionOf, type Target } from './routes.js';
import { badRequest, methodNotAllowed, type Reply, successStatus } from './status.js';

export type HttpVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'bind';

/** The verb of `method` on `target`; a 405 when the resource does not serve it. */
export const verbOf = (method: string, target: Target, watch: boolean): HttpVerb => {
  const { name, subresource, namespace, resource } = target;
  if (watch && (method !== 'GET' || name !== undefined))
    throw badRequest('watch is served on collections only');
  const verb = ((): HttpVerb | undefined => {
    if (name === undefined) {
      if (method === 'GET') return watch ? 'watch' : 'list';
      const creatable = !resource.namespaced || namespace !== undefined;
      return method === 'POST' && creatable ? 'create' : undefined;
    }
    if (subresource === 'binding') return method === 'POST' ? 'bind' : undefined;
    const verbs: Record<string, HttpVerb> = { GET: 'get', PUT: 'update', PATCH: 'patch' };
    if (subresource === undefined) verbs.DELETE = 'delete';
    return verbs[method];
  })();
  if (verb === undefined) throw methodNotAllowed();
  return verb;
};

/** What one request carries once decoded from the URL and headers. */
export interface VerbRequest {
  readonly target: Target;
  readonly query: URLSearchParams;
  readonly body: string;
  readonly client: string;
}

/** The list and watch filter of a collection request. */
export const filterOf = (target: Target, query: URLSearchParams): ListFilter => {
  const { kind } = target.resource;
  const labelSelector = parseLabelSelector(query.get('labelSelector'));
  const nodeName = parseFieldSelector(query.get('fieldSelector'), kind);
  return {
    kind,
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
    ...(labelSelector ? { labelSelector } : {}),
    ...(nodeName === undefined ? {} : { nodeName }),
  };
};

/** The object of a create or an update, of the target's kind, in the target's namespace. */
const objectBody = (request: VerbRequest): KubeObject => {
  const { target } = request;
  const { group, version, kind } = target.resource;
  const body = parseObject(request.body);
  checkObject(body, groupVersionOf(group, version), kind);
  const metadata = { ...((body.metadata ?? {}) as Json) };
  if (isClusterScoped(kind)) delete metadata.namespace;
  else {
    if (metadata.namespace !== undefined && metadata.namespace !== target.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    metadata.namespace = target.namespace;
  }
  if (target.name !== undefined) {
    if (metadata.name !== undefined && metadata.name !== target.name) {
      throw badRequest(
        `the name of the object (${String(metadata.name)}) does not match the name on the URL (${target.name})`,
      );
    }
    metadata.name = target.name;
  }
  return { ...body, metadata } as KubeObject;
};

const get = (api: ApiServer, { target, client }: VerbRequest): Reply => {
  const { kind } = target.resource;
  const request = { verb: 'get', kind, namespace: target.namespace ?? '', client } as const;
  const response = api.handle({ ...request, name: target.name as string });
  if (response.ok && target.subresource === 'scale')
    return { code: 200, body: scaleOf(loose(response.object)) };
  return replyOf(target, response);
};

const list = (api: ApiServer, { target, query, client }: VerbRequest): Reply =>
  replyOf(target, api.handle({ verb: 'list', ...filterOf(target, query), client }));

const create = (api: ApiServer, request: VerbRequest): Reply => {
  const { target, client } = request;
  const object = objectBody(request);
  return replyOf(
    target,
    api.handle({ verb: 'create', kind: target.resource.kind, object, client }),
  );
};

const update = (api: ApiServer, request: VerbRequest): Reply => {
  const { target, client } = request;
  const kind = target.resource.kind;
  if (target.subresource === 'scale') return updateScale(api, request);
  const object = objectBody(request);
  const status = target.subresource === 'status' ? ({ subresource: 'status' } as const) : {};
  return replyOf(target, api.handle({ verb: 'update', kind, object, client, ...status }));
};

/** PUT of a Scale: its replicas, with its resourceVersion as the precondition. */
const updateScale = (api: ApiServer, request: VerbRequest): Reply => {
  const body = parseObject(request.body);
  checkObject(body, 'autoscaling/v1', 'Scale');
  const metadata = (body.metadata ?? {}) as Json;
  const { name } = request.target;
  if (metadata.name !== undefined && metadata.name !== name) {
    throw badRequest(
      `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  const replicas = numberField(objectField(body.spec, 'spec')?.replicas, 'spec.replicas') ?? 0;
  const resourceVersion = metadata.resourceVersion as string | undefined;
  const patch = {
    ...(resourceVersion ? { metadata: { resourceVersion } } : {}),
    spec: { replicas },
  };
  return patchWith(api, request, patch);
};

const patch = (api: ApiServer, request: VerbRequest): Reply => {
  const body = parseObject(request.body);
  const metadata = objectField(body.metadata, 'metadata');
  stringField(metadata?.resourceVersion, 'metadata.resourceVersion');
  stringField(metadata?.uid, 'metadata.uid');
  return patchWith(api, request, body);
};

const patchWith = (api: ApiServer, { target, client }: VerbRequest, patch: Json): Reply => {
  const { kind } = target.resource;
  const subresource = target.subresource === 'binding' ? undefined : target.subresource;
  return replyOf(
    target,
    api.handle({
      verb: 'patch',
      kind,
      namespace: target.namespace ?? '',
      name: target.name as string,
      patch,
      client,
      ...(subresource ? { subresource } : {}),
    }),
  );
};

const bind = (api: ApiServer, request: VerbRequest): Reply => {
  const { target, client } = request;
  const body = parseObject(request.body);
  checkObject(body, 'v1', 'Binding');
  const metadata = (body.metadata ?? {}) as Json;
  if (metadata.name !== undefined && metadata.name !== target.name)
    throw badRequest('the name of the binding does not match the name of the pod');
  const nodeName = stringField(objectField(body.target, 'target')?.name, 'target.name');
  if (!nodeName) throw badRequest('target.name: Required value: the node to bind to');
  const uid = metadata.uid as string | undefined;
  const response = api.handle({
    verb: 'bind',
    kind: 'Pod',
    namespace: target.namespace ?? '',
    name: target.name as string,
    nodeName,
    client,
    ...(uid ? { uid } : {}),
  });
  if (!response.ok) return replyOf(target, response);
  return { code: 201, body: successStatus(201, detailsOf(target)) };
};

/** Answers one decoded request that is not a watch. */
export const serveVerb = (api: ApiServer, verb: HttpVerb, request: VerbRequest): Reply => {
  switch (verb) {
    case 'get':
      return get(api, request);
    case 'list':
      return list(api, request);
    case 'create':
      return create(api, request);
    case 'update':
      return update(api, request);
    case 'patch':
      return patch(api, request);
    case 'bind':
      return bind(api, request);
    case 'delete':
      return deleteVerb(api, request);
    case 'watch':
      throw new Error('a watch is served by WatchStreams');
  }
};
