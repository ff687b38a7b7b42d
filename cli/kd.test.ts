import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
