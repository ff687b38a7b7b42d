import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiServer } from '../impl/apiserver/api-server.js';
import { type SeededFunction, seedFunction } from '../impl/apiserver/fixtures.js';
import { serveApi } from '../impl/apiserver/http/index.js';
import { materialisePod } from '../impl/k8s/builders.js';
import { apiClientsFor, kubeConfigFor, mergePatchOptions } from '../impl/k8s/client.js';
import { type ControlledCluster, serveControl } from '../impl/runtime/live/cluster/control.js';
import { writeKubeConfig } from '../impl/runtime/live/cluster/embedded-api.js';
import { writeUpState } from '../impl/runtime/live/cluster/up-state.js';
import { generateToken } from '../impl/runtime/live/transport/index.js';
import { tempDir } from '../test-support/temp-dir.js';
import { type LoadCliOptions, runLoad } from './load.command.js';
import { progressLines } from './load-progress.js';

const open: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

const run = async (options: Partial<LoadCliOptions>) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLoad(
    { timeout: '10s', ...options },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join(''), err: err.join('') };
};

const upJson = (extra: object = {}) =>
  JSON.stringify({
    pid: process.pid,
    control: 'http://127.0.0.1:1',
    token: 'a-token-of-at-least-16-chars',
    kubeconfig: '/nonexistent/kubeconfig',
    functions: ['kd/fn-1', 'kd/fn-2'],
    nodes: ['n1'],
    startedAt: '2026-01-02T03:04:05.678Z',
    ...extra,
  });

describe('kd load refuses bad input with one line and exit 2', () => {
  it('names the option, the missing or malformed up.json, and too many functions', async () => {
    const dir = tempDir('kd-load-test');
    const empty = tempDir('kd-load-test');
    writeFileSync(join(dir, 'up.json'), upJson());
    const malformed = tempDir('kd-load-test');
    writeFileSync(join(malformed, 'up.json'), upJson({ functions: [] }));
    const stale = tempDir('kd-load-test');
    writeFileSync(join(stale, 'up.json'), upJson({ pid: 2 ** 22 + 1 }));
    const cases: [Partial<LoadCliOptions>, string][] = [
      [{ dir }, 'kd: --pods is required (kd load --pods N)\n'],
      [{ dir, pods: 'abc' }, "kd: --pods expects a whole number from 1 to 100,000 (got 'abc')\n"],
      [{ dir, pods: '0' }, "kd: --pods expects a whole number from 1 to 100,000 (got '0')\n"],
      [{ dir, pods: '5', timeout: 'soon' }, 'kd: --timeout: expected a duration such as 60s'],
      [{ dir: empty, pods: '5' }, `kd: no kd up running in ${empty}: start one with \`kd up\`\n`],
      [
        { dir: malformed, pods: '5' },
        `kd: malformed ${malformed}/up.json: functions: Too small: expected array to have >=1 items\n`,
      ],
      [{ dir: stale, pods: '5' }, `kd: no kd up running in ${stale} (up.json names pid`],
      [
        { dir, pods: '5', functions: '3' },
        `kd: --functions 3 is more than the 2 functions the kd up in ${dir} started\n`,
      ],
    ];
    for (const [options, message] of cases) {
      const { code, out, err } = await run(options);
      expect(code, JSON.stringify(options)).toBe(2);
      expect(err).toContain(message);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(out).toBe('');
    }
  });
});

/**
 * kd up's outside without its processes: an API over HTTP, the control endpoint, and a fake
 * cluster whose `setLoad` makes the function's pods (Ready when `ready`) or deletes them.
 */
const fakeUp = async (ready = true) => {
  const api = new ApiServer({ now: () => 0 });
  const fns: Record<string, SeededFunction> = {
    'kd/fn-1': seedFunction(api, { namespace: 'kd', name: 'fn-1' }),
    'kd/fn-2': seedFunction(api, { namespace: 'kd', name: 'fn-2' }),
  };
  const endpoint = await serveApi(api);
  open.push(() => endpoint.close());
  const { core } = apiClientsFor(kubeConfigFor(endpoint.url));
  const pods: Record<string, string[]> = { 'kd/fn-1': [], 'kd/fn-2': [] };
  let made = 0;
  const setLoad = async (key: string, load: number) => {
    const names = pods[key] ?? [];
    while (names.length > load) {
      const name = names.pop() as string;
      await core.deleteNamespacedPod({ namespace: 'kd', name, gracePeriodSeconds: 0 });
    }
    while (names.length < load) {
      const name = `pod-${++made}`;
      names.push(name);
      const fn = fns[key] as SeededFunction;
      await core.createNamespacedPod({
        namespace: 'kd',
        body: materialisePod(fn.templatePod, name, 'n1', 0),
      });
      if (ready)
        await core.patchNamespacedPodStatus(
          {
            namespace: 'kd',
            name,
            body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
          },
          mergePatchOptions,
        );
    }
  };
  const cluster: ControlledCluster = {
    setLoad: (key, load) => void setLoad(key, load),
    processes: [],
  };
  const token = generateToken();
  const control = await serveControl(cluster, { functions: Object.keys(fns), token });
  open.push(() => control.close());
  const dir = tempDir('kd-load-test');
  writeKubeConfig(join(dir, 'kubeconfig'), endpoint.url);
  writeUpState(dir, {
    pid: process.pid,
    control: control.url,
    token,
    kubeconfig: join(dir, 'kubeconfig'),
    functions: Object.keys(fns),
    nodes: ['n1'],
    startedAt: new Date(0).toISOString(),
  });
  return { dir, setLoad, pods };
};

describe('kd load against a fake kd up', () => {
  it('drains the functions, then reports the burst as one JSON object', async () => {
    const { dir, setLoad, pods } = await fakeUp();
    await setLoad('kd/fn-1', 3);
    const { code, out, err } = await run({ dir, pods: '5', json: true });
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ pods: 5, functions: 2, outcome: 'ready', ready: 5 });
    for (const key of ['allReadyMs', 'p50Ms', 'p90Ms']) expect(report[key]).toBeGreaterThan(0);
    expect(pods['kd/fn-1']).toHaveLength(3);
    expect(pods['kd/fn-1']).not.toContain('pod-1');
    expect(pods['kd/fn-2']).toHaveLength(2);
    expect(err).not.toContain('kd: ');
  });

  it('prints one line, the first F functions only', async () => {
    const { dir, pods } = await fakeUp();
    const { code, out } = await run({ dir, pods: '4', functions: '1' });
    expect(code).toBe(0);
    expect(out).toMatch(
      /^4 pods Ready in \d+ ms \(p50 \d+ ms, p90 \d+ ms per pod; 1 function\)\n$/,
    );
    expect(pods['kd/fn-2']).toEqual([]);
  });

  it('exits 1 on a timeout, saying how many were Ready', async () => {
    const { dir } = await fakeUp(false);
    const { code, out } = await run({ dir, pods: '3', timeout: '300ms' });
    expect(code).toBe(1);
    expect(out).toBe('timed out after 0.3 s: 0 of 3 pods Ready (2 functions)\n');
  });

  it('exits 1 in one line when kd up does not answer', async () => {
    const { dir } = await fakeUp();
    // An address where nothing listens any more.
    const gone = await serveControl(
      { setLoad: () => undefined, processes: [] },
      {
        functions: [],
        token: generateToken(),
      },
    );
    await gone.close();
    writeFileSync(
      join(dir, 'up.json'),
      upJson({ control: gone.url, kubeconfig: join(dir, 'kubeconfig') }),
    );
    const { code, err } = await run({ dir, pods: '3' });
    expect(code).toBe(1);
    expect(err).toBe(`kd: kd up's control endpoint ${gone.url} does not answer (ECONNREFUSED)\n`);
  });
});

describe("kd load's progress without a terminal", () => {
  it('prints a line at most once a second, and not the final state', () => {
    const lines: string[] = [];
    let now = 0;
    const display = progressLines(
      (t) => lines.push(t),
      () => now,
      2,
    );
    display.update({ phase: 'drain', remaining: 0, elapsedMs: 0 });
    for (const [at, ready] of [
      [0, 0],
      [500, 1],
      [1_000, 2],
      [1_900, 3],
      [2_500, 4],
      [4_000, 10],
    ] as const) {
      now = at;
      display.update({ phase: 'burst', ready, target: 10, elapsedMs: at });
    }
    expect(lines).toEqual([
      'kd load: 0/10 pods Ready after 0.0 s\n',
      'kd load: 2/10 pods Ready after 1.0 s\n',
      'kd load: 4/10 pods Ready after 2.5 s\n',
    ]);
  });
});
