import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedTempDir, tempDir } from './temp-dir.js';

/** Fills a folder, so that removing it takes a recursive removal. */
const fill = (dir: string): void => {
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'file.txt'), 'kept until the test ends');
};

// Each pair of tests below runs in order: the first makes a folder, the second finds it gone.
describe('tempDir', () => {
  let made = '';

  it('makes an empty folder in the temporary folder, named by the prefix', () => {
    made = tempDir('kd-temp-dir-test');
    expect(dirname(made)).toBe(tmpdir());
    expect(made).toMatch(/\/kd-temp-dir-test-\w{6}$/);
    fill(made);
    expect(existsSync(join(made, 'sub', 'file.txt'))).toBe(true);
  });

  it('has removed it, with what was in it, once that test finished', () => {
    expect(made).not.toBe('');
    expect(existsSync(made)).toBe(false);
  });

  it.fails('removes it when the test fails too (this test fails on purpose)', () => {
    made = tempDir('kd-temp-dir-test');
    fill(made);
    throw new Error('the test fails after making its folder');
  });

  it('has removed the failed test’s folder', () => {
    expect(existsSync(made)).toBe(false);
  });
});

describe('sharedTempDir', () => {
  let made = '';

  describe('a block sharing one folder', () => {
    const dir = sharedTempDir('kd-temp-dir-test');
    made = dir;

    it('keeps the folder from one test of the block to the next', () => {
      fill(dir);
    });

    it('still has it in the block’s last test', () => {
      expect(existsSync(join(dir, 'sub', 'file.txt'))).toBe(true);
    });
  });

  it('has removed it after the block', () => {
    expect(made).not.toBe('');
    expect(existsSync(made)).toBe(false);
  });
});
