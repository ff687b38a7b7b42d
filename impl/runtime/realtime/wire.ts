/**
 * What the real-time runtime pays on the wire: JSON, as an API Server and its clients do.
 * A request's body is encoded by the client and decoded by the server, the response the
 * other way; a watch event is encoded once (the API Server's watch cache serialises an
 * event once for all its watchers) and decoded by every watcher that takes it; a direct
 * message is encoded by its sender and decoded by its receiver.
 *
 * The decoded copies are parsed and then dropped: the in-memory API Server and the stage
 * hosts keep working on the typed objects (timestamps are `Date`s there, strings on the
 * wire), so the runtime pays the CPU and the allocation of each decode without changing
 * what any stage sees. Parsed results are folded into `sink`, so no decode is dead code.
 */
import type { ApiRequest, ApiResponse, WatchEvent, WireHooks } from '../../apiserver/index.js';

export interface WireTally {
  encodes: number;
  decodes: number;
  encodedBytes: number;
  decodedBytes: number;
  /**
   * Wall ms spent inside the encodes and decodes: on this one thread that is their CPU time
   * unless the machine took the core away meanwhile. How much of a run's CPU the modelled
   * wire costs, the part no stage can make cheaper.
   */
  jsonMs: number;
}

/** A Kubernetes Status, as the wire carries an error or a Binding's answer. */
const status = (code: number, message?: string) => ({
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: code < 300 ? 'Success' : 'Failure',
  code,
  ...(message === undefined ? {} : { message }),
});

/** The request body on the wire, or undefined for a request without one. */
const requestBody = (request: ApiRequest): unknown => {
  switch (request.verb) {
    case 'create':
    case 'update':
      return request.object;
    case 'patch':
      return request.patch;
    case 'bind':
      return {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: request.name, namespace: request.namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: request.nodeName },
      };
    default:
      return undefined;
  }
};

const responseBody = (request: ApiRequest, response: ApiResponse): unknown => {
  if (!response.ok) return status(response.code, response.message);
  if ('items' in response)
    return { metadata: { resourceVersion: response.resourceVersion }, items: response.items };
  return request.verb === 'bind' ? status(201) : response.object;
};

export class JsonWire implements WireHooks {
  readonly tally: WireTally = {
    encodes: 0,
    decodes: 0,
    encodedBytes: 0,
    decodedBytes: 0,
    jsonMs: 0,
  };
  /** Folds every decoded value in, so the engine cannot drop a decode as unused. */
  sink = 0;
  /** Each watch event's text, made once for every watcher that takes it. */
  private readonly encodedEvents = new WeakMap<WatchEvent, string>();

  exchange(request: ApiRequest, response: ApiResponse): void {
    const body = requestBody(request);
    if (body !== undefined) this.decode(this.encode(body));
    this.decode(this.encode(responseBody(request, response)));
  }

  watchEvent(_watcher: string, event: WatchEvent): void {
    let text = this.encodedEvents.get(event);
    if (text === undefined) {
      text = this.encode({ type: event.type, object: event.object });
      this.encodedEvents.set(event, text);
    }
    this.decode(text);
  }

  /** A direct message from its sender to its receiver. */
  message(message: unknown): void {
    this.decode(this.encode(message));
  }

  private encode(value: unknown): string {
    const startMs = performance.now();
    const text = JSON.stringify(value);
    this.tally.jsonMs += performance.now() - startMs;
    this.tally.encodes += 1;
    this.tally.encodedBytes += text.length;
    return text;
  }

  private decode(text: string): void {
    const startMs = performance.now();
    const value: unknown = JSON.parse(text);
    this.tally.jsonMs += performance.now() - startMs;
    this.tally.decodes += 1;
    this.tally.decodedBytes += text.length;
    if (value !== null && typeof value === 'object') this.sink += 1;
  }
}
