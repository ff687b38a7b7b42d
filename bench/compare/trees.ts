/**
 * The two trees `bench:compare` runs a benchmark in: a revision exported from git into a
 * temporary folder (`git archive`, so the repository's own worktrees and index are not
 * touched), and this working tree as it is, uncommitted changes included.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const git = (cwd: string, args: readonly string[]) =>
  spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** The full commit a revision names, or an error that says which revision is unknown. */
export const resolveRevision = (repo: string, revision: string): string => {
  const result = git(repo, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  if (result.status !== 0) throw new Error(`unknown revision: ${revision}`);
  return result.stdout.trim();
};

/** HEAD's short hash, with "+ changes" when the working tree differs from it. */
export const describeWorkingTree = (repo: string): string => {
  const head = git(repo, ['rev-parse', '--short', 'HEAD']).stdout.trim();
  const dirty = git(repo, ['status', '--porcelain', '--untracked-files=no']).stdout.trim() !== '';
  return dirty ? `${head} + changes` : head;
};

export interface ExportedTree {
  readonly dir: string;
  readonly remove: () => void;
}

/**
 * The files of `commit` in a temporary folder, with this checkout's node_modules linked in
 * (a baseline whose lockfile differs runs on today's dependencies: said in the output).
 */
export const exportRevision = (repo: string, commit: string): ExportedTree => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-baseline-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const archive = spawnSync(
    'sh',
    ['-c', `git archive --format=tar ${commit} | tar -x -C "${dir}"`],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  if (archive.status !== 0) {
    remove();
    throw new Error(`could not export ${commit}: ${archive.stderr.trim()}`);
  }
  const modules = join(repo, 'node_modules');
  if (!existsSync(modules)) {
    remove();
    throw new Error(`no node_modules in ${repo}: run npm ci first`);
  }
  symlinkSync(modules, join(dir, 'node_modules'), 'dir');
  return { dir, remove };
};

/** Whether the lockfiles of the two trees differ (the baseline then runs on today's). */
export const lockfilesDiffer = (repo: string, commit: string): boolean =>
  git(repo, ['diff', '--quiet', commit, '--', 'package-lock.json']).status !== 0;
