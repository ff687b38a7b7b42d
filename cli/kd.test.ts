import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const launcher = fileURLToPath(new URL('../bin/kd', import.meta.url));

function runKd(args: readonly string[]) {
  // Run from a different directory to check the launcher does not depend on the cwd.
  const result = spawnSync(launcher, [...args], {
    cwd: '/',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kd CLI', () => {
  it('lists the explore subcommand in --help', () => {
    const { status, stdout } = runKd(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: kd');
    expect(stdout).toContain('explore');
  });

  it('prints the package version for --version', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(`${root}/package.json`, 'utf8')) as { version: string };
    const { status, stdout } = runKd(['--version']);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('rejects an unknown option with a message naming it', () => {
    const { status, stderr } = runKd(['--no-such-flag']);
    expect(status).not.toBe(0);
    expect(stderr).toContain('--no-such-flag');
  });

  it('exits 2 on a usage error, with one line naming it and a hint, not the help', () => {
    const { status, stdout, stderr } = runKd(['check', '--runs', 'abc']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      "kd: option '--runs <n>' argument 'abc' is invalid. --runs expects a positive whole number",
      'run `kd check --help` for usage',
    ]);
  });

  it('rejects an unknown command with a non-zero exit', () => {
    const { status, stderr } = runKd(['frobnicate']);
    expect(status).not.toBe(0);
    expect(stderr).toContain('frobnicate');
  });
});

/**
 * Starts `kd args`, sends SIGINT once `ready(stderr, pid)` holds (asked as output arrives and
 * every 100 ms), and resolves when it exits: Ctrl-C as a user presses it, mid-campaign.
 */
function interrupted(
  args: readonly string[],
  ready: (stderr: string, pid: number) => boolean,
  whileRunning: (pid: number) => void = () => {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(launcher, [...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const poll = setInterval(() => check(), 100);
    const check = () => {
      if (sent || child.pid === undefined || !ready(stderr, child.pid)) return;
      sent = true;
      clearInterval(poll);
      whileRunning(child.pid);
      child.kill('SIGINT');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      check();
    });
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The processes whose parent is `pid` (Linux /proc). */
const childrenOf = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);

/** A process that has not exited (a zombie waiting for its new parent to reap it has). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
};

/** `kd check --workers` shards among a process's children (not, say, a loader's helper). */
const shardWorkersOf = (pid: number): number[] =>
  childrenOf(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--shard');
    } catch {
      return false;
    }
  });

/** The processes among `pids` still running after up to `ms` (a killed process takes a moment). */
async function stillAlive(pids: readonly number[], ms = 5_000): Promise<number[]> {
  const deadline = performance.now() + ms;
  while (pids.some(alive) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pids.filter(alive);
}

describe('Ctrl-C (SIGINT)', () => {
  it('kd check stops, saves and prints the partial result marked partial, exit 130', async () => {
    const dir = tempDir('kd-sigint-test');
    const out = join(dir, 'partial.json');
    const { code, stdout, stderr } = await interrupted(
      ['check', '--time', '60s', '--preset', 'tiny', '--no-conformance', '--no-save', '--out', out],
      (text) => text.includes('check: runs'),
    );
    expect(code).toBe(130);
    expect(stderr).toContain('a PARTIAL result of');
    expect(stderr).toContain(`saved to ${out}`);
    expect(stdout).toContain('unique-placement');
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved.partial).toBe(true);
    expect(saved.runs).toBeGreaterThan(0);
  });

  it('kd check --workers 2 stops its workers and removes their folder', async () => {
    const dir = tempDir('kd-sigint-test');
    const out = join(dir, 'partial.json');
    const folders = () => readdirSync(tmpdir()).filter((name) => /^kd-check-(?!test)/.test(name));
    const before = new Set(folders());
    let workers: number[] = [];
    const { code } = await interrupted(
      ['check', '--time', '60s', '--preset', 'tiny', '--workers', '2', '--no-save', '--out', out],
      (_, pid) => shardWorkersOf(pid).length === 2,
      (pid) => {
        workers = shardWorkersOf(pid);
      },
    );
    expect(code).toBe(130);
    expect(workers).toHaveLength(2);
    expect(await stillAlive(workers)).toEqual([]);
    expect(folders().filter((name) => !before.has(name))).toEqual([]);
    expect(JSON.parse(readFileSync(out, 'utf8')).partial).toBe(true);
  });
});
