import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempFolder } from './temp-folder.js';

const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');
const MODULE = fileURLToPath(new URL('./temp-folder.ts', import.meta.url));

/**
 * A process that makes a folder, prints it and waits. `handlesCtrlC`: it stops on Ctrl-C as
 * kd check does, removing the folder itself, and exits 7 if the folder was still there.
 */
const holder = (handlesCtrlC: boolean) =>
  spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      '--input-type=module',
      '-e',
      `import { existsSync, writeFileSync } from 'node:fs';
       import { makeTempFolder } from ${JSON.stringify(MODULE)};
       const folder = makeTempFolder('kd-temp-folder-test');
       ${handlesCtrlC ? "process.on('SIGINT', () => { const kept = existsSync(folder.dir); folder.remove(); process.exit(kept ? 7 : 8); });" : ''}
       console.log(folder.dir);
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );

/** Ctrl-C to a holder once it has made its folder: the folder, and how the holder ended. */
const interrupt = (handlesCtrlC: boolean) =>
  new Promise<{ dir: string; existed: boolean; code: number | null; signal: string | null }>(
    (resolve) => {
      const child = holder(handlesCtrlC);
      let dir = '';
      let existed = false;
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (text: string) => {
        dir = text.trim();
        existed = existsSync(dir);
        child.kill('SIGINT');
      });
      child.once('exit', (code, signal) => resolve({ dir, existed, code, signal }));
    },
  );

describe('makeTempFolder', () => {
  it('is removed by remove, with what is in it, and stops watching for Ctrl-C', () => {
    const listeners = process.listenerCount('SIGINT');
    const folder = makeTempFolder('kd-temp-folder-test');
    writeFileSync(join(folder.dir, 'file.txt'), 'removed with the folder');
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    folder.remove();
    expect(existsSync(folder.dir)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('is removed by a Ctrl-C that ends the process, which still dies of SIGINT', async () => {
    const ended = await interrupt(false);
    expect(ended.existed).toBe(true);
    expect(existsSync(ended.dir)).toBe(false);
    expect(ended.signal).toBe('SIGINT');
  });

  it('is left to a process that handles Ctrl-C itself', async () => {
    const ended = await interrupt(true);
    expect(ended.existed).toBe(true);
    expect(existsSync(ended.dir)).toBe(false);
    expect(ended.code).toBe(7);
  });
});
