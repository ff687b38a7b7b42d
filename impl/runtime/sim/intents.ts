/**
 * The sim runtime's end of an intent: its request (built by stage-io/intents.ts when the
 * stage emitted it) handled by the in-memory API Server, and the answer turned into what
 * the stage hears with the same functions the client-node adapter uses.
 */
import type { StageId } from '../../../spec/types/ids.js';
import type {
  ApiRequest,
  ApiResponse,
  ApiServer,
  Kind,
  KubeObject,
} from '../../apiserver/index.js';
import type { ApiIntent } from '../../stages/io.js';
import {
  type ApiDone,
  type ApiEffect,
  answersWithOtherObject,
  apiDoneOf,
  type IntentResult,
  newerOf,
  requestFor,
  resultOf,
  writtenKey,
} from '../stage-io/index.js';
import type { StageInformer } from './informers.js';

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

/**
 * One stage's requests carried out at once on an in-process API Server, as the sim carries
 * them out (the sim itself builds a request when the stage emits it and runs it when the
 * request arrives): built from what the stage knows, its own last successful writes and
 * its informers' copies, and its successful write remembered. For runtimes and tests that
 * need the sim's answers without the sim's latencies (the live host's in-process port, the
 * adapter's twin tests).
 */
export class InProcessRequests {
  private readonly written = new Map<string, KubeObject>();

  constructor(
    private readonly api: ApiServer,
    private readonly stage: StageId,
  ) {}

  request(effect: ApiEffect, informers: readonly StageInformer[], nowMs: number): ApiDone {
    const known = (kind: Kind, key: string) => knownTo(this.written, informers, kind, key);
    const request = requestFor(effect.intent, { stage: this.stage, nowMs, known });
    const result = executeIntent(this.api, effect.intent, request);
    if (result.stored)
      this.written.set(writtenKey(result.stored.kind as Kind, effect.intent.key), result.stored);
    return apiDoneOf(effect.id, effect.intent, result);
  }
}

/**
 * What a stage can see of an object: the newer of its own last write and its informers'
 * copies (the first of equal resourceVersions wins). A loop, not arrays: the sim builds
 * every request with it.
 */
export const knownTo = (
  written: ReadonlyMap<string, KubeObject>,
  informers: readonly StageInformer[],
  kind: Kind,
  key: string,
): KubeObject | undefined => {
  let best = written.get(writtenKey(kind, key));
  for (const i of informers)
    if (i.informer.filter.kind === kind) best = newerOf(best, i.informer.get(key));
  return best;
};
