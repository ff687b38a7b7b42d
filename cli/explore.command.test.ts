import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { beforeEach, describe, expect, it } from 'vitest';
import { table } from '../checker/check/print.js';
import { loadCounterexample } from '../checker/trace/load.js';
import type { ExploreResult } from '../spec/explore.js';
import type { Model } from '../spec/model.js';
import type { Catalogue, Config, Observation } from '../spec/types/index.js';
import { fail, MUTANTS, OK } from '../spec/types/index.js';
import { makeConfigs } from '../spec/types/mutants.js';
import { tempDir } from '../test-support/temp-dir.js';
import {
  commandLine,
  type ExploreCliOptions,
  type ExploreIo,
  exitCodeFor,
  mutantTable,
  parseMaxDepth,
  parseMaxStates,
  parseWorkers,
  presetFor,
  progressPrinter,
  propertyTable,
  runExplore,
  unboundedWarning,
} from './explore.command.js';

// A toy world: a counter 0..3 whose observation is the number itself.
const nOf = (obs: Observation) => (obs as unknown as { n: number }).n;

const toyModel = (config: Config): Model<unknown> => ({
  config,
  initial: () => 0,
  transitions: (n) =>
    (n as number) < 3
      ? [{ action: { actor: 'toy', label: 'inc', fault: false }, next: (n as number) + 1 }]
      : [],
  observe: (n) => ({ n }) as unknown as Observation,
  key: (n) => String(n),
  summary: (n) => `n=${n}`,
});

/** `bounded-overshoot` fails at 2 when `buggy`; `caches-drain` converges at 3. */
const toyCatalogue = (buggy: boolean): Catalogue => ({
  safety: [
    {
      name: 'bounded-overshoot',
      statement: 'toy',
      kind: 'always',
      check: (obs) => (buggy && nOf(obs) === 2 ? fail('two is too many') : OK),
    },
  ],
  liveness: [
    {
      name: 'caches-drain',
      statement: 'toy',
      kind: 'eventually',
      check: (obs) => (nOf(obs) === 3 ? OK : fail('not drained')),
    },
  ],
  reachability: [{ name: 'round2-resends', statement: 'toy', kind: 'sometimes', hit: () => false }],
});

let dir: string;
let out: string[];
let err: string[];
beforeEach(() => {
  dir = tempDir('kd-explore-test');
  out = [];
  err = [];
});

const io = (buggy: boolean): ExploreIo => ({
  stdout: (text) => out.push(text),
  stderr: { write: (text) => err.push(text), isTTY: false },
  colors: pc.createColors(false),
  cwd: dir,
  counterexamplesDir: join(dir, 'counterexamples'),
  load: async () => ({ build: toyModel, catalogue: toyCatalogue(buggy) }),
});

const options = (extra: Partial<ExploreCliOptions> = {}): ExploreCliOptions => ({
  preset: 'up',
  profile: 'hardened',
  save: true,
  ...extra,
});

describe('kd explore', () => {
  it('exits 0 and prints the property table when everything holds', async () => {
    expect(await runExplore(options(), io(false))).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/bounded-overshoot\s+always\s+holds/);
    expect(text).toMatch(/round2-resends\s+sometimes\s+unexercised/);
    expect(text).toContain('states 4, transitions 3, depth 3');
  });

  it('prints exactly one JSON object with --json', async () => {
    expect(await runExplore(options({ json: true }), io(false))).toBe(0);
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0] ?? '');
    expect(Object.keys(report)).toEqual([
      'states',
      'complete',
      'stopReason',
      'depth',
      'levels',
      'statesPerSecond',
      'peakRssMb',
      'collisionProbability',
      'properties',
      'counterexample',
    ]);
    expect(report).toMatchObject({
      states: 4,
      complete: true,
      stopReason: 'done',
      depth: 3,
      levels: [1, 1, 1, 1],
    });
    expect(report.peakRssMb).toBeGreaterThan(0);
    // Four states: six pairs, each sharing a 64-bit fingerprint with probability 2^-64.
    expect(report.collisionProbability).toBe(6 / 2 ** 64);
    expect(report.counterexample).toBeNull();
    expect(report.properties[0]).toEqual({
      name: 'bounded-overshoot',
      kind: 'always',
      status: 'holds',
    });
    expect(err).toEqual([]);
  });

  it('saves a violation as an open counterexample and exits 1', async () => {
    expect(await runExplore(options({ json: true }), io(true))).toBe(1);
    const report = JSON.parse(out[0] ?? '');
    expect(report.counterexample).toBe(
      'counterexamples/explore-up-hardened-bounded-overshoot.json',
    );
    const saved = loadCounterexample(join(dir, report.counterexample));
    expect(saved).toMatchObject({
      kind: 'safety',
      property: 'bounded-overshoot',
      failingStep: 2,
      expected: 'open',
      steps: [
        { actor: 'toy', label: 'inc' },
        { actor: 'toy', label: 'inc' },
      ],
      source: { command: 'kd explore --preset up --profile hardened' },
    });
    expect(saved.trace.at(-2)).toMatch(/^> +2 \| toy/);
  });

  it('prints the trace and the saved path without --json', async () => {
    await runExplore(options(), io(true));
    const text = out.join('');
    expect(text).toContain('violated bounded-overshoot (always) in preset up: two is too many');
    expect(text).toContain('saved counterexamples/explore-up-hardened-bounded-overshoot.json');
  });

  it('prints what each step changed and the kd replay line that reruns the saved file', async () => {
    await runExplore(options(), io(true));
    const text = out.join('');
    expect(text).toMatch(/\n {4}0 {2}initial state\n {10}/);
    expect(text).toMatch(/\n {2}> 2 {2}toy: inc\n/);
    expect(text).toContain(
      'rerun: kd replay counterexamples/explore-up-hardened-bounded-overshoot.json',
    );
  });

  it('writes nothing with --no-save', async () => {
    await runExplore(options({ json: true, save: false }), io(true));
    expect(JSON.parse(out[0] ?? '').counterexample).toBeNull();
  });

  it('exits 0 for a mutant caught by its property, saved as an expected failure', async () => {
    const mutant = 'count-schedule-pods'; // named property: bounded-overshoot
    expect(await runExplore(options({ mutant }), io(true))).toBe(0);
    expect(out.join('')).toContain('mutant count-schedule-pods caught by bounded-overshoot');
    const saved = loadCounterexample(
      join(dir, 'counterexamples', `explore-up-hardened-${mutant}-bounded-overshoot.json`),
    );
    expect(saved.expected).toBe('expected-failure');
    expect(saved.switches.schedulePodsPayload).toBe('count');
  });

  it('exits 1 for a mutant that nothing catches', async () => {
    expect(await runExplore(options({ mutant: 'count-schedule-pods' }), io(false))).toBe(1);
    expect(out.join('')).toContain('NOT caught by bounded-overshoot');
  });

  it('explores the tiny suite by default, part by part, reported as one run', async () => {
    expect(presetFor({})).toBe('tiny');
    expect(await runExplore({ profile: 'hardened', save: true }, io(false))).toBe(0);
    const text = out.join('');
    expect(text).toContain('states 20, transitions 15, depth 3');
    expect(text).toContain('tiny: up 4 + down 4 + retries 4 + tenants 4 + spread 4');
    out = [];
    await runExplore({ profile: 'hardened', save: false, json: true }, io(false));
    // Each part starts at its own depth 0: the suite's levels are the parts' added up.
    expect(JSON.parse(out[0] ?? '').levels).toEqual([5, 5, 5, 5]);
  });

  it("starts a mutant's suite run with the part where its hazard shows", async () => {
    // name-only-cache-key needs two namespaces: part tenants.
    await runExplore(
      options({ preset: 'tiny', mutant: 'name-only-cache-key', json: true }),
      io(true),
    );
    expect(JSON.parse(out[0] ?? '').counterexample).toBe(
      'counterexamples/explore-tenants-hardened-name-only-cache-key-bounded-overshoot.json',
    );
  });

  it('says where a mutant hazard shows when the preset forced on it lacks it', async () => {
    const options_ = options({ mutant: 'name-only-cache-key', preset: 'updown' });
    expect(await runExplore(options_, io(false))).toBe(1);
    expect(out.join('')).toContain('its hazard shows in preset tenants (part of tiny)');
  });

  it('saves one counterexample per property over a whole suite, under its own part', async () => {
    await runExplore(options({ preset: 'tiny', keepGoing: true, json: true }), io(true));
    const report = JSON.parse(out[0] ?? '');
    expect(report.counterexample).toBe(
      'counterexamples/explore-up-hardened-bounded-overshoot.json',
    );
    expect(report.states).toBe(20);
  });

  it('marks findings under the artifact profile as expected failures', async () => {
    await runExplore(options({ profile: 'artifact', json: true }), io(true));
    const path = JSON.parse(out[0] ?? '').counterexample;
    expect(loadCounterexample(join(dir, path)).expected).toBe('expected-failure');
  });

  it('rejects unknown names with exit 2, a one-line message and the usage hint', async () => {
    expect(await runExplore(options({ preset: 'huge' }), io(false))).toBe(2);
    expect(err.join('')).toBe(
      "kd: unknown preset 'huge' (known: tiny, up, down, retries, tenants, spread, revalidate, slots, surplus, rescale, updown, small)\nrun `kd explore --help` for usage\n",
    );
    expect(await runExplore(options({ mutant: 'nope' }), io(false))).toBe(2);
    expect(await runExplore(options({ profile: 'artifact', mutant: 'no-fence' }), io(false))).toBe(
      2,
    );
  });

  it('refuses a mutant beyond the model with exit 2, naming where it is caught', async () => {
    expect(await runExplore(options({ mutant: 'unconditional-write-back' }), io(false))).toBe(2);
    expect(err.join('')).toContain('beyond the model');
    expect(err.join('')).toContain('kd check --mutant unconditional-write-back');
  });

  it('exits 1 and leaves properties unknown when cut by --max-states', async () => {
    expect(await runExplore(options({ maxStates: 2 }), io(false))).toBe(1);
    expect(out.join('')).toContain('incomplete: cut by --max-states');
    expect(out.join('')).toContain(
      'states first met at depth 0, 1, ...: 1, 1 (the last level is cut)',
    );
  });

  it('checks every behaviour up to --max-depth and says so; the bug one step further is unseen', async () => {
    // The toy's bug is at 2: within two steps, not within one.
    expect(await runExplore(options({ maxDepth: 1, save: false }), io(true))).toBe(1);
    expect(out.join('')).toContain(
      'bounded: cut by --max-depth at depth 1: every behaviour of up to 1 step was checked',
    );
    expect(out.join('')).toContain(
      'states first met at depth 0, 1, ...: 1, 1 (the last level is not expanded)',
    );
    expect(out.join('')).toMatch(/bounded-overshoot\s+always\s+unknown/);
    out = [];
    expect(
      await runExplore(
        options({ maxDepth: 2, json: true, save: false, keepGoing: true }),
        io(true),
      ),
    ).toBe(1);
    const report = JSON.parse(out[0] ?? '');
    expect(report).toMatchObject({ complete: false, stopReason: 'maxDepth', depth: 2 });
    expect(report.properties[0]).toMatchObject({ name: 'bounded-overshoot', status: 'violated' });
  });

  it('lists the mutants as a table or as JSON', async () => {
    await runExplore(options({ listMutants: true }), io(false));
    expect(out.join('').split('\n')[0]).toMatch(/^mutant\s+property\s+preset\s+hazard$/);
    out = [];
    await runExplore(options({ listMutants: true, json: true }), io(false));
    const rows = JSON.parse(out.join(''));
    expect(rows).toHaveLength(MUTANTS.length);
    expect(rows[0]).toEqual({
      name: MUTANTS[0]?.name,
      property: MUTANTS[0]?.property,
      preset: MUTANTS[0]?.preset ?? 'up',
      hazard: MUTANTS[0]?.hazard,
    });
    expect(mutantTable()).toHaveLength(MUTANTS.length + 1);
  });
});

describe('kd explore pieces', () => {
  it('accepts only positive whole numbers for --max-states', () => {
    expect(parseMaxStates('1000')).toBe(1000);
    for (const bad of ['0', '-1', '1.5', 'abc', ''])
      expect(() => parseMaxStates(bad)).toThrow(/positive/);
  });

  it('accepts only positive whole numbers for --max-depth, and records it to rerun a find', () => {
    expect(parseMaxDepth('9')).toBe(9);
    for (const bad of ['0', '-1', '1.5', 'abc', ''])
      expect(() => parseMaxDepth(bad)).toThrow(/positive whole number of steps/);
    const [config] = makeConfigs('up', 'hardened', null);
    if (config === undefined) throw new Error('no up config');
    expect(commandLine(options({ maxDepth: 9 }), config)).toBe(
      'kd explore --preset up --profile hardened --max-depth 9',
    );
  });

  it('accepts from 1 to 64 threads for --workers', () => {
    expect(parseWorkers('2')).toBe(2);
    for (const bad of ['0', '65', '1.5', 'abc', ''])
      expect(() => parseWorkers(bad)).toThrow(/from 1 to 64/);
  });

  it('aligns table columns and leaves the last one unpadded', () => {
    expect(table(['a', 'bb', 'c'], [['xxx', 'y', 'z']])).toEqual(['a    bb  c', 'xxx  y   z']);
  });

  it('colours statuses without breaking the alignment', () => {
    const properties = [
      { name: 'capacity', kind: 'always', status: 'violated' },
      { name: 'caches-drain', kind: 'eventually', status: 'holds' },
    ] as const;
    const plain = propertyTable(properties, pc.createColors(false));
    const coloured = propertyTable(properties, pc.createColors(true));
    expect(coloured[1]).toContain('\x1b[31mviolated');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.map((line) => line.replace(/\x1b\[\d+m/g, ''))).toEqual(plain);
  });

  it('rewrites the progress line in place on a terminal and throttles it otherwise', () => {
    const progress = {
      states: 1234,
      transitions: 1,
      statesPerSecond: 99.6,
      depth: 3,
      frontier: 7,
      seconds: 2,
    };
    const tty: string[] = [];
    const onTty = progressPrinter({ write: (t) => tty.push(t), isTTY: true });
    onTty.report(progress);
    onTty.done();
    expect(tty).toEqual([
      '\rexploring: 1,234 states (100/s), depth 3, frontier 7, 2 s\x1b[K',
      '\r\x1b[K',
    ]);
    const log: string[] = [];
    let clock = 0;
    const onLog = progressPrinter({ write: (t) => log.push(t), isTTY: false }, 5000, () => clock);
    onLog.report(progress);
    clock = 1000;
    onLog.report(progress);
    clock = 6000;
    onLog.report(progress);
    onLog.done();
    expect(log).toHaveLength(2);
    expect(log[0]?.endsWith('\n')).toBe(true);
  });

  it('exits 1 for an incomplete search even if nothing was violated', () => {
    const result = {
      complete: false,
      properties: [{ name: 'capacity', kind: 'always', status: 'unknown' }],
      violations: [],
    } as unknown as ExploreResult;
    expect(exitCodeFor(result, null)).toBe(1);
  });
});

describe('kd explore --workers', () => {
  it('searches on two threads to the pinned state count with every property holding', () => {
    const kd = fileURLToPath(new URL('../bin/kd', import.meta.url));
    const args = ['explore', '--preset', 'retries', '--workers', '2', '--json', '--no-save'];
    const result = spawnSync(kd, args, { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    // The one-thread count pinned in checker/model/explore.tiny.deep.test.ts.
    expect(report.states).toBe(1_782);
    const failing = report.properties.filter(
      (p: { kind: string; status: string }) => p.kind !== 'sometimes' && p.status !== 'holds',
    );
    expect(failing).toEqual([]);
  }, 60_000);
});

describe('kd explore and Ctrl-C', () => {
  it('stops the search, prints what it found as incomplete and exits 130', async () => {
    const kd = fileURLToPath(new URL('../bin/kd', import.meta.url));
    const child = spawn(kd, [
      'explore',
      '--preset',
      'small',
      '--max-states',
      '5000000',
      '--no-save',
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // Interrupt once the search is under way: its first progress line.
      if (stderr.includes('exploring small:') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('kd: interrupted: stopping with the result so far');
    expect(stdout).toContain('incomplete: interrupted (Ctrl-C)');
    expect(stdout).toMatch(/capacity\s+always\s+unknown/);
    expect(stdout).toMatch(/^states [1-9]/m);
  }, 60_000);
});

describe('kd explore on a preset not known to finish', () => {
  it('warns at the start unless --max-states bounds it', () => {
    expect(unboundedWarning({ preset: 'small' })).toMatch(
      /preset small is not known to finish.*--max-states N/,
    );
    expect(unboundedWarning({ preset: 'rescale' })).toMatch(/not known to finish/);
    expect(unboundedWarning({ preset: 'small', maxStates: 1000 })).toBeNull();
    expect(unboundedWarning({ preset: 'small', maxDepth: 9 })).toBeNull();
    expect(unboundedWarning({})).toBeNull();
    expect(unboundedWarning({ preset: 'up' })).toBeNull();
  });
});
