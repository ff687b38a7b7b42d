import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareFigures, figureLine, parseFigures, renderComparison } from './figures.js';
import { argsFor, parseRequest } from './request.js';

describe('figure lines', () => {
  it('round-trip through the one line format, other output ignored', () => {
    const out = [
      'small preset (hardened, direct): 40 rounds',
      figureLine('small preset, Observation every step', 10317.4567891, 'steps/s'),
      '  observeEachStep false median: 19,059 steps/s',
      figureLine('W2 n=100 unthrottled sandbox 200 ms direct CPU per pod', 86.5, 'ms'),
    ].join('\n');
    expect(parseFigures(out)).toEqual([
      { name: 'small preset, Observation every step', value: 10317.4568, unit: 'steps/s' },
      { name: 'W2 n=100 unthrottled sandbox 200 ms direct CPU per pod', value: 86.5, unit: 'ms' },
    ]);
  });

  it('refuses a name with a colon, a value that is not finite and a garbled line', () => {
    expect(() => figureLine('a: b', 1, 'ms')).toThrow(/may not contain ':'/);
    expect(() => figureLine('a', Number.NaN, 'ms')).toThrow(/not a finite number/);
    expect(() => parseFigures('figure states/s 12')).toThrow(/malformed figure line/);
  });
});

describe('the comparison', () => {
  it('puts each figure’s medians side by side with new ÷ old, a missing side as —', () => {
    const round = (steps: number, extra?: number) => [
      { name: 'steps', value: steps, unit: 'steps/s' },
      ...(extra === undefined ? [] : [{ name: 'only new', value: extra, unit: 'ms' }]),
    ];
    const rows = compareFigures([round(100), round(300), round(200)], [round(400), round(500, 7)]);
    expect(rows).toEqual([
      { name: 'steps', unit: 'steps/s', baseline: [100, 300, 200], current: [400, 500] },
      { name: 'only new', unit: 'ms', baseline: [], current: [7] },
    ]);
    const table = renderComparison(rows, { baseline: 'old: a', current: 'new: b' });
    expect(table.split('\n')).toEqual([
      '| figure | old: a | new: b | new ÷ old | rounds (old; new) |',
      '|---|---|---|---|---|',
      '| steps (steps/s) | 200 | 450 | 2.25× | 100, 300, 200; 400, 500 |',
      '| only new (ms) | — | 7 | — | —; 7 |',
    ]);
  });
});

describe('npm run bench:compare', () => {
  it.each([
    [[], /--baseline REV is required/],
    [['--baseline', 'HEAD'], /SCRIPT is required/],
    [
      ['--baseline', 'HEAD', '--rounds', '0', 'bench/impl.bench.ts'],
      /--rounds must be a whole number/,
    ],
    [
      ['--baseline', 'HEAD', '--rounds', '2.5', 'bench/impl.bench.ts'],
      /--rounds must be a whole number/,
    ],
    [
      ['--baseline', 'HEAD', '--frobnicate', 'x', 'bench/impl.bench.ts'],
      /unknown option --frobnicate/,
    ],
    [['--baseline', '--rounds', '2', 'bench/impl.bench.ts'], /--baseline needs a value/],
    [['--baseline', 'HEAD', 'README.md'], /SCRIPT must be a \.ts file/],
  ])('refuses the command line %j, naming the problem', (args, message) => {
    expect(() => parseRequest(args)).toThrow(message);
  });

  it('passes everything after SCRIPT to the benchmark', () => {
    expect(
      parseRequest(['--rounds', '3', '--baseline', 'abc', 'cli/kd.ts', 'bench', '--quick']),
    ).toEqual({
      baseline: 'abc',
      rounds: 3,
      script: 'cli/kd.ts',
      args: ['bench', '--quick'],
    });
  });

  it('gives each side its own output: {side} in the arguments becomes old or new', () => {
    const request = parseRequest([
      '--baseline',
      'abc',
      'cli/kd.ts',
      'bench',
      '--out',
      '/tmp/w1-{side}',
    ]);
    expect(argsFor(request, 'old')).toEqual(['bench', '--out', '/tmp/w1-old']);
    expect(argsFor(request, 'new')).toEqual(['bench', '--out', '/tmp/w1-new']);
  });

  const script = fileURLToPath(new URL('../compare.ts', import.meta.url));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });

  it.each([
    [
      ['--baseline', 'no-such-revision-xyz', 'bench/impl.bench.ts'],
      /unknown revision: no-such-revision-xyz/,
    ],
    [
      ['--baseline', 'HEAD', 'bench/no-such.bench.ts'],
      /bench\/no-such\.bench\.ts does not exist in old/,
    ],
  ])('exits 2 on %j with one line that names the problem and the usage', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^usage: npm run bench:compare/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
