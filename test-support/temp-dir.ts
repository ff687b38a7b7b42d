/**
 * Temporary folders for tests, removed when the tests that use them are done. Tests made
 * their own with `mkdtempSync` and mostly left them: /tmp held well over a thousand
 * `kd-*-test-*` folders, a few for every run of the suite. A folder is removed even when its
 * test fails, as a failed test's folder is no more use than a passed one's: rerun the test
 * to look at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const make = (prefix: string): string => mkdtempSync(join(tmpdir(), `${prefix}-`));
const remove = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/**
 * A new folder `<tmpdir>/<prefix>-XXXXXX` that is removed, with all in it, when the running
 * test finishes. Call it inside a test or a `beforeEach`.
 */
export function tempDir(prefix: string): string {
  const dir = make(prefix);
  onTestFinished(() => remove(dir));
  return dir;
}

/**
 * A new folder for the tests of one `describe` block to share (say, the output of one slow
 * run that several tests read), removed after the block's last test. Call it in the block's
 * body, where `afterAll` may be called, not inside a test.
 */
export function sharedTempDir(prefix: string): string {
  const dir = make(prefix);
  afterAll(() => remove(dir));
  return dir;
}
