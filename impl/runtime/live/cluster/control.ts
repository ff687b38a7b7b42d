/**
 * The control endpoint of `kd up`: how another process (`kd load`, a script) sets the load
 * of a running live cluster and asks what runs. HTTP on loopback with a bearer token that
 * only the state file (up.json, mode 0600) carries, so only its owner can drive the cluster.
 *
 *   POST /v1/load    {"loads": {"kd/fn-1": 50}}  → 200 {"loads": {...every function...}}
 *   GET  /v1/status                              → 200 {"functions": [...], "processes": [...]}
 *
 * A request is judged whole before anything happens: a bad token is 401, a body that is not
 * the schema 400, a function the cluster does not run 404 (no load of the request is set).
 * Errors are `{"error": "<one line>"}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ObjectKey } from '../../../../spec/types/ids.js';
import { LOOPBACK } from '../transport/index.js';
import { carriesToken } from '../transport/token.js';

/** What the endpoint needs of a cluster: `LiveCluster` fits, and so does a test's fake. */
export interface ControlledCluster {
  setLoad(deployment: ObjectKey, load: number): void;
  readonly processes: readonly ProcessSummary[];
}

export interface ProcessSummary {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly starts: number;
}

export interface ControlOptions {
  /** The functions (Deployment keys) the cluster runs, in the order `kd up` made them. */
  readonly functions: readonly ObjectKey[];
  readonly token: string;
  /** Default 0: the system chooses. */
  readonly port?: number;
}

export interface ControlEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** A load is pods; the bound keeps a typo from asking a cluster for a billion. */
export const LOAD_MAX = 100_000;
/** A load request names at most every function; 64 KiB is far more than that needs. */
const BODY_BYTES_MAX = 64 * 1024;

export const LoadRequestSchema = z.strictObject({
  loads: z.record(z.string(), z.number().int().min(0).max(LOAD_MAX)),
});

export interface StatusAnswer {
  readonly functions: readonly { readonly key: ObjectKey; readonly load: number }[];
  /** `pid` is null while a process is down. */
  readonly processes: readonly (Omit<ProcessSummary, 'pid'> & { readonly pid: number | null })[];
}

/** A refusal: its status and one line. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const serveControl = async (
  cluster: ControlledCluster,
  options: ControlOptions,
): Promise<ControlEndpoint> => {
  // The loads set through this endpoint (a cluster starts with none: 0 for every function).
  const loads = new Map<ObjectKey, number>(options.functions.map((key) => [key, 0]));
  const handle = async (request: IncomingMessage): Promise<unknown> => {
    if (!carriesToken(request.headers.authorization, options.token))
      throw new Refusal(401, 'missing or wrong bearer token (it is in up.json)');
    const route = `${request.method} ${request.url}`;
    if (route === 'POST /v1/load') return setLoads(cluster, loads, await readBody(request));
    if (route === 'GET /v1/status') return status(cluster, loads);
    if (request.url === '/v1/load' || request.url === '/v1/status')
      throw new Refusal(405, `${request.method} is not allowed on ${request.url}`);
    throw new Refusal(404, `no endpoint ${request.url} (known: POST /v1/load, GET /v1/status)`);
  };
  const server = createServer((request, response) => {
    handle(request).then(
      (answer) => reply(response, 200, answer),
      (error: unknown) =>
        error instanceof Refusal
          ? reply(response, error.status, { error: error.message })
          : reply(response, 500, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, resolve);
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the control endpoint has no port');
  return {
    url: `http://${LOOPBACK}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

const setLoads = (
  cluster: ControlledCluster,
  loads: Map<ObjectKey, number>,
  body: string,
): { loads: Record<ObjectKey, number> } => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Refusal(400, 'the body is not JSON');
  }
  const parsed = LoadRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Refusal(400, `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  const unknown = Object.keys(parsed.data.loads).filter((key) => !loads.has(key));
  if (unknown.length > 0)
    throw new Refusal(
      404,
      `unknown function ${unknown.join(', ')} (known: ${[...loads.keys()].join(', ')})`,
    );
  for (const [key, load] of Object.entries(parsed.data.loads)) {
    loads.set(key, load);
    cluster.setLoad(key, load);
  }
  return { loads: Object.fromEntries(loads) };
};

const status = (cluster: ControlledCluster, loads: Map<ObjectKey, number>): StatusAnswer => ({
  functions: [...loads].map(([key, load]) => ({ key, load })),
  processes: cluster.processes.map(({ name, pid, running, starts }) => ({
    name,
    pid: running ? (pid ?? null) : null,
    running,
    starts,
  })),
});

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > BODY_BYTES_MAX)
      throw new Refusal(413, `the body is larger than ${BODY_BYTES_MAX} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

const reply = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
};
