/**
 * `<dir>/up.json`: what a running `kd up` tells other commands (`kd load`) about itself:
 * its pid, the control endpoint and its token, the kubeconfig, the functions and nodes. It
 * holds the token, so it is written with mode 0600, whole (a temporary file renamed), and
 * removed when `kd up` stops. A file whose pid is dead is stale: `kd up` died with -9.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { TOKEN_LENGTH_MIN } from '../transport/index.js';

export const UpStateSchema = z.strictObject({
  pid: z.number().int().positive(),
  control: z.url({ protocol: /^https?$/ }),
  token: z.string().min(TOKEN_LENGTH_MIN),
  kubeconfig: z.string().min(1),
  functions: z.array(z.string().regex(/^[^/]+\/[^/]+$/, 'a function is namespace/name')).min(1),
  nodes: z.array(z.string().min(1)).min(1),
  startedAt: z.iso.datetime(),
});

export type UpState = z.infer<typeof UpStateSchema>;

/** One directory per user, so two users of a machine each have their own kd up. */
export const defaultUpDir = (): string => join(tmpdir(), `kd-up-${process.getuid?.() ?? 'user'}`);

export const upStatePath = (dir: string): string => join(dir, 'up.json');

/** The state in `dir`, or null when there is none; throws one line when it is malformed. */
export const readUpState = (dir: string): UpState | null => {
  const path = upStatePath(dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`malformed ${path}: not JSON`);
  }
  const parsed = UpStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `malformed ${path}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
};

/** Creates `dir` (owner only) when it is missing. */
export const ensureUpDir = (dir: string): void => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
};

export const writeUpState = (dir: string, state: UpState): void => {
  const path = upStatePath(dir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
};

/** Removes the state file if it is still the one process `pid` wrote. */
export const removeUpState = (dir: string, pid: number): void => {
  try {
    if (readUpState(dir)?.pid === pid) rmSync(upStatePath(dir), { force: true });
  } catch {
    // A malformed file is not ours to remove.
  }
};

/** Whether a process `pid` exists (EPERM: it does, and belongs to another user). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
