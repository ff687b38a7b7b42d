/**
 * A throwaway etcd for tests and the chaos run: Debian's `etcd` binary (package
 * `etcd-server`, which CI installs) on two free loopback ports and a fresh data directory,
 * removed when it stops. Not how to run etcd for keeps: one member, no TLS.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempFolder } from '../../runtime/live/cluster/temp-folder.js';
import { EtcdClient } from './client.js';

const STARTUP_MS = 20_000;

export interface LocalEtcd {
  /** The client URL, as `kd up --etcd` takes it. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Whether an `etcd` binary is on the PATH. */
export const hasEtcd = (): boolean => spawnSync('etcd', ['--version']).status === 0;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

export const startLocalEtcd = async (): Promise<LocalEtcd> => {
  const [client, peer] = [await freePort(), await freePort()];
  // Made after the ports, which may fail, so that every way out below removes it; a Ctrl-C
  // that ends the process kills etcd before removing its data.
  let spawned: ChildProcess | null = null;
  const folder = makeTempFolder('kd-etcd', () => spawned?.kill('SIGKILL'));
  const dir = folder.dir;
  const url = `http://127.0.0.1:${client}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name',
      'kd',
      '--data-dir',
      join(dir, 'data'),
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `kd=http://127.0.0.1:${peer}`,
      '--log-level',
      'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  spawned = child;
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-2_000);
  });
  let failedToSpawn = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      failedToSpawn = `cannot run etcd (Debian package etcd-server): ${error.message}`;
      resolve();
    });
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    folder.remove();
  };
  const etcd = new EtcdClient(url);
  const deadline = performance.now() + STARTUP_MS;
  for (;;) {
    try {
      await etcd.range('/');
      return { url, stop };
    } catch (error) {
      if (failedToSpawn || child.exitCode !== null || performance.now() > deadline) {
        await stop();
        throw new Error(failedToSpawn || `etcd did not start: ${stderr.trim() || String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};
