// Usage errors on the command line: exit 2, one line naming the problem and one line of
// hint, never the whole help. Parsed in process (`runKd`); kd.test.ts checks the real exit
// code of the binary once.
import { describe, expect, it } from 'vitest';
import { runKd } from './program.js';

const kd = async (...args: string[]) => {
  const parts: string[] = [];
  const code = await runKd(['node', 'kd', ...args], (text) => {
    parts.push(text);
  });
  return { code, lines: parts.join('').trimEnd().split('\n') };
};

/** Exit 2, the problem on the first line, the hint on the second, and nothing else. */
const expectUsageError = async (args: string[], problem: RegExp, command?: string) => {
  const { code, lines } = await kd(...args);
  expect(code).toBe(2);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^kd: /);
  expect(lines[0]).toMatch(problem);
  expect(lines[1]).toBe(`run \`kd${command ? ` ${command}` : ''} --help\` for usage`);
};

describe('a usage error exits 2 with one line and a hint', () => {
  it('a bad number', () =>
    expectUsageError(
      ['check', '--runs', 'abc'],
      /--runs expects a positive whole number/,
      'check',
    ));
  it('a zero count', () =>
    expectUsageError(['check', '--runs', '0'], /--runs expects a positive whole number/, 'check'));
  it('a bad worker count', () =>
    expectUsageError(['check', '--workers', '2x'], /--workers/, 'check'));
  it('an unknown flag', () =>
    expectUsageError(['check', '--bogus'], /unknown option '--bogus'/, 'check'));
  it('a bad duration', () =>
    expectUsageError(['check', '--time', 'soon'], /expected a duration/, 'check'));
  it('a zero duration', () =>
    expectUsageError(['check', '--time', '0s'], /positive duration/, 'check'));
  it('an impossible shard', () =>
    expectUsageError(['check', '--shard', '4/4'], /0 <= i < n/, 'check'));
  it('an unknown command', () => expectUsageError(['frobnicate'], /unknown command 'frobnicate'/));
  it('a missing required option', () =>
    expectUsageError(['run'], /required option '--scenario <name>' not specified/, 'run'));
  it('a missing file argument', () =>
    expectUsageError(['merge'], /missing required argument 'files'/, 'merge'));
});

describe('seeds outside the PRNG range are refused, naming the range', () => {
  // 2^32 + 1 used to run as seed 1: both generators keep the low 32 bits.
  for (const command of ['check', 'mutants', 'chaos', 'report'])
    it(`kd ${command} --seed 4294967297`, () =>
      expectUsageError([command, '--seed', '4294967297'], /from 0 to 4294967295/, command));
  it('kd run --seed 4294967296', () =>
    expectUsageError(
      ['run', '--scenario', 'burst', '--seed', '4294967296'],
      /from 0 to 4294967295/,
      'run',
    ));
});

describe('kd run refuses a run too large to finish, naming the maximum', () => {
  it('--pods 100000000', () =>
    expectUsageError(
      ['run', '--scenario', 'burst', '--pods', '100000000'],
      /--pods is at most 20,000/,
      'run',
    ));
  it('--nodes 5001', () =>
    expectUsageError(['run', '--scenario', 'burst', '--nodes', '5001'], /at most 5,000/, 'run'));
  it('--functions 1001', () =>
    expectUsageError(
      ['run', '--scenario', 'burst', '--functions', '1001'],
      /at most 1,000/,
      'run',
    ));
});
