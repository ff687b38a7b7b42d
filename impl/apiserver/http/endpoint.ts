/**
 * The embedded API endpoint: a `node:http` server that speaks the Kubernetes REST API over
 * one in-memory API Server, the subset `@kubernetes/client-node` and kubectl use for pods,
 * nodes, replicasets, deployments and leases (what is served and what is not yet:
 * docs/live.md).
 *
 * A runtime, not stage logic: it answers requests as they arrive and ends watch streams on
 * real timers; the API Server behind it keeps its injected clock. Bad input is answered
 * with a Kubernetes `Status`, never a crash: every request is decoded before it reaches the
 * API Server, and anything unexpected is a `500 InternalError` for that request alone.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiServer } from '../api-server.js';
import { unavailable } from '../errors.js';
import { MERGE_PATCH, readBody, requireMediaType } from './body.js';
import { discovery } from './discovery.js';
import { immediateGate, type WriteGate } from './gate.js';
import { parseBoolean, parseCount } from './query.js';
import { groupVersionOf, parsePath, segmentsOf, type Target } from './routes.js';
import {
  badRequest,
  errorReply,
  failureStatus,
  methodNotAllowed,
  Refusal,
  type Reply,
  refusalReply,
} from './status.js';
import { filterOf, type HttpVerb, serveVerb, verbOf } from './verbs.js';
import { WatchStreams } from './watch-streams.js';

export interface EndpointOptions {
  /** Default 127.0.0.1: loopback only. */
  readonly host?: string;
  /** Default 0: the system picks a free port, which `Endpoint.port` reports. */
  readonly port?: number;
  /** Larger request bodies get 413 (default 3 MiB, Kubernetes' own limit). */
  readonly bodyBytesMax?: number;
  /** Writes kept per kind for watches that resume from a resourceVersion (default 10,000). */
  readonly watchHistoryMax?: number;
  /** Unread bytes after which a slow watcher's stream is ended (default 16 MiB). */
  readonly watchBufferBytesMax?: number;
  /**
   * How often a watch that allows bookmarks is sent one when it has fallen behind the API's
   * resourceVersion (default 100 ms; 0: never).
   */
  readonly watchBookmarkMs?: number;
  /** When a request is answered and a watch told of a write (default: at once, in memory). */
  readonly gate?: WriteGate;
}

export interface Endpoint {
  /** `http://127.0.0.1:<port>`: what a kubeconfig's `server` names. */
  readonly url: string;
  readonly port: number;
  /** Open watch streams. */
  readonly watches: number;
  /** Ends every watch, closes every connection and stops listening. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

/** Verbs whose request carries a body to read. */
const WITH_BODY: ReadonlySet<HttpVerb> = new Set(['create', 'update', 'patch', 'delete', 'bind']);

const JSON_TYPE = 'application/json';

const HEALTH = new Set(['healthz', 'livez', 'readyz']);

/** Serves `api` over HTTP until `close()`. */
export const serveApi = async (
  api: ApiServer,
  options: EndpointOptions = {},
): Promise<Endpoint> => {
  const host = options.host ?? '127.0.0.1';
  const bodyBytesMax = options.bodyBytesMax ?? 3 * MIB;
  const gate = options.gate ?? immediateGate(api);
  const streams = new WatchStreams(
    api,
    {
      changesMax: options.watchHistoryMax ?? 10_000,
      bufferBytesMax: options.watchBufferBytesMax ?? 16 * MIB,
      bookmarkMs: options.watchBookmarkMs ?? 100,
    },
    gate,
  );
  let url = '';
  const server = createServer((request, response) => {
    answer({ api, streams, gate, bodyBytesMax, url }, request, response).catch((error: unknown) =>
      failed(response, error),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host}:${port}`;
  return {
    url,
    port,
    get watches() {
      return streams.open;
    },
    close: () => closeServer(server, streams),
  };
};

const closeServer = (server: Server, streams: WatchStreams): Promise<void> =>
  new Promise((resolve) => {
    streams.close();
    server.close(() => resolve());
    server.closeAllConnections();
  });

interface Context {
  readonly api: ApiServer;
  readonly streams: WatchStreams;
  readonly gate: WriteGate;
  readonly bodyBytesMax: number;
  readonly url: string;
}

const answer = async (
  context: Context,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> => {
  const raw = request.url ?? '';
  if (!raw.startsWith('/')) throw badRequest(`malformed request target ${JSON.stringify(raw)}`);
  const url = new URL(`http://endpoint${raw}`);
  const segments = segmentsOf(url.pathname);
  const method = request.method ?? '';
  if (segments.length === 1 && HEALTH.has(segments[0] as string)) {
    sendText(
      response,
      context.api.available ? 200 : 503,
      context.api.available ? 'ok' : 'unavailable',
    );
    return;
  }
  const meaning = parsePath(segments);
  if (meaning.type === 'discovery') {
    if (method !== 'GET') throw methodNotAllowed();
    send(response, discoveryReply(context, meaning.segments));
    return;
  }
  const reply = await serveResource(
    context,
    meaning.target,
    method,
    url.searchParams,
    request,
    response,
  );
  if (reply) send(response, reply);
};

const discoveryReply = (context: Context, segments: readonly string[]): Reply =>
  context.api.available
    ? discovery(segments, context.url.replace(/^http:\/\//, ''))
    : errorReply(unavailable(), {});

/** A request for a resource; undefined once a watch stream has taken the response. */
const serveResource = async (
  context: Context,
  target: Target,
  method: string,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Reply | undefined> => {
  const verb = verbOf(method, target, parseBoolean(query.get('watch'), 'watch'));
  if (query.has('dryRun')) throw badRequest('dryRun is not supported by this endpoint');
  const client = clientOf(request);
  if (verb === 'watch') {
    const timeoutSeconds = parseCount(query.get('timeoutSeconds'), 'timeoutSeconds');
    const { group, version } = target.resource;
    const start = {
      filter: filterOf(target, query),
      resourceVersion: query.get('resourceVersion'),
      client,
      bookmarks: parseBoolean(query.get('allowWatchBookmarks'), 'allowWatchBookmarks'),
      apiVersion: groupVersionOf(group, version),
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    };
    return context.gate.run(() => context.streams.start(start, response));
  }
  let body = '';
  if (WITH_BODY.has(verb)) {
    // The media type first: an unread body is dropped by node:http after the reply.
    if (verb === 'patch') requireMediaType(request, [MERGE_PATCH]);
    else if (verb !== 'delete') requireMediaType(request, [JSON_TYPE]);
    body = await readBody(request, context.bodyBytesMax);
    if (verb === 'delete' && body.trim() !== '') requireMediaType(request, [JSON_TYPE]);
  }
  return context.gate.run(() => serveVerb(context.api, verb, { target, query, body, client }));
};

/** The client's name for the API Server's accounting: its user agent's product. */
const clientOf = (request: IncomingMessage): string => {
  const agent = request.headers['user-agent']?.split(' ')[0]?.slice(0, 64);
  return agent ? `http/${agent}` : 'http';
};

const send = (response: ServerResponse, reply: Reply): void => {
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
};

const sendText = (response: ServerResponse, code: number, text: string): void => {
  response.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
};

/** A refusal as its Status; anything else as a 500 for this request, the server unharmed. */
const failed = (response: ServerResponse, error: unknown): void => {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (response.destroyed) return;
  const reply =
    error instanceof Refusal
      ? refusalReply(error)
      : {
          code: 500,
          body: failureStatus(500, 'InternalError', `an error on the server: ${String(error)}`),
        };
  send(response, reply);
};
