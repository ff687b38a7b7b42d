import { afterEach, describe, expect, it } from 'vitest';
import { generateToken } from '../transport/index.js';
import { type ControlEndpoint, type ControlledCluster, serveControl } from './control.js';
import { ControlClient } from './control-client.js';

const FUNCTIONS = ['kd/fn-1', 'kd/fn-2'];

/** A cluster that only remembers the loads it was given. */
const fakeCluster = () => {
  const set: [string, number][] = [];
  const cluster: ControlledCluster = {
    setLoad: (key, load) => set.push([key, load]),
    processes: [
      { name: 'autoscaler', pid: 101, running: true, starts: 1 },
      { name: 'scheduler', pid: undefined, running: false, starts: 2 },
    ],
  };
  return { cluster, set };
};

const open: ControlEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((endpoint) => endpoint.close()));
});

const serve = async () => {
  const fake = fakeCluster();
  const token = generateToken();
  const endpoint = await serveControl(fake.cluster, { functions: FUNCTIONS, token });
  open.push(endpoint);
  const post = (body: string, auth = `Bearer ${token}`) =>
    fetch(`${endpoint.url}/v1/load`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body,
    });
  return { ...fake, endpoint, token, post };
};

describe("kd up's control endpoint", () => {
  it('listens on loopback and sets each load of a request (200)', async () => {
    const { endpoint, post, set } = await serve();
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await post(JSON.stringify({ loads: { 'kd/fn-1': 50, 'kd/fn-2': 0 } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ loads: { 'kd/fn-1': 50, 'kd/fn-2': 0 } });
    expect(set).toEqual([
      ['kd/fn-1', 50],
      ['kd/fn-2', 0],
    ]);
  });

  it('refuses a missing or wrong token (401) and sets nothing', async () => {
    const { post, set } = await serve();
    const body = JSON.stringify({ loads: { 'kd/fn-1': 5 } });
    for (const auth of ['', 'Bearer nope', `Basic ${generateToken()}`]) {
      const response = await post(body, auth);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.stringContaining('token') });
    }
    expect(set).toEqual([]);
  });

  it('refuses a body that is not the schema (400), naming the field', async () => {
    const { post, set } = await serve();
    const cases: [string, string][] = [
      ['{', 'not JSON'],
      ['[]', 'body'],
      ['{"load": {}}', 'load'],
      ['{"loads": {"kd/fn-1": -1}}', 'loads.kd/fn-1'],
      ['{"loads": {"kd/fn-1": 2.5}}', 'loads.kd/fn-1'],
      ['{"loads": {"kd/fn-1": "5"}}', 'loads.kd/fn-1'],
      ['{"loads": {"kd/fn-1": 1000000}}', 'loads.kd/fn-1'],
    ];
    for (const [body, named] of cases) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(named);
    }
    expect(set).toEqual([]);
  });

  it('refuses an unknown function (404) naming it, and sets none of the request', async () => {
    const { post, set } = await serve();
    const response = await post(JSON.stringify({ loads: { 'kd/fn-1': 5, 'kd/fn-9': 5 } }));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'unknown function kd/fn-9 (known: kd/fn-1, kd/fn-2)',
    });
    expect(set).toEqual([]);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    const { endpoint, token } = await serve();
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${endpoint.url}/v1/nope`, { headers })).status).toBe(404);
    expect((await fetch(`${endpoint.url}/v1/load`, { headers })).status).toBe(405);
  });

  it('reports the functions with their loads and the processes (status)', async () => {
    const { endpoint, token } = await serve();
    const client = new ControlClient(endpoint.url, token);
    await client.setLoads({ 'kd/fn-2': 7 });
    expect(await client.status()).toEqual({
      functions: [
        { key: 'kd/fn-1', load: 0 },
        { key: 'kd/fn-2', load: 7 },
      ],
      processes: [
        { name: 'autoscaler', pid: 101, running: true, starts: 1 },
        { name: 'scheduler', pid: null, running: false, starts: 2 },
      ],
    });
  });

  it("the client's errors are one line: the endpoint's error, or no answer", async () => {
    const { endpoint } = await serve();
    const wrongToken = new ControlClient(endpoint.url, generateToken());
    await expect(wrongToken.setLoads({ 'kd/fn-1': 1 })).rejects.toThrow(
      /^POST \/v1\/load: 401 missing or wrong bearer token/,
    );
    await endpoint.close();
    await expect(wrongToken.status()).rejects.toThrow(/does not answer \(ECONNREFUSED\)/);
  });
});
