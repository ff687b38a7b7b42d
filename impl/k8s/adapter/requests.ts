/**
 * One `ApiRequest` (the request stage-io builds from an intent, the same the sim hands the
 * in-memory API Server) sent through client-node's typed clients, and its answer as an
 * `ApiResponse`. Patches are JSON merge patches; a Binding and a scale write, whose answers
 * are not the object written, are followed by a read of the object (`storedAfter`).
 */
import {
  type ConfigurationOptions,
  PatchStrategy,
  setHeaderOptions,
  type V1Binding,
  type V1Pod,
  type V1Scale,
} from '@kubernetes/client-node';
import type {
  ApiRequest,
  ApiResponse,
  KubeObject,
  ListRequest,
  PatchRequest,
} from '../../apiserver/index.js';
import { answersWithOtherObject } from '../../runtime/stage-io/index.js';
import { refusalOf } from './answers.js';
import type { KindCalls, Named } from './kinds.js';
import { selectorQuery } from './selectors.js';

/** What a request is sent with: the kinds' calls and the options of one call. */
export interface Sender {
  readonly calls: Readonly<Record<ApiRequest['kind'], KindCalls>>;
  /** Fresh per call: each carries its own timeout. */
  options(): ConfigurationOptions;
}

/** A request the stages never make, thrown as the bug it would be (not an answer). */
export class UnsupportedRequest extends Error {
  constructor(request: ApiRequest) {
    super(`the adapter does not send ${request.verb} ${request.kind}`);
  }
}

const unsupported = (request: ApiRequest): Error => new UnsupportedRequest(request);

const need = <T>(call: T | undefined, request: ApiRequest): T => {
  if (!call) throw unsupported(request);
  return call;
};

const mergePatch = (options: ConfigurationOptions): ConfigurationOptions =>
  setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options);

const namedObject = (object: KubeObject): Named => ({
  namespace: object.metadata?.namespace ?? '',
  name: object.metadata?.name ?? '',
});

const list = async (sender: Sender, request: ListRequest): Promise<ApiResponse> => {
  // A namespace's list is never asked for: every informer and the resourceVersion read
  // list across all namespaces.
  if (request.namespace !== undefined) throw unsupported(request);
  const options = sender.options();
  const answer = await sender.calls[request.kind].list(selectorQuery(request), options);
  return {
    ok: true,
    code: 200,
    items: answer.items,
    resourceVersion: answer.metadata?.resourceVersion ?? '',
  };
};

const patch = (sender: Sender, request: PatchRequest): Promise<unknown> => {
  const calls = sender.calls[request.kind];
  const call =
    request.subresource === 'status'
      ? calls.patchStatus
      : request.subresource === 'scale'
        ? calls.patchScale
        : calls.patch;
  const { namespace, name } = request;
  return need(call, request)(
    { namespace, name, body: request.patch },
    mergePatch(sender.options()),
  );
};

const bindingOf = (request: Extract<ApiRequest, { verb: 'bind' }>): V1Binding => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name: request.name, ...(request.uid ? { uid: request.uid } : {}) },
  target: { apiVersion: 'v1', kind: 'Node', name: request.nodeName },
});

/** The call of a request that answers with one object. */
const objectCall = (sender: Sender, request: ApiRequest): Promise<unknown> => {
  const calls = sender.calls[request.kind];
  const options = sender.options();
  switch (request.verb) {
    case 'get':
      return calls.read({ namespace: request.namespace, name: request.name }, options);
    case 'create':
      return need(calls.create, request)(
        { ...namedObject(request.object), body: request.object },
        options,
      );
    case 'update': {
      const call = request.subresource === 'status' ? calls.replaceStatus : calls.replace;
      return need(call, request)({ ...namedObject(request.object), body: request.object }, options);
    }
    case 'patch':
      return patch(sender, request);
    case 'delete': {
      const { namespace, name, gracePeriodSeconds, propagationPolicy, preconditions } = request;
      const query = {
        namespace,
        name,
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
        ...(propagationPolicy === undefined ? {} : { propagationPolicy }),
        ...(preconditions === undefined ? {} : { body: { preconditions } }),
      };
      return need(calls.delete, request)(query, options);
    }
    case 'bind':
      return need(calls.bind, request)(
        { namespace: request.namespace, name: request.name, body: bindingOf(request) },
        options,
      );
    case 'list':
      throw unsupported(request);
  }
};

/** Sends one request; a refusal or a failure is an `ErrorResponse`, not a rejection. */
export const sendRequest = async (sender: Sender, request: ApiRequest): Promise<ApiResponse> => {
  try {
    if (request.verb === 'list') return await list(sender, request);
    const object = (await objectCall(sender, request)) as KubeObject;
    return { ok: true, code: request.verb === 'create' ? 201 : 200, object };
  } catch (error) {
    if (error instanceof UnsupportedRequest) throw error;
    return refusalOf(error);
  }
};

/**
 * The stored object a successful write or read is about: the answer's object, or, where
 * the answer is a Status (a Binding) or a Scale, the object read back, provided it is still
 * the version the write made (a Scale names its resourceVersion; a bound pod its node).
 * A later version is not reported as this write's: the stage then knows the write took
 * effect but not at which resourceVersion, as after a lost answer.
 */
export const storedAfter = async (
  sender: Sender,
  request: ApiRequest,
  response: ApiResponse,
): Promise<KubeObject | undefined> => {
  if (!response.ok || !('object' in response) || request.verb === 'delete') return undefined;
  if (request.verb === 'list') return undefined;
  if (!answersWithOtherObject(request)) return response.object as KubeObject;
  const { kind, namespace, name } = request;
  const read = await sendRequest(sender, { verb: 'get', kind, namespace, name });
  if (!read.ok || !('object' in read)) return undefined;
  const object = read.object as KubeObject;
  if (request.verb === 'bind')
    return (object as V1Pod).spec?.nodeName === request.nodeName ? object : undefined;
  const written = (response.object as V1Scale).metadata?.resourceVersion;
  return object.metadata?.resourceVersion === written ? object : undefined;
};
