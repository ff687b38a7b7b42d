import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../impl/runtime/live/cluster/layout.js';
import { tempDir } from '../test-support/temp-dir.js';
import { runUp, type UpCliOptions, upPlanOf } from './up.command.js';
import { eventLine, readyLines } from './up-lines.js';

const options = (extra: Partial<UpCliOptions> = {}): UpCliOptions => ({
  nodes: '4',
  slots: '110',
  functions: '4',
  mode: 'direct',
  profile: 'hardened',
  apiPort: '0',
  dir: tempDir('kd-up-test'),
  ...extra,
});

/** Runs kd up on options that must be refused before anything starts. */
const refused = async (extra: Partial<UpCliOptions>) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runUp(options(extra), {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stopSignal: new Promise(() => undefined),
  });
  return { code, out, err: err.join('') };
};

const upState = (pid: number) =>
  JSON.stringify({
    pid,
    control: 'http://127.0.0.1:4100',
    token: 'a-token-of-at-least-16-chars',
    kubeconfig: '/tmp/kubeconfig',
    functions: ['kd/fn-1'],
    nodes: ['n1'],
    startedAt: '2026-01-02T03:04:05.678Z',
  });

describe('kd up', () => {
  it('reads its options into a plan: nodes n1..nN, functions kd/fn-1..kd/fn-F', async () => {
    const plan = await upPlanOf(options({ nodes: '3', functions: '2', slots: '7' }));
    expect(plan).toMatchObject({
      nodes: ['n1', 'n2', 'n3'],
      slotsPerNode: 7,
      functions: [
        { namespace: 'kd', name: 'fn-1' },
        { namespace: 'kd', name: 'fn-2' },
      ],
      mode: 'direct',
      kubeletProcesses: 3,
      apiPort: 0,
    });
    expect((await upPlanOf(options({ nodes: '20' }))).kubeletProcesses).toBe(8);
    expect((await upPlanOf(options({ nodes: '2', kubeletProcesses: '5' }))).kubeletProcesses).toBe(
      2,
    );
  });

  it('refuses each bad input with one line and exit 2, before starting anything', async () => {
    const cases: [Partial<UpCliOptions>, string][] = [
      [{ mode: 'fast' }, "kd: unknown mode 'fast' (known: direct, api)\n"],
      [{ profile: 'soft' }, "kd: unknown profile 'soft' (known: hardened, artifact)\n"],
      [
        { profile: 'hardened:fence=maybe' },
        "kd: switch fence takes exclusive | none (got 'maybe')\n",
      ],
      [{ nodes: '0' }, "kd: --nodes expects a whole number from 1 to 1,000 (got '0')\n"],
      [{ slots: 'many' }, "kd: --slots expects a whole number from 1 to 10,000 (got 'many')\n"],
      [{ functions: '-1' }, "kd: --functions expects a whole number from 1 to 1,000 (got '-1')\n"],
      [
        { apiPort: '70000' },
        "kd: --api-port expects a whole number from 0 to 65,535 (got '70000')\n",
      ],
      [{ kubeletProcesses: '0' }, 'kd: --kubelet-processes expects a whole number from 1'],
      [
        { kubeconfig: '/nonexistent/kubeconfig' },
        'kd: --kubeconfig: cannot read kubeconfig /nonexistent/kubeconfig: no such file\n',
      ],
      [
        { etcd: '127.0.0.1:2379' },
        "kd: --etcd expects etcd's client URL, such as http://127.0.0.1:2379 (got '127.0.0.1:2379')\n",
      ],
      [{ etcd: 'ftp://127.0.0.1:2379' }, "kd: --etcd expects etcd's client URL"],
      [{ etcd: 'http://127.0.0.1:2379/v3' }, "kd: --etcd expects etcd's client URL"],
      [
        { etcd: 'http://127.0.0.1:2379', kubeconfig: '/tmp/kubeconfig' },
        "kd: --etcd is the embedded endpoint's storage; --kubeconfig names another API\n",
      ],
    ];
    for (const [extra, message] of cases) {
      const { code, out, err } = await refused(extra);
      expect(code, JSON.stringify(extra)).toBe(2);
      expect(err).toContain(message);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(out).toEqual([]);
    }
  });

  it('refuses a kubeconfig that is not one, or names no cluster', async () => {
    const dir = tempDir('kd-up-test');
    const cases: [string, string][] = [
      ['', 'not a kubeconfig'],
      ['clusters: [', 'cannot read kubeconfig'],
      ['apiVersion: v1\nkind: Config\n', 'names no cluster'],
    ];
    for (const [text, message] of cases) {
      const file = join(dir, 'kubeconfig');
      writeFileSync(file, text);
      const { code, err } = await refused({ kubeconfig: file });
      expect(code).toBe(2);
      expect(err).toContain(message);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
    }
    const { code, err } = await refused({ kubeconfig: dir });
    expect([code, err]).toEqual([
      2,
      `kd: --kubeconfig: cannot read kubeconfig ${dir}: a directory\n`,
    ]);
  });

  it('refuses --api-port with --kubeconfig', async () => {
    const file = join(tempDir('kd-up-test'), 'kubeconfig');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\n');
    const { code, err } = await refused({ kubeconfig: file, apiPort: '8080' });
    expect([code, err]).toEqual([
      2,
      "kd: --api-port is the embedded endpoint's; --kubeconfig names another API\n",
    ]);
  });

  it('says so in one line, exit 1, when etcd does not answer', async () => {
    // A port nobody listens on: the API process is never forked.
    const [port] = await freePorts('127.0.0.1', 1);
    const url = `http://127.0.0.1:${port}`;
    const { code, err } = await refused({ etcd: url, nodes: '1' });
    expect([code, err]).toEqual([1, `kd: cannot reach etcd at ${url}: ECONNREFUSED\n`]);
  });

  it('shows the API Server process in the table when its objects are in etcd', () => {
    const lines = readyLines({
      apiUrl: 'http://127.0.0.1:4000',
      embedded: false,
      etcd: 'http://127.0.0.1:2379',
      apiPid: 7,
      kubeconfig: '/tmp/d/kubeconfig',
      control: 'http://127.0.0.1:4001',
      stateFile: '/tmp/d/up.json',
      processes: [{ name: 'scheduler', pid: 12, stages: ['scheduler'] }],
      book: { scheduler: { host: '127.0.0.1', port: 5001 } },
      startMs: 1_000,
    });
    expect(lines[0]).toBe(
      'API         http://127.0.0.1:4000 (embedded, its own process; objects in etcd at http://127.0.0.1:2379)',
    );
    expect(lines).toContain('apiserver  7    (API Server)  127.0.0.1:4000');
  });

  it('refuses a directory where a kd up runs, or whose up.json is malformed', async () => {
    const dir = tempDir('kd-up-test');
    writeFileSync(join(dir, 'up.json'), upState(process.pid));
    expect(await refused({ dir })).toEqual({
      code: 2,
      out: [],
      err: `kd: kd up is already running (pid ${process.pid}, dir ${dir}); stop it or pass --dir\n`,
    });
    writeFileSync(join(dir, 'up.json'), '{"pid": 1');
    expect(await refused({ dir })).toEqual({
      code: 2,
      out: [],
      err: `kd: malformed ${dir}/up.json: not JSON; remove it or pass --dir\n`,
    });
  });

  it('refuses a --dir it cannot create', async () => {
    const file = join(tempDir('kd-up-test'), 'a-file');
    writeFileSync(file, '');
    const { code, err } = await refused({ dir: join(file, 'sub') });
    expect(code).toBe(2);
    expect(err).toMatch(/^kd: cannot use --dir .*a-file\/sub: ENOTDIR/);
  });
});

describe("kd up's lines", () => {
  it('prints where everything is and a table of the processes', () => {
    const lines = readyLines({
      apiUrl: 'http://127.0.0.1:4000',
      embedded: true,
      kubeconfig: '/tmp/d/kubeconfig',
      control: 'http://127.0.0.1:4001',
      stateFile: '/tmp/d/up.json',
      processes: [
        { name: 'scheduler', pid: 12, stages: ['scheduler'] },
        { name: 'kubelets-1', pid: undefined, stages: ['kubelet/n1', 'kubelet/n2'] },
      ],
      book: {
        scheduler: { host: '127.0.0.1', port: 5001 },
        'kubelet/n1': { host: '127.0.0.1', port: 5002 },
        'kubelet/n2': { host: '127.0.0.1', port: 5003 },
      },
      startMs: 12_345,
    });
    expect(lines).toContain('            kubectl --kubeconfig /tmp/d/kubeconfig get pods -A');
    expect(lines).toContain('process     pid  stages                 address');
    expect(lines).toContain(
      'kubelets-1  -    kubelet/n1,kubelet/n2  127.0.0.1:5002,127.0.0.1:5003',
    );
    expect(lines.at(-1)).toBe('kd up: ready in 12.3 s; Ctrl-C stops it');
  });

  it('logs exits, restarts and faults, one line each, but not first starts', () => {
    expect(eventLine({ type: 'ready', process: 'scheduler', starts: 1 }, 12)).toBeNull();
    expect(eventLine({ type: 'ready', process: 'scheduler', starts: 2 }, 12)).toBe(
      'scheduler restarted (pid 12, start 2)',
    );
    expect(
      eventLine(
        {
          type: 'exited',
          process: 'kubelet/n1',
          code: 78,
          signal: null,
          stderr: 'a\nlast words\n',
        },
        undefined,
      ),
    ).toBe('kubelet/n1 exited (code 78): last words');
    expect(
      eventLine({ type: 'fault', stage: 'replicaset', message: 'boom\nat x' }, undefined),
    ).toBe('fault in replicaset: boom');
  });
});
