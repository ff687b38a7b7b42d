/**
 * Malformed and refused requests over raw HTTP: each gets a Kubernetes `Status` with the
 * right code and reason, changes nothing, and the endpoint keeps serving.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialisePod } from '../../k8s/builders.js';
import { ApiServer } from '../api-server.js';
import { must, seedFunction, virtualClock } from '../fixtures.js';
import { type Endpoint, serveApi } from './endpoint.js';

interface Sent {
  readonly method?: string;
  readonly path: string;
  readonly contentType?: string;
  readonly body?: unknown;
  /** Send the body chunked, without a Content-Length. */
  readonly chunked?: boolean;
}

interface Answer {
  readonly code: number;
  readonly contentType: string;
  readonly text: string;
}

const BODY_BYTES_MAX = 64 * 1024;

let endpoint: Endpoint;
let api: ApiServer;

beforeAll(async () => {
  api = new ApiServer({ now: virtualClock(1_000).now, freezeObjects: true });
  const fn = seedFunction(api, { namespace: 'a', name: 'fn' });
  must(
    api.handle({
      verb: 'create',
      kind: 'Pod',
      object: materialisePod(fn.templatePod, 'p1', 'n1', 0),
    }),
  );
  endpoint = await serveApi(api, { bodyBytesMax: BODY_BYTES_MAX, watchHistoryMax: 2 });
});

afterAll(() => endpoint.close());

const send = (sent: Sent): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const body =
      sent.body === undefined
        ? undefined
        : typeof sent.body === 'string'
          ? sent.body
          : JSON.stringify(sent.body);
    const headers: Record<string, string | number> = {};
    if (sent.contentType) headers['Content-Type'] = sent.contentType;
    if (body !== undefined && !sent.chunked) headers['Content-Length'] = Buffer.byteLength(body);
    const req = httpRequest(
      `${endpoint.url}${sent.path}`,
      { method: sent.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            code: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) {
      // Chunked: the body goes in pieces, so only counting can find it too large.
      if (sent.chunked)
        for (let i = 0; i < body.length; i += 16_384) req.write(body.slice(i, i + 16_384));
      else req.write(body);
    }
    req.end();
  });

const JSON_TYPE = 'application/json';
const PODS = '/api/v1/namespaces/a/pods';
const P1 = `${PODS}/p1`;
const DEPLOYMENT = '/apis/apps/v1/namespaces/a/deployments/fn';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/a/leases';
const large = 'x'.repeat(BODY_BYTES_MAX + 1);

interface Case extends Sent {
  readonly what: string;
  readonly code: number;
  readonly reason: string;
}

const post = (path: string, body: unknown, contentType = JSON_TYPE) => ({
  method: 'POST',
  path,
  body,
  contentType,
});

const CASES: readonly Case[] = [
  { what: 'invalid JSON', ...post(PODS, '{"metadata":'), code: 400, reason: 'BadRequest' },
  { what: 'a JSON array for an object', ...post(PODS, '[]'), code: 400, reason: 'BadRequest' },
  {
    what: 'an object of another kind',
    ...post(PODS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'a field of the wrong type',
    ...post(PODS, { metadata: { name: 7 } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'labels that are not strings',
    ...post(PODS, { metadata: { name: 'x', labels: { app: 1 } } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'another namespace in the body than in the path',
    ...post(PODS, { metadata: { name: 'x', namespace: 'b' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'another name in the body than in the path',
    ...post(P1, { metadata: { name: 'p2' } }),
    method: 'PUT',
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'a Binding without a node',
    ...post(`${P1}/binding`, { metadata: { name: 'p1' }, target: {} }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'an unknown resource',
    path: '/api/v1/namespaces/a/services',
    code: 404,
    reason: 'NotFound',
  },
  {
    what: 'an unknown group',
    path: '/apis/batch/v1/namespaces/a/jobs',
    code: 404,
    reason: 'NotFound',
  },
  { what: 'an unknown path', path: '/nothing/here', code: 404, reason: 'NotFound' },
  { what: 'an unknown object', path: `${PODS}/nope`, code: 404, reason: 'NotFound' },
  { what: 'an unknown subresource', path: `${DEPLOYMENT}/exec`, code: 404, reason: 'NotFound' },
  {
    what: 'a namespaced resource outside a namespace, by name',
    path: '/api/v1/pods/p1',
    code: 404,
    reason: 'NotFound',
  },
  {
    what: 'DELETE on a collection',
    method: 'DELETE',
    path: PODS,
    code: 405,
    reason: 'MethodNotAllowed',
  },
  { what: 'POST to an object', ...post(P1, {}), code: 405, reason: 'MethodNotAllowed' },
  {
    what: 'PUT on the binding subresource',
    ...post(`${P1}/binding`, {}),
    method: 'PUT',
    code: 405,
    reason: 'MethodNotAllowed',
  },
  {
    what: 'POST to every namespace at once',
    ...post('/api/v1/pods', { metadata: { name: 'x' } }),
    code: 405,
    reason: 'MethodNotAllowed',
  },
  {
    what: 'a method no resource serves',
    method: 'TRACE',
    path: P1,
    code: 405,
    reason: 'MethodNotAllowed',
  },
  {
    what: 'POST to a discovery document',
    ...post('/api/v1', {}),
    code: 405,
    reason: 'MethodNotAllowed',
  },
  {
    what: 'a JSON patch',
    ...post(
      P1,
      [{ op: 'add', path: '/metadata/labels/a', value: 'b' }],
      'application/json-patch+json',
    ),
    method: 'PATCH',
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    what: 'a strategic merge patch',
    ...post(P1, { metadata: {} }, 'application/strategic-merge-patch+json'),
    method: 'PATCH',
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    what: 'a YAML body',
    ...post(PODS, 'metadata: {name: x}', 'application/yaml'),
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    what: 'a body without a content type',
    method: 'POST',
    path: PODS,
    body: { metadata: { name: 'x' } },
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    what: 'too large a body, by its Content-Length',
    ...post(PODS, large),
    code: 413,
    reason: 'RequestEntityTooLarge',
  },
  {
    what: 'too large a body, sent in chunks',
    ...post(PODS, large),
    chunked: true,
    code: 413,
    reason: 'RequestEntityTooLarge',
  },
  {
    what: 'a name that exists',
    ...post(PODS, { metadata: { name: 'p1' } }),
    code: 409,
    reason: 'AlreadyExists',
  },
  {
    what: 'a stale resourceVersion',
    ...post(P1, { metadata: { name: 'p1', resourceVersion: '1' }, spec: { containers: [] } }),
    method: 'PUT',
    code: 409,
    reason: 'Conflict',
  },
  {
    what: 'a failed uid precondition on delete',
    ...post(P1, { kind: 'DeleteOptions', preconditions: { uid: 'not-its-uid' } }),
    method: 'DELETE',
    code: 409,
    reason: 'Conflict',
  },
  {
    what: 'binding a bound pod',
    ...post(`${P1}/binding`, { metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n2' } }),
    code: 409,
    reason: 'Conflict',
  },
  {
    what: 'an invalid Lease',
    ...post(LEASES, { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } }),
    code: 422,
    reason: 'Invalid',
  },
  {
    what: 'a negative scale',
    ...post(`${DEPLOYMENT}/scale`, { spec: { replicas: -1 } }, 'application/merge-patch+json'),
    method: 'PATCH',
    code: 422,
    reason: 'Invalid',
  },
  {
    what: 'a patch that moves a pod to another node',
    ...post(P1, { spec: { nodeName: 'n2' } }, 'application/merge-patch+json'),
    method: 'PATCH',
    code: 422,
    reason: 'Invalid',
  },
  {
    what: 'an unsupported propagation policy',
    method: 'DELETE',
    path: `${DEPLOYMENT}?propagationPolicy=Orphan`,
    code: 422,
    reason: 'Invalid',
  },
  {
    what: 'a malformed label selector',
    path: `${PODS}?labelSelector=${encodeURIComponent('app in web')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'an unsupported field selector',
    path: `${PODS}?fieldSelector=${encodeURIComponent('status.phase=Running')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'a malformed resourceVersion to watch from',
    path: `${PODS}?watch=1&resourceVersion=abc`,
    code: 400,
    reason: 'BadRequest',
  },
  { what: 'a malformed watch flag', path: `${PODS}?watch=maybe`, code: 400, reason: 'BadRequest' },
  { what: 'a watch of one object', path: `${P1}?watch=true`, code: 400, reason: 'BadRequest' },
  {
    what: 'a malformed gracePeriodSeconds',
    method: 'DELETE',
    path: `${P1}?gracePeriodSeconds=-1`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    what: 'a dry run',
    method: 'DELETE',
    path: `${P1}?dryRun=All`,
    code: 400,
    reason: 'BadRequest',
  },
  { what: 'a malformed escape in the path', path: `${PODS}/%zz`, code: 400, reason: 'BadRequest' },
];

/** The answer as a Status, checked for its shape. */
const statusOf = (answer: Answer) => {
  expect(answer.contentType).toBe(JSON_TYPE);
  const status = JSON.parse(answer.text) as Record<string, unknown>;
  expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure' });
  expect(status.code).toBe(answer.code);
  return status;
};

describe('malformed and refused requests', () => {
  it.each(CASES)('$what: $code $reason, nothing written, still serving', async (sent) => {
    const before = api.dump();
    const answer = await send(sent);
    expect(answer.code).toBe(sent.code);
    expect(statusOf(answer).reason).toBe(sent.reason);
    expect(api.dump()).toBe(before);
    expect((await send({ path: P1 })).code).toBe(200);
  });

  it('names the object and its resource in the Status of a refused request', async () => {
    const status = statusOf(await send({ path: `${PODS}/nope` }));
    expect(status.details).toEqual({ name: 'nope', group: '', kind: 'pods' });
    expect(status.message).toBe('pods "nope" not found');
  });

  it('answers 503 ServiceUnavailable to everything during an outage, and serves again after', async () => {
    api.setAvailable(false);
    try {
      for (const path of [
        P1,
        PODS,
        `${PODS}?watch=1`,
        `${PODS}?watch=1&resourceVersion=1`,
        '/api/v1',
      ]) {
        const answer = await send({ path });
        expect(answer.code).toBe(503);
        expect(statusOf(answer).reason).toBe('ServiceUnavailable');
      }
      expect((await send({ path: '/readyz' })).code).toBe(503);
    } finally {
      api.setAvailable(true);
    }
    expect((await send({ path: P1 })).code).toBe(200);
    expect((await send({ path: '/readyz' })).text).toBe('ok');
  });

  it('ends a watch from a resourceVersion older than the history with a 410 Expired event', async () => {
    const fn = seedFunction(api, { namespace: 'c', name: 'fn' });
    for (let i = 0; i < 5; i += 1) {
      const object = materialisePod(fn.templatePod, `q${i}`, 'n1', 0);
      must(api.handle({ verb: 'create', kind: 'Pod', object }));
    }
    const answer = await send({ path: `${PODS}?watch=1&resourceVersion=1` });
    expect(answer.code).toBe(200);
    const lines = answer.text.trim().split('\n');
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0] as string) as {
      type: string;
      object: Record<string, unknown>;
    };
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(endpoint.watches).toBe(0);
  });

  it('survives clients that go away in the middle of a body or of a watch', async () => {
    await new Promise<void>((resolve) => {
      const headers = { 'Content-Type': JSON_TYPE, 'Content-Length': 1000 };
      const req = httpRequest(`${endpoint.url}${PODS}`, { method: 'POST', headers, agent: false });
      req.on('error', () => resolve());
      req.write('{"metadata":', () => {
        req.destroy();
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${endpoint.url}${PODS}?watch=1`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    // The server notices a closed socket within a few turns of the event loop.
    for (let turn = 0; turn < 10_000 && endpoint.watches > 0; turn += 1)
      await new Promise((resolve) => setImmediate(resolve));
    expect(endpoint.watches).toBe(0);
    expect((await send({ path: P1 })).code).toBe(200);
  });
});
