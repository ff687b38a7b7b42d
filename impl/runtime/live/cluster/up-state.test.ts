import { statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/temp-dir.js';
import {
  isAlive,
  readUpState,
  removeUpState,
  type UpState,
  upStatePath,
  writeUpState,
} from './up-state.js';

const state = (extra: Partial<UpState> = {}): UpState => ({
  pid: process.pid,
  control: 'http://127.0.0.1:4100',
  token: 'a-token-of-at-least-16-chars',
  kubeconfig: '/tmp/kd-up/kubeconfig',
  functions: ['kd/fn-1', 'kd/fn-2'],
  nodes: ['n1', 'n2'],
  startedAt: '2026-01-02T03:04:05.678Z',
  ...extra,
});

describe("kd up's state file", () => {
  it('is written whole for its owner only and read back', () => {
    const dir = tempDir('kd-up-state-test');
    writeUpState(dir, state());
    expect(statSync(upStatePath(dir)).mode & 0o777).toBe(0o600);
    expect(readUpState(dir)).toEqual(state());
  });

  it('reads as null when there is none', () => {
    expect(readUpState(tempDir('kd-up-state-test'))).toBeNull();
  });

  it('names what is wrong with a malformed one, in one line', () => {
    const dir = tempDir('kd-up-state-test');
    const cases: [string, string][] = [
      ['{', 'not JSON'],
      ['[]', '(top level)'],
      [JSON.stringify({ ...state(), pid: 'x' }), ': pid:'],
      [JSON.stringify({ ...state(), control: 'nope' }), ': control:'],
      [JSON.stringify({ ...state(), token: 'short' }), ': token:'],
      [JSON.stringify({ ...state(), functions: ['fn-1'] }), ': functions.0: a function is'],
      [JSON.stringify({ ...state(), extra: 1 }), 'extra'],
    ];
    for (const [text, named] of cases) {
      writeFileSync(upStatePath(dir), text);
      expect(() => readUpState(dir), text).toThrow(`malformed ${upStatePath(dir)}`);
      expect(() => readUpState(dir), text).toThrow(named);
    }
  });

  it('is removed only by the process that wrote it', () => {
    const dir = tempDir('kd-up-state-test');
    writeUpState(dir, state({ pid: 999_999 }));
    removeUpState(dir, process.pid);
    expect(readUpState(dir)?.pid).toBe(999_999);
    removeUpState(dir, 999_999);
    expect(readUpState(dir)).toBeNull();
  });

  it('tells a live pid from a dead one', () => {
    expect(isAlive(process.pid)).toBe(true);
    // Above Linux's pid_max (4,194,304 at most): no process has it.
    expect(isAlive(2 ** 22 + 1)).toBe(false);
  });
});
