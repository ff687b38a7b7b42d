/**
 * `kd up` and `kd load` end to end, as a user runs them: kd up as a child process (its
 * stages its own children), kd load against it, the pods read back through the printed
 * kubeconfig, then Ctrl-C (SIGINT) and nothing left behind. In the deep project: it starts
 * seven processes and takes 30 to 60 s on this machine.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasEtcd, type LocalEtcd, startLocalEtcd } from '../impl/apiserver/etcd/local-etcd.js';
import { apiClientsFor, kubeConfigFromFile } from '../impl/k8s/client.js';
import { isTemplatePod, toPodView } from '../impl/k8s/index.js';
import { isAlive } from '../impl/runtime/live/cluster/up-state.js';
import { sharedTempDir } from '../test-support/temp-dir.js';

const run = promisify(execFile);
const launcher = fileURLToPath(new URL('../bin/kd', import.meta.url));
const READY_WITHIN_MS = 50_000;

const dir = sharedTempDir('kd-up-deep-test');
let up: ChildProcess | null = null;

afterAll(() => {
  // A failed test must not leave a cluster running: its stages exit with their supervisor.
  if (up?.exitCode === null) up.kill('SIGKILL');
});

/** kd up's stdout until `pattern` shows up in it. */
const outputUntil = (child: ChildProcess, pattern: RegExp, withinMs: number): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${withinMs} ms; got:\n${text}`)),
      withinMs,
    );
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('exit', (code) => reject(new Error(`kd up exited ${code} before: ${text}`)));
  });

/** The process table kd up prints (the rows under `process  pid  …`): name and pid. */
const processesOf = (banner: string): { name: string; pid: number }[] => {
  const lines = banner.split('\n');
  const header = lines.findIndex((line) => /^process\s+pid\s+stages\s+address$/.test(line));
  const rows = lines.slice(header + 1, lines.indexOf('', header));
  return rows.map((row) => {
    const [name = '', pid = ''] = row.split(/\s+/);
    return { name, pid: Number(pid) };
  });
};

const pidsOf = (banner: string): number[] => processesOf(banner).map((p) => p.pid);

/** Starts kd up with `args`; resolves with its banner once it is ready. */
const startUp = async (args: readonly string[]) => {
  const child = spawn(launcher, ['up', ...args, '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  up = child;
  const stderr = { text: '' };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr.text += chunk;
  });
  const banner = await outputUntil(child, /kd up: ready in [\d.]+ s/, READY_WITHIN_MS);
  return { child, stderr, banner };
};

/** kd load against the kd up in `dir`: its JSON report. */
const load = async (pods: number, functions: number) => {
  const { stdout } = await run(
    launcher,
    [
      'load',
      ...['--pods', String(pods), '--functions', String(functions)],
      ...['--dir', dir, '--json', '--timeout', '30s'],
    ],
    { env: { ...process.env, NO_COLOR: '1' } },
  );
  return JSON.parse(stdout);
};

/** SIGINT to kd up: exits 130, and every process it listed and started is gone. */
const interrupt = async (child: ChildProcess, pids: readonly number[]) => {
  const children = await childrenOf(child.pid as number);
  expect(children).toEqual(expect.arrayContaining([...pids]));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(await survivorsOf([...pids, ...children])).toEqual([]);
};

/** The direct children of `pid` (Linux ps), which must be gone once kd up has stopped. */
const childrenOf = async (pid: number): Promise<number[]> => {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({
    stdout: '',
  }));
  return stdout.split('\n').filter(Boolean).map(Number);
};

/**
 * Whether `pid` still runs: a zombie has exited. (A child kd up leaves unreaped, such as the
 * esbuild service tsx starts on a cold cache, is reparented to PID 1, which in a container
 * may never reap it: CI saw `[esbuild] <defunct>`.)
 */
const runs = (pid: number): boolean => {
  if (!isAlive(pid)) return false;
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    // No /proc (not Linux), or it has just gone.
    return isAlive(pid);
  }
};

/** Those of `pids` still running after up to a second, with their command lines. */
const survivorsOf = async (pids: readonly number[]): Promise<string[]> => {
  for (let i = 0; i < 20 && pids.some(runs); i += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const alive = pids.filter(runs);
  if (alive.length === 0) return [];
  const { stdout } = await run('ps', ['-o', 'pid=,ppid=,args=', '-p', alive.join(',')]).catch(
    () => ({ stdout: alive.join(' ') }),
  );
  return stdout.split('\n').filter(Boolean);
};

const kubectlOnPath = async (): Promise<boolean> =>
  run('kubectl', ['version', '--client']).then(
    () => true,
    () => false,
  );

describe('kd up and kd load, end to end', () => {
  it('runs a burst of 40 pods that the API shows Ready (kubectl too when it is on PATH), then stops on SIGINT leaving nothing behind', async () => {
    const { child, stderr, banner } = await startUp(['--nodes', '2', '--functions', '2']);
    const stagePids = pidsOf(banner);
    expect(stagePids).toHaveLength(6);
    const kubeconfig = /^kubeconfig\s+(\S+)$/m.exec(banner)?.[1] ?? '';
    expect(kubeconfig).toBe(join(dir, 'kubeconfig'));
    expect(banner).toContain(`kubectl --kubeconfig ${kubeconfig} get pods -A`);
    expect(existsSync(join(dir, 'up.json'))).toBe(true);

    const report = await load(40, 2);
    expect(report).toMatchObject({ pods: 40, functions: 2, outcome: 'ready', ready: 40 });
    expect(report.allReadyMs).toBeGreaterThan(0);
    expect(report.p90Ms).toBeLessThanOrEqual(report.allReadyMs);

    // What any client of the API sees: 40 Ready pods of the two functions.
    const { core } = apiClientsFor(kubeConfigFromFile(kubeconfig));
    const pods = (await core.listNamespacedPod({ namespace: 'kd' })).items.filter(
      (pod) => !isTemplatePod(pod),
    );
    const views = pods.map(toPodView);
    expect(views.filter((p) => p.ready && !p.deleting)).toHaveLength(40);
    if (await kubectlOnPath()) {
      const { stdout } = await run('kubectl', [
        '--kubeconfig',
        kubeconfig,
        'get',
        'pods',
        '-A',
        '-o',
        'name',
      ]);
      const names = stdout.split('\n').filter(Boolean);
      expect(names).toHaveLength(42); // and the two template pods
      for (const view of views) expect(names).toContain(`pod/${view.key.split('/')[1]}`);
    }

    // Each process is reaped before kd up exits; a short grace absorbs the system's
    // bookkeeping, and a survivor is named with its command line.
    await interrupt(child, stagePids);
    expect(stderr.text).toBe('');
    expect(existsSync(join(dir, 'up.json'))).toBe(false);
    expect(existsSync(join(dir, 'kubeconfig'))).toBe(false);
  });

  describe.runIf(hasEtcd() || process.env.CI !== undefined)('with --etcd', () => {
    let etcd: LocalEtcd | undefined;
    beforeAll(async () => {
      etcd = await startLocalEtcd();
    }, 30_000);
    afterAll(() => etcd?.stop());

    it('keeps every pod when the API Server process is killed with -9, and serves the next burst', async () => {
      const url = etcd?.url as string;
      const { child, stderr, banner } = await startUp([
        '--nodes',
        '2',
        '--functions',
        '1',
        '--etcd',
        url,
      ]);
      expect(banner).toContain(`objects in etcd at ${url}`);
      const processes = processesOf(banner);
      expect(processes.map((p) => p.name)).toContain('apiserver');
      expect(await load(20, 1)).toMatchObject({ outcome: 'ready', ready: 20 });

      const kubeconfig = kubeConfigFromFile(join(dir, 'kubeconfig'));
      const podsNow = async () =>
        (await apiClientsFor(kubeconfig).core.listNamespacedPod({ namespace: 'kd' })).items
          .filter((pod) => !isTemplatePod(pod))
          .map((pod) => `${pod.metadata?.name} ${pod.metadata?.uid} ${toPodView(pod).ready}`)
          .sort();
      const before = await podsNow();
      expect(before).toHaveLength(20);
      const api = processes.find((p) => p.name === 'apiserver')?.pid as number;
      process.kill(api, 'SIGKILL');
      // The same port answers again, from what etcd holds.
      let after: string[] = [];
      for (let i = 0; i < 100 && after.length === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await podsNow().catch(() => []);
      }
      expect(after).toEqual(before);
      expect(await load(30, 1)).toMatchObject({ outcome: 'ready', ready: 30 });

      const restarted = (await childrenOf(child.pid as number)).filter((pid) => pid !== api);
      await interrupt(child, restarted);
      expect(stderr.text).toBe('');
    });
  });
});
