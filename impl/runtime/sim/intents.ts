/**
 * The sim runtime's end of an intent: its request (built by stage-io/intents.ts when the
 * stage emitted it) handled by the in-memory API Server, and the answer turned into what
 * the stage hears with the same functions the client-node adapter uses.
 */
import type { ApiRequest, ApiResponse, ApiServer, KubeObject } from '../../apiserver/index.js';
import type { ApiIntent } from '../../stages/io.js';
import { answersWithOtherObject, type IntentResult, resultOf } from '../stage-io/index.js';

/** The stored object a response is about (a Scale or a Binding answer names its object). */
const storedAfter = (
  api: ApiServer,
  request: ApiRequest,
  response: ApiResponse,
): KubeObject | undefined => {
  if (!response.ok || !('object' in response) || request.verb === 'delete') return undefined;
  if (request.verb === 'list') return undefined;
  if (answersWithOtherObject(request))
    return api.lookup(request.kind, request.namespace, request.name);
  return response.object as KubeObject;
};

/** Runs one request against the API Server (a null request is answered `notFound`). */
export const executeIntent = (
  api: ApiServer,
  intent: ApiIntent,
  request: ApiRequest | null,
): IntentResult => {
  if (request === null) return resultOf(intent, null, undefined, undefined);
  const response = api.handle(request);
  return resultOf(intent, request, response, storedAfter(api, request, response));
};
