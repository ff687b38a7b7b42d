/**
 * What the API Server did, in the units the benchmarks compare: requests by verb and kind
 * (and by client), request and response bytes (JSON size on the wire), errors, and the
 * watch events and bytes delivered to each watcher.
 *
 * Sizes come from `jsonSize`, memoised per immutable object, so accounting a pod write
 * costs its changed parts. Binding responses are Kubernetes Status objects on the wire,
 * whatever object the in-memory response carries.
 */
import { jsonSize } from './json-size.js';
import { getOrInsert } from './maps.js';
import type { ApiRequest, ApiResponse, ErrorResponse } from './types.js';

export interface Tally {
  count: number;
  errors: number;
  requestBytes: number;
  responseBytes: number;
}

export interface WatchTally {
  events: number;
  bytes: number;
}

export interface AccountingSnapshot {
  /** By `<verb> <Kind>`, e.g. `create Pod`. */
  readonly byVerbKind: Readonly<Record<string, Tally>>;
  readonly byClient: Readonly<Record<string, Tally>>;
  readonly total: Tally;
  /** By watcher (informer) name. */
  readonly watch: Readonly<Record<string, WatchTally>>;
}

const emptyTally = (): Tally => ({ count: 0, errors: 0, requestBytes: 0, responseBytes: 0 });

const STATUS_SUCCESS = {
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Success',
  code: 201,
};

const statusOf = (error: ErrorResponse) => ({
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Failure',
  message: error.message,
  reason: error.reason,
  code: error.code,
});

/** The request body on the wire: none for reads, DeleteOptions, or a Binding. */
const requestBodySize = (request: ApiRequest): number => {
  switch (request.verb) {
    case 'get':
    case 'list':
      return 0;
    case 'create':
    case 'update':
      return jsonSize(request.object);
    case 'patch':
      return jsonSize(request.patch);
    case 'delete':
      return deleteOptionsSize(request);
    case 'bind':
      return jsonSize({
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: request.name, namespace: request.namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: request.nodeName },
      });
  }
};

const deleteOptionsSize = (request: Extract<ApiRequest, { verb: 'delete' }>): number => {
  const { gracePeriodSeconds, preconditions, propagationPolicy } = request;
  if (gracePeriodSeconds === undefined && !preconditions && !propagationPolicy) return 0;
  return jsonSize({
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    gracePeriodSeconds,
    preconditions,
    propagationPolicy,
  });
};

const responseBodySize = (request: ApiRequest, response: ApiResponse): number => {
  if (!response.ok) return jsonSize(statusOf(response));
  if ('items' in response) {
    const envelope = {
      apiVersion: 'v1',
      kind: `${request.kind}List`,
      metadata: { resourceVersion: response.resourceVersion },
    };
    // `"items":[...]` plus the comma before it.
    return jsonSize(envelope) + 9 + jsonSize(response.items);
  }
  return request.verb === 'bind' ? jsonSize(STATUS_SUCCESS) : jsonSize(response.object);
};

export class Accounting {
  private readonly byVerbKind = new Map<string, Tally>();
  private readonly byClient = new Map<string, Tally>();
  private readonly total = emptyTally();
  private readonly watch = new Map<string, WatchTally>();

  record(request: ApiRequest, response: ApiResponse): void {
    const requestBytes = requestBodySize(request);
    const responseBytes = responseBodySize(request, response);
    const verbKind = `${request.verb} ${request.kind}`;
    for (const tally of [
      tallyOf(this.byVerbKind, verbKind),
      tallyOf(this.byClient, request.client ?? 'unknown'),
      this.total,
    ]) {
      tally.count += 1;
      if (!response.ok) tally.errors += 1;
      tally.requestBytes += requestBytes;
      tally.responseBytes += responseBytes;
    }
  }

  recordWatchEvent(watcher: string, bytes: number): void {
    const tally = getOrInsert(this.watch, watcher, () => ({ events: 0, bytes: 0 }));
    tally.events += 1;
    tally.bytes += bytes;
  }

  /** A copy, keys sorted, so two runs compare equal as JSON. */
  snapshot(): AccountingSnapshot {
    return {
      byVerbKind: sortedCopy(this.byVerbKind),
      byClient: sortedCopy(this.byClient),
      total: { ...this.total },
      watch: sortedCopy(this.watch),
    };
  }
}

const tallyOf = (tallies: Map<string, Tally>, key: string): Tally =>
  getOrInsert(tallies, key, emptyTally);

const sortedCopy = <T extends object>(map: Map<string, T>): Record<string, T> => {
  const out: Record<string, T> = {};
  for (const key of [...map.keys()].sort()) out[key] = { ...(map.get(key) as T) };
  return out;
};

/** Bytes of a watch event on the wire: `{"type":"ADDED","object":{...}}`. */
export const watchEventSize = (type: string, object: unknown): number =>
  jsonSize(object) + jsonSize(type) + '{"type":,"object":}'.length;
